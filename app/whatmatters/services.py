"""Saving the patient's answers to "Vad är viktigt för mig?", one question at a time.

Every change makes a new version (nothing is overwritten), with who wrote it; saving the same
text again makes none. A proxy may answer only with the answer-for scope.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.access.policy import Action, may
from app.accounts.models import Person
from app.audit.services import record_access
from app.db import lock_row
from app.messages.text import normalise
from app.whatmatters.models import WHAT_MATTERS_FIELDS, WhatMatters

MAX_ANSWER = 2000
SITTING = timedelta(minutes=30)


class AnswerError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class NotAllowed(Exception):
    """The view answers 404."""


def latest(session: Session, patient_id: int) -> WhatMatters | None:
    return session.scalars(
        select(WhatMatters)
        .where(WhatMatters.patient_id == patient_id)
        .order_by(WhatMatters.version.desc())
        .limit(1)
    ).first()


def save_answer(
    session: Session, actor: Actor, patient_id: int, field: str, text: str, now: datetime
) -> WhatMatters | None:
    """Save one answer as a new version. Returns the new version, or None when unchanged."""
    if actor.person_id is None or not may(session, actor, Action.ANSWER_FOR, patient_id, now):
        raise NotAllowed
    if field not in WHAT_MATTERS_FIELDS:
        raise NotAllowed
    answer = normalise(text)
    if len(answer) > MAX_ANSWER:
        raise AnswerError("too_long")
    # Two saves at the same moment (two tabs, a resend) would both make version n + 1.
    lock_row(session, Person, patient_id)
    current = latest(session, patient_id)
    if current is not None and getattr(current, field) == answer:
        return None
    if (
        current is not None
        and current.written_by_id == actor.person_id
        and now - current.created_at < SITTING
    ):
        # The same person still writing (autosave while typing): one version per sitting.
        setattr(current, field, answer)
        current.created_at = now
        session.flush()
        return current
    version = WhatMatters(
        patient_id=patient_id,
        version=(current.version + 1) if current else 1,
        written_by_id=actor.person_id,
        created_at=now,
        **{name: getattr(current, name) if current else "" for name in WHAT_MATTERS_FIELDS},
    )
    setattr(version, field, answer)
    session.add(version)
    session.flush()
    record_access(session, actor, patient_id, "update", "what_matters", version.id, now)
    return version


def changed_fields(newer: WhatMatters | None, older: WhatMatters | None) -> list[str]:
    """The questions whose answers differ between two versions (all answered ones if no older)."""
    if newer is None:
        return []
    return [
        name
        for name in WHAT_MATTERS_FIELDS
        if getattr(newer, name) != (getattr(older, name) if older else "")
    ]
