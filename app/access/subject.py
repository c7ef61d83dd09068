"""Whose data a signed-in person is looking at: their own, or someone they act for."""

from __future__ import annotations

from flask import session

from app.access.actor import Actor

ACTING_FOR = "acting_for"


def subject_id(actor: Actor) -> int:
    """The patient the person has chosen to act for, or themself. The policy still decides
    on every request whether they may; this is only the choice."""
    assert actor.person_id is not None  # noqa: S101 - people only
    return int(session.get(ACTING_FOR, actor.person_id))


def choose(patient_id: int | None) -> None:
    if patient_id is None:
        session.pop(ACTING_FOR, None)
    else:
        session[ACTING_FOR] = patient_id
