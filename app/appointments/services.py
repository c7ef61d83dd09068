"""Överenskommen tid, the patient's side: accept a proposed time (or choose one of several),
ask for another, or cancel. Each answer waits on the team's work list until care handles it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.accounts.models import CareUnit, Practitioner
from app.appointments.forms import MAX_NOTE
from app.appointments.models import Appointment, AppointmentStatus
from app.appointments.queries import OPEN
from app.appointments.reminders import queue_answer_overdue, queue_reminder
from app.audit.services import record_access
from app.clock import local_date, zone
from app.db import get_locked, lock_row
from app.messages.text import normalise
from app.messages.workdays import add_working_days
from app.notifications.services import queue

# The longest a time lasts (a day's treatment): the window in which two times can overlap.
LONGEST = timedelta(minutes=480)


class AppointmentError(Exception):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


class NotAllowed(Exception):
    """The view answers 404."""


def _load(session: Session, actor: Actor, appointment_id: int) -> Appointment:
    """An appointment the gate has let the actor handle, held until the transaction ends so that
    two answers (or an answer and care's change) at the same moment run one after the other.
    Only the patient (or a proxy with the appointments scope) answers; staff handle
    appointments from the care side."""
    if actor.person_id is None:
        raise NotAllowed
    found = get_locked(session, Appointment, appointment_id)
    if found is None:
        raise NotAllowed
    return found


def _done(session: Session, actor: Actor, appointment: Appointment, now: datetime) -> None:
    """The answer is in: it waits for care, due by the unit's promise in working days."""
    unit = session.get(CareUnit, appointment.unit_id)
    appointment.answered_at = now
    appointment.answered_by_id = actor.person_id if actor.person_id else None
    appointment.due_on = add_working_days(
        local_date(now), unit.response_working_days if unit is not None else 2
    )
    appointment.handled_at = None
    appointment.handled_by_id = None
    appointment.updated_at = now
    record_access(
        session, actor, appointment.patient_id, "update", "appointment", appointment.id, now
    )
    practitioner_id = appointment.offered_by_id or appointment.practitioner_id
    if practitioner_id:
        queue(
            session,
            "patient_voice",
            f"appointment:{appointment.id}:{appointment.status}:{now.timestamp()}",
            practitioner_id=practitioner_id,
            payload={"appointment": appointment.id},
        )
    queue_answer_overdue(session, appointment, zone())
    session.flush()


def _note(text: str, field: str, empty_code: str) -> str:
    """The patient's words: required, at most MAX_NOTE characters."""
    cleaned = normalise(text)
    if not cleaned:
        raise AppointmentError(field, empty_code)
    if len(cleaned) > MAX_NOTE:
        raise AppointmentError(field, "too_long")
    return cleaned


def _open(appointment: Appointment, now: datetime) -> None:
    if appointment.starts_at < now or appointment.status not in OPEN:
        raise AppointmentError("appointment", "closed")


def ends_at(appointment: Appointment) -> datetime:
    return appointment.starts_at + timedelta(minutes=appointment.duration_minutes)


def clash(
    session: Session,
    practitioner_id: int | None,
    starts_at: datetime,
    minutes: int,
    besides: tuple[int, ...] = (),
) -> Appointment | None:
    """An agreed time of the practitioner's that overlaps [starts_at, +minutes): one person
    cannot be in two places."""
    if practitioner_id is None:
        return None
    ends = starts_at + timedelta(minutes=minutes)
    nearby = session.scalars(
        select(Appointment).where(
            Appointment.practitioner_id == practitioner_id,
            Appointment.status == AppointmentStatus.ACCEPTED,
            Appointment.starts_at > starts_at - LONGEST,
            Appointment.starts_at < ends,
            Appointment.id.not_in(besides) if besides else Appointment.id.is_not(None),
        )
    ).all()
    return next((other for other in nearby if ends_at(other) > starts_at), None)


def _decline_others(session: Session, appointment: Appointment) -> None:
    """The other times offered together with this one are no longer on offer."""
    if not appointment.offer_group:
        return
    session.execute(
        update(Appointment)
        .where(
            Appointment.offer_group == appointment.offer_group,
            Appointment.patient_id == appointment.patient_id,
            Appointment.id != appointment.id,
            Appointment.status == AppointmentStatus.PROPOSED,
        )
        .values(status=AppointmentStatus.DECLINED)
        .execution_options(synchronize_session=False)
    )


def accept(session: Session, actor: Actor, appointment_id: int, now: datetime) -> Appointment:
    """Accept a proposed time (or choose it among the times offered together; the others are
    declined). A time its practitioner has meanwhile agreed with someone else is refused."""
    appointment = _load(session, actor, appointment_id)
    if appointment.status == AppointmentStatus.ACCEPTED:
        return appointment  # pressed twice: once
    _open(appointment, now)
    if appointment.practitioner_id is not None:
        # One acceptance at a time per practitioner, so two patients cannot take one slot.
        lock_row(session, Practitioner, appointment.practitioner_id)
        if clash(
            session,
            appointment.practitioner_id,
            appointment.starts_at,
            appointment.duration_minutes,
            (appointment.id,),
        ):
            raise AppointmentError("appointment", "taken")
    appointment.status = AppointmentStatus.ACCEPTED
    appointment.accepted_at = appointment.accepted_at or now
    _decline_others(session, appointment)
    _done(session, actor, appointment, now)
    queue_reminder(session, appointment, now, zone())
    return appointment


def ask_for_another(
    session: Session,
    actor: Actor,
    appointment_id: int,
    note: str,
    wished: date | None,
    now: datetime,
) -> Appointment:
    """None of the times suits: say which would, and care offers new ones."""
    appointment = _load(session, actor, appointment_id)
    text = _note(note, "note", "note_empty")
    if wished is not None and wished < local_date(now):
        raise AppointmentError("wished", "past")
    if (appointment.status, appointment.patient_note, appointment.requested_on) == (
        AppointmentStatus.CHANGE_REQUESTED,
        text,
        wished,
    ):
        return appointment  # the same request sent twice: care hears of it once
    _open(appointment, now)
    if appointment.status == AppointmentStatus.ACCEPTED:
        appointment.sequence += 1  # no longer agreed: a calendar copy becomes a cancellation
    appointment.status = AppointmentStatus.CHANGE_REQUESTED
    appointment.patient_note = text
    appointment.requested_on = wished
    _decline_others(session, appointment)
    _done(session, actor, appointment, now)
    return appointment


def cancel(
    session: Session, actor: Actor, appointment_id: int, reason: str, now: datetime
) -> Appointment:
    appointment = _load(session, actor, appointment_id)
    text = _note(reason, "reason", "reason_empty")
    if appointment.status == AppointmentStatus.CANCELLED and appointment.patient_note == text:
        return appointment  # cancelled twice: once
    _open(appointment, now)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_by_care = False
    appointment.patient_note = text
    appointment.sequence += 1
    _decline_others(session, appointment)
    _done(session, actor, appointment, now)
    return appointment


def as_ics(appointment: Appointment, product: str, where: ZoneInfo) -> bytes:
    """The appointment as an iCalendar file for the patient's own calendar, in Swedish time
    (with its VTIMEZONE, so that it stays right across summer and winter time). The same UID
    every time; a higher SEQUENCE after each change, and a cancellation once it is no longer
    agreed (RFC 5545 3.8.7.4, RFC 5546 3.2.5)."""
    agreed = appointment.status == AppointmentStatus.ACCEPTED
    calendar = Calendar()
    calendar.add("prodid", product)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH" if agreed else "CANCEL")
    event = Event()
    event.add("uid", f"appointment-{appointment.id}@samplan")
    event.add("sequence", appointment.sequence)
    event.add("status", "CONFIRMED" if agreed else "CANCELLED")
    event.add(
        "dtstamp", appointment.updated_at or appointment.answered_at or appointment.created_at
    )
    event.add("dtstart", appointment.starts_at.astimezone(where))
    event.add("dtend", ends_at(appointment).astimezone(where))
    event.add("summary", appointment.purpose)
    event.add("location", appointment.location or appointment.unit.address or appointment.unit.name)
    who = appointment.practitioner.full_name if appointment.practitioner else appointment.unit.name
    description = f"{who}, {appointment.unit.name}. {appointment.unit.phone}"
    if appointment.meeting_url:
        description += f"\n{appointment.meeting_url}"
        event.add("url", appointment.meeting_url)
    event.add("description", description)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_for(session: Session, appointment_id: int, where: ZoneInfo) -> bytes | None:
    """A time that is or was agreed (the gate has let the actor see it) as an iCalendar file:
    the time while it stands, its cancellation once it no longer does (cancelled, moved, or
    another time asked for); None for a time never agreed."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.accepted_at is None:
        return None
    return as_ics(appointment, "-//Samplan//SV", where)
