"""Refused attempts: answered as if the thing did not exist, logged, and limited per actor.

A refusal is a 404, the same answer as for an id that names nothing, so that nobody learns that
another person's data exists; when it names something of a patient's, the patient's access log
records the attempt. Each actor has a budget of such answers (RATELIMIT_REFUSALS, counted in the
shared rate-limit storage, so every worker and host counts together). Past it the actor gets 429
with a Swedish message, and nothing more is logged until the window has passed: one person
cannot fill another's access log, however fast they try. Ids that name nothing count too,
since otherwise the switch from 404 to 429 would tell which ids exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from flask import abort, current_app
from limits import parse
from werkzeug.exceptions import TooManyRequests

from app.access.actor import Actor
from app.audit.services import record_refusal
from app.extensions import limiter


class TooManyRefusals(TooManyRequests):
    """The actor was refused too often lately (the error page says so in Swedish)."""


def _actor_key(actor: Actor) -> str:
    if actor.practitioner_id is not None:
        return f"staff:{actor.practitioner_id}"
    return f"person:{actor.person_id}"


def within_limit(actor: Actor) -> bool:
    """Count one refused attempt against the actor's budget: False once it is spent."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return True
    return limiter.limiter.hit(
        parse(config["RATELIMIT_REFUSALS"]),
        config["RATELIMIT_KEY_PREFIX"],
        "refusals",
        _actor_key(actor),
    )


def refuse(
    actor: Actor,
    patient_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    now: datetime | None = None,
) -> NoReturn:
    """Answer a refused attempt: 404, with a refusal in the patient's access log when it named
    something of theirs (`patient_id`); 429 and nothing logged once the actor's budget for the
    window is spent."""
    if not within_limit(actor):
        raise TooManyRefusals()
    if patient_id is not None and now is not None:
        record_refusal(actor, patient_id, object_type, object_id, now)
    abort(404)
