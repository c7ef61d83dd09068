"""A device's name as a person recognises it ("Chrome på Android, Pixel 8"), from the browser's
User-Agent through ua-parser and its maintained rules (ua-parser-builtins)."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from ua_parser import parse

# Families the rules give that mean nothing to a patient.
_UNHELPFUL = {"Other", "Generic Smartphone", "Generic Feature Phone", "Spider"}


@lru_cache(maxsize=512)
def _parts(user_agent: str) -> tuple[str | None, str | None, str | None]:
    result = parse(user_agent[:500])
    browser = result.user_agent.family if result.user_agent else None
    system = result.os.family if result.os else None
    device = result.device.family if result.device else None
    return tuple(  # type: ignore[return-value]
        None if part in _UNHELPFUL else part for part in (browser, system, device)
    )


def device_name(user_agent: str) -> str:
    """The browser, the system and (where the rules know it) the device; never the raw string."""
    browser, system, device = _parts(user_agent or "")
    if browser is None and system is None:
        return _("Okänd webbläsare")
    if browser is None:
        name = str(system)
    elif system is None:
        name = browser
    else:
        name = _("%(browser)s på %(system)s", browser=browser, system=system)
    if device and device not in name:
        name = f"{name}, {device}"
    return name
