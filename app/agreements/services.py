"""The patient's answer to a published plan version: agree, or I have questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.access.policy import Action, plan_clause
from app.agreements.models import Agreement, AgreementAnswer
from app.audit.services import record_access
from app.notifications.services import queue
from app.plans.models import CarePlan, PlanStatus, PlanVersion


class AgreementError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class NotAllowed(Exception):
    """The view answers 404."""


def answer(
    session: Session, actor: Actor, plan_id: int, version: int, choice: str, now: datetime
) -> Agreement:
    """Answer the plan's newest published version, once."""
    if actor.person_id is None:
        raise NotAllowed
    plan = session.scalars(
        select(CarePlan).where(CarePlan.id == plan_id, plan_clause(actor, Action.ANSWER_FOR, now))
    ).first()
    if plan is None or plan.status != PlanStatus.ACTIVE or plan.published_version < 1:
        raise NotAllowed
    if choice not in (AgreementAnswer.AGREE, AgreementAnswer.QUESTIONS):
        raise AgreementError("choice")
    if version != plan.published_version:
        raise AgreementError("superseded")
    existing = session.scalars(
        select(Agreement).where(Agreement.plan_id == plan.id, Agreement.plan_version == version)
    ).first()
    if existing is not None:
        raise AgreementError("answered")
    agreement = Agreement(
        plan_id=plan.id,
        plan_version=version,
        answer=AgreementAnswer(choice),
        answered_by_id=actor.person_id,
        answered_at=now,
    )
    try:
        with session.begin_nested():
            session.add(agreement)
            session.flush()
    except IntegrityError as error:  # answered at the same moment from another device
        raise AgreementError("answered") from error
    record_access(session, actor, plan.patient_id, "create", "agreement", agreement.id, now)
    coordinator = plan.coordinator(now.date())
    if coordinator and coordinator.practitioner_id:
        queue(
            session,
            "patient_voice",
            f"agreement:{agreement.id}",
            practitioner_id=coordinator.practitioner_id,
            payload={"plan_id": plan.id},
        )
    return agreement


def unanswered_changes(versions: list[PlanVersion]) -> list[PlanVersion]:
    """Versions published since the one the patient last answered, newest first (all if none)."""
    changes = []
    for version in versions:  # newest first
        if version.agreement is not None:
            break
        changes.append(version)
    return changes


def last_answer(versions: list[PlanVersion]) -> PlanVersion | None:
    return next((v for v in versions if v.agreement is not None), None)
