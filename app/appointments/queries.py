"""Reads for the patient's appointment pages: fixed statements with bind parameters, rows mapped
into frozen dataclasses with the labels already chosen, so the templates print values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from app.accounts.models import CareUnit, Person, Practitioner
from app.appointments.models import Appointment, AppointmentStatus
from app.messages.queries import PatientName
from app.plans import presenting

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


_COLUMNS = (
    Appointment.id,
    Appointment.patient_id,
    Appointment.starts_at,
    Appointment.status,
    Appointment.mode,
    Appointment.purpose,
    Appointment.location,
    CareUnit.name.label("unit_name"),
    Practitioner.given_name.label("practitioner_given"),
    Practitioner.family_name.label("practitioner_family"),
    Appointment.duration_minutes,
    Appointment.patient_note,
    Appointment.requested_on,
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
    .where(Person.id == bindparam("patient_id"))
    .order_by(Appointment.starts_at)
)
ONE = (
    select(*_COLUMNS)
    .join(CareUnit, CareUnit.id == Appointment.unit_id)
    .outerjoin(Practitioner, Practitioner.id == Appointment.practitioner_id)
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
        place=row.location or row.unit_name,
        unit_name=row.unit_name,
        practitioner_name=practitioner,
        duration_minutes=row.duration_minutes,
        patient_note=row.patient_note,
        requested_on=row.requested_on,
    )


def upcoming(session: Session, patient_id: int, now: datetime) -> AppointmentList:
    """The patient's open appointments from now on, soonest first (the gate has authorised)."""
    rows = session.connection().execute(UPCOMING, {"patient_id": patient_id, "now": now}).all()
    patient = PatientName(f"{rows[0].given_name} {rows[0].family_name}")
    return AppointmentList(patient, [_view(row) for row in rows if row.id is not None])


def appointment(session: Session, appointment_id: int) -> AppointmentView:
    """One appointment the gate has let the actor see."""
    row = session.connection().execute(ONE, {"appointment_id": appointment_id}).one()
    return _view(row)
