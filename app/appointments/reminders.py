"""Reminders about times, sent by the outbox worker when they fall due.

A reminder is queued when something happens (the patient agrees to a time, the patient's answer
starts waiting for care) with the moment it falls due as the outbox item's `next_attempt_at`, so
the worker's claim (FOR UPDATE SKIP LOCKED on PostgreSQL, one writer on SQLite) sends each one
once however many workers run. Whether it is still wanted is decided when it falls due: a time
that has moved (a higher sequence), been cancelled or passed, or an answer care has handled,
sends nothing. Reminders carry no health content: that there is a time, and a link."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.accounts.models import CareUnit, Person
from app.appointments.models import Appointment, AppointmentStatus
from app.messages.workdays import subtract_working_days
from app.notifications.models import OutboxItem
from app.notifications.services import queue

REMINDER = "appointment_reminder"
ANSWER_OVERDUE = "appointment_answer_overdue"
# A reminder that would arrive less than this before the time is not worth sending.
TOO_LATE = timedelta(hours=2)
# Care is told of an answer still waiting at this hour of the day after its due day.
OVERDUE_HOUR = time(7, 0)


def reminder_at(starts_at: datetime, working_days: int, zone: ZoneInfo) -> datetime:
    """The moment, `working_days` Swedish working days before the time, at the same clock time
    in Sweden (a Monday 10:00 time is reminded of on Friday at 10:00, winter or summer time)."""
    local = starts_at.astimezone(zone)
    day = subtract_working_days(local.date(), working_days)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), zone).astimezone(
        starts_at.tzinfo
    )


def overdue_at(due_on: date, zone: ZoneInfo) -> datetime:
    """When care is told that an answer has waited past its due day: the next morning."""
    return datetime.combine(due_on + timedelta(days=1), OVERDUE_HOUR, zone)


def queue_reminder(
    session: Session, appointment: Appointment, now: datetime, zone: ZoneInfo
) -> None:
    """Remind the patient of an agreed time, once for this version of it (its sequence)."""
    unit = session.get(CareUnit, appointment.unit_id)
    patient = session.get(Person, appointment.patient_id)
    if unit is None or patient is None or patient.deceased_on is not None:
        return
    due = reminder_at(appointment.starts_at, unit.reminder_working_days, zone)
    if due < now:
        if appointment.starts_at - now < TOO_LATE:
            return
        due = now
    queue(
        session,
        REMINDER,
        f"{REMINDER}:{appointment.id}:{appointment.sequence}",
        person_id=appointment.patient_id,
        payload={"appointment_id": appointment.id, "sequence": appointment.sequence},
        not_before=due,
    )


def queue_answer_overdue(session: Session, appointment: Appointment, zone: ZoneInfo) -> None:
    """Tell the practitioner who offered the time if the patient's answer is still waiting for
    care the morning after its due day."""
    practitioner_id = appointment.offered_by_id or appointment.practitioner_id
    if practitioner_id is None or appointment.due_on is None or appointment.answered_at is None:
        return
    answered = int(appointment.answered_at.timestamp())
    queue(
        session,
        ANSWER_OVERDUE,
        f"{ANSWER_OVERDUE}:{appointment.id}:{answered}",
        practitioner_id=practitioner_id,
        payload={"appointment_id": appointment.id, "answered": answered},
        not_before=overdue_at(appointment.due_on, zone),
    )


def no_longer_due(session: Session, item: OutboxItem, now: datetime, zone: ZoneInfo) -> bool:
    """A reminder whose reason has gone since it was queued (see the module's docstring; the
    diary's, app/diary/reminders.py)."""
    from app.diary import reminders as diary

    if item.template == diary.REMINDER:
        return diary.no_longer_due(session, item, zone)
    if item.template not in (REMINDER, ANSWER_OVERDUE):
        return False
    payload = item.payload or {}
    appointment = session.get(Appointment, payload.get("appointment_id") or 0)
    if appointment is None:
        return True
    if item.template == REMINDER:
        return (
            appointment.status != AppointmentStatus.ACCEPTED
            or appointment.sequence != payload.get("sequence")
            or appointment.starts_at <= now
        )
    answered = appointment.answered_at
    return (
        appointment.handled_at is not None
        or answered is None
        or int(answered.timestamp()) != payload.get("answered")
    )
