"""Reads for the patient's pages. Each page runs a fixed number of statements, whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from app.access.actor import Actor
from app.access.policy import Action, local_date, patient_clause, plan_clause, staff_patients
from app.accounts.models import Person
from app.appointments.models import Appointment, AppointmentStatus
from app.audit.models import AccessLogEntry
from app.goals.models import Activity, ActivityStatus, Goal, GoalStatus
from app.messages.models import Message, Thread
from app.plans.models import CarePlan, CareTeamMember, PlanStatus
from app.proxies.models import ProxyGrant
from app.whatmatters.models import WhatMatters

GOALS_TOTAL = (
    select(func.count(Goal.id))
    .where(
        Goal.plan_id == CarePlan.id,
        Goal.status != GoalStatus.DECLINED,
        Goal.status != GoalStatus.PROPOSED,
        Goal.status != GoalStatus.REMOVED,
    )
    .correlate(CarePlan)
    .scalar_subquery()
)
GOALS_REACHED = (
    select(func.count(Goal.id))
    .where(Goal.plan_id == CarePlan.id, Goal.status == GoalStatus.REACHED)
    .correlate(CarePlan)
    .scalar_subquery()
)


def _team_loader():  # noqa: ANN202 - a loader option
    return selectinload(CarePlan.team).options(
        joinedload(CareTeamMember.practitioner), joinedload(CareTeamMember.unit)
    )


def latest_what_matters(patient_id: int) -> Select[tuple[WhatMatters]]:
    return (
        select(WhatMatters)
        .where(WhatMatters.patient_id == patient_id)
        .order_by(WhatMatters.version.desc())
        .limit(1)
    )


def unread_for_patient(patient_id: int) -> Select[tuple[int]]:
    """Messages from care that the patient has not opened."""
    return (
        select(func.count(Message.id))
        .join(Thread, Thread.id == Message.thread_id)
        .where(
            Thread.patient_id == patient_id,
            Message.author_practitioner_id.is_not(None),
            Message.read_by_patient_at.is_(None),
        )
    )


@dataclass
class PlanCard:
    plan: CarePlan
    goals_total: int
    goals_reached: int


@dataclass
class Overview:
    patient: Person
    what_matters: WhatMatters | None
    unread: int
    cards: list[PlanCard]
    appointments: list[Appointment]
    next_activity: Activity | None

    @property
    def active(self) -> list[PlanCard]:
        return [card for card in self.cards if card.plan.status == PlanStatus.ACTIVE]

    @property
    def closed(self) -> list[PlanCard]:
        return [card for card in self.cards if card.plan.status == PlanStatus.CLOSED]


@dataclass
class LoadedPatient:
    patient: Person
    what_matters: WhatMatters | None
    unread: int
    can_read_messages: bool
    can_write_messages: bool
    can_answer: bool
    can_handle_appointments: bool


def load_patient(
    session: Session, actor: Actor, patient_id: int, action: Action, now: datetime
) -> LoadedPatient | None:
    """The patient, their latest what-matters answers, unread count and what the actor may do
    with their messages, if the actor may see them at all.

    One statement; None when the patient does not exist or the actor may not (both mean 404).
    """
    latest = latest_what_matters(patient_id).subquery()
    row = session.execute(
        select(
            Person,
            WhatMatters,
            unread_for_patient(patient_id).scalar_subquery(),
            patient_clause(actor, Action.READ_MESSAGES, now, patient_id),
            patient_clause(actor, Action.WRITE_MESSAGES, now, patient_id),
            patient_clause(actor, Action.ANSWER_FOR, now, patient_id),
            patient_clause(actor, Action.APPOINTMENTS, now, patient_id),
        )
        .outerjoin(latest, latest.c.patient_id == Person.id)
        .outerjoin(WhatMatters, WhatMatters.id == latest.c.id)
        .options(joinedload(WhatMatters.written_by))
        .where(Person.id == patient_id, patient_clause(actor, action, now, patient_id))
    ).first()
    if row is None:
        return None
    return LoadedPatient(row[0], row[1], row[2] or 0, *(bool(flag) for flag in row[3:7]))


def overview_for(
    session: Session,
    actor: Actor,
    patient: Person,
    what_matters: WhatMatters | None,
    unread: int,
    now: datetime,
) -> Overview:
    """Everything on the start page for one patient, as the actor may see it."""
    rows = session.execute(
        select(CarePlan, GOALS_TOTAL, GOALS_REACHED)
        .where(
            CarePlan.patient_id == patient.id,
            plan_clause(actor, Action.READ_PLANS, now, patient.id),
        )
        .options(joinedload(CarePlan.unit), _team_loader(), selectinload(CarePlan.handovers))
        .order_by(CarePlan.status, CarePlan.follow_up_on, CarePlan.id)
    ).all()
    cards = [PlanCard(plan, total or 0, reached or 0) for plan, total, reached in rows]
    active_ids = [card.plan.id for card in cards if card.plan.status == PlanStatus.ACTIVE]
    appointments = list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.patient_id == patient.id,
                Appointment.starts_at >= now - timedelta(hours=1),
                Appointment.status.in_(
                    [
                        AppointmentStatus.PROPOSED,
                        AppointmentStatus.ACCEPTED,
                        AppointmentStatus.CHANGE_REQUESTED,
                    ]
                ),
            )
            .order_by(Appointment.starts_at)
            .limit(10)
        )
    )
    next_activity = None
    if active_ids:
        next_activity = session.scalars(
            select(Activity)
            .where(
                Activity.plan_id.in_(active_ids),
                Activity.due_on.is_not(None),
                Activity.due_on >= local_date(now),
                Activity.status.in_([ActivityStatus.PLANNED, ActivityStatus.ONGOING]),
            )
            .options(
                joinedload(Activity.responsible_unit),
                joinedload(Activity.responsible_practitioner),
            )
            .order_by(Activity.due_on, Activity.id)
            .limit(1)
        ).first()
    return Overview(patient, what_matters, unread, cards, appointments, next_activity)


def plan_for(session: Session, actor: Actor, plan_id: int, now: datetime) -> CarePlan | None:
    """A plan with everything its page shows, if the actor may read it; else None (404)."""
    found = plan_page(session, actor, plan_id, now)
    return found.plan if found else None


@dataclass
class PlanPage:
    plan: CarePlan
    what_matters: WhatMatters | None
    can_write_messages: bool
    can_answer: bool
    # For staff: the answers as they were when this practitioner last opened a plan of the
    # patient's (None if never), so the page can say what changed since.
    what_matters_seen: WhatMatters | None
    seen_before: bool


def plan_page(session: Session, actor: Actor, plan_id: int, now: datetime) -> PlanPage | None:
    """The plan with its team, goals, activities and versions (with the patient's answers), the
    patient's latest what-matters answers, and what the actor may do: authorised and loaded in
    one statement, plus one per collection. None means 404."""
    latest = (
        select(func.max(WhatMatters.id))
        .where(WhatMatters.patient_id == CarePlan.patient_id)
        .correlate(CarePlan)
        .scalar_subquery()
    )
    seen = aliased(WhatMatters)
    columns = [
        CarePlan,
        WhatMatters,
        plan_clause(actor, Action.WRITE_MESSAGES, now),
        plan_clause(actor, Action.ANSWER_FOR, now),
    ]
    query = select(*columns).outerjoin(WhatMatters, WhatMatters.id == latest)
    if actor.practitioner is not None:
        last_look = (
            select(func.max(AccessLogEntry.at))
            .where(
                AccessLogEntry.patient_id == CarePlan.patient_id,
                AccessLogEntry.actor_practitioner_id == actor.practitioner.id,
                AccessLogEntry.object_type == "care_plan",
                AccessLogEntry.allowed.is_(True),
            )
            .correlate(CarePlan)
            .scalar_subquery()
        )
        seen_id = (
            select(func.max(WhatMatters.id))
            .where(
                WhatMatters.patient_id == CarePlan.patient_id, WhatMatters.created_at <= last_look
            )
            .correlate(CarePlan)
            .scalar_subquery()
        )
        query = query.add_columns(seen, last_look.is_not(None)).outerjoin(seen, seen.id == seen_id)
    row = (
        session.execute(
            query.where(CarePlan.id == plan_id, plan_clause(actor, Action.READ_PLANS, now)).options(
                joinedload(CarePlan.unit),
                joinedload(CarePlan.patient),
                joinedload(CarePlan.consent_recorded_by),
                joinedload(WhatMatters.written_by),
                _team_loader(),
                selectinload(CarePlan.goals),
                selectinload(CarePlan.activities).options(
                    joinedload(Activity.responsible_unit),
                    joinedload(Activity.responsible_practitioner),
                ),
                selectinload(CarePlan.versions),
                # joined, not a statement of its own: a plan has few handovers
                joinedload(CarePlan.handovers),
                joinedload(CarePlan.draft_by),
            )
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    staff = actor.practitioner is not None
    return PlanPage(
        row[0],
        row[1],
        bool(row[2]),
        bool(row[3]),
        row[4] if staff else None,
        bool(row[5]) if staff else False,
    )


def acting_for_patient(session: Session, patient_id: int, now: datetime) -> list[ProxyGrant]:
    """Valid grants on a patient (proxies and legal representatives), for staff to see."""
    return list(
        session.scalars(
            select(ProxyGrant)
            .where(
                ProxyGrant.patient_id == patient_id,
                ProxyGrant.revoked_at.is_(None),
                ProxyGrant.valid_from <= now,
                ProxyGrant.valid_until > now,
            )
            .options(joinedload(ProxyGrant.proxy))
            .order_by(ProxyGrant.valid_until)
        )
    )


def latest_what_matters_for(session: Session, patient_id: int) -> WhatMatters | None:
    return session.scalars(
        latest_what_matters(patient_id).options(joinedload(WhatMatters.written_by))
    ).first()


STAFF_PAGE_SIZE = 25


def staff_patient_page(
    session: Session, actor: Actor, now: datetime, page: int, search: str = ""
) -> tuple[list[tuple[Person, list[CarePlan]]], int]:
    """One page of the practitioner's patients by name, each with the plans they may read."""
    patients = staff_patients(actor, now)
    term = search.strip().lower()
    if term:
        name = func.lower(Person.given_name + " " + Person.family_name)
        patients = patients.where(
            or_(
                name.contains(term, autoescape=True),
                Person.personal_number.startswith(term.replace("-", ""), autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(patients.subquery())) or 0
    people = list(
        session.scalars(patients.limit(STAFF_PAGE_SIZE).offset((page - 1) * STAFF_PAGE_SIZE))
    )
    plans = session.scalars(
        select(CarePlan)
        .where(
            CarePlan.patient_id.in_([p.id for p in people]),
            plan_clause(actor, Action.READ_PLANS, now),
        )
        .options(joinedload(CarePlan.unit))
        .order_by(CarePlan.id)
    ).all()
    by_patient: dict[int, list[CarePlan]] = {p.id: [] for p in people}
    for plan in plans:
        by_patient[plan.patient_id].append(plan)
    pages = max(1, -(-total // STAFF_PAGE_SIZE))
    return [(p, by_patient[p.id]) for p in people], pages
