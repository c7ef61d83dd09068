"""Read models of a patient's requests: the units they can ask, their list, one request.

Fixed statements with bind parameters, built once at import; rows become small frozen records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, exists, or_, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import CareUnit, Person, Practitioner, Principal, StaffRole
from app.care_requests.models import CareRequest, RequestKind, RequestOutcome, RequestStatus
from app.plans.models import CarePlan, CareTeamMember, PlanStatus

LIST_LIMIT = 100


@dataclass(frozen=True)
class UnitChoice:
    id: int
    name: str
    principal: str
    # On one of the patient's plans (offered first).
    on_plans: bool


@dataclass(frozen=True)
class UnitGroup:
    title: str
    units: tuple[UnitChoice, ...]


@dataclass(frozen=True)
class RequestRow:
    id: int
    patient_id: int
    patient_name: str
    unit_id: int
    unit_name: str
    unit_phone: str
    kind: RequestKind
    text: str
    made_by_name: str
    made_by_patient: bool
    created_at: datetime
    due_on: date
    status: RequestStatus
    outcome: RequestOutcome | None
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None

    def overdue(self, today: date) -> bool:
        return self.status == RequestStatus.OPEN and self.due_on < today


# A unit that cares for patients: not closed, with someone in a care role (a directory office,
# where only administrators work, is no place to ask for care).
_caring = exists().where(
    Practitioner.unit_id == CareUnit.id,
    Practitioner.deactivated_at.is_(None),
    Practitioner.roles.contains(StaffRole.CARE.value),
)
_on_plans = exists().where(
    CarePlan.patient_id == bindparam("patient_id"),
    CarePlan.status != PlanStatus.DRAFT,
    CarePlan.status != PlanStatus.CLOSED,
    or_(
        CarePlan.unit_id == CareUnit.id,
        exists().where(
            CareTeamMember.plan_id == CarePlan.id,
            CareTeamMember.unit_id == CareUnit.id,
            CareTeamMember.valid_from <= bindparam("today"),
            or_(
                CareTeamMember.valid_until.is_(None),
                CareTeamMember.valid_until >= bindparam("today"),
            ),
        ),
    ),
)
UNITS = (
    select(CareUnit.id, CareUnit.name, Principal.name.label("principal"), _on_plans.label("mine"))
    .join(Principal, Principal.id == CareUnit.principal_id)
    .where(CareUnit.deactivated_at.is_(None), _caring)
    .order_by(case((_on_plans, 0), else_=1), Principal.name, CareUnit.name, CareUnit.id)
)


def unit_groups(session: Session, patient_id: int, today: date) -> list[UnitGroup]:
    """The units the patient can ask: those on their plans first, then every active care
    unit grouped by principal (one statement)."""
    rows = session.connection().execute(UNITS, {"patient_id": patient_id, "today": today}).all()
    mine = tuple(UnitChoice(r.id, r.name, r.principal, True) for r in rows if r.mine)
    groups: dict[str, list[UnitChoice]] = {}
    for row in rows:
        if not row.mine:
            groups.setdefault(row.principal, []).append(
                UnitChoice(row.id, row.name, row.principal, False)
            )
    from flask_babel import gettext

    found = [UnitGroup(gettext("Där du har en plan"), mine)] if mine else []
    return found + [UnitGroup(title, tuple(units)) for title, units in groups.items()]


_maker = aliased(Person)
_patient = aliased(Person)


def _rows() -> Select[Any]:
    return (
        select(
            CareRequest.id,
            CareRequest.patient_id,
            _patient.given_name.label("patient_given"),
            _patient.family_name.label("patient_family"),
            CareRequest.unit_id,
            CareUnit.name.label("unit_name"),
            CareUnit.phone.label("unit_phone"),
            CareRequest.kind,
            CareRequest.text,
            _maker.given_name.label("maker_given"),
            _maker.family_name.label("maker_family"),
            CareRequest.made_by_person_id,
            CareRequest.created_at,
            CareRequest.due_on,
            CareRequest.status,
            CareRequest.outcome,
            CareRequest.answer,
            Practitioner.given_name.label("answerer_given"),
            Practitioner.family_name.label("answerer_family"),
            CareRequest.answered_at,
        )
        .join(_patient, _patient.id == CareRequest.patient_id)
        .join(CareUnit, CareUnit.id == CareRequest.unit_id)
        .join(_maker, _maker.id == CareRequest.made_by_person_id)
        .outerjoin(Practitioner, Practitioner.id == CareRequest.answered_by_practitioner_id)
    )


def _row(row: Any) -> RequestRow:
    return RequestRow(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=f"{row.patient_given} {row.patient_family}",
        unit_id=row.unit_id,
        unit_name=row.unit_name,
        unit_phone=row.unit_phone,
        kind=RequestKind(row.kind),
        text=row.text,
        made_by_name=f"{row.maker_given} {row.maker_family}",
        made_by_patient=row.made_by_person_id == row.patient_id,
        created_at=row.created_at,
        due_on=row.due_on,
        status=RequestStatus(row.status),
        outcome=RequestOutcome(row.outcome) if row.outcome else None,
        answer=row.answer,
        answered_by=(f"{row.answerer_given} {row.answerer_family}" if row.answerer_given else None),
        answered_at=row.answered_at,
    )


# Open ones first (soonest due), then the rest, newest first.
PATIENT_LIST = (
    _rows()
    .where(CareRequest.patient_id == bindparam("patient_id"))
    .order_by(
        case((CareRequest.status == RequestStatus.OPEN, 0), else_=1),
        case((CareRequest.status == RequestStatus.OPEN, CareRequest.due_on), else_=None),
        CareRequest.created_at.desc(),
        CareRequest.id.desc(),
    )
    .limit(LIST_LIMIT)
)
ONE = _rows().where(CareRequest.id == bindparam("request_id"))


def patient_requests(session: Session, patient_id: int) -> list[RequestRow]:
    rows = session.connection().execute(PATIENT_LIST, {"patient_id": patient_id})
    return [_row(row) for row in rows]


def one_request(session: Session, request_id: int) -> RequestRow:
    """The request the gate let the actor at (it exists)."""
    return _row(session.connection().execute(ONE, {"request_id": request_id}).one())
