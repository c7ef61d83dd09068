"""Message text as HTML: everything escaped, line breaks kept by CSS, only https links clickable."""

from __future__ import annotations

from typing import Any

import bleach
from markupsafe import Markup, escape

MAX_LENGTH = 4000


def _only_https(attrs: dict[Any, str], new: bool = False) -> dict[Any, str] | None:
    href = attrs.get((None, "href"), "")
    if not href.startswith("https://"):
        return None  # leave the text as text
    attrs[(None, "rel")] = "noopener noreferrer nofollow"
    attrs[(None, "target")] = "_blank"
    return attrs


_linker = bleach.Linker(callbacks=[_only_https], parse_email=False, skip_tags=["pre"])


def message_html(text: str) -> Markup:
    """Escape the text and turn safe https URLs into links; nothing else becomes markup."""
    # bleach.Linker re-parses escaped text and only ever adds <a> for URLs it finds.
    return Markup(_linker.linkify(str(escape(text))))  # noqa: S704 - escaped, then linkified


def normalise(text: str) -> str:
    """Line endings as \\n, trailing whitespace trimmed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
