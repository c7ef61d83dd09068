"""Reminders to write in the diary, at the time of day the patient chose, on the days the plan
says (every day, every other day, once a week). A daily command queues each day's reminders in
the outbox with their time as `next_attempt_at`; when one falls due, it is dropped if the value
is already written in for that day, the reminder was turned off or moved, or the plan has ended.
No health content: that it is time to write in the diary, and a link. A missed day is shown as
missed (app/diary/queries.py), never filled in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Person
from app.diary.models import Entry, Measure
from app.notifications.models import OutboxItem
from app.notifications.services import queue
from app.plans.models import CarePlan, PlanStatus

REMINDER = "diary_reminder"


def due_on(measure: Measure, day: date, zone: ZoneInfo) -> bool:
    """Is a value due on `day` (counted from the day care set the measure up)?"""
    first = measure.created_at.astimezone(zone).date()
    return day >= first and (day - first).days % max(measure.every_days, 1) == 0


def queue_day(session: Session, day: date, zone: ZoneInfo) -> int:
    """Queue `day`'s reminders for every measure whose patient chose a time; once per measure
    and day however often this runs."""
    rows = session.execute(
        select(Measure, CarePlan.patient_id)
        .join(CarePlan, CarePlan.id == Measure.plan_id)
        .join(Person, Person.id == CarePlan.patient_id)
        .where(
            Measure.remind_at.is_not(None),
            Measure.ended_at.is_(None),
            CarePlan.status == PlanStatus.ACTIVE,
            Person.deceased_on.is_(None),
        )
    ).all()
    count = 0
    for measure, patient_id in rows:
        if not due_on(measure, day, zone) or measure.remind_at is None:
            continue
        hour, minute = (int(part) for part in measure.remind_at.split(":"))
        queue(
            session,
            REMINDER,
            f"{REMINDER}:{measure.id}:{day.isoformat()}",
            person_id=patient_id,
            payload={"measure_id": measure.id, "day": day.isoformat(), "at": measure.remind_at},
            not_before=datetime.combine(day, time(hour, minute), zone),
        )
        count += 1
    return count


def no_longer_due(session: Session, item: OutboxItem, zone: ZoneInfo) -> bool:
    """The value is in for that day, or the reminder was moved or turned off, or the plan ended."""
    payload = item.payload or {}
    measure = session.get(Measure, payload.get("measure_id") or 0)
    if measure is None or measure.ended_at is not None or measure.remind_at != payload.get("at"):
        return True
    plan = session.get(CarePlan, measure.plan_id)
    if plan is None or plan.status != PlanStatus.ACTIVE:
        return True
    day = date.fromisoformat(str(payload.get("day")))
    start = datetime.combine(day, time(), zone)
    written = session.scalars(
        select(Entry.id).where(
            Entry.measure_id == measure.id,
            Entry.recorded_for >= start,
            Entry.recorded_for < start + timedelta(days=1),
        )
    ).first()
    return written is not None
