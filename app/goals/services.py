"""The patient's goals in their own words, care's decision on them, and progress reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.access.policy import Action, may, plan_clause
from app.audit.services import record_access
from app.db import lock_row
from app.goals.models import Activity, Goal, GoalStatus, ProgressReport, ProposedBy, Responsible
from app.messages.text import normalise
from app.notifications.services import queue
from app.plans.models import CarePlan, PlanStatus

MAX_GOAL = 500
MAX_NOTE = 1000
# The same progress report again within this time is the same submission sent twice.
REPEAT_WINDOW = timedelta(minutes=10)
PROGRESS_STATES = ("done", "not_yet", "hard")


class GoalError(Exception):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


class NotAllowed(Exception):
    """The view answers 404."""


def _plan(session: Session, actor: Actor, plan_id: int, action: Action, now: datetime) -> CarePlan:
    plan = session.scalars(
        select(CarePlan).where(CarePlan.id == plan_id, plan_clause(actor, action, now))
    ).first()
    if plan is None or plan.status != PlanStatus.ACTIVE:
        raise NotAllowed
    return plan


def _coordinator_id(plan: CarePlan, today: date) -> int | None:
    member = plan.coordinator(today)
    return member.practitioner_id if member else None


def propose_goal(
    session: Session, actor: Actor, plan_id: int, text: str, target: date | None, now: datetime
) -> Goal:
    """The patient (or a proxy who may answer for them) proposes a goal in their own words."""
    if actor.person_id is None:
        raise NotAllowed
    plan = _plan(session, actor, plan_id, Action.ANSWER_FOR, now)
    words = normalise(text)
    if not words:
        raise GoalError("goal", "empty")
    if len(words) > MAX_GOAL:
        raise GoalError("goal", "too_long")
    if target is not None and target < now.date():
        raise GoalError("target", "past")
    lock_row(session, CarePlan, plan.id)
    repeated = session.scalars(
        select(Goal).where(
            Goal.plan_id == plan.id,
            Goal.status == GoalStatus.PROPOSED,
            Goal.proposed_by_person_id == actor.person_id,
            Goal.text == words,
        )
    ).first()
    if repeated is not None:  # sent twice (a double tap, a resend): the same proposal
        return repeated
    position = (
        session.scalar(
            select(func.coalesce(func.max(Goal.position), 0)).where(Goal.plan_id == plan.id)
        )
        or 0
    )
    goal = Goal(
        plan_id=plan.id,
        text=words,
        target_date=target,
        status=GoalStatus.PROPOSED,
        proposed_by=ProposedBy.PATIENT,
        proposed_by_person_id=actor.person_id,
        position=position + 1,
        created_at=now,
    )
    session.add(goal)
    session.flush()
    record_access(session, actor, plan.patient_id, "create", "goal", goal.id, now)
    coordinator = _coordinator_id(plan, now.date())
    if coordinator:
        queue(
            session,
            "patient_voice",
            f"goal_proposed:{goal.id}",
            practitioner_id=coordinator,
            payload={"plan_id": plan.id},
        )
    return goal


def decide_goal(
    session: Session,
    actor: Actor,
    goal_id: int,
    decision: str,
    text: str,
    reason: str,
    now: datetime,
) -> Goal:
    """Care accepts a proposed goal, rewords it with the patient, or declines with a reason."""
    goal = session.get(Goal, goal_id)
    if goal is None or not actor.is_staff or goal.status != GoalStatus.PROPOSED:
        raise NotAllowed
    plan = _plan(session, actor, goal.plan_id, Action.READ_PLANS, now)
    if decision == "accept":
        goal.status = GoalStatus.ONGOING
    elif decision == "reword":
        words = normalise(text)
        if not words or len(words) > MAX_GOAL:
            raise GoalError("text", "empty" if not words else "too_long")
        goal.text = words
        goal.status = GoalStatus.ONGOING
    elif decision == "decline":
        why = normalise(reason)
        if not why:
            raise GoalError("reason", "reason")
        goal.status = GoalStatus.DECLINED
        goal.decline_reason = why[:MAX_NOTE]
    else:
        raise GoalError("decision", "decision")
    record_access(session, actor, plan.patient_id, "update", "goal", goal.id, now)
    queue(
        session,
        "goal_decided",
        f"goal_decided:{goal.id}",
        person_id=plan.patient_id,
        payload={"plan_id": plan.id},
    )
    session.flush()
    return goal


def report_progress(
    session: Session, actor: Actor, kind: str, item_id: int, state: str, note: str, now: datetime
) -> Goal | Activity:
    """The patient says how a goal, or an activity they do themself, is going."""
    if actor.person_id is None:
        raise NotAllowed
    item: Goal | Activity | None = (
        session.get(Goal, item_id) if kind == "goal" else session.get(Activity, item_id)
    )
    if item is None:
        raise NotAllowed
    plan = _plan(session, actor, item.plan_id, Action.ANSWER_FOR, now)
    if isinstance(item, Activity) and item.responsible != Responsible.PATIENT:
        raise NotAllowed
    if isinstance(item, Goal) and item.status != GoalStatus.ONGOING:
        raise NotAllowed
    if state not in PROGRESS_STATES:
        raise GoalError("state", "state")
    text = normalise(note)
    if len(text) > MAX_NOTE:
        raise GoalError("note", "too_long")
    lock_row(session, type(item), item.id)
    session.refresh(item)  # as the submission just before this one (if any) left it
    if (
        item.progress_state == state
        and (item.progress_note or "") == text
        and item.progress_at is not None
        and now - item.progress_at < REPEAT_WINDOW
    ):
        return item  # the same report sent again: stored once
    session.add(
        ProgressReport(
            goal_id=item.id if kind == "goal" else None,
            activity_id=item.id if kind != "goal" else None,
            state=state,
            note=text,
            written_by_id=actor.person_id,
            created_at=now,
        )
    )
    item.progress_state, item.progress_note, item.progress_at = state, text, now
    record_access(session, actor, plan.patient_id, "update", kind, item.id, now)
    coordinator = _coordinator_id(plan, now.date())
    if coordinator:
        queue(
            session,
            "patient_voice",
            f"progress:{kind}:{item.id}:{now.timestamp()}",
            practitioner_id=coordinator,
            payload={"plan_id": plan.id},
        )
    session.flush()
    return item


def may_answer(session: Session, actor: Actor, patient_id: int, now: datetime) -> bool:
    return actor.person_id is not None and may(session, actor, Action.ANSWER_FOR, patient_id, now)
