"""URL converters: an id in a path is a database id or nothing."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import IntegerConverter, Map

# Ids are INTEGER columns on PostgreSQL; SQLite cannot even bind an int past 2**63 - 1.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` that matches only the ids a table can hold, so a huge number is a plain 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def number(text: str) -> int | None:
    """A whole number typed in a form or a query string (ASCII digits, at most MAX_ID), or None.

    `str.isdigit()` is not enough: it accepts "²" (which `int()` refuses) and numbers no column
    can hold (which SQLite refuses to bind)."""
    if not re.fullmatch(r"[0-9]{1,10}", text) or int(text) > MAX_ID:
        return None
    return int(text)
