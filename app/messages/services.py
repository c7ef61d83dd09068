"""Writing messages: start a thread, reply, read, hand over, mark handled.

Each service takes the acting person, checks the policy, changes the data, writes the access log
and queues notifications in the caller's transaction, and only flushes. A compose form's one-time
key makes a repeated or concurrent submission store one message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.access.policy import Action, may
from app.accounts.models import Person, Practitioner
from app.audit.services import record_access
from app.messages.models import Message, Thread, ThreadStatus
from app.messages.text import MAX_LENGTH, normalise
from app.notifications.services import notify_new_message
from app.plans.models import CarePlan

SUBJECT_MAX = 200


class MessageError(Exception):
    """Bad input; `field` names the form field, `code` the Swedish message to show."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


class NotAllowed(Exception):
    """The actor may not do this; the view answers 404."""


def check_body(body: str) -> str:
    text = normalise(body)
    if not text:
        raise MessageError("body", "empty")
    if len(text) > MAX_LENGTH:
        raise MessageError("body", "too_long")
    return text


def _existing(session: Session, key: str, actor: Actor) -> Message | None:
    message = session.scalars(select(Message).where(Message.idempotency_key == key)).first()
    if message is None:
        return None
    mine = (
        message.author_practitioner_id == actor.practitioner.id
        if actor.practitioner
        else message.author_person_id == actor.person.id  # type: ignore[union-attr]
    )
    if not mine:
        raise NotAllowed
    return message


def _insert(session: Session, message: Message, actor: Actor) -> Message:
    """Insert once: a concurrent twin with the same key wins, and we return it instead."""
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        existing = _existing(session, message.idempotency_key, actor)
        if existing is None:
            raise
        return existing
    return message


def _author(actor: Actor, patient: Person, body: str, key: str, now: datetime) -> Message:
    if actor.practitioner is not None:
        return Message(
            author_practitioner_id=actor.practitioner.id,
            body=body,
            idempotency_key=key,
            created_at=now,
            read_by_care_at=now,
            read_by_care_id=actor.practitioner.id,
        )
    person = actor.person
    assert person is not None  # noqa: S101 - an actor is a person or a practitioner
    return Message(
        author_person_id=person.id,
        body=body,
        idempotency_key=key,
        created_at=now,
        on_behalf_of_id=patient.id if person.id != patient.id else None,
        read_by_patient_at=now,
    )


def start_thread(
    session: Session,
    actor: Actor,
    plan: CarePlan,
    recipient: Practitioner,
    subject: str,
    body: str,
    key: str,
    now: datetime,
) -> Thread:
    """A patient (or proxy with the write scope) writes to a member of the plan's care team."""
    patient = plan.patient
    if actor.is_staff or not may(session, actor, Action.WRITE_MESSAGES, patient.id, now):
        raise NotAllowed
    existing = _existing(session, key, actor)
    if existing is not None:
        return existing.thread
    subject = " ".join(subject.split())
    if not subject:
        raise MessageError("subject", "empty_subject")
    if len(subject) > SUBJECT_MAX:
        raise MessageError("subject", "subject_too_long")
    text = check_body(body)
    thread = Thread(
        patient_id=patient.id,
        plan_id=plan.id,
        unit_id=recipient.unit_id,
        assigned_to_id=recipient.id,
        subject=subject,
        status=ThreadStatus.WAITING_FOR_CARE,
        waiting_since=now,
        last_message_at=now,
        created_at=now,
    )
    session.add(thread)
    session.flush()
    message = _author(actor, patient, text, key, now)
    message.thread_id = thread.id
    stored = _insert(session, message, actor)
    if stored is not message:  # a concurrent twin won: drop our empty thread
        session.delete(thread)
        session.flush()
        return stored.thread
    record_access(session, actor, patient.id, "create", "thread", thread.id, now)
    notify_new_message(session, thread, message)
    return thread


def reply(
    session: Session, actor: Actor, thread: Thread, body: str, key: str, now: datetime
) -> Message:
    """Write in an existing thread. A patient's message reopens it; care's answers it."""
    if not may(session, actor, Action.WRITE_MESSAGES, thread.patient_id, now):
        raise NotAllowed
    existing = _existing(session, key, actor)
    if existing is not None:
        return existing
    text = check_body(body)
    message = _author(actor, thread.patient, text, key, now)
    message.thread_id = thread.id
    stored = _insert(session, message, actor)
    if stored is not message:
        return stored
    thread.last_message_at = now
    if actor.is_staff:
        thread.status = ThreadStatus.ANSWERED
        thread.waiting_since = None
    else:
        if thread.status != ThreadStatus.WAITING_FOR_CARE:
            thread.waiting_since = now
        thread.status = ThreadStatus.WAITING_FOR_CARE
    record_access(session, actor, thread.patient_id, "create", "message", message.id, now)
    notify_new_message(session, thread, message)
    session.flush()
    return message


def mark_read(session: Session, actor: Actor, thread: Thread, now: datetime) -> None:
    """Opening a thread: the other side's messages become read; the access log records it."""
    if actor.practitioner is not None:
        session.execute(
            update(Message)
            .where(
                Message.thread_id == thread.id,
                Message.author_person_id.is_not(None),
                Message.read_by_care_at.is_(None),
            )
            .values(read_by_care_at=now, read_by_care_id=actor.practitioner.id)
        )
    else:
        session.execute(
            update(Message)
            .where(
                Message.thread_id == thread.id,
                Message.author_practitioner_id.is_not(None),
                Message.read_by_patient_at.is_(None),
            )
            .values(read_by_patient_at=now)
        )
    record_access(session, actor, thread.patient_id, "read", "thread", thread.id, now)


def mark_handled(session: Session, actor: Actor, thread: Thread, now: datetime) -> None:
    """Care closes the matter for now; the patient's next message reopens it."""
    if not actor.is_staff:
        raise NotAllowed
    thread.status = ThreadStatus.HANDLED
    thread.waiting_since = None
    record_access(session, actor, thread.patient_id, "update", "thread", thread.id, now)
    session.flush()


def offer(
    session: Session,
    actor: Actor,
    thread: Thread,
    colleague: Practitioner,
    note: str,
    now: datetime,
) -> None:
    """Pass a thread to a colleague on the patient's team; it stays with the sender until taken."""
    if actor.practitioner is None or thread.assigned_to_id != actor.practitioner.id:
        raise NotAllowed
    if colleague.id == actor.practitioner.id:
        raise MessageError("colleague", "self")
    if len(note) > 1000:
        raise MessageError("note", "note_too_long")
    thread.offered_to_id = colleague.id
    thread.offered_by_id = actor.practitioner.id
    thread.offer_note = normalise(note)
    record_access(session, actor, thread.patient_id, "update", "thread", thread.id, now)
    session.flush()


def take(session: Session, actor: Actor, thread: Thread, now: datetime) -> None:
    """The colleague takes the offered thread: from now on it is theirs, at their unit."""
    if actor.practitioner is None or thread.offered_to_id != actor.practitioner.id:
        raise NotAllowed
    thread.assigned_to_id = actor.practitioner.id
    thread.unit_id = actor.practitioner.unit_id
    thread.offered_to_id = None
    thread.offered_by_id = None
    thread.offer_note = None
    record_access(session, actor, thread.patient_id, "update", "thread", thread.id, now)
    session.flush()
