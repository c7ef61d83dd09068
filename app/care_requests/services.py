"""A patient's requests: ask a unit, take it back, and care's answer.

Each change logs itself in the access log in the same transaction (app.audit.services), and
an answer tells the patient through the outbox, without a word of what was asked or answered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.access.context import access_context
from app.access.policy import Action
from app.accounts.models import CareUnit, Person
from app.audit.services import record_access
from app.care_requests.forms import ANSWER_MAX, TEXT_MAX
from app.care_requests.models import CareRequest, RequestKind, RequestOutcome, RequestStatus
from app.care_requests.queries import UNITS
from app.clock import local_date
from app.messages.text import normalise
from app.messages.workdays import add_working_days
from app.notifications.services import queue


class RequestError(Exception):
    """Bad input; `field` names the form field, `code` the Swedish message to show."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


class NotAllowed(Exception):
    """The actor may not do this; the view answers 404."""


def _kind(value: str | None) -> RequestKind:
    try:
        return RequestKind(value or "")
    except ValueError:
        raise RequestError("kind", "kind") from None


def _text(value: str | None, field: str, empty: str, too_long: str, limit: int) -> str:
    text = normalise(value or "")
    if not text:
        raise RequestError(field, empty)
    if len(text) > limit:
        raise RequestError(field, too_long)
    return text


def ask(
    session: Session,
    actor: Actor,
    patient_id: int,
    unit_id: int | None,
    kind: str | None,
    text: str | None,
    now: datetime,
) -> tuple[CareRequest, bool]:
    """The patient (or someone who may write to care for them) asks a unit for something.

    Returns the request and whether it is new: the same kind asked of the same unit while an
    earlier request waits is that request, not a second one (a double submit stores one).
    NotAllowed for staff and for someone who may not write for the patient; RequestError for a
    unit that cannot be asked, an unknown kind, or a missing or too long text."""
    if actor.person_id is None:
        raise NotAllowed
    today = local_date(now)
    if not access_context(actor, session, now).may(Action.WRITE_MESSAGES, patient_id):
        raise NotAllowed
    wished = _kind(kind)
    body = _text(text, "text", "text_empty", "text_too_long", TEXT_MAX)
    choices = {
        row.id
        for row in session.connection().execute(UNITS, {"patient_id": patient_id, "today": today})
    }
    if unit_id is None or unit_id not in choices:
        raise RequestError("unit", "unit")
    # One request at a time per patient: two submits at once queue here, the second finds the
    # first (PostgreSQL; SQLite writes one at a time anyway).
    session.execute(select(Person.id).where(Person.id == patient_id).with_for_update())
    waiting = session.scalars(
        select(CareRequest).where(
            CareRequest.patient_id == patient_id,
            CareRequest.unit_id == unit_id,
            CareRequest.kind == wished,
            CareRequest.status == RequestStatus.OPEN,
        )
    ).first()
    if waiting is not None:
        return waiting, False
    unit = session.get(CareUnit, unit_id)
    assert unit is not None  # noqa: S101 - among the choices just read
    request = CareRequest(
        patient_id=patient_id,
        unit_id=unit_id,
        kind=wished,
        text=body,
        made_by_person_id=actor.person_id,
        created_at=now,
        due_on=add_working_days(today, unit.response_working_days),
        status=RequestStatus.OPEN,
    )
    session.add(request)
    session.flush()
    record_access(session, actor, patient_id, "create", "care_request", request.id, now)
    return request, True


def load(session: Session, request_id: int) -> CareRequest:
    """The request the gate has let the actor at, to change it (locked while it changes)."""
    request = session.scalars(
        select(CareRequest).where(CareRequest.id == request_id).with_for_update()
    ).first()
    if request is None:
        raise NotAllowed
    return request


def withdraw(session: Session, actor: Actor, request: CareRequest, now: datetime) -> bool:
    """The patient, or someone who may write for them, takes an open request back. False when
    it was no longer open (answered meanwhile, or taken back already): nothing changes."""
    if actor.person_id is None:
        raise NotAllowed
    if not access_context(actor, session, now).may(Action.WRITE_MESSAGES, request.patient_id):
        raise NotAllowed
    if request.status != RequestStatus.OPEN:
        return False
    request.status = RequestStatus.WITHDRAWN
    record_access(session, actor, request.patient_id, "withdraw", "care_request", request.id, now)
    return True


def answer(
    session: Session,
    actor: Actor,
    request: CareRequest,
    outcome: str | None,
    text: str | None,
    now: datetime,
) -> None:
    """Someone at the request's unit answers it: yes, no or elsewhere, in words; the patient is
    told that care has answered (not what). NotAllowed for anyone not at the unit."""
    if actor.practitioner_id is None or actor.unit_id != request.unit_id:
        raise NotAllowed
    if request.status != RequestStatus.OPEN:
        raise RequestError("answer", "answered")
    try:
        decided = RequestOutcome(outcome or "")
    except ValueError:
        raise RequestError("outcome", "outcome") from None
    request.answer = _text(text, "answer", "answer_empty", "answer_too_long", ANSWER_MAX)
    request.outcome = decided
    request.status = RequestStatus.ANSWERED
    request.answered_by_practitioner_id = actor.practitioner_id
    request.answered_at = now
    session.flush()
    record_access(session, actor, request.patient_id, "answer", "care_request", request.id, now)
    # The patient, and a relative who asked for them: each is told once.
    for person_id in dict.fromkeys((request.patient_id, request.made_by_person_id)):
        person = session.get(Person, person_id)
        if person is not None and person.deceased_on is None:
            queue(
                session,
                "request_answered",
                f"request_answered:{request.id}:{person_id}",
                person_id=person_id,
                payload={"request_id": request.id},
            )
