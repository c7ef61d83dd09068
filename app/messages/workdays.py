"""Swedish working days: weekdays that are neither public holidays nor the de facto ones
(Midsommarafton, Julafton, Nyårsafton), from the `holidays` package."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[date]:
    days = holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (a message sent on a holiday counts from the
    next working day)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def subtract_working_days(start: date, days: int) -> date:
    """The date `days` working days before `start`."""
    current = start
    remaining = days
    while remaining > 0:
        current -= timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """The working days after `start` up to and including `end`: 0 for the same day, 1 for a
    message sent on a Friday (or a Saturday) and answered on the Monday."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
