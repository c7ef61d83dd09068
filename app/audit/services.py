"""Writing the access log. There is no function here, or anywhere, that changes an entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from flask import g
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.audit.models import SEARCH_TEXT_LENGTH, AccessLogEntry

# A plain insert into the table (no ORM bookkeeping: an entry is never read back here).
_INSERT = insert(cast(Table, AccessLogEntry.__table__))


def _entry(
    actor: Actor,
    patient_id: int,
    action: str,
    object_type: str,
    object_id: int | None,
    now: datetime,
    allowed: bool = True,
    search: str | None = None,
) -> dict[str, Any]:
    return {
        "at": now,
        "actor_person_id": actor.person_id,
        "actor_practitioner_id": actor.practitioner_id,
        "actor_unit_id": actor.unit_id,
        "patient_id": patient_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "allowed": allowed,
        "search_text": None if search is None else search[:SEARCH_TEXT_LENGTH],
    }


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
    """Append one entry in the caller's transaction: who, for whom, what, when. A change is
    logged this way, so that the entry stands or falls with the change."""
    session.execute(
        _INSERT, [_entry(actor, patient_id, action, object_type, object_id, now, allowed)]
    )


def pending_access(
    actor: Actor,
    patient_id: int,
    action: str,
    object_type: str,
    object_id: int | None,
    now: datetime,
    allowed: bool = True,
) -> None:
    """An entry the request's transaction boundary writes whatever the outcome: a read, or a
    refusal answered with 404, is logged even when the request's own changes are rolled back."""
    entry = _entry(actor, patient_id, action, object_type, object_id, now, allowed)
    g.setdefault("pending_access", []).append(entry)


def pending_list(
    actor: Actor,
    patient_ids: Iterable[int],
    object_type: str,
    now: datetime,
    search: str | None = None,
) -> None:
    """A read of each patient a list shows, one entry each (a search also records what was
    searched), written like `pending_access`'s."""
    entries = g.setdefault("pending_access", [])
    for patient_id in dict.fromkeys(patient_ids):
        entries.append(_entry(actor, patient_id, "read", object_type, None, now, search=search))


def logged_in_this_request() -> bool:
    """Whether this request has logged what it shows (a list showing nobody counts)."""
    return "pending_access" in g


def record_refusal(
    actor: Actor,
    patient_id: int | None,
    object_type: str,
    object_id: int | None,
    now: datetime,
) -> None:
    """Log a refused attempt on a patient's thing that exists (the person still gets 404)."""
    if patient_id is not None:
        pending_access(actor, patient_id, "read", object_type, object_id, now, False)


def write_pending(session: Session, status: int) -> None:
    """Write the request's pending entries in one statement (the transaction boundary calls it).

    A refusal is always written. A read is written when the answer shows what was read: not for
    a redirect, nor a 304 (the browser keeps what it was shown, and logged, before), nor a 404
    (the page found nothing to show this person after all)."""
    rows = g.pop("pending_access", None)
    if rows and (300 <= status < 400 or status == 404):
        rows = [row for row in rows if not row["allowed"]]
    if rows:
        session.connection().execute(_INSERT, rows)
