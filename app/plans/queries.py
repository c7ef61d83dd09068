"""Reads for the patient's pages. Each page runs a fixed number of statements, whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from app.access.actor import Actor
from app.access.policy import Action, plan_clause, staff_patients
from app.accounts.models import CareUnit, Person, Practitioner
from app.audit.models import AccessLogEntry
from app.followup.models import SevenQuestions
from app.messages.models import Message, Thread
from app.plans.models import CarePlan, CareTeamMember, Handover, PlanVersion
from app.proxies.models import ProxyGrant
from app.whatmatters.models import WhatMatters


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
class PlanPage:
    plan: CarePlan
    what_matters: WhatMatters | None
    # For staff: the answers as they were when this practitioner last opened a plan of the
    # patient's (None if never), so the page can say what changed since.
    what_matters_seen: WhatMatters | None
    seen_before: bool
    # For staff: the patient's latest answers to the seven questions that they chose to share.
    shared_seven: SevenQuestions | None = None


def _plan_page_statement(staff: bool) -> Select[Any]:
    """The plan with its team, versions (with the patient's answers) and handovers, and the
    patient's latest what-matters answers, in one statement; for staff also the answers as they
    were when this practitioner last opened a plan of the patient's. Built once, at import, with
    bind parameters (`plan_id`, and `practitioner_id` for staff): building the option tree and
    its cache key anew on every request cost more than running it."""
    latest = (
        select(func.max(WhatMatters.id))
        .where(WhatMatters.patient_id == CarePlan.patient_id)
        .correlate(CarePlan)
        .scalar_subquery()
    )
    query = select(CarePlan, WhatMatters).outerjoin(WhatMatters, WhatMatters.id == latest)
    if staff:
        seen = aliased(WhatMatters)
        last_look = (
            select(func.max(AccessLogEntry.at))
            .where(
                AccessLogEntry.patient_id == CarePlan.patient_id,
                AccessLogEntry.actor_practitioner_id == bindparam("practitioner_id"),
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
        shared = (
            select(func.max(SevenQuestions.id))
            .where(
                SevenQuestions.person_id == CarePlan.patient_id,
                SevenQuestions.shared_at.is_not(None),
            )
            .correlate(CarePlan)
            .scalar_subquery()
        )
        query = (
            query.add_columns(seen, last_look.is_not(None), SevenQuestions)
            .outerjoin(seen, seen.id == seen_id)
            .outerjoin(SevenQuestions, SevenQuestions.id == shared)
        )
    return query.where(CarePlan.id == bindparam("plan_id")).options(
        joinedload(CarePlan.unit),
        joinedload(CarePlan.patient),
        joinedload(CarePlan.consent_recorded_by),
        joinedload(WhatMatters.written_by),
        # joined, not statements of their own: a plan has a few members, versions and handovers
        joinedload(CarePlan.team).options(
            joinedload(CareTeamMember.practitioner)
            .joinedload(Practitioner.unit)
            .joinedload(CareUnit.principal),
            joinedload(CareTeamMember.unit).joinedload(CareUnit.principal),
        ),
        joinedload(CarePlan.versions).options(
            joinedload(PlanVersion.published_by), joinedload(PlanVersion.agreement)
        ),
        joinedload(CarePlan.handovers).options(
            joinedload(Handover.from_practitioner), joinedload(Handover.to_practitioner)
        ),
        joinedload(CarePlan.draft_by),
    )


_PLAN_PAGE = {False: _plan_page_statement(False), True: _plan_page_statement(True)}


def plan_page(session: Session, actor: Actor, plan_id: int) -> PlanPage:
    """The plan page's one statement (see _plan_page_statement). The gate has authorised the
    request; the goals and activities come from the read model (read.plan_items)."""
    staff = actor.practitioner_id is not None
    parameters: dict[str, int] = {"plan_id": plan_id}
    if staff:
        parameters["practitioner_id"] = cast(int, actor.practitioner_id)
    row = session.execute(_PLAN_PAGE[staff], parameters).unique().one()
    if not staff:
        return PlanPage(row[0], row[1], None, False)
    return PlanPage(row[0], row[1], row[2], bool(row[3]), row[4])


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
