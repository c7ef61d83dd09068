"""Writing the access log. There is no function here, or anywhere, that changes an entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.audit.models import AccessLogEntry


def record_access(
    session: Session,
    actor: Actor,
    patient_id: int,
    action: str,
    object_type: str,
    object_id: int | None,
    now: datetime,
    allowed: bool = True,
) -> None:
    """Append one entry in the caller's transaction: who, for whom, what, when."""
    practitioner = actor.practitioner
    session.execute(
        insert(AccessLogEntry).values(
            at=now,
            actor_person_id=actor.person.id if actor.person else None,
            actor_practitioner_id=practitioner.id if practitioner else None,
            actor_unit_id=practitioner.unit_id if practitioner else None,
            patient_id=patient_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            allowed=allowed,
        )
    )


def record_accesses(
    session: Session,
    actor: Actor,
    patient_ids: Iterable[int],
    action: str,
    object_type: str,
    now: datetime,
) -> None:
    """One entry per patient in a single statement: a list shows the actor many patients."""
    practitioner = actor.practitioner
    rows = [
        {
            "at": now,
            "actor_person_id": actor.person.id if actor.person else None,
            "actor_practitioner_id": practitioner.id if practitioner else None,
            "actor_unit_id": practitioner.unit_id if practitioner else None,
            "patient_id": patient_id,
            "action": action,
            "object_type": object_type,
            "object_id": None,
            "allowed": True,
        }
        for patient_id in patient_ids
    ]
    if rows:
        session.execute(insert(AccessLogEntry), rows)


def record_refusal(
    session: Session,
    actor: Actor,
    patient_id: int | None,
    object_type: str,
    object_id: int | None,
    now: datetime,
) -> None:
    """Log a refused attempt on a patient's thing that exists (the person still gets 404)."""
    if patient_id is not None:
        record_access(session, actor, patient_id, "read", object_type, object_id, now, False)
