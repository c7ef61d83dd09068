"""When reminders about times fall due: Swedish working days, and summer and winter time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.appointments.reminders import overdue_at, reminder_at
from app.messages.workdays import add_working_days, subtract_working_days

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at_home(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), STOCKHOLM).astimezone(UTC)


@pytest.mark.parametrize(
    ("starts", "days", "reminded"),
    [
        # A Monday time is reminded of on the Friday before, at the same clock time.
        (date(2026, 12, 14), 1, date(2026, 12, 11)),
        # Across Christmas: Julafton, juldagen and annandag jul are no working days.
        (date(2026, 12, 28), 1, date(2026, 12, 23)),
        (date(2026, 12, 28), 2, date(2026, 12, 22)),
        # Trettondedag jul (a Wednesday in 2027).
        (date(2027, 1, 7), 1, date(2027, 1, 5)),
        # Midsommarafton (Friday 25 June 2027) is a de facto holiday.
        (date(2027, 6, 28), 1, date(2027, 6, 24)),
    ],
)
def test_the_reminder_comes_working_days_before(starts: date, days: int, reminded: date) -> None:
    due = reminder_at(at_home(starts, 10), days, STOCKHOLM)
    assert due.astimezone(STOCKHOLM).date() == reminded
    assert due.astimezone(STOCKHOLM).time() == time(10, 0)


def test_across_the_change_to_summer_time_the_clock_time_stays() -> None:
    # Summer time begins on the last Sunday of March: 29 March 2026 at 02:00.
    monday = at_home(date(2026, 3, 30), 10)  # 08:00 UTC (CEST)
    due = reminder_at(monday, 1, STOCKHOLM)
    assert due == datetime(2026, 3, 27, 9, 0, tzinfo=UTC)  # Friday 10:00 CET
    assert due.astimezone(STOCKHOLM).hour == 10


def test_across_the_change_to_winter_time_the_clock_time_stays() -> None:
    # Winter time begins on the last Sunday of October: 25 October 2026 at 03:00.
    monday = at_home(date(2026, 10, 26), 9, 30)  # 08:30 UTC (CET)
    due = reminder_at(monday, 1, STOCKHOLM)
    assert due == datetime(2026, 10, 23, 7, 30, tzinfo=UTC)  # Friday 09:30 CEST
    assert due.astimezone(STOCKHOLM).time() == time(9, 30)


def test_an_answer_is_overdue_the_morning_after_its_day() -> None:
    assert overdue_at(date(2026, 10, 24), STOCKHOLM) == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)
    assert overdue_at(date(2026, 3, 29), STOCKHOLM) == datetime(2026, 3, 30, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "day", [date(2026, 12, 23), date(2027, 1, 5), date(2027, 6, 24), date(2026, 12, 11)]
)
def test_subtracting_undoes_adding(day: date) -> None:
    for days in (1, 2, 3, 10):
        assert subtract_working_days(add_working_days(day, days), days) == day
