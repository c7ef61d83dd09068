"""Reads for threads: the patient's list, one thread, the care inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.access.actor import Actor
from app.access.policy import Action, thread_clause
from app.accounts.models import Practitioner
from app.messages.models import Message, Thread, ThreadStatus
from app.messages.workdays import add_working_days
from app.plans.models import CarePlan


def answer_due(thread: Thread, zone: tzinfo) -> date | None:
    """The day care promised to answer by, counted from the day the patient started waiting."""
    if thread.waiting_since is None:
        return None
    started = thread.waiting_since.astimezone(zone).date()
    return add_working_days(started, thread.unit.response_working_days)


@dataclass
class ThreadRow:
    thread: Thread
    unread: int
    patient_name: str | None = None


def unread_for_patient_clause():  # noqa: ANN201 - a SQL expression
    return and_(Message.author_practitioner_id.is_not(None), Message.read_by_patient_at.is_(None))


def threads_for_patient(
    session: Session, actor: Actor, patient_id: int, now: datetime
) -> list[ThreadRow]:
    """The patient's threads, newest activity first, with how many replies are unread."""
    unread = (
        select(func.count(Message.id))
        .where(Message.thread_id == Thread.id, unread_for_patient_clause())
        .correlate(Thread)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Thread, unread)
        .where(Thread.patient_id == patient_id, thread_clause(actor, Action.READ_MESSAGES, now))
        .options(joinedload(Thread.unit), joinedload(Thread.assigned_to))
        .order_by(Thread.last_message_at.desc())
    ).all()
    return [ThreadRow(thread, count or 0) for thread, count in rows]


def thread_for(session: Session, actor: Actor, thread_id: int, now: datetime) -> Thread | None:
    """A thread with its messages, if the actor may read it; None means 404."""
    return session.scalars(
        select(Thread)
        .where(Thread.id == thread_id, thread_clause(actor, Action.READ_MESSAGES, now))
        .options(
            joinedload(Thread.unit),
            joinedload(Thread.assigned_to),
            joinedload(Thread.offered_to),
            joinedload(Thread.patient),
            joinedload(Thread.plan),
            selectinload(Thread.messages).options(
                joinedload(Message.author_person),
                joinedload(Message.author_practitioner),
                joinedload(Message.on_behalf_of),
                joinedload(Message.read_by_care),
            ),
        )
    ).first()


INBOX_PAGE_SIZE = 50


def inbox(
    session: Session, actor: Actor, now: datetime, mine: bool, page: int = 1
) -> tuple[list[ThreadRow], int]:
    """One page of open threads for the practitioner (assigned or offered to them) or their
    unit, the longest-waiting first, and the number of open threads in all."""
    practitioner = actor.practitioner
    assert practitioner is not None  # noqa: S101 - staff only
    scope = (
        (Thread.assigned_to_id == practitioner.id) | (Thread.offered_to_id == practitioner.id)
        if mine
        else Thread.unit_id == practitioner.unit_id
    )
    unread = (
        select(func.count(Message.id))
        .where(
            Message.thread_id == Thread.id,
            Message.author_person_id.is_not(None),
            Message.read_by_care_at.is_(None),
        )
        .correlate(Thread)
        .scalar_subquery()
    )
    conditions = (
        scope,
        Thread.status != ThreadStatus.HANDLED,
        thread_clause(actor, Action.READ_MESSAGES, now),
    )
    total = session.scalar(select(func.count(Thread.id)).where(*conditions)) or 0
    rows = session.execute(
        select(Thread, unread)
        .where(*conditions)
        .options(
            joinedload(Thread.unit),
            joinedload(Thread.assigned_to),
            joinedload(Thread.offered_to),
            joinedload(Thread.patient),
        )
        .order_by(Thread.waiting_since.is_(None), Thread.waiting_since, Thread.last_message_at)
        .limit(INBOX_PAGE_SIZE)
        .offset((page - 1) * INBOX_PAGE_SIZE)
    ).all()
    return [ThreadRow(thread, count or 0) for thread, count in rows], total


def colleagues_on_team(session: Session, thread: Thread, today: date) -> list[Practitioner]:
    """Practitioners on the patient's current care teams, who may take over a thread."""
    from app.plans.models import CareTeamMember, PlanStatus

    return list(
        session.scalars(
            select(Practitioner)
            .join(CareTeamMember, CareTeamMember.practitioner_id == Practitioner.id)
            .join(CarePlan, CarePlan.id == CareTeamMember.plan_id)
            .where(
                CarePlan.patient_id == thread.patient_id,
                CarePlan.status == PlanStatus.ACTIVE,
                CareTeamMember.valid_from <= today,
                (CareTeamMember.valid_until.is_(None)) | (CareTeamMember.valid_until >= today),
            )
            .distinct()
            .order_by(Practitioner.family_name)
        )
    )
