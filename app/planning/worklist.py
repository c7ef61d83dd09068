"""The follow-up duty: what a practitioner must see to (seed 000: "All vårdpersonal ska bevaka
och kontinuerligt uppdatera innehållet"; seed 003: a SIP is followed up at least yearly)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session, joinedload

from app.access.actor import Actor
from app.access.policy import Action, local_date, plan_clause
from app.agreements.models import Agreement, AgreementAnswer
from app.plans.models import CarePlan, CareTeamMember, Handover, PlanKind, PlanStatus, TeamRole

FOLLOW_UP_SOON = timedelta(days=14)
SIP_YEAR = timedelta(days=365)
LIMIT = 100


@dataclass
class WorkList:
    follow_up: list[CarePlan] = field(default_factory=list)
    sip_overdue: list[CarePlan] = field(default_factory=list)
    no_contact: list[CarePlan] = field(default_factory=list)
    unanswered: list[tuple[CarePlan, Agreement | None]] = field(default_factory=list)
    drafts: list[CarePlan] = field(default_factory=list)
    to_acknowledge: list[Handover] = field(default_factory=list)
    sent: list[Handover] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.follow_up,
                self.sip_overdue,
                self.no_contact,
                self.unanswered,
                self.drafts,
                self.to_acknowledge,
                self.sent,
            )
        )


def _current(today: date) -> ColumnElement[bool]:
    return and_(
        CareTeamMember.plan_id == CarePlan.id,
        CareTeamMember.valid_from <= today,
        or_(CareTeamMember.valid_until.is_(None), CareTeamMember.valid_until >= today),
    )


def work_list(session: Session, actor: Actor, now: datetime) -> WorkList:
    """Everything on the practitioner's work list, scoped by the access policy. A fixed number
    of statements, each limited."""
    practitioner = actor.practitioner
    assert practitioner is not None  # noqa: S101 - staff only
    today = local_date(now)
    mine = plan_clause(actor, Action.EDIT_PLANS, now)
    active = and_(mine, CarePlan.status == PlanStatus.ACTIVE)

    def plans(*conditions: ColumnElement[bool], order: Any = CarePlan.id) -> list[CarePlan]:
        return list(
            session.scalars(
                select(CarePlan)
                .where(active, *conditions)
                .options(joinedload(CarePlan.patient))
                .order_by(order, CarePlan.id)
                .limit(LIMIT)
            )
        )

    result = WorkList()
    result.follow_up = plans(
        CarePlan.follow_up_on.is_not(None),
        CarePlan.follow_up_on <= today + FOLLOW_UP_SOON,
        order=CarePlan.follow_up_on,
    )
    year_ago = today - SIP_YEAR
    result.sip_overdue = plans(
        CarePlan.kind == PlanKind.SIP,
        or_(
            CarePlan.last_followed_up_on < year_ago,
            and_(
                CarePlan.last_followed_up_on.is_(None),
                CarePlan.created_at < datetime.combine(year_ago, time(), UTC),
            ),
        ),
        order=CarePlan.created_at,
    )
    contact = exists().where(
        _current(today),
        CareTeamMember.practitioner_id.is_not(None),
        CareTeamMember.role.in_([TeamRole.CARE_CONTACT, TeamRole.CONTACT_NURSE]),
    )
    result.no_contact = plans(~contact, order=CarePlan.patient_id)
    rows = session.execute(
        select(CarePlan, Agreement)
        .outerjoin(
            Agreement,
            and_(
                Agreement.plan_id == CarePlan.id,
                Agreement.plan_version == CarePlan.published_version,
            ),
        )
        .where(
            active,
            CarePlan.published_version > 0,
            or_(Agreement.id.is_(None), Agreement.answer == AgreementAnswer.QUESTIONS),
        )
        .options(joinedload(CarePlan.patient))
        .order_by(CarePlan.updated_at, CarePlan.id)
        .limit(LIMIT)
    ).all()
    result.unanswered = [(plan, agreement) for plan, agreement in rows]
    result.drafts = list(
        session.scalars(
            select(CarePlan)
            .where(
                mine,
                CarePlan.status != PlanStatus.CLOSED,
                CarePlan.draft.is_not(None),
            )
            .options(joinedload(CarePlan.patient), joinedload(CarePlan.draft_by))
            .order_by(CarePlan.draft_at, CarePlan.id)
            .limit(LIMIT)
        )
    )
    handovers = session.scalars(
        select(Handover)
        .where(
            or_(
                Handover.to_practitioner_id == practitioner.id,
                Handover.from_practitioner_id == practitioner.id,
            ),
            Handover.acknowledged_at.is_(None),
            Handover.cancelled_at.is_(None),
        )
        .options(joinedload(Handover.plan).joinedload(CarePlan.patient))
        .order_by(Handover.created_at)
        .limit(LIMIT)
    ).all()
    result.to_acknowledge = [h for h in handovers if h.to_practitioner_id == practitioner.id]
    result.sent = [h for h in handovers if h.from_practitioner_id == practitioner.id]
    return result
