"""The follow-up figures as counted, kept: counting a whole region takes seconds (the named
contacts alone read every plan and care-team row of the month's end), so a month's counts are
stored and the page reads them while they are fresh.

Counts are fresh for FRESH_FOR after they were counted; a month that has settled (SETTLED
after its end, when every promise and deadline in it has passed) and was counted after that
never changes again. `samplan follow-up-count`, run each night, keeps each principal's last
two months counted, so that nobody waits for the count. The counts are kept before protection:
the page hides the small cells each time it shows them (app/followup/figures.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.followup.figures import Cell, Counted, Figures, TrendPoint, count, present, units_of
from app.followup.models import FollowUpCount
from app.sqltime import STOCKHOLM

FRESH_FOR = timedelta(hours=12)
# Promises are at most ten working days (app/directory/services.py): a month has settled once
# a whole month has passed since it ended.
SETTLED = timedelta(days=31)
ALL = "all"


def settled_at(month: date) -> datetime:
    end = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(end, datetime.min.time(), STOCKHOLM) + SETTLED


def fresh(row: FollowUpCount, month: date, now: datetime) -> bool:
    if row.counted_at >= settled_at(month):
        return True
    return now - row.counted_at < FRESH_FOR


def _encode(counted: Counted) -> dict[str, Any]:
    def cells(by_unit: dict[int | None, dict[str, Cell]]) -> dict[str, Any]:
        return {
            ALL if unit is None else str(unit): {
                key: [cell.patients, cell.value] for key, cell in row.items()
            }
            for unit, row in by_unit.items()
        }

    return {
        "cells": cells(counted.cells),
        "seven": cells(counted.seven),
        "trends": {
            key: [[p.month, p.patients, p.value, p.hidden] for p in points]
            for key, points in counted.trends.items()
        },
    }


def _decode(counts: dict[str, Any], counted_at: datetime) -> Counted:
    def cells(stored: dict[str, Any]) -> dict[int | None, dict[str, Cell]]:
        return {
            None if unit == ALL else int(unit): {
                key: Cell(patients, value) for key, (patients, value) in row.items()
            }
            for unit, row in stored.items()
        }

    return Counted(
        cells=cells(counts["cells"]),
        seven=cells(counts["seven"]),
        trends={
            key: [TrendPoint(*point) for point in points]
            for key, points in counts["trends"].items()
        },
        counted_at=counted_at,
    )


def counted(
    session: Session, principal_id: int, month: date, now: datetime, unit_id: int | None = None
) -> Counted:
    """The month's counts: the stored ones while fresh, else counted now and stored."""
    scope = ALL if unit_id is None else str(unit_id)
    key = month.strftime("%Y-%m")
    row = session.scalar(
        select(FollowUpCount).where(
            FollowUpCount.principal_id == principal_id,
            FollowUpCount.scope == scope,
            FollowUpCount.month == key,
        )
    )
    if row is not None and fresh(row, month, now):
        return _decode(row.counts, row.counted_at)
    result = count(session, principal_id, month, now, unit_id)
    try:
        with session.begin_nested():
            session.execute(
                delete(FollowUpCount).where(
                    FollowUpCount.principal_id == principal_id,
                    FollowUpCount.scope == scope,
                    FollowUpCount.month == key,
                )
            )
            session.add(
                FollowUpCount(
                    principal_id=principal_id,
                    scope=scope,
                    month=key,
                    counted_at=now,
                    counts=_encode(result),
                )
            )
    except IntegrityError:
        pass  # counted at the same time by another look: theirs is as good
    return result


def figures(
    session: Session,
    principal_id: int,
    principal_name: str,
    month: date,
    now: datetime,
    unit_id: int | None = None,
) -> Figures:
    """The month's figures, protected, from the stored counts while they are fresh."""
    units = units_of(session, principal_id, unit_id)
    found = counted(session, principal_id, month, now, unit_id)
    return present(found, month, units, principal_name, unit_id is None)
