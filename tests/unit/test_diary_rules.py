"""The plan's rules at their edges: exactly at the threshold, exactly at the window's end,
missing days, several values a day, and the nights when the clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.diary.models import RuleKind
from app.diary.rules import Reading, RuleSpec, is_met, met

STOCKHOLM = ZoneInfo("Europe/Stockholm")
RISE = RuleSpec(1, RuleKind.RISE, Decimal("2.0"), 3)
LOW = RuleSpec(2, RuleKind.BELOW, Decimal("4"))
HIGH = RuleSpec(3, RuleKind.ABOVE, Decimal("7"))


def at(day: date, hour: int = 7, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), STOCKHOLM).astimezone(UTC)


def kg(day: date, value: str, hour: int = 7) -> Reading:
    return Reading(at(day, hour), Decimal(value))


MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in (9, 10, 11, 12, 13))


def test_exactly_two_kilos_in_three_days_is_not_more_than_two() -> None:
    assert not is_met(RISE, kg(THU, "72.0"), [kg(MON, "70.0")], STOCKHOLM)


def test_a_little_more_than_two_kilos_in_exactly_three_days_is() -> None:
    assert is_met(RISE, kg(THU, "72.1"), [kg(MON, "70.0")], STOCKHOLM)


def test_four_days_back_is_outside_a_three_day_window() -> None:
    assert not is_met(RISE, kg(FRI, "72.5"), [kg(MON, "70.0")], STOCKHOLM)


def test_missing_days_are_not_made_up() -> None:
    assert not is_met(RISE, kg(FRI, "75.0"), [], STOCKHOLM)
    # Only Tuesday in the window: the rise is counted from Tuesday's value.
    assert is_met(RISE, kg(FRI, "72.5"), [kg(MON, "69.0"), kg(TUE, "70.4")], STOCKHOLM)
    assert not is_met(RISE, kg(FRI, "72.4"), [kg(MON, "69.0"), kg(TUE, "70.4")], STOCKHOLM)


def test_several_values_a_day_the_lowest_counts() -> None:
    earlier = [kg(MON, "70.8", 7), kg(MON, "70.0", 20), kg(TUE, "71.0")]
    assert is_met(RISE, kg(WED, "72.1"), earlier, STOCKHOLM)
    # A value from later the same day than the new one (typed in afterwards) is not "before" it.
    assert not is_met(RISE, kg(WED, "72.1", 6), [kg(WED, "69.0", 21)], STOCKHOLM)
    # Earlier the same day counts.
    assert is_met(RISE, kg(WED, "72.1", 21), [kg(WED, "70.0", 6)], STOCKHOLM)


def test_days_are_swedish_days_across_the_change_to_summer_time() -> None:
    # 26 March 2027 (Friday) to 29 March (Monday) spans the night summer time begins.
    friday, monday = date(2027, 3, 26), date(2027, 3, 29)
    assert is_met(RISE, kg(monday, "72.1"), [kg(friday, "70.0")], STOCKHOLM)
    # 00:30 on Friday in Sweden is Thursday in UTC: still Friday, still in the window.
    assert is_met(RISE, Reading(at(monday, 0, 30), Decimal("72.1")), [
        Reading(at(friday, 0, 30), Decimal("70.0"))
    ], STOCKHOLM)  # fmt: skip


def test_days_are_swedish_days_across_the_change_to_winter_time() -> None:
    thursday, sunday = date(2026, 10, 22), date(2026, 10, 25)
    assert is_met(RISE, kg(sunday, "72.1", 23), [kg(thursday, "70.0", 0)], STOCKHOLM)
    assert not is_met(RISE, kg(sunday, "72.1"), [kg(date(2026, 10, 21), "70.0", 23)], STOCKHOLM)


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        (LOW, "3.9", True),
        (LOW, "4.0", False),
        (LOW, "4", False),
        (HIGH, "7.1", True),
        (HIGH, "7.0", False),
    ],
)
def test_under_and_over_are_strict(rule: RuleSpec, value: str, expected: bool) -> None:
    assert is_met(rule, kg(MON, value), [], STOCKHOLM) is expected


def test_every_rule_met_is_returned_in_order() -> None:
    found = met([LOW, HIGH, RISE], kg(THU, "3.5"), [kg(MON, "1.0")], STOCKHOLM)
    assert [rule.id for rule in found] == [2, 1]
