"""The outbox worker: deliver each due notification at least once, record it once.

Several workers may run at once. On PostgreSQL each claims one row at a time with
`FOR UPDATE SKIP LOCKED`, sends it, and marks it delivered in the same transaction; a worker that
dies mid-send leaves the row to be sent again (at least once, never lost). A failed send is retried
with exponential backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from time import sleep
from zoneinfo import ZoneInfo

import phonenumbers
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.accounts.models import Person, Practitioner
from app.config import ConfigError
from app.contact.models import ContactConfirmation
from app.db import database, utcnow
from app.notifications.channels import (
    Channel,
    FolderChannel,
    FolderSmsChannel,
    HttpSmsChannel,
    SmsChannel,
    SmtpChannel,
)
from app.notifications.models import OutboxItem
from app.notifications.services import CODE_TEMPLATES, queue_push
from app.pwa.models import PushSubscription
from app.pwa.push import TTL as PUSH_TTL
from app.pwa.push import Gone, PushChannel, push_channel_for

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
ONCE_ATTEMPTS = 5  # database errors in a row before `run(once=True)` gives up


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


def sms_channel_for(app: Flask) -> SmsChannel | None:
    """The configured SMS gateway; a folder of .txt files in demo and test mode; None when
    there is neither (mobile numbers are then not offered: app/contact/views.py)."""
    url = app.config.get("SMS_URL")
    if url:
        return HttpSmsChannel(
            url=url,
            username=app.config.get("SMS_USERNAME", ""),
            password=app.config.get("SMS_PASSWORD", ""),
            sender=app.config.get("SMS_FROM", "Samplan"),
        )
    if app.config["DEMO_MODE"] or app.config["TESTING"]:
        folder = app.config.get("SMS_FOLDER") or Path(app.config["MAIL_FOLDER"]).parent / "sms"
        return FolderSmsChannel(Path(folder))
    return None


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# Every template the outbox knows: subject, body and where the link goes (a path may name an id
# from the payload, as {patient_id}). Never health content.
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
    "representative_registered": (
        _l("Vården har registrerat en företrädare för dig i Samplan"),
        _l(
            "Vården har registrerat en god man eller förvaltare som ska kunna agera för dig i "
            "Samplan. Läs vem och på vilket beslut, och säg till om något inte stämmer."
        ),
        "/ombud",
    ),
    "representative_confirmed": (
        _l("En företrädare kan nu agera för dig i Samplan"),
        _l("En god man eller förvaltare som vården har registrerat för dig gäller nu i Samplan."),
        "/ombud",
    ),
    "representative_ended": (
        _l("En företrädare kan inte längre agera för dig i Samplan"),
        _l("Vården har avslutat en registrering av en god man eller förvaltare för dig."),
        "/ombud",
    ),
    "representative_objection": (
        _l("En patient invänder mot en registrerad företrädare i Samplan"),
        _l("En patient har invänt mot en god man eller förvaltare som registrerats i Samplan."),
        "/patient/{patient_id}/foretradare",
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
    "request_answered": (
        _l("Vården har svarat på det du bad om"),
        _l("Vården har svarat på det du bad om i Samplan. Läs svaret där."),
        "/onskemal/{request_id}",
    ),
    "appointment_offered": (
        _l("Vården har föreslagit en tid i Samplan"),
        _l(
            "Vården har föreslagit en eller flera tider för dig i Samplan. Svara där om tiden "
            "passar."
        ),
        "/tider/{appointment_id}",
    ),
    "appointment_changed": (
        _l("En tid i Samplan har ändrats"),
        _l("Vården har ändrat en av dina tider i Samplan. Läs där vad som gäller nu."),
        "/tider/{appointment_id}",
    ),
    "appointment_cancelled": (
        _l("En tid i Samplan är avbokad"),
        _l("Vården har avbokat en av dina tider i Samplan. Läs mer där."),
        "/tider/{appointment_id}",
    ),
    "appointment_reminder": (
        _l("Påminnelse om en tid i Samplan"),
        _l("Du har en tid snart. Läs när och var i Samplan."),
        "/tider/{appointment_id}",
    ),
    "diary_reminder": (
        _l("Dags att skriva i dagboken i Samplan"),
        _l("Din plan säger att du skriver in ett värde i dag. Det går snabbt i Samplan."),
        "/dagbok/{measure_id}",
    ),
    "appointment_answer_overdue": (
        _l("Ett svar om en tid väntar i Samplan"),
        _l(
            "En patient har svarat om en tid och väntar på besked. Mottagningens tid för att "
            "svara har gått ut."
        ),
        "/tider/{appointment_id}",
    ),
    "sip_meeting_called": (
        _l("Du är kallad till ett möte om din plan i Samplan"),
        _l(
            "Du är kallad till ett möte om din samordnade plan. Läs när och var i Samplan, och "
            "svara om du kan komma och vem du vill ha med."
        ),
        "/sip-mote/{meeting_id}",
    ),
    "sip_meeting_called_staff": (
        _l("Du är kallad till ett SIP-möte i Samplan"),
        _l("En kollega har kallat dig till ett möte om en patients samordnade plan."),
        "/sip-mote/{meeting_id}",
    ),
    "sip_meeting_cancelled": (
        _l("Ett möte om din plan i Samplan är inställt"),
        _l("Ett möte om din samordnade plan är inställt. Läs mer i Samplan."),
        "/sip-mote/{meeting_id}",
    ),
    "sip_meeting_cancelled_staff": (
        _l("Ett SIP-möte i Samplan är inställt"),
        _l("Ett möte om en patients samordnade plan som du var kallad till är inställt."),
        "/sip-mote/{meeting_id}",
    ),
    "sip_meeting_answered": (
        _l("En patient har svarat på en kallelse i Samplan"),
        _l("En patient har svarat på kallelsen till ett SIP-möte. Läs svaret i Samplan."),
        "/sip-mote/{meeting_id}",
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
    # The one-time code for a new address (app/contact); the body names the code.
    "contact_code_email": (
        _l("Din kod för att bekräfta e-postadressen i Samplan"),
        _l(
            "Din kod är %(code)s. Skriv in den i Samplan inom 15 minuter för att bekräfta att "
            "det här är din e-postadress. Bad du inte om koden kan du bortse från det här mejlet."
        ),
        "/installningar/kontakt",
    ),
    "contact_code_sms": (
        _l("Din kod för att bekräfta mobilnumret i Samplan"),
        _l(
            "Din kod är %(code)s. Skriv in den i Samplan inom 15 minuter. Bad du inte om koden "
            "kan du bortse från det här."
        ),
        "/installningar/kontakt",
    ),
}
CODES = frozenset(CODE_TEMPLATES.values())
# A SIP meeting's invitation to a relative without an account (app/sip), composed on its own.
GUEST = "sip_meeting_guest"


def language_of(recipient: Person | Practitioner | None) -> str:
    """The language a notification is written in: the person's own choice (staff work in
    Swedish), if Samplan speaks it."""
    from app.i18n import LANGUAGE_NAMES

    chosen = getattr(recipient, "preferred_language", None) or "sv"
    return chosen if chosen in LANGUAGE_NAMES else "sv"


def link_path(path: str, item: OutboxItem) -> str:
    """The template's path with the ids it names filled in from the payload (ids only); the
    start page when the payload lacks one, so that a mail is never held up by its link."""
    if "{" not in path:
        return path
    try:
        return path.format_map(item.payload or {})
    except (KeyError, IndexError, ValueError):
        return "/"


def compose_guest(app: Flask, session: Session, item: OutboxItem) -> EmailMessage | None:
    """The call to a SIP meeting for someone without an account (a relative the patient named,
    or an external actor with an address in their contact line): who calls them, when and
    where, and whom to ask; nothing about the patient's health. In Swedish (Samplan does not
    know the guest's language)."""
    from app.plans.presenting import SIP_MEETING_MODES
    from app.sip.models import InviteeKind, SipInvitee

    invitee = session.get(SipInvitee, (item.payload or {}).get("invitee_id"))
    if invitee is None or not invitee.email:
        return None
    meeting = invitee.meeting
    here = ZoneInfo(app.config["TIMEZONE"])
    starts = meeting.starts_at.astimezone(here)
    with app.test_request_context(), force_locale("sv"):
        subject = _("Inbjudan till ett planeringsmöte")
        wording = (
            _l(
                "Hej %(name)s! Ni är kallade till ett möte om samordnad individuell plan för "
                "%(patient)s, %(day)s klockan %(clock)s (%(mode)s). %(place)s Mötet är kallat "
                "av %(caller)s, %(unit)s, telefon %(phone)s: fråga där om ni undrar något eller "
                "inte kan komma."
            )
            if invitee.kind == InviteeKind.ACTOR
            else _l(
                "Hej %(name)s! %(patient)s vill att du är med på ett möte om hens planering med "
                "vården och omsorgen, %(day)s klockan %(clock)s (%(mode)s). %(place)s Mötet är "
                "kallat av %(caller)s, %(unit)s, telefon %(phone)s: fråga där om du undrar något "
                "eller inte kan komma."
            )
        )
        body = str(wording) % {
            "name": invitee.name,
            "patient": meeting.patient.full_name,
            "day": starts.strftime("%Y-%m-%d"),
            "clock": starts.strftime("%H:%M"),
            "mode": str(SIP_MEETING_MODES[meeting.mode]),
            "place": f"{meeting.place}." if meeting.place else "",
            "caller": meeting.called_by.full_name,
            "unit": meeting.unit.name,
            "phone": meeting.unit.phone,
        }
        note = _("Svara inte på det här mejlet. Vid akut fara, ring 112.")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = invitee.email
    message["Message-ID"] = f"<outbox-{item.id}@samplan>"
    message.set_content(f"{body}\n\n{note}\n")
    message["Content-Language"] = "sv"
    return message


def compose(app: Flask, session: Session, item: OutboxItem) -> EmailMessage | None:
    """The e-mail for an item: that there is something new, and a link. No health content."""
    if item.template == GUEST:
        return compose_guest(app, session, item)
    recipient: Person | Practitioner | None = None
    if item.recipient_person_id is not None:
        recipient = session.get(Person, item.recipient_person_id)
    elif item.recipient_practitioner_id is not None:
        recipient = session.get(Practitioner, item.recipient_practitioner_id)
    address = recipient.email if recipient is not None else None
    if item.template in CODES:
        address = code_address(session, item)
    if recipient is None or not address:
        return None
    template = TEMPLATES.get(item.template)
    if template is None:
        raise ValueError(f"unknown notification template {item.template!r}")
    subject_text, body_text, path = template
    path = link_path(path, item)
    base = app.config["BASE_URL"].rstrip("/")
    language = language_of(recipient)
    with app.test_request_context(), force_locale(language):
        subject, body = str(subject_text), str(body_text)
        if item.template in CODES:
            body = body % {"code": item.payload["code"]}
        footer = _("Logga in för att läsa: %(url)s", url=f"{base}{path}")
        note = _("Svara inte på det här mejlet. Vid akut fara, ring 112.")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = address
    message["Message-ID"] = f"<outbox-{item.id}@samplan>"
    message.set_content(f"{body}\n\n{footer}\n\n{note}\n")
    message["Content-Language"] = language  # after set_content, which clears Content-* headers
    return message


def code_address(session: Session, item: OutboxItem) -> str | None:
    """Where a one-time code goes: the new address it confirms, while the code is still in the
    item (it is taken out once sent, confirmed or withdrawn)."""
    confirmation_id = (item.payload or {}).get("confirmation_id")
    if not (item.payload or {}).get("code") or confirmation_id is None:
        return None
    row = session.get(ContactConfirmation, confirmation_id)
    if row is None or row.person_id != item.recipient_person_id:
        return None
    if row.confirmed_at is not None or row.withdrawn_at is not None:
        return None
    return row.address


def e164(number: str) -> str:
    """A number as gateways take it (+46701234567); one written otherwise (070-123 45 67, as
    numbers were stored before they were confirmed) is read as Swedish."""
    try:
        parsed = phonenumbers.parse(number, "SE")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def compose_sms(app: Flask, session: Session, item: OutboxItem) -> tuple[str, str] | None:
    """The number and text of an SMS: that there is something new and a link (or the one-time
    code), in the recipient's language. No health content."""
    if item.recipient_person_id is None:
        return None
    person = session.get(Person, item.recipient_person_id)
    if person is None:
        return None
    number = code_address(session, item) if item.template in CODES else person.phone
    if not number:
        return None
    number = e164(number)
    template = TEMPLATES.get(item.template)
    if template is None:
        raise ValueError(f"unknown notification template {item.template!r}")
    subject_text, body_text, path = template
    base = app.config["BASE_URL"].rstrip("/")
    with app.test_request_context(), force_locale(language_of(person)):
        if item.template in CODES:
            text = str(body_text) % {"code": item.payload["code"]}
        else:
            text = f"{subject_text}: {base}{link_path(path, item)}"
    return number, text


def send_push(
    app: Flask, session: Session, item: OutboxItem, push: PushChannel | None, moment: datetime
) -> str | None:
    """Push an item to its one device. Returns why nothing was sent, or None; raises to be
    tried again later. A device that is gone, or whose push service has failed for as long as
    the push would have waited for the phone (a day), is retired."""
    template = TEMPLATES.get(item.template)
    if template is None:
        raise ValueError(f"unknown notification template {item.template!r}")
    if push is None:
        return "push is not configured"
    if item.recipient_person_id is None:
        return "no person"
    device_id = item.payload.get("device_id")
    if device_id is None:  # queued before each device had a row of its own
        base_key = item.dedupe_key.removeprefix("push:")
        queue_push(session, item.template, base_key, item.recipient_person_id, item.payload)
        return "queued for each device"
    device = session.scalars(
        select(PushSubscription).where(
            PushSubscription.id == device_id,
            # a phone passed on to someone else since: not theirs to get
            PushSubscription.person_id == item.recipient_person_id,
        )
    ).first()
    if device is None:
        return "no device"
    subject_text, _body, path = template
    with (
        app.test_request_context(),
        force_locale(language_of(session.get(Person, device.person_id))),
    ):
        title = str(subject_text)
    # Statements, not the loaded row: another worker may retire the same device meanwhile.
    this_device = PushSubscription.id == device.id
    try:
        push.send(device, "Samplan", title, link_path(path, item))
    except Gone as gone:
        session.execute(delete(PushSubscription).where(this_device))
        return f"device retired: {gone}"
    except Exception as error:
        if moment - item.created_at < PUSH_TTL:
            raise
        session.execute(delete(PushSubscription).where(this_device))
        return f"device retired: failing for a day ({type(error).__name__}: {error})"[:500]
    session.execute(update(PushSubscription).where(this_device).values(last_sent_at=moment))
    return None


def send_sms(app: Flask, session: Session, item: OutboxItem, sms: SmsChannel | None) -> str | None:
    """Send an item by SMS. Returns why nothing was sent, or None; raises to be tried again."""
    if sms is None:
        return "sms is not configured"
    composed = compose_sms(app, session, item)
    if composed is None:
        return "no number"
    sms.send(*composed)
    return None


def deliver_one(
    app: Flask,
    channel: Channel,
    now: Callable[[], datetime] = utcnow,
    push: PushChannel | None = None,
    sms: SmsChannel | None = None,
) -> bool:
    """Claim, send and record one due item (mail through `channel`, push through `push` or the
    configured VAPID key, SMS through `sms` or the configured gateway). False when nothing is
    due. A one-time code leaves the item's payload once it is delivered."""
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
        from app.appointments.reminders import no_longer_due

        if no_longer_due(
            session, item, now(), ZoneInfo(app.config["TIMEZONE"])
        ):  # the time moved or passed, or care answered
            item.delivered_at = now()
            item.last_error = "no longer due"
            session.commit()
            return True
        try:
            if item.channel == "push":
                reason = send_push(app, session, item, push or push_channel_for(app), now())
            elif item.channel == "sms":
                reason = send_sms(app, session, item, sms or sms_channel_for(app))
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
            if item.template in CODES:
                item.payload = {"confirmation_id": (item.payload or {}).get("confirmation_id")}
        session.commit()
        return True
    finally:
        session.close()


def retry_delay(failures: int) -> float:
    """Seconds to wait after `failures` database errors in a row: 1 s, doubling up to 30 s."""
    return min(2.0 ** (failures - 1), 30.0)


def run(app: Flask, once: bool = False, interval: float = 5.0, limit: int | None = None) -> int:
    """Deliver until nothing is due (once) or forever, sleeping `interval` when idle.

    A database error (locked by another writer, restarting, briefly missing) is logged and the
    loop tries again after a short, growing wait: forever, or `ONCE_ATTEMPTS` times in a row
    with `once`, which then raises so that a scheduled run fails visibly."""
    channel = channel_for(app)
    push = push_channel_for(app)
    sms = sms_channel_for(app)
    handled = 0
    failures = 0
    while limit is None or handled < limit:
        try:
            delivered = deliver_one(app, channel, push=push, sms=sms)
        except DBAPIError as error:
            failures += 1
            if once and failures >= ONCE_ATTEMPTS:
                raise
            delay = retry_delay(failures)
            log.warning("outbox: database error, trying again in %.0f s: %s", delay, error)
            sleep(delay)
            continue
        failures = 0
        if delivered:
            handled += 1
            continue
        if once:
            break
        sleep(interval)
    return handled
