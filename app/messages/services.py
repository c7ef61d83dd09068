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
from app.access.context import access_context
from app.access.policy import Action
from app.accounts.models import CareUnit
from app.audit.services import record_access
from app.clock import local_date
from app.messages import queries
from app.messages.forms import NOTE_MAX, SUBJECT_MAX
from app.messages.models import Message, Thread, ThreadStatus, Wait
from app.messages.queries import RecipientGroup
from app.messages.text import MAX_LENGTH, normalise
from app.messages.workdays import add_working_days, working_days_between
from app.notifications.services import notify_new_message


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
        message.author_practitioner_id == actor.practitioner_id
        if actor.practitioner
        else message.author_person_id == actor.person_id  # type: ignore[union-attr]
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


def _author(actor: Actor, patient_id: int, body: str, key: str, now: datetime) -> Message:
    if actor.practitioner_id is not None:
        return Message(
            author_practitioner_id=actor.practitioner_id,
            body=body,
            idempotency_key=key,
            created_at=now,
            read_by_care_at=now,
            read_by_care_id=actor.practitioner_id,
        )
    person = actor.person
    assert person is not None  # noqa: S101 - an actor is a person or a practitioner
    return Message(
        author_person_id=person.id,
        body=body,
        idempotency_key=key,
        created_at=now,
        on_behalf_of_id=patient_id if person.id != patient_id else None,
        read_by_patient_at=now,
    )


def _begin_wait(session: Session, thread: Thread, now: datetime) -> None:
    """The patient starts waiting: note the day the unit promises an answer by, as of now."""
    promise = session.scalar(
        select(CareUnit.response_working_days).where(CareUnit.id == thread.unit_id)
    )
    session.add(
        Wait(
            thread_id=thread.id,
            unit_id=thread.unit_id,
            patient_id=thread.patient_id,
            started_at=now,
            due_on=add_working_days(local_date(now), promise or 0),
        )
    )


def _end_wait(session: Session, thread: Thread, now: datetime) -> None:
    """Care answers (or marks the matter handled): the open wait, if any, ends now."""
    wait = session.scalar(
        select(Wait)
        .where(Wait.thread_id == thread.id, Wait.ended_at.is_(None))
        .order_by(Wait.started_at.desc())
        .limit(1)
    )
    if wait is not None:
        wait.ended_at = now
        wait.working_days = working_days_between(local_date(wait.started_at), local_date(now))


def start_thread(
    session: Session,
    actor: Actor,
    patient_id: int,
    to: tuple[str, str],
    subject: str,
    body: str,
    key: str,
    now: datetime,
) -> Thread:
    """A patient (or proxy with the write scope) writes to a member of one of the patient's
    active plans' care teams (`to` is the plan's and the practitioner's id, as sent).

    NotAllowed (404) for staff, for someone who may not write, and for a plan or person that is
    not among the choices; MessageError when nothing was chosen."""
    context = access_context(actor, session, now)
    if actor.is_staff or not context.may(Action.WRITE_MESSAGES, patient_id):
        raise NotAllowed
    existing = _existing(session, key, actor)
    if existing is not None:
        return existing.thread
    plan_part, practitioner_part = to
    recipient = next(
        (
            member
            for group in recipient_choices(session, actor, patient_id, now)
            for member in group.members
            if (str(member.plan_id), str(member.practitioner_id)) == (plan_part, practitioner_part)
        ),
        None,
    )
    if recipient is None:
        if plan_part:
            raise NotAllowed  # a plan or person that is not among one's own choices
        raise MessageError("to", "recipient")
    subject = " ".join(subject.split())
    if not subject:
        raise MessageError("subject", "empty_subject")
    if len(subject) > SUBJECT_MAX:
        raise MessageError("subject", "subject_too_long")
    text = check_body(body)
    thread = Thread(
        patient_id=patient_id,
        plan_id=recipient.plan_id,
        unit_id=recipient.unit_id,
        assigned_to_id=recipient.practitioner_id,
        subject=subject,
        status=ThreadStatus.WAITING_FOR_CARE,
        waiting_since=now,
        last_message_at=now,
        created_at=now,
    )
    session.add(thread)
    session.flush()
    message = _author(actor, patient_id, text, key, now)
    message.thread_id = thread.id
    stored = _insert(session, message, actor)
    if stored is not message:  # a concurrent twin won: drop our empty thread
        session.delete(thread)
        session.flush()
        return stored.thread
    _begin_wait(session, thread, now)
    record_access(session, actor, patient_id, "create", "thread", thread.id, now)
    notify_new_message(session, thread, message)
    return thread


def recipient_choices(
    session: Session, actor: Actor, patient_id: int, now: datetime
) -> list[RecipientGroup]:
    """Whom the actor may write to for the patient: the team of each active plan they may read."""
    context = access_context(actor, session, now)
    groups = queries.recipients(session, patient_id, local_date(now), None)
    return [group for group in groups if context.may(Action.READ_PLANS, patient_id, group.plan_id)]


def reply(
    session: Session, actor: Actor, thread: Thread, body: str, key: str, now: datetime
) -> Message:
    """Write in an existing thread. A patient's message reopens it; care's answers it."""
    context = access_context(actor, session, now)
    if not context.may(Action.WRITE_MESSAGES, thread.patient_id, thread.plan_id, thread.id):
        raise NotAllowed
    existing = _existing(session, key, actor)
    if existing is not None:
        return existing
    text = check_body(body)
    message = _author(actor, thread.patient_id, text, key, now)
    message.thread_id = thread.id
    stored = _insert(session, message, actor)
    if stored is not message:
        return stored
    thread.last_message_at = now
    if actor.is_staff:
        thread.status = ThreadStatus.ANSWERED
        thread.waiting_since = None
        _end_wait(session, thread, now)
    else:
        if thread.status != ThreadStatus.WAITING_FOR_CARE:
            thread.waiting_since = now
            _begin_wait(session, thread, now)
        thread.status = ThreadStatus.WAITING_FOR_CARE
    record_access(session, actor, thread.patient_id, "create", "message", message.id, now)
    notify_new_message(session, thread, message)
    session.flush()
    return message


def mark_read(session: Session, actor: Actor, thread_id: int, now: datetime) -> None:
    """Opening a thread: the other side's messages become read (the gate logs the reading)."""
    if actor.practitioner_id is not None:
        session.execute(
            update(Message)
            .where(
                Message.thread_id == thread_id,
                Message.author_person_id.is_not(None),
                Message.read_by_care_at.is_(None),
            )
            .values(read_by_care_at=now, read_by_care_id=actor.practitioner_id)
            .execution_options(synchronize_session=False)
        )
    else:
        session.execute(
            update(Message)
            .where(
                Message.thread_id == thread_id,
                Message.author_practitioner_id.is_not(None),
                Message.read_by_patient_at.is_(None),
            )
            .values(read_by_patient_at=now)
            .execution_options(synchronize_session=False)
        )


def mark_handled(session: Session, actor: Actor, thread: Thread, now: datetime) -> None:
    """Care closes the matter for now; the patient's next message reopens it."""
    if not actor.is_staff:
        raise NotAllowed
    thread.status = ThreadStatus.HANDLED
    thread.waiting_since = None
    _end_wait(session, thread, now)
    record_access(session, actor, thread.patient_id, "update", "thread", thread.id, now)
    session.flush()


def offer(
    session: Session,
    actor: Actor,
    thread: Thread,
    colleague_id: int | None,
    note: str,
    now: datetime,
) -> None:
    """Pass a thread to a colleague on the patient's team; it stays with the sender until taken."""
    if actor.practitioner_id is None or thread.assigned_to_id != actor.practitioner_id:
        raise NotAllowed
    team = queries.colleagues(session, thread.patient_id, local_date(now))
    if colleague_id is None or colleague_id not in {colleague.id for colleague in team}:
        raise MessageError("colleague", "recipient")
    if colleague_id == actor.practitioner_id:
        raise MessageError("colleague", "self")
    if len(note) > NOTE_MAX:
        raise MessageError("note", "note_too_long")
    thread.offered_to_id = colleague_id
    thread.offered_by_id = actor.practitioner_id
    thread.offer_note = normalise(note)
    record_access(session, actor, thread.patient_id, "update", "thread", thread.id, now)
    session.flush()


def load(session: Session, thread_id: int) -> Thread:
    """The thread the gate has let the actor at, to change it."""
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise NotAllowed
    return thread


def take(session: Session, actor: Actor, thread: Thread, now: datetime) -> None:
    """The colleague takes the offered thread, or a thread waiting in their unit's queue (its care
    contact has left): from now on it is theirs, at their unit."""
    if actor.practitioner_id is None or actor.unit_id is None:
        raise NotAllowed
    queued = thread.assigned_to_id is None and thread.unit_id == actor.unit_id
    if thread.offered_to_id != actor.practitioner_id and not queued:
        raise NotAllowed
    thread.assigned_to_id = actor.practitioner_id
    thread.unit_id = actor.unit_id
    thread.offered_to_id = None
    thread.offered_by_id = None
    thread.offer_note = None
    record_access(session, actor, thread.patient_id, "update", "thread", thread.id, now)
    session.flush()
