"""The SIP meeting's deadlines (seed 003) at their edges, over Swedish holidays."""

from __future__ import annotations

from datetime import date

import pytest

from app.sip.deadlines import Rules, rules


@pytest.mark.parametrize(
    ("need", "due"),
    [
        (date(2026, 11, 23), date(2026, 11, 26)),  # Monday -> Thursday
        (date(2026, 11, 26), date(2026, 12, 1)),  # Thursday -> Tuesday, over a weekend
        (date(2026, 11, 28), date(2026, 12, 2)),  # known on a Saturday: Monday is day one
        (date(2026, 6, 18), date(2026, 6, 24)),  # over Midsommarafton and Midsommardagen
        (date(2026, 12, 21), date(2026, 12, 28)),  # over Julafton, juldagen, annandag jul
        (date(2026, 12, 30), date(2027, 1, 7)),  # Nyårsafton, nyårsdagen, Trettondedag jul
        (date(2027, 1, 5), date(2027, 1, 11)),  # over Trettondedag jul and a weekend
    ],
)
def test_the_call_is_due_within_three_working_days(need: date, due: date) -> None:
    assert Rules().call_due(need) == due


def test_the_meeting_within_21_days_and_each_part_documented_within_3() -> None:
    assert Rules().meet_by(date(2026, 12, 10)) == date(2026, 12, 31)
    assert Rules().documented_by(date(2026, 12, 30)) == date(2027, 1, 2)  # calendar days


def test_a_region_sets_its_own_days() -> None:
    own = rules(
        {"SIP_CALL_WORKING_DAYS": 5, "SIP_MEETING_WITHIN_DAYS": 14, "SIP_DOCUMENTED_DAYS": 5}
    )
    assert own.call_due(date(2026, 11, 23)) == date(2026, 11, 30)
    assert own.meet_by(date(2026, 11, 23)) == date(2026, 12, 7)
    assert own.documented_by(date(2026, 11, 23)) == date(2026, 11, 28)
    assert rules({}) == Rules()
