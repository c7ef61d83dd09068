"""Överenskommen tid: the patient accepts a proposed time, asks for another, or cancels."""

from __future__ import annotations

from datetime import date, datetime

from icalendar import Calendar, Event
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.appointments.forms import MAX_NOTE
from app.appointments.models import Appointment, AppointmentStatus
from app.appointments.queries import OPEN
from app.audit.services import record_access
from app.db import lock_row
from app.messages.text import normalise
from app.notifications.services import queue


class AppointmentError(Exception):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


class NotAllowed(Exception):
    """The view answers 404."""


def _load(session: Session, actor: Actor, appointment_id: int) -> Appointment:
    """An appointment the gate has let the actor handle. Only the patient (or a proxy with the
    appointments scope) answers; staff handle appointments from the care side."""
    if actor.person_id is None:
        raise NotAllowed
    found = session.get(Appointment, appointment_id)
    if found is None:
        raise NotAllowed
    return found


def _done(session: Session, actor: Actor, appointment: Appointment, now: datetime) -> None:
    appointment.answered_at = now
    appointment.answered_by_id = actor.person_id if actor.person_id else None
    record_access(
        session, actor, appointment.patient_id, "update", "appointment", appointment.id, now
    )
    if appointment.practitioner_id:
        queue(
            session,
            "patient_voice",
            f"appointment:{appointment.id}:{appointment.status}:{now.timestamp()}",
            practitioner_id=appointment.practitioner_id,
            payload={"appointment": appointment.id},
        )
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


def accept(session: Session, actor: Actor, appointment_id: int, now: datetime) -> Appointment:
    """Accept a proposed time; other times offered for the same purpose are declined."""
    appointment = _load(session, actor, appointment_id)
    _open(appointment, now)
    if appointment.status == AppointmentStatus.ACCEPTED:
        return appointment
    appointment.status = AppointmentStatus.ACCEPTED
    if appointment.offer_group:
        session.execute(
            update(Appointment)
            .where(
                Appointment.offer_group == appointment.offer_group,
                Appointment.patient_id == appointment.patient_id,
                Appointment.id != appointment.id,
                Appointment.status == AppointmentStatus.PROPOSED,
            )
            .values(status=AppointmentStatus.DECLINED)
        )
    _done(session, actor, appointment, now)
    return appointment


def ask_for_another(
    session: Session,
    actor: Actor,
    appointment_id: int,
    note: str,
    wished: date | None,
    now: datetime,
) -> Appointment:
    appointment = _load(session, actor, appointment_id)
    _open(appointment, now)
    text = _note(note, "note", "note_empty")
    if wished is not None and wished < now.date():
        raise AppointmentError("wished", "past")
    lock_row(session, Appointment, appointment.id)
    session.refresh(appointment)  # as a submission just before this one left it
    if (appointment.status, appointment.patient_note, appointment.requested_on) == (
        AppointmentStatus.CHANGE_REQUESTED,
        text,
        wished,
    ):
        return appointment  # the same request sent twice: care hears of it once
    _open(appointment, now)
    appointment.status = AppointmentStatus.CHANGE_REQUESTED
    appointment.patient_note = text
    appointment.requested_on = wished
    _done(session, actor, appointment, now)
    return appointment


def cancel(
    session: Session, actor: Actor, appointment_id: int, reason: str, now: datetime
) -> Appointment:
    appointment = _load(session, actor, appointment_id)
    _open(appointment, now)
    text = _note(reason, "reason", "reason_empty")
    lock_row(session, Appointment, appointment.id)
    session.refresh(appointment)
    if appointment.status == AppointmentStatus.CANCELLED and appointment.patient_note == text:
        return appointment  # cancelled twice: once
    _open(appointment, now)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.patient_note = text
    _done(session, actor, appointment, now)
    return appointment


def as_ics(appointment: Appointment, product: str) -> bytes:
    """The accepted appointment as an iCalendar file for the patient's own calendar."""
    from datetime import timedelta

    calendar = Calendar()
    calendar.add("prodid", product)
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"appointment-{appointment.id}@samplan")
    event.add("dtstamp", appointment.answered_at or appointment.created_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.starts_at + timedelta(minutes=appointment.duration_minutes))
    event.add("summary", appointment.purpose)
    event.add("location", appointment.location or appointment.unit.name)
    who = appointment.practitioner.full_name if appointment.practitioner else appointment.unit.name
    event.add("description", f"{who}, {appointment.unit.name}. {appointment.unit.phone}")
    calendar.add_component(event)
    return calendar.to_ical()


def calendar_for(session: Session, appointment_id: int) -> bytes | None:
    """An agreed appointment (the gate has let the actor see it) as an iCalendar file; None if
    it is not agreed."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.status != AppointmentStatus.ACCEPTED:
        return None
    return as_ics(appointment, "-//Samplan//SV")
