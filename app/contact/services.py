"""Giving Samplan an e-mail address or a mobile number, confirmed by a one-time code.

A new address is not the person's until they type back the code Samplan sent there: six digits
from `secrets`, kept only as SHA-256, valid for 15 minutes and for five wrong tries. A new request
withdraws the earlier pending code of the same kind. The code travels in the outbox item that
delivers it, and only until then: the worker takes it out of the payload once sent, and a code
confirmed or withdrawn before it went out is taken out at once (app/notifications/worker.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.accounts.models import Person
from app.audit.services import record_access
from app.contact.models import ContactConfirmation, ContactKind
from app.notifications.models import OutboxItem
from app.notifications.services import queue_code

CODE_LIFETIME = timedelta(minutes=15)
MAX_TRIES = 5
CODE = re.compile(r"[0-9]{6}")
# Person.email and ContactConfirmation.address hold at most 200 characters.
MAX_EMAIL = 200
# What each kind is called in the access log.
LOGGED = {ContactKind.EMAIL: "contact_email", ContactKind.MOBILE: "contact_mobile"}
TOPICS = ("reply", "plan", "appointment", "reminder", "request")
CHANNELS = ("email", "sms", "push")


class ContactError(Exception):
    """Input that changes nothing: `code` names the Swedish message (app/contact/views.py)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class WrongCode(ContactError):
    """A well-formed code that is not the one sent: the try counts, so it is kept."""


def hashed(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_email(text: str) -> str:
    """The address as Samplan stores it (the domain in lower case, IDNA-checked), or
    ContactError("email_invalid"). Deliverability is not looked up: the code is the check."""
    text = text.strip()
    if not text or len(text) > MAX_EMAIL:
        raise ContactError("email_invalid")
    try:
        found = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise ContactError("email_invalid") from error
    if len(found.normalized) > MAX_EMAIL:
        raise ContactError("email_invalid")
    return str(found.normalized)


def normalise_mobile(text: str) -> str:
    """A Swedish mobile number in E.164 (+46701234567), or ContactError("mobile_invalid")."""
    text = text.strip()
    if not text or len(text) > 40 or not text.isascii():
        raise ContactError("mobile_invalid")
    try:
        number = phonenumbers.parse(text, "SE")
    except phonenumbers.NumberParseException as error:
        raise ContactError("mobile_invalid") from error
    mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if not (
        phonenumbers.is_valid_number(number)
        and phonenumbers.region_code_for_number(number) == "SE"
        and mobile
    ):
        raise ContactError("mobile_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def shown_mobile(e164: str | None) -> str:
    """A stored number as Swedes write it (070-123 45 67)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "SE")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _pending(
    session: Session, person_id: int, kind: ContactKind, lock: bool = False
) -> ContactConfirmation | None:
    """The code waiting for the person's new address of this kind; `lock` holds the row until
    the transaction ends (PostgreSQL), so that tries sent at once are each counted."""
    query = (
        select(ContactConfirmation)
        .where(
            ContactConfirmation.person_id == person_id,
            ContactConfirmation.kind == kind,
            ContactConfirmation.confirmed_at.is_(None),
            ContactConfirmation.withdrawn_at.is_(None),
        )
        .order_by(ContactConfirmation.id.desc())
    )
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def pending(session: Session, person_id: int, kind: ContactKind, now: datetime) -> str | None:
    """The address waiting for its code, while the code still holds."""
    row = _pending(session, person_id, kind)
    return row.address if row is not None and row.expires_at > now else None


def _forget_code(session: Session, confirmation_id: int) -> None:
    """Take the code out of an outbox item not yet delivered: nobody needs it any more."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.dedupe_key == f"contact_code:{confirmation_id}")
        .values(payload={"confirmation_id": confirmation_id})
    )


def request_code(
    session: Session, actor: Actor, person: Person, kind: ContactKind, text: str, now: datetime
) -> ContactConfirmation:
    """Send a code to a new address (mail to an e-mail address, SMS to a mobile number),
    withdrawing the earlier pending code of the same kind."""
    if kind == ContactKind.EMAIL:
        address = normalise_email(text)
        current = person.email
    else:
        address = normalise_mobile(text)
        current = person.phone
    if current is not None and current.lower() == address.lower():
        raise ContactError("already_confirmed")
    earlier = _pending(session, person.id, kind, lock=True)
    if earlier is not None:
        earlier.withdrawn_at = now
        _forget_code(session, earlier.id)
    code = f"{secrets.randbelow(10**6):06d}"
    row = ContactConfirmation(
        person_id=person.id,
        kind=kind,
        address=address,
        code_hash=hashed(code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
        attempts=0,
    )
    session.add(row)
    session.flush()
    queue_code(session, row.id, person.id, kind.value, code)
    record_access(session, actor, person.id, "request", LOGGED[kind], row.id, now)
    return row


def confirm(
    session: Session, actor: Actor, person: Person, kind: ContactKind, code: str, now: datetime
) -> str:
    """Make the pending address the person's, if `code` is the one sent to it. A wrong code
    counts (WrongCode; the fifth withdraws the code); an expired one, or none pending, changes
    nothing."""
    code = code.strip().replace(" ", "")
    if not CODE.fullmatch(code):
        raise ContactError("code_malformed")
    row = _pending(session, person.id, kind, lock=True)
    if row is None:
        raise ContactError("no_code")
    if row.expires_at <= now:
        raise ContactError("code_expired")
    if not hmac.compare_digest(row.code_hash, hashed(code)):
        row.attempts += 1
        if row.attempts >= MAX_TRIES:
            row.withdrawn_at = now
            _forget_code(session, row.id)
            raise WrongCode("code_used_up")
        raise WrongCode("code_wrong")
    row.confirmed_at = now
    _forget_code(session, row.id)
    if kind == ContactKind.EMAIL:
        person.email = row.address
    else:
        person.phone = row.address
    record_access(session, actor, person.id, "update", LOGGED[kind], row.id, now)
    return row.address


def remove(
    session: Session, actor: Actor, person: Person, kind: ContactKind, now: datetime
) -> None:
    """Samplan stops using the address (and any code waiting for a new one is withdrawn)."""
    earlier = _pending(session, person.id, kind)
    if earlier is not None:
        earlier.withdrawn_at = now
        _forget_code(session, earlier.id)
    if kind == ContactKind.EMAIL:
        if person.email is None:
            raise ContactError("nothing_to_remove")
        person.email = None
    else:
        if person.phone is None:
            raise ContactError("nothing_to_remove")
        person.phone = None
    record_access(session, actor, person.id, "delete", LOGGED[kind], None, now)


def set_choices(
    session: Session,
    actor: Actor,
    person: Person,
    topics: list[str],
    channels: list[str],
    now: datetime,
) -> None:
    """What the person wants to be told about, and how: only known values, in a fixed order."""
    unknown = (set(topics) - set(TOPICS)) | (set(channels) - set(CHANNELS))
    if unknown:
        raise ContactError("choice_unknown")
    person.notify_topics = " ".join(topic for topic in TOPICS if topic in topics)
    person.notify_channels = " ".join(channel for channel in CHANNELS if channel in channels)
    record_access(session, actor, person.id, "update", "notification_choices", None, now)
