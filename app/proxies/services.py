"""Delegated access: invitations, grants, revocation, legal representatives, guardian decisions.

Invitation codes are 10 characters of Crockford base32 (50 bits), shown once, stored only as an
HMAC with the server's secret (so a copied database cannot be brute-forced offline), valid for
seven days, single use. Wrong, used, expired and cancelled codes all get the same answer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.access.policy import Action, allowed_proxy_scopes, may
from app.accounts.identity import (
    InvalidPersonalNumber,
    age_on,
    birth_date_of,
    birthday_on,
    normalise_personal_number,
)
from app.accounts.models import Person
from app.audit.services import record_access
from app.db import lock_row
from app.notifications.services import queue
from app.plans.models import CarePlan
from app.proxies.models import (
    GrantExclusion,
    GrantRelation,
    Guardianship,
    ProxyGrant,
    ProxyInvitation,
    Scope,
)

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 10
INVITATION_DAYS = 7
MAX_MONTHS = 36
DEFAULT_MONTHS = 12
REMIND_DAYS = 30
SCOPE_ORDER = [scope.value for scope in Scope]


class ProxyError(Exception):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


class NotAllowed(Exception):
    """The actor may not do this; the view answers 404."""


def _hash(code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def normalise_code(raw: str) -> str:
    """Upper case, no spaces or dashes, and the look-alikes Crockford allows (O→0, I/L→1)."""
    cleaned = "".join(raw.upper().split()).replace("-", "")
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_for_key(key: str) -> str:
    """The code for an invitation form's one-time key: the same key always gives the same code
    (so a form sent twice is one invitation), and without SECRET_KEY the key tells nothing."""
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"invitation-key:{key}".encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[byte % len(CODE_ALPHABET)] for byte in digest[:CODE_LENGTH])


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def check_scopes(chosen: list[str]) -> str:
    allowed = allowed_proxy_scopes()
    scopes = [scope for scope in SCOPE_ORDER if scope in chosen]
    if not scopes:
        raise ProxyError("scopes", "no_scopes")
    if any(scope not in allowed for scope in scopes) or len(scopes) != len(set(chosen)):
        raise ProxyError("scopes", "scope_not_allowed")
    return " ".join(scopes)


def _own_patient(actor: Actor) -> Person:
    if actor.person is None:
        raise NotAllowed
    return actor.person


def create_invitation(
    session: Session,
    actor: Actor,
    scopes: list[str],
    months: int,
    relation_label: str,
    private_plan_ids: list[int],
    now: datetime,
    key: str = "",
) -> tuple[ProxyInvitation, str]:
    """The patient invites a relative. Returns the invitation and the code, shown only once.
    The form's one-time `key` makes a form sent twice one invitation, with one code."""
    patient = _own_patient(actor)
    scope_text = check_scopes(scopes)
    if not 1 <= months <= MAX_MONTHS:
        raise ProxyError("months", "months")
    label = " ".join(relation_label.split())[:100]
    own_plans = set(session.scalars(select(CarePlan.id).where(CarePlan.patient_id == patient.id)))
    if not set(private_plan_ids) <= own_plans:
        raise NotAllowed
    code = code_for_key(key) if key else new_code()
    if key:
        lock_row(session, Person, patient.id)  # the same form at the same moment: one at a time
        repeated = session.scalars(
            select(ProxyInvitation).where(ProxyInvitation.code_hash == _hash(code))
        ).first()
        if repeated is not None:
            if (
                repeated.patient_id == patient.id
                and repeated.used_at is None
                and repeated.cancelled_at is None
            ):
                return repeated, code  # sent twice: the same invitation and code
            code = new_code()  # an old page's form sent again after its invitation ended
    invitation = ProxyInvitation(
        patient_id=patient.id,
        code_hash=_hash(code),
        relation_label=label,
        scopes=scope_text,
        grant_until=now + timedelta(days=round(months * 30.44)),
        private_plan_ids=" ".join(str(i) for i in sorted(set(private_plan_ids))),
        expires_at=now + timedelta(days=INVITATION_DAYS),
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    record_access(session, actor, patient.id, "create", "proxy_invitation", invitation.id, now)
    return invitation, code


def accept_invitation(session: Session, actor: Actor, raw_code: str, now: datetime) -> ProxyGrant:
    """A relative, signed in with their own eID, enters the code; the grant becomes active."""
    person = actor.person
    if person is None:
        raise NotAllowed
    code = normalise_code(raw_code)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise ProxyError("code", "bad_code")
    digest = _hash(code)
    invitation = session.scalars(
        select(ProxyInvitation).where(ProxyInvitation.code_hash == digest).with_for_update()
    ).first()
    if (
        invitation is None
        or not hmac.compare_digest(invitation.code_hash, digest)
        or invitation.used_at is not None
        or invitation.cancelled_at is not None
        or invitation.expires_at <= now
        or invitation.patient_id == person.id
    ):
        raise ProxyError("code", "bad_code")
    invitation.used_at = now
    invitation.used_by_id = person.id
    grant = ProxyGrant(
        patient_id=invitation.patient_id,
        proxy_id=person.id,
        relation=GrantRelation.PROXY,
        relation_label=invitation.relation_label,
        scopes=invitation.scopes,
        valid_from=now,
        valid_until=invitation.grant_until,
        granted_by_person_id=invitation.patient_id,
        last_used_at=now,
        created_at=now,
    )
    grant.exclusions = [
        GrantExclusion(plan_id=int(pid)) for pid in invitation.private_plan_ids.split()
    ]
    session.add(grant)
    session.flush()
    record_access(session, actor, invitation.patient_id, "create", "proxy_grant", grant.id, now)
    queue(
        session,
        "proxy_activated",
        f"proxy_activated:{grant.id}",
        person_id=invitation.patient_id,
        payload={"grant_id": grant.id},
    )
    return grant


def _patients_grant(session: Session, actor: Actor, grant_id: int) -> ProxyGrant:
    patient = _own_patient(actor)
    grant = session.get(ProxyGrant, grant_id)
    if grant is None or grant.patient_id != patient.id:
        raise NotAllowed
    return grant


def change_scopes(
    session: Session, actor: Actor, grant_id: int, scopes: list[str], now: datetime
) -> ProxyGrant:
    grant = _patients_grant(session, actor, grant_id)
    if grant.relation != GrantRelation.PROXY or grant.revoked_at is not None:
        raise NotAllowed
    grant.scopes = check_scopes(scopes)
    record_access(session, actor, grant.patient_id, "update", "proxy_grant", grant.id, now)
    session.flush()
    return grant


def revoke(session: Session, actor: Actor, grant_id: int, now: datetime) -> ProxyGrant:
    """The patient ends a grant at once: the proxy's very next request is refused."""
    grant = _patients_grant(session, actor, grant_id)
    if grant.relation != GrantRelation.PROXY:
        raise NotAllowed  # legal representatives are ended by care, with a decision
    if grant.revoked_at is None:
        grant.revoked_at = now
        record_access(session, actor, grant.patient_id, "update", "proxy_grant", grant.id, now)
    session.flush()
    return grant


def cancel_invitation(session: Session, actor: Actor, invitation_id: int, now: datetime) -> None:
    patient = _own_patient(actor)
    invitation = session.get(ProxyInvitation, invitation_id)
    if invitation is None or invitation.patient_id != patient.id:
        raise NotAllowed
    if invitation.used_at is None and invitation.cancelled_at is None:
        invitation.cancelled_at = now
    session.flush()


def _staff_for(session: Session, actor: Actor, patient_id: int, now: datetime) -> None:
    if not actor.is_staff or not may(session, actor, Action.READ_OVERVIEW, patient_id, now):
        raise NotAllowed


def register_legal_representative(
    session: Session,
    actor: Actor,
    patient_id: int,
    personal_number: str,
    given_name: str,
    family_name: str,
    kind: str,
    decision_reference: str,
    scopes: list[str],
    until: date | None,
    now: datetime,
) -> ProxyGrant:
    """Care registers a god man or förvaltare from the decision, with its scope and end date."""
    _staff_for(session, actor, patient_id, now)
    try:
        number = normalise_personal_number(personal_number)
    except InvalidPersonalNumber as error:
        raise ProxyError("personal_number", "personal_number") from error
    if kind not in ("god man", "förvaltare"):
        raise ProxyError("kind", "kind")
    reference = " ".join(decision_reference.split())
    if not reference:
        raise ProxyError("decision_reference", "decision_reference")
    if until is None or until <= now.date():
        raise ProxyError("until", "until")
    chosen = [scope for scope in SCOPE_ORDER if scope in scopes]
    if not chosen:
        raise ProxyError("scopes", "no_scopes")
    lock_row(session, Person, patient_id)  # one registration for the patient at a time
    representative = session.scalars(select(Person).where(Person.personal_number == number)).first()
    if representative is None:
        if not given_name.strip() or not family_name.strip():
            raise ProxyError("given_name", "name")
        representative = Person(
            personal_number=number,
            given_name=given_name.strip()[:100],
            family_name=family_name.strip()[:100],
            birth_date=birth_date_of(number),
        )
        session.add(representative)
        session.flush()
    if representative.id == patient_id:
        raise ProxyError("personal_number", "self")
    repeated = session.scalars(
        select(ProxyGrant).where(
            ProxyGrant.patient_id == patient_id,
            ProxyGrant.proxy_id == representative.id,
            ProxyGrant.relation == GrantRelation.LEGAL_REPRESENTATIVE,
            ProxyGrant.decision_reference == reference[:200],
            ProxyGrant.revoked_at.is_(None),
        )
    ).first()
    if repeated is not None:  # the same decision registered again: it is already there
        return repeated
    grant = ProxyGrant(
        patient_id=patient_id,
        proxy_id=representative.id,
        relation=GrantRelation.LEGAL_REPRESENTATIVE,
        relation_label=kind,
        scopes=" ".join(chosen),
        valid_from=now,
        valid_until=datetime.combine(until, datetime.max.time(), tzinfo=now.tzinfo),
        granted_by_practitioner_id=actor.practitioner.id,  # type: ignore[union-attr]
        decision_reference=reference[:200],
        created_at=now,
    )
    session.add(grant)
    session.flush()
    record_access(session, actor, patient_id, "create", "proxy_grant", grant.id, now)
    return grant


def record_guardian_decision(
    session: Session,
    actor: Actor,
    guardianship_id: int,
    until: date | None,
    decision: str,
    now: datetime,
) -> Guardianship:
    """From 13, a guardian keeps access only by care's recorded decision, with the child's
    agreement, and never past the 16th birthday."""
    guardianship = session.get(Guardianship, guardianship_id)
    if guardianship is None:
        raise NotAllowed
    _staff_for(session, actor, guardianship.child_id, now)
    child = guardianship.child
    text = " ".join(decision.split())
    if not text:
        raise ProxyError("decision", "decision")
    limit = birthday_on(child.birth_date, 16)
    if until is None or until <= now.date() or until >= limit:
        raise ProxyError("until", "guardian_until")
    if age_on(child.birth_date, now.date()) < 12:
        raise ProxyError("until", "too_young")
    guardianship.extended_until = until
    guardianship.extension_decision = text[:2000]
    guardianship.extension_recorded_by_id = actor.practitioner.id  # type: ignore[union-attr]
    record_access(
        session, actor, guardianship.child_id, "update", "guardianship", guardianship.id, now
    )
    session.flush()
    return guardianship


def queue_expiry_reminders(session: Session, now: datetime) -> int:
    """Remind the patient and the proxy a month before a grant ends, once."""
    grants = session.scalars(
        select(ProxyGrant).where(
            ProxyGrant.revoked_at.is_(None),
            ProxyGrant.reminded_at.is_(None),
            ProxyGrant.valid_until > now,
            ProxyGrant.valid_until <= now + timedelta(days=REMIND_DAYS),
        )
    ).all()
    for grant in grants:
        for person_id in (grant.patient_id, grant.proxy_id):
            queue(
                session,
                "proxy_expiring",
                f"proxy_expiring:{grant.id}:{person_id}",
                person_id=person_id,
                payload={"grant_id": grant.id},
            )
        grant.reminded_at = now
    session.flush()
    return len(grants)


def mark_used(session: Session, actor: Actor, patient_id: int, now: datetime) -> None:
    """Note when a proxy last chose to act for the patient (shown to the patient)."""
    if actor.person is None:
        return
    session.execute(
        update(ProxyGrant)
        .where(
            ProxyGrant.proxy_id == actor.person.id,
            ProxyGrant.patient_id == patient_id,
            ProxyGrant.revoked_at.is_(None),
        )
        .values(last_used_at=now)
    )
