"""Whole numbers from outside: an id in a path, a number typed in a form or a query string.

Only ASCII digits count. `str.isdigit()` and `\\d` are not enough: they accept "²" (which
`int()` refuses), and "٣" or "３" (which `int()` reads as 3, so one id would have many spellings).
Every id column is an INTEGER on PostgreSQL, and SQLite cannot even bind an int past 2**63 - 1:
a number larger than MAX_ID names nothing and is refused before any statement sees it."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")  # [0-9], not \d: ASCII only


class IdConverter(IntegerConverter):
    """`<int:…>` that matches only ASCII digits and only the numbers a table can hold, so "²",
    "٣" or a huge number is a plain 404."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def number(text: str | None) -> int | None:
    """A whole number 0..MAX_ID typed in a form or a query string (ASCII digits only), or None."""
    if text is None or not _DIGITS.fullmatch(text) or int(text) > MAX_ID:
        return None
    return int(text)


def identifier(text: str | None) -> int | None:
    """A database id (1..MAX_ID, ASCII digits only) sent in a form, or None."""
    value = number(text)
    return value if value is not None and value >= 1 else None
