"""Reads for the patient's appointment pages: fixed statements with bind parameters, rows mapped
into frozen dataclasses with the labels already chosen, so the templates print values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    null,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from app.access.context import staff_plan_rule
from app.accounts.models import CareUnit, Person, Practitioner
from app.appointments.models import Appointment, AppointmentStatus
from app.messages.queries import PatientName
from app.plans import presenting
from app.plans.models import CarePlan

OPEN = (AppointmentStatus.PROPOSED, AppointmentStatus.ACCEPTED, AppointmentStatus.CHANGE_REQUESTED)


@dataclass(frozen=True)
class AppointmentView:
    """One appointment as the patient's pages print it."""

    id: int
    patient_id: int
    starts_at: datetime
    status: str
    status_label: str
    mode_label: str
    purpose: str
    place: str
    unit_name: str
    practitioner_name: str | None
    duration_minutes: int
    patient_note: str
    requested_on: date | None
    map_query: str
    answered_by_name: str | None
    mode: str
    plan_id: int | None
    practitioner_id: int | None
    location: str
    meeting_url: str
    attendees: str
    interpreter_booked: bool
    preparation: str
    care_note: str
    cancelled_by_care: bool
    offer_group: str | None
    answered_at: datetime | None
    due_on: date | None
    handled_at: datetime | None
    accepted_at: datetime | None
    sequence: int

    @property
    def waiting_for_care(self) -> bool:
        """The patient's answer is in and nobody in care has handled it yet."""
        return self.answered_at is not None and self.handled_at is None

    @property
    def calendar(self) -> bool:
        """An .ics is offered: the time while agreed, its cancellation once no longer."""
        return self.accepted_at is not None

    @property
    def accepted(self) -> bool:
        return self.status == AppointmentStatus.ACCEPTED

    def is_open(self, now: datetime) -> bool:
        """Still to be answered or changed: not past, not declined or cancelled."""
        return self.status in OPEN and self.starts_at >= now


@dataclass(frozen=True)
class AppointmentList:
    """The list page: whose times these are, and the times."""

    patient: PatientName
    appointments: list[AppointmentView]


# Who answered: the patient, or someone acting for them.
_answerer = aliased(Person)
_COLUMNS = (
    Appointment.id,
    Appointment.patient_id,
    Appointment.starts_at,
    Appointment.status,
    Appointment.mode,
    Appointment.purpose,
    Appointment.location,
    CareUnit.name.label("unit_name"),
    CareUnit.address.label("unit_address"),
    _answerer.given_name.label("answerer_given"),
    _answerer.family_name.label("answerer_family"),
    Practitioner.given_name.label("practitioner_given"),
    Practitioner.family_name.label("practitioner_family"),
    Appointment.duration_minutes,
    Appointment.patient_note,
    Appointment.requested_on,
    Appointment.plan_id,
    Appointment.practitioner_id,
    Appointment.meeting_url,
    Appointment.attendees,
    Appointment.interpreter_booked,
    Appointment.preparation,
    Appointment.care_note,
    Appointment.cancelled_by_care,
    Appointment.offer_group,
    Appointment.answered_at,
    Appointment.due_on,
    Appointment.handled_at,
    Appointment.accepted_at,
    Appointment.sequence,
)

# The patient's row, with one row per open appointment from now on (or none): one statement
# gives the page its name for the banner of someone acting for them and the list.
UPCOMING = (
    select(Person.given_name, Person.family_name, *_COLUMNS)
    .select_from(Person)
    .outerjoin(
        Appointment,
        and_(
            Appointment.patient_id == Person.id,
            Appointment.starts_at >= bindparam("now"),
            Appointment.status.in_(OPEN),
        ),
    )
    .outerjoin(CareUnit, CareUnit.id == Appointment.unit_id)
    .outerjoin(Practitioner, Practitioner.id == Appointment.practitioner_id)
    .outerjoin(_answerer, _answerer.id == Appointment.answered_by_id)
    .where(Person.id == bindparam("patient_id"))
    .order_by(Appointment.starts_at)
)
ONE = (
    select(*_COLUMNS)
    .join(CareUnit, CareUnit.id == Appointment.unit_id)
    .outerjoin(Practitioner, Practitioner.id == Appointment.practitioner_id)
    .outerjoin(_answerer, _answerer.id == Appointment.answered_by_id)
    .where(Appointment.id == bindparam("appointment_id"))
)


def _view(row: Any) -> AppointmentView:
    practitioner = (
        f"{row.practitioner_given} {row.practitioner_family}"
        if row.practitioner_given is not None
        else None
    )
    return AppointmentView(
        id=row.id,
        patient_id=row.patient_id,
        starts_at=row.starts_at,
        status=str(row.status),
        status_label=str(presenting.APPOINTMENT_STATUS[row.status]),
        mode_label=str(presenting.APPOINTMENT_MODES[row.mode]),
        purpose=row.purpose,
        place=row.location
        or (f"{row.unit_name}, {row.unit_address}" if row.unit_address else row.unit_name),
        # What a map is asked for: the address care wrote, else the unit's.
        map_query=row.location or row.unit_address or row.unit_name,
        answered_by_name=(
            f"{row.answerer_given} {row.answerer_family}" if row.answerer_given else None
        ),
        unit_name=row.unit_name,
        practitioner_name=practitioner,
        duration_minutes=row.duration_minutes,
        patient_note=row.patient_note,
        requested_on=row.requested_on,
        mode=str(row.mode),
        plan_id=row.plan_id,
        practitioner_id=row.practitioner_id,
        location=row.location,
        meeting_url=row.meeting_url,
        attendees=row.attendees,
        interpreter_booked=row.interpreter_booked,
        preparation=row.preparation,
        care_note=row.care_note,
        cancelled_by_care=row.cancelled_by_care,
        offer_group=row.offer_group,
        answered_at=row.answered_at,
        due_on=row.due_on,
        handled_at=row.handled_at,
        accepted_at=row.accepted_at,
        sequence=row.sequence,
    )


def upcoming(session: Session, patient_id: int, now: datetime) -> AppointmentList:
    """The patient's open appointments from now on, soonest first (the gate has authorised);
    times offered together to choose from appear once, at the first of them."""
    rows = session.connection().execute(UPCOMING, {"patient_id": patient_id, "now": now}).all()
    patient = PatientName(f"{rows[0].given_name} {rows[0].family_name}")
    shown, groups = [], set()
    for row in rows:
        if row.id is None:
            continue
        if row.offer_group and row.status == AppointmentStatus.PROPOSED:
            if row.offer_group in groups:
                continue
            groups.add(row.offer_group)
        shown.append(_view(row))
    return AppointmentList(patient, shown)


# The times offered together with one, to choose from (still on offer, from now on).
ALTERNATIVES = (
    select(*_COLUMNS)
    .join(CareUnit, CareUnit.id == Appointment.unit_id)
    .outerjoin(Practitioner, Practitioner.id == Appointment.practitioner_id)
    .outerjoin(_answerer, _answerer.id == Appointment.answered_by_id)
    .where(
        Appointment.offer_group == bindparam("group"),
        Appointment.patient_id == bindparam("patient_id"),
        Appointment.status == AppointmentStatus.PROPOSED,
        Appointment.starts_at >= bindparam("now"),
    )
    .order_by(Appointment.starts_at, Appointment.id)
)
# A plan's times, for care's plan page: the open ones and those of the last month.
OF_PLAN = (
    select(*_COLUMNS)
    .join(CareUnit, CareUnit.id == Appointment.unit_id)
    .outerjoin(Practitioner, Practitioner.id == Appointment.practitioner_id)
    .outerjoin(_answerer, _answerer.id == Appointment.answered_by_id)
    .where(
        Appointment.plan_id == bindparam("plan_id"),
        Appointment.starts_at >= bindparam("since"),
        Appointment.status != AppointmentStatus.DECLINED,
    )
    .order_by(Appointment.starts_at, Appointment.id)
    .limit(50)
)


def alternatives(session: Session, shown: AppointmentView, now: datetime) -> list[AppointmentView]:
    """The times offered together with `shown` that the patient can still choose among."""
    if not shown.offer_group:
        return []
    params = {"group": shown.offer_group, "patient_id": shown.patient_id, "now": now}
    return [_view(row) for row in session.connection().execute(ALTERNATIVES, params)]


def of_plan(session: Session, plan_id: int, since: datetime) -> list[AppointmentView]:
    """The plan's times from `since` on (care's plan page)."""
    rows = session.connection().execute(OF_PLAN, {"plan_id": plan_id, "since": since})
    return [_view(row) for row in rows]


@dataclass(frozen=True)
class PlanLine:
    """Whose plan a time belongs to, as care's pages name it."""

    plan_id: int
    title: str
    patient_id: int
    patient_name: str


PLAN_LINE = (
    select(CarePlan.id, CarePlan.title, CarePlan.patient_id, Person.given_name, Person.family_name)
    .join(Person, Person.id == CarePlan.patient_id)
    .where(CarePlan.id == bindparam("plan_id"))
)


def plan_line(session: Session, plan_id: int) -> PlanLine:
    """The plan the gate has let the actor work on."""
    row = session.connection().execute(PLAN_LINE, {"plan_id": plan_id}).one()
    return PlanLine(row.id, row.title, row.patient_id, f"{row.given_name} {row.family_name}")


def maybe(session: Session, appointment_id: int) -> AppointmentView | None:
    """An appointment by id, or None (the caller checks it belongs where it should)."""
    row = session.connection().execute(ONE, {"appointment_id": appointment_id}).first()
    return None if row is None else _view(row)


def appointment(session: Session, appointment_id: int) -> AppointmentView:
    """One appointment the gate has let the actor see."""
    row = session.connection().execute(ONE, {"appointment_id": appointment_id}).one()
    return _view(row)


# --- care's queue: the patients' answers waiting on the team ------------------------------


@dataclass(frozen=True)
class AnswerItem:
    """A patient's answer about a time, waiting for care: who, what, since when, due by."""

    appointment_id: int
    patient_id: int
    patient_name: str
    status: str
    starts_at: datetime
    purpose: str
    answered_at: datetime
    due_on: date
    overdue: bool


# Answers on the plans the practitioner works on (the access policy's care relationship), the
# soonest due first; what care has handled, and cancellations care made itself, are not here.
# In the work list's shape of what waits for care (app/planning/worklist.py reads it in one
# statement with the patients' requests and the diary's rules met).
WAITING_ANSWERS = (
    select(
        Appointment.id,
        Appointment.patient_id,
        Person.given_name,
        Person.family_name,
        Appointment.answered_at.label("at"),
        Appointment.due_on,
        type_coerce(Appointment.status, String).label("code"),
        Appointment.starts_at,
        type_coerce(Appointment.purpose, String).label("title"),
        cast(null(), String).label("instruction"),
        cast(null(), Boolean).label("urgent"),
        cast(null(), Integer).label("measure_id"),
    )
    .join(CarePlan, CarePlan.id == Appointment.plan_id)
    .join(Person, Person.id == Appointment.patient_id)
    .where(
        staff_plan_rule(),
        Appointment.answered_at.is_not(None),
        Appointment.handled_at.is_(None),
        Appointment.cancelled_by_care.is_(False),
        Appointment.status.in_(
            [
                AppointmentStatus.ACCEPTED,
                AppointmentStatus.CHANGE_REQUESTED,
                AppointmentStatus.CANCELLED,
            ]
        ),
    )
    .order_by(Appointment.due_on, Appointment.answered_at, Appointment.id)
    .limit(100)
)


def answer_item(row: Any, today: date) -> AnswerItem:
    """A row of WAITING_ANSWERS as the work list prints it."""
    return AnswerItem(
        appointment_id=row.id,
        patient_id=row.patient_id,
        patient_name=f"{row.given_name} {row.family_name}",
        status=str(row.code),
        starts_at=row.starts_at,
        purpose=row.title,
        answered_at=row.at,
        due_on=row.due_on,
        overdue=row.due_on is not None and row.due_on < today,
    )
