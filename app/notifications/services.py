"""Queueing notifications in the outbox, in the same transaction as the change they announce."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.notifications.models import OutboxItem

if TYPE_CHECKING:
    from app.accounts.models import Person
    from app.messages.models import Message, Thread


# The topic of each template a person may receive (Person.notify_topics); ALWAYS for the notices
# that keep them safe (who can act for them), which go out whatever they chose. Templates for
# staff are not listed: staff hear by mail, as app/accounts/views.py settings says.
ALWAYS = "always"
TOPIC_OF = {
    "new_reply": "reply",
    "goal_decided": "request",
    "request_answered": "request",
    "plan_published": "plan",
    "plan_closed": "plan",
    "contact_changed": "plan",
    "appointment_offered": "appointment",
    "appointment_changed": "appointment",
    "appointment_cancelled": "appointment",
    "appointment_reminder": "reminder",
    "sip_meeting_called": "appointment",
    "sip_meeting_cancelled": "appointment",
    "diary_reminder": "reminder",
    "proxy_activated": ALWAYS,
    "proxy_expiring": ALWAYS,
    "representative_registered": ALWAYS,
    "representative_confirmed": ALWAYS,
    "representative_ended": ALWAYS,
}
# A one-time code for a new address (app/contact): to that address, never to the person's others.
CODE_TEMPLATES = {"email": "contact_code_email", "mobile": "contact_code_sms"}


def queue(
    session: Session,
    template: str,
    dedupe_key: str,
    *,
    person_id: int | None = None,
    practitioner_id: int | None = None,
    payload: dict[str, object] | None = None,
    channel: str = "email",
    not_before: datetime | None = None,
) -> None:
    """Add one notification unless one with the same dedupe key exists. Never health content:
    the payload holds ids for a link, nothing the patient wrote. `not_before` holds it back
    until then (a reminder).

    To a person, the news goes on each channel they chose for the template's topic and can be
    reached on: mail to a confirmed e-mail address, SMS to a confirmed mobile number, push to
    each device they turned it on for. A safety notice (ALWAYS) goes on every one of them."""
    if person_id is not None and channel == "email":
        _queue_for_person(session, template, dedupe_key, person_id, payload or {}, not_before)
        return
    values: dict[str, object] = {
        "channel": channel,
        "recipient_person_id": person_id,
        "recipient_practitioner_id": practitioner_id,
        "template": template,
        "payload": payload or {},
        "dedupe_key": dedupe_key,
    }
    if not_before is not None:
        values["next_attempt_at"] = not_before
    _insert(session, [values])


def wanted_channels(person: Person, template: str) -> list[str]:
    """The channels a notification of `template` goes on for the person (before addresses)."""
    topic = TOPIC_OF.get(template)
    if topic is None:
        raise ValueError(f"notification template {template!r} has no topic")
    if topic == ALWAYS:
        return ["email", "sms", "push"]
    if topic not in person.notify_topics.split():
        return []
    return person.notify_channels.split()


def _queue_for_person(
    session: Session,
    template: str,
    dedupe_key: str,
    person_id: int,
    payload: dict[str, object],
    not_before: datetime | None = None,
) -> None:
    from app.accounts.models import Person

    person = session.get(Person, person_id)
    if person is None:
        return
    channels = wanted_channels(person, template)
    rows = []
    if "email" in channels and person.email:
        rows.append(("email", dedupe_key))
    if "sms" in channels and person.phone:
        rows.append(("sms", f"sms:{dedupe_key}"))
    _insert(
        session,
        [
            {
                "channel": channel,
                "recipient_person_id": person_id,
                "recipient_practitioner_id": None,
                "template": template,
                "payload": payload,
                "dedupe_key": key,
                **({} if not_before is None else {"next_attempt_at": not_before}),
            }
            for channel, key in rows
        ],
    )
    if "push" in channels:
        queue_push(session, template, dedupe_key, person_id, payload, not_before)


def queue_code(
    session: Session, confirmation_id: int, person_id: int, kind: str, code: str
) -> None:
    """The one-time code for a new address, by mail or SMS to that address (the worker finds it
    from the confirmation). The code is in the payload until the item is delivered."""
    _insert(
        session,
        [
            {
                "channel": "email" if kind == "email" else "sms",
                "recipient_person_id": person_id,
                "recipient_practitioner_id": None,
                "template": CODE_TEMPLATES[kind],
                "payload": {"confirmation_id": confirmation_id, "code": code},
                "dedupe_key": f"contact_code:{confirmation_id}",
            }
        ],
    )


def queue_push(
    session: Session,
    template: str,
    dedupe_key: str,
    person_id: int,
    payload: dict[str, object],
    not_before: datetime | None = None,
) -> None:
    """The same news on each phone the person allowed push on: a row for each device, so that
    each is delivered and retried on its own. A failing push service holds up neither the mail
    nor the person's other devices."""
    from app.pwa.models import PushSubscription

    query = select(PushSubscription.id).where(PushSubscription.person_id == person_id)
    devices = session.scalars(query.order_by(PushSubscription.id)).all()
    _insert(
        session,
        [
            {
                "channel": "push",
                "recipient_person_id": person_id,
                "recipient_practitioner_id": None,
                "template": template,
                "payload": {**payload, "device_id": device_id},
                "dedupe_key": f"push:{dedupe_key}:{device_id}",
                **({} if not_before is None else {"next_attempt_at": not_before}),
            }
            for device_id in devices
        ],
    )


def _insert(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    """Add rows (of the same columns), each unless its dedupe key is taken, in one statement."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(insert(OutboxItem).values(list(rows)).on_conflict_do_nothing())
        return
    for values in rows:
        key = values["dedupe_key"]
        if session.scalars(select(OutboxItem.id).where(OutboxItem.dedupe_key == key)).first():
            continue
        session.add(OutboxItem(**values))


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
    contact = session.get(Practitioner, thread.assigned_to_id) if thread.assigned_to_id else None
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
