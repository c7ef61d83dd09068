"""Överenskommen tid, care's side: offer a time or two to five to choose from, change or cancel
one, and handle the patient's answers that wait on the team's work list (seed 001: the next
time "bokas i samråd" with the patient; seed 003: mötesform, plats, datum, länk)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.accounts.models import Practitioner
from app.appointments.models import Appointment, AppointmentMode, AppointmentStatus
from app.appointments.queries import OPEN
from app.appointments.services import AppointmentError, NotAllowed, clash
from app.audit.services import record_access
from app.db import get_locked, lock_row
from app.notifications.services import queue
from app.plans.models import CarePlan, PlanStatus

MOST_CHOICES = 5
# How far ahead a time can be offered.
FURTHEST = timedelta(days=730)


@dataclass(frozen=True)
class Details:
    """What care says about a time, whichever of the offered times the patient takes."""

    mode: AppointmentMode
    duration_minutes: int
    purpose: str
    location: str = ""
    meeting_url: str = ""
    attendees: str = ""
    interpreter_booked: bool = False
    preparation: str = ""


def _practitioner(actor: Actor) -> Practitioner:
    if actor.practitioner is None:
        raise NotAllowed
    return actor.practitioner


def _check(
    session: Session,
    details: Details,
    starts: Sequence[datetime],
    now: datetime,
    practitioner_id: int,
    besides: tuple[int, ...] = (),
) -> None:
    """Refuse a time care cannot offer: past, too far ahead, twice, or overlapping one the
    practitioner has agreed already; a video call without its link."""
    if details.mode == AppointmentMode.VIDEO and not details.meeting_url:
        raise AppointmentError("meeting_url", "link_needed")
    if len(set(starts)) != len(starts):
        raise AppointmentError("slots", "same_twice")
    for index, moment in enumerate(starts):
        if moment <= now:
            raise AppointmentError(f"slots-{index}", "slot_past")
        if moment > now + FURTHEST:
            raise AppointmentError(f"slots-{index}", "too_far")
        if clash(session, practitioner_id, moment, details.duration_minutes, besides):
            raise AppointmentError(f"slots-{index}", "busy")


def _apply(appointment: Appointment, details: Details) -> None:
    appointment.mode = details.mode
    appointment.duration_minutes = details.duration_minutes
    appointment.purpose = details.purpose
    appointment.location = details.location
    appointment.meeting_url = details.meeting_url
    appointment.attendees = details.attendees
    appointment.interpreter_booked = details.interpreter_booked
    appointment.preparation = details.preparation


def offer(
    session: Session,
    actor: Actor,
    plan_id: int,
    details: Details,
    starts: Sequence[datetime],
    now: datetime,
    replaces: int | None = None,
) -> list[Appointment]:
    """Offer one time, or two to five for the patient to choose from, on a plan the gate has
    let the actor work on. `replaces` is a time whose answer this offer handles (the patient
    asked for another time): it is withdrawn. The same offer sent twice is stored once."""
    practitioner = _practitioner(actor)
    if not 1 <= len(starts) <= MOST_CHOICES:
        raise AppointmentError("slots", "how_many")
    lock_row(session, CarePlan, plan_id)
    plan = session.get(CarePlan, plan_id)
    if plan is None:
        raise NotAllowed
    if plan.status != PlanStatus.ACTIVE:
        raise AppointmentError("plan", "plan_not_active")
    earlier = session.scalars(
        select(Appointment).where(
            Appointment.plan_id == plan_id,
            Appointment.status == AppointmentStatus.PROPOSED,
            Appointment.purpose == details.purpose,
            Appointment.starts_at.in_(list(starts)),
        )
    ).all()
    if len(earlier) == len(starts):
        return list(earlier)  # this very offer, sent again
    _check(session, details, starts, now, practitioner.id)
    answered = None
    if replaces is not None:
        answered = session.get(Appointment, replaces)
        if answered is None or answered.plan_id != plan_id:
            raise NotAllowed
    group = uuid.uuid4().hex if len(starts) > 1 else None
    made = []
    for moment in sorted(starts):
        appointment = Appointment(
            patient_id=plan.patient_id,
            plan_id=plan.id,
            unit_id=practitioner.unit_id,
            practitioner_id=practitioner.id,
            offered_by_id=practitioner.id,
            starts_at=moment,
            status=AppointmentStatus.PROPOSED,
            offer_group=group,
            created_at=now,
            updated_at=now,
        )
        _apply(appointment, details)
        session.add(appointment)
        made.append(appointment)
    session.flush()
    for appointment in made:
        record_access(session, actor, plan.patient_id, "create", "appointment", appointment.id, now)
    if answered is not None:
        if answered.status in (AppointmentStatus.CHANGE_REQUESTED, AppointmentStatus.PROPOSED):
            answered.status = AppointmentStatus.WITHDRAWN
            answered.care_note = ""
        _handled(answered, practitioner, now)
    queue(
        session,
        "appointment_offered",
        f"appointment_offered:{made[0].id}",
        person_id=plan.patient_id,
        payload={"appointment_id": made[0].id},
    )
    session.flush()
    return made


def _handled(appointment: Appointment, practitioner: Practitioner, now: datetime) -> None:
    if appointment.answered_at is not None and appointment.handled_at is None:
        appointment.handled_at = now
        appointment.handled_by_id = practitioner.id
    appointment.updated_at = now


def _load(session: Session, appointment_id: int) -> Appointment:
    appointment = get_locked(session, Appointment, appointment_id)
    if appointment is None:
        raise NotAllowed
    return appointment


def change(
    session: Session,
    actor: Actor,
    appointment_id: int,
    details: Details,
    starts_at: datetime,
    note: str,
    now: datetime,
) -> Appointment:
    """Change a time that is still open. A new day or hour asks the patient again (it was
    agreed for the old one); either way the patient is told, and a calendar copy is replaced."""
    practitioner = _practitioner(actor)
    appointment = _load(session, appointment_id)
    if appointment.status not in OPEN or appointment.starts_at < now:
        raise AppointmentError("appointment", "closed")
    where = (details.duration_minutes, details.mode, details.location, details.meeting_url)
    moved = starts_at != appointment.starts_at
    unchanged = not moved and where == (
        appointment.duration_minutes,
        appointment.mode,
        appointment.location,
        appointment.meeting_url,
    )
    said = (details.purpose, details.attendees, details.preparation, details.interpreter_booked)
    said_before = (
        appointment.purpose,
        appointment.attendees,
        appointment.preparation,
        appointment.interpreter_booked,
    )
    if unchanged and said == said_before and note == appointment.care_note:
        return appointment  # nothing new (the same change sent twice)
    if moved or details.duration_minutes != appointment.duration_minutes:
        _check(session, details, [starts_at], now, practitioner.id, (appointment.id,))
    elif details.mode == AppointmentMode.VIDEO and not details.meeting_url:
        raise AppointmentError("meeting_url", "link_needed")
    _apply(appointment, details)
    appointment.starts_at = starts_at
    appointment.care_note = note
    if not unchanged:
        appointment.sequence += 1
    if moved and appointment.status != AppointmentStatus.PROPOSED:
        appointment.status = AppointmentStatus.PROPOSED
    _handled(appointment, practitioner, now)
    record_access(
        session, actor, appointment.patient_id, "update", "appointment", appointment.id, now
    )
    queue(
        session,
        "appointment_changed",
        f"appointment_changed:{appointment.id}:{appointment.sequence}:{int(now.timestamp())}",
        person_id=appointment.patient_id,
        payload={"appointment_id": appointment.id},
    )
    session.flush()
    return appointment


def cancel(
    session: Session, actor: Actor, appointment_id: int, reason: str, now: datetime
) -> Appointment:
    """Care cancels a time (or takes back one offered among several) and says why; the
    patient is told."""
    practitioner = _practitioner(actor)
    appointment = _load(session, appointment_id)
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.WITHDRAWN):
        return appointment  # cancelled already: once
    if appointment.status not in OPEN or appointment.starts_at < now:
        raise AppointmentError("appointment", "closed")
    agreed = appointment.status == AppointmentStatus.ACCEPTED
    appointment.status = AppointmentStatus.CANCELLED if agreed else AppointmentStatus.WITHDRAWN
    appointment.cancelled_by_care = True
    appointment.care_note = reason
    appointment.sequence += 1
    _handled(appointment, practitioner, now)
    record_access(
        session, actor, appointment.patient_id, "update", "appointment", appointment.id, now
    )
    queue(
        session,
        "appointment_cancelled",
        f"appointment_cancelled:{appointment.id}",
        person_id=appointment.patient_id,
        payload={"appointment_id": appointment.id},
    )
    session.flush()
    return appointment


def handle(session: Session, actor: Actor, appointment_id: int, now: datetime) -> Appointment:
    """Care has seen to the patient's answer (confirmed the time, or noted the cancellation):
    it leaves the work list, and the patient sees that care has it."""
    practitioner = _practitioner(actor)
    appointment = _load(session, appointment_id)
    if appointment.answered_at is None or appointment.handled_at is not None:
        return appointment
    _handled(appointment, practitioner, now)
    record_access(
        session, actor, appointment.patient_id, "update", "appointment", appointment.id, now
    )
    session.flush()
    return appointment
