"""HSA-ids: the national directory's identifiers for organisations, units and staff.

An HSA-id is the country code SE, the responsible organisation's organisation number (ten
digits with a Luhn check digit, checked by python-stdnum), and for a unit or a person a hyphen
and up to 31 letters and digits of the organisation's own: SE2321000230-KB01."""

from __future__ import annotations

import re

from stdnum.se import orgnr

_HSA = re.compile(r"^SE(\d{10})(?:-([A-Z0-9]{1,31}))?$")


class InvalidHsaId(ValueError):
    """Not a well-formed HSA-id."""


def normalise_hsa_id(value: str, *, organisation: bool = False) -> str:
    """The HSA-id in upper case, or raise InvalidHsaId. `organisation`: only the organisation's
    own id (SE + organisation number) is allowed; otherwise the part after the hyphen is
    required."""
    text = value.strip().upper()
    match = _HSA.match(text)
    if not match or not orgnr.is_valid(match.group(1)):
        raise InvalidHsaId(value)
    if organisation != (match.group(2) is None):
        raise InvalidHsaId(value)
    return text


def organisation_of(hsa_id: str) -> str:
    """The organisation's HSA-id that a unit's or person's HSA-id begins with."""
    return hsa_id.split("-", 1)[0]
