"""The outbox worker: deliver each due notification at least once, record it once.

Several workers may run at once. On PostgreSQL each claims one row at a time with
`FOR UPDATE SKIP LOCKED`, sends it, and marks it delivered in the same transaction; a worker that
dies mid-send leaves the row to be sent again (at least once, never lost). A failed send is retried
with exponential backoff.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Person, Practitioner
from app.config import ConfigError
from app.db import database, utcnow
from app.notifications.channels import Channel, FolderChannel, SmtpChannel
from app.notifications.models import OutboxItem
from app.pwa.push import PushChannel, push_channel_for

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)


def channel_for(app: Flask) -> Channel:
    host = app.config.get("SMTP_HOST")
    if host:
        return SmtpChannel(
            host=host,
            port=int(app.config.get("SMTP_PORT", 25)),
            username=app.config.get("SMTP_USERNAME"),
            password=app.config.get("SMTP_PASSWORD"),
            starttls=bool(app.config.get("SMTP_STARTTLS")),
        )
    if not (app.config["DEMO_MODE"] or app.config["TESTING"]):
        # The folder is on one host's disk: nobody would ever read what lands there.
        raise ConfigError(
            "SAMPLAN_SMTP_HOST must be set to deliver notifications outside demo mode."
        )
    return FolderChannel(Path(app.config["MAIL_FOLDER"]))


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# Every template the outbox knows: subject, body and where the link goes. Never health content.
TEMPLATES = {
    "new_reply": (
        _l("Du har ett nytt svar i Samplan"),
        _l("Hej! Du har fått ett nytt svar från vården i Samplan."),
        "/meddelanden",
    ),
    "new_patient_message": (
        _l("Nytt meddelande från en patient i Samplan"),
        _l("En patient har skrivit till dig i Samplan."),
        "/inkorg",
    ),
    "patient_voice": (
        _l("En patient har svarat i Samplan"),
        _l("En patient har svarat på sin plan eller en tid i Samplan."),
        "/",
    ),
    "goal_decided": (
        _l("Vården har svarat på ditt förslag"),
        _l("Vården har svarat på ett mål som du föreslog i Samplan."),
        "/",
    ),
    "proxy_activated": (
        _l("Någon kan nu agera för dig i Samplan"),
        _l("En inbjudan som du skapade i Samplan har just använts."),
        "/ombud",
    ),
    "proxy_expiring": (
        _l("En behörighet i Samplan upphör snart"),
        _l("En behörighet att agera för någon i Samplan upphör inom en månad."),
        "/ombud",
    ),
    "plan_published": (
        _l("Din plan i Samplan är uppdaterad"),
        _l("Vården har uppdaterat en av dina planer i Samplan. Läs den och säg om den stämmer."),
        "/",
    ),
    "plan_closed": (
        _l("En plan i Samplan är avslutad"),
        _l("Vården har avslutat en av dina planer i Samplan. Du kan fortfarande läsa den."),
        "/",
    ),
    "contact_changed": (
        _l("Du har fått en ny kontakt i Samplan"),
        _l("Vem du kontaktar för en av dina planer i Samplan har ändrats."),
        "/",
    ),
    "handover_offered": (
        _l("En kollega vill lämna över en plan till dig i Samplan"),
        _l("En kollega vill lämna över en roll på en patients plan till dig. Bekräfta i Samplan."),
        "/arbetslista",
    ),
    "daily_summary": (
        _l("Dagens sammanfattning från Samplan"),
        _l("Du har meddelanden som väntar på svar i Samplan."),
        "/inkorg",
    ),
}


def compose(app: Flask, session: Session, item: OutboxItem) -> EmailMessage | None:
    """The e-mail for an item: that there is something new, and a link. No health content."""
    recipient: Person | Practitioner | None = None
    if item.recipient_person_id is not None:
        recipient = session.get(Person, item.recipient_person_id)
    elif item.recipient_practitioner_id is not None:
        recipient = session.get(Practitioner, item.recipient_practitioner_id)
    if recipient is None or not recipient.email:
        return None
    template = TEMPLATES.get(item.template)
    if template is None:
        raise ValueError(f"unknown notification template {item.template!r}")
    subject_text, body_text, path = template
    base = app.config["BASE_URL"].rstrip("/")
    with app.test_request_context(), force_locale("sv"):
        subject, body = str(subject_text), str(body_text)
        footer = _("Logga in för att läsa: %(url)s", url=f"{base}{path}")
        note = _("Svara inte på det här mejlet. Vid akut fara, ring 112.")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = recipient.email
    message["Message-ID"] = f"<outbox-{item.id}@samplan>"
    message.set_content(f"{body}\n\n{footer}\n\n{note}\n")
    return message


def send_push(
    app: Flask, session: Session, item: OutboxItem, push: PushChannel | None
) -> str | None:
    """Push an item to the person's devices. Returns why nothing was sent, or None."""
    template = TEMPLATES.get(item.template)
    if template is None:
        raise ValueError(f"unknown notification template {item.template!r}")
    if push is None:
        return "push is not configured"
    if item.recipient_person_id is None:
        return "no person"
    subject_text, _body, path = template
    with app.test_request_context(), force_locale("sv"):
        title = str(subject_text)
    sent = push.send(session, item.recipient_person_id, "Samplan", title, path)
    return None if sent else "no device"


def deliver_one(
    app: Flask,
    channel: Channel,
    now: Callable[[], datetime] = utcnow,
    push: PushChannel | None = None,
) -> bool:
    """Claim, send and record one due item (mail through `channel`, push through `push` or the
    configured VAPID key). False when nothing is due."""
    session = database(app).session_factory()
    try:
        query = (
            select(OutboxItem)
            .where(OutboxItem.delivered_at.is_(None), OutboxItem.next_attempt_at <= now())
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        item = session.scalars(query).first()
        if item is None:
            session.rollback()
            return False
        from app.planning.services import WITHHELD, withheld

        if withheld(session, item):  # to or about a patient who has died: never sent
            item.delivered_at = now()
            item.last_error = WITHHELD
            session.commit()
            return True
        try:
            if item.channel == "push":
                reason = send_push(app, session, item, push or push_channel_for(app))
            else:
                message = compose(app, session, item)
                if message is not None:
                    channel.send(message)
                reason = None if message is not None else "no address"
        except Exception as error:  # noqa: BLE001 - any failure means: try again later
            item.attempts += 1
            item.last_error = f"{type(error).__name__}: {error}"[:500]
            item.next_attempt_at = now() + backoff(item.attempts)
            log.warning("outbox item %s failed (attempt %s): %s", item.id, item.attempts, error)
        else:
            item.attempts += 1
            item.delivered_at = now()
            item.last_error = reason
        session.commit()
        return True
    finally:
        session.close()


def run(app: Flask, once: bool = False, interval: float = 5.0, limit: int | None = None) -> int:
    """Deliver until nothing is due (once) or forever, sleeping `interval` when idle."""
    channel = channel_for(app)
    push = push_channel_for(app)
    handled = 0
    while limit is None or handled < limit:
        if deliver_one(app, channel, push=push):
            handled += 1
            continue
        if once:
            break
        time.sleep(interval)
    return handled
