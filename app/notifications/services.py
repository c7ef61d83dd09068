"""Queueing notifications in the outbox, in the same transaction as the change they announce."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.notifications.models import OutboxItem

if TYPE_CHECKING:
    from app.messages.models import Message, Thread


def queue(
    session: Session,
    template: str,
    dedupe_key: str,
    *,
    person_id: int | None = None,
    practitioner_id: int | None = None,
    payload: dict[str, object] | None = None,
    channel: str = "email",
) -> None:
    """Add one notification unless one with the same dedupe key exists. Never health content:
    the payload holds ids for a link, nothing the patient wrote."""
    values = {
        "channel": channel,
        "recipient_person_id": person_id,
        "recipient_practitioner_id": practitioner_id,
        "template": template,
        "payload": payload or {},
        "dedupe_key": dedupe_key,
    }
    _insert(session, values)
    if channel == "email" and person_id is not None and _has_push_device(session, person_id):
        # The same news, on each phone the person allowed push on (another outbox row, so a
        # failing push service never holds up the mail, nor the other way round).
        _insert(session, {**values, "channel": "push", "dedupe_key": f"push:{dedupe_key}"})


def _insert(session: Session, values: Mapping[str, object]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(insert(OutboxItem).values(**values).on_conflict_do_nothing())
        return
    key = values["dedupe_key"]
    if session.scalars(select(OutboxItem.id).where(OutboxItem.dedupe_key == key)).first():
        return
    session.add(OutboxItem(**values))


def _has_push_device(session: Session, person_id: int) -> bool:
    from app.pwa.models import PushSubscription

    query = select(PushSubscription.id).where(PushSubscription.person_id == person_id).limit(1)
    return session.scalars(query).first() is not None


def notify_new_message(session: Session, thread: Thread, message: Message) -> None:
    """A reply from care tells the patient; a patient's message tells the assigned care contact
    (unless they chose a daily summary instead)."""
    from app.accounts.models import Person, Practitioner

    if message.author_practitioner_id is not None:
        patient = session.get(Person, thread.patient_id)
        if patient is not None and patient.deceased_on is None:
            queue(
                session,
                "new_reply",
                f"new_reply:{message.id}:{patient.id}",
                person_id=patient.id,
                payload={"thread_id": thread.id},
            )
        return
    contact = session.get(Practitioner, thread.assigned_to_id)
    if contact is not None and contact.notify_each_message:
        queue(
            session,
            "new_patient_message",
            f"new_patient_message:{message.id}:{contact.id}",
            practitioner_id=contact.id,
            payload={"thread_id": thread.id},
        )


def queue_daily_summaries(session: Session, today: str) -> int:
    """One summary a day for each practitioner who chose it and has threads waiting."""
    from app.accounts.models import Practitioner
    from app.messages.models import Thread, ThreadStatus

    rows = session.scalars(
        select(Practitioner.id)
        .join(Thread, Thread.assigned_to_id == Practitioner.id)
        .where(
            Practitioner.notify_each_message.is_(False),
            Thread.status == ThreadStatus.WAITING_FOR_CARE,
        )
        .distinct()
    ).all()
    for practitioner_id in rows:
        queue(
            session,
            "daily_summary",
            f"daily_summary:{practitioner_id}:{today}",
            practitioner_id=practitioner_id,
        )
    return len(rows)
