"""When a recorded value meets one of the plan's rules. Pure functions, no database: the rules
are the plan's own (seed 003 §4: what the patient does if something changes), so each kind is
simple and exact at its edges.

- BELOW and ABOVE compare the new value with the threshold, strictly ("blodsocker under 4":
  4.0 is not under 4).
- RISE compares the new value with the lowest value recorded in the window: on the same Swedish
  calendar day or the `window_days` days before it, and not after the new value ("vikten har
  ökat mer än 2 kg på 3 dagar": 70.0 on Monday and 72.1 on Thursday is met; 72.0 is not, it is
  exactly 2; a Friday value is compared with nothing from Monday). Days with no value are not
  made up: with nothing recorded in the window, the rule cannot be met."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from app.diary.models import RuleKind


@dataclass(frozen=True)
class Reading:
    at: datetime
    value: Decimal


@dataclass(frozen=True)
class RuleSpec:
    id: int
    kind: RuleKind
    threshold: Decimal
    window_days: int | None = None


def is_met(rule: RuleSpec, new: Reading, earlier: Iterable[Reading], zone: tzinfo) -> bool:
    """Does `new` meet `rule`, given the values recorded before it (`earlier`, not `new`)?"""
    if rule.kind == RuleKind.BELOW:
        return new.value < rule.threshold
    if rule.kind == RuleKind.ABOVE:
        return new.value > rule.threshold
    day = new.at.astimezone(zone).date()
    first = day - timedelta(days=rule.window_days or 0)
    window = [
        reading.value
        for reading in earlier
        if reading.at <= new.at and first <= reading.at.astimezone(zone).date() <= day
    ]
    return bool(window) and new.value - min(window) > rule.threshold


def met(
    rules: Iterable[RuleSpec], new: Reading, earlier: Iterable[Reading], zone: tzinfo
) -> list[RuleSpec]:
    """The rules `new` meets, in the plan's order."""
    before = list(earlier)
    return [rule for rule in rules if is_met(rule, new, before, zone)]


def window_start(new_at: datetime, longest_days: int, zone: tzinfo) -> datetime:
    """The earliest moment a RISE rule of `longest_days` can look back to (the start of that
    Swedish day): what to load from the database."""
    day = new_at.astimezone(zone).date() - timedelta(days=longest_days)
    return datetime.combine(day, datetime.min.time(), zone)
