"""Swedish personal identity numbers (personnummer) and age arithmetic."""

from __future__ import annotations

import re
from datetime import date

from personnummer.personnummer import Personnummer, PersonnummerException

_PNR = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})[-+]?(\d{3})(\d)$")

# Skatteverket's test numbers use birth serials 980-999, which are never given to real people.
TEST_SERIALS = range(980, 1000)


class InvalidPersonalNumber(ValueError):
    """Not a well-formed personal identity number with a correct check digit."""


def luhn_check_digit(nine_digits: str) -> int:
    """The check digit for YYMMDDNNN by the Luhn algorithm (weights 2,1,2,1,...)."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def normalise_personal_number(value: str, today: date | None = None) -> str:
    """Return the 12-digit form YYYYMMDDNNNC, or raise InvalidPersonalNumber.

    Accepts 10 or 12 digits with an optional '-' or '+' before the last four, and
    samordningsnummer (day of birth + 60). A 10-digit number gets its century from the separator
    ('+' means 100 years or older) and today's date. The check digit and the date of birth are
    checked by the `personnummer` library."""
    text = value.strip().replace(" ", "")
    match = _PNR.match(text)
    if not match:
        raise InvalidPersonalNumber(value)
    century, yy, mm, dd, serial, check = match.groups()
    if century is None:
        today = today or date.today()
        year = 2000 + int(yy)
        if year > today.year:
            year -= 100
        if "+" in text:
            year -= 100
        century = str(year)[:2]
    long_form = f"{century}{yy}{mm}{dd}{serial}{check}"
    try:
        Personnummer(long_form)
    except PersonnummerException as error:
        raise InvalidPersonalNumber(value) from error
    return long_form


def is_coordination_number(personal_number: str) -> bool:
    """A samordningsnummer: Skatteverket's number for someone not (yet) registered in Sweden."""
    return int(normalise_personal_number(personal_number)[6:8]) > 60


def formatted(personal_number: str) -> str:
    """YYYYMMDD-NNNN, as people write it."""
    return f"{personal_number[:8]}-{personal_number[8:]}"


def birth_date_of(personal_number: str) -> date:
    pnr = normalise_personal_number(personal_number)
    day = int(pnr[6:8])
    return date(int(pnr[:4]), int(pnr[4:6]), day - 60 if day > 60 else day)


def is_test_number(personal_number: str) -> bool:
    """True for numbers in the test series, which cannot belong to a real person."""
    return int(normalise_personal_number(personal_number)[8:11]) in TEST_SERIALS


def make_test_number(birth: date, serial: int) -> str:
    """A valid 12-digit test-series number for a birth date (serial 980-999)."""
    if serial not in TEST_SERIALS:
        raise ValueError("test numbers use birth serials 980-999")
    nine = f"{birth:%y%m%d}{serial:03d}"
    return f"{birth:%Y%m%d}{serial:03d}{luhn_check_digit(nine)}"


def age_on(birth: date, today: date) -> int:
    """Completed years on `today`. Someone born on 29 February turns a year older on 1 March."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def birthday_on(birth: date, years: int) -> date:
    """The date someone reaches `years` of age (1 March for 29 February in common years)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)
