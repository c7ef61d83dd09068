"""Delegated access: invitations, grants, revocation, legal representatives, guardian decisions.

Invitation codes are 10 characters of Crockford base32 (50 bits), shown once, stored only as an
HMAC with the server's secret (so a copied database cannot be brute-forced offline), valid for
seven days, single use. Wrong, used, expired and cancelled codes all get the same answer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
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
from app.clock import local_date, zone
from app.db import lock_row
from app.messages.forms import SUBJECT_MAX
from app.messages.queries import Recipient
from app.messages.services import MessageError, check_body, recipient_choices, start_thread
from app.notifications.services import queue
from app.plans.models import CarePlan
from app.proxies.models import (
    DecisionAuthority,
    GrantExclusion,
    GrantRelation,
    Guardianship,
    ProxyGrant,
    ProxyInvitation,
    RepresentativeObjection,
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
    return cleaned.translate(str.maketrans("OIL", "011"))


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
    person = actor.person
    if person is None:
        raise NotAllowed
    return person


def _grant_length(months: int) -> timedelta:
    return timedelta(days=round(months * 30.44))


def _private_text(private_plan_ids: list[int]) -> str:
    return " ".join(str(i) for i in sorted(set(private_plan_ids)))


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

    The form's one-time `key` makes a form sent twice one invitation, with one code. The same
    key with other choices (scopes, how long, the name, private plans: a page gone back to and
    changed) is refused with ProxyError("invite", "changed"): the code of the first invitation
    is not shown again (its choices are not these), and no second invitation is made unasked,
    since the first may already have been passed on and still opens what it was made for."""
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
                and repeated.expires_at > now
            ):
                if (
                    repeated.scopes,
                    repeated.grant_until - repeated.created_at,
                    repeated.relation_label,
                    repeated.private_plan_ids,
                ) != (scope_text, _grant_length(months), label, _private_text(private_plan_ids)):
                    raise ProxyError("invite", "changed")
                return repeated, code  # sent twice: the same invitation and code
            code = new_code()  # an old page's form sent again after its invitation ended
    invitation = ProxyInvitation(
        patient_id=patient.id,
        code_hash=_hash(code),
        relation_label=label,
        scopes=scope_text,
        grant_until=now + _grant_length(months),
        private_plan_ids=_private_text(private_plan_ids),
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


# A registration runs to a day at most this far ahead. A decision on god man or förvaltare does
# not name an end date, but the överförmyndare supervises the arrangement year by year and it can
# end at any time; a registration that nobody looks at again drifts from the decision. Three
# years is also the longest a patient can let a relative act for them (MAX_MONTHS), so a
# representative is checked against a current decision at least as often, and no stored date
# comes near the end of the calendar (a far-future date once made pages fail).
REPRESENTATIVE_MAX_YEARS = 3
ADULT_AGE = 18
# God manskap and förvaltarskap are for adults; a court may decide shortly before the 18th
# birthday for it to apply from then, but a decision dated before the 16th birthday is a typo
# (and this also bounds how old a decision may be).
DECISION_EARLIEST_AGE = 16
REPRESENTATIVE_KINDS = ("god man", "förvaltare")
REASON_MAX = 2000


@dataclass(frozen=True)
class RepresentativeDecision:
    """What care types in from a decision on god man or förvaltare (as sent; checked here)."""

    personal_number: str
    given_name: str
    family_name: str
    kind: str
    reference: str
    decision_date: date | None
    authority: str
    scopes: list[str]
    until: date | None
    reason: str


def latest_end(today: date) -> date:
    """The last day a registration made today may run to."""
    return birthday_on(today, REPRESENTATIVE_MAX_YEARS)


def is_adult(person: Person, today: date) -> bool:
    return age_on(person.birth_date, today) >= ADULT_AGE


def _end_of_day(day: date) -> datetime:
    """The last moment of a Swedish calendar day, in UTC ("gäller till och med")."""
    return datetime.combine(day, time.max, tzinfo=zone()).astimezone(UTC)


def _checked_decision(
    decision: RepresentativeDecision, patient: Person, today: date
) -> tuple[str, str, DecisionAuthority, str, date, str]:
    """The decision's number, reference, authority, scopes, end date and reason, or ProxyError
    for the first field that is missing or out of range. Nothing is stored before all are
    right."""
    if not is_adult(patient, today):
        raise ProxyError("kind", "adults_only")  # a child: the guardian rule, never this
    try:
        number = normalise_personal_number(decision.personal_number)
    except InvalidPersonalNumber as error:
        raise ProxyError("personal_number", "personal_number") from error
    if number == patient.personal_number:
        raise ProxyError("personal_number", "self")
    if age_on(birth_date_of(number), today) < ADULT_AGE:
        raise ProxyError("personal_number", "representative_minor")
    if decision.kind not in REPRESENTATIVE_KINDS:
        raise ProxyError("kind", "kind")
    reference = " ".join(decision.reference.split())[:200]
    if not reference:
        raise ProxyError("decision_reference", "decision_reference")
    day = decision.decision_date
    if day is None or day > today or day < birthday_on(patient.birth_date, DECISION_EARLIEST_AGE):
        raise ProxyError("decision_date", "decision_date")
    try:
        authority = DecisionAuthority(decision.authority)
    except ValueError:
        raise ProxyError("authority", "authority") from None
    if decision.kind == "förvaltare" and authority != DecisionAuthority.DISTRICT_COURT:
        raise ProxyError("authority", "authority_kind")  # förvaltarskap: only the court
    chosen = [scope for scope in SCOPE_ORDER if scope in decision.scopes]
    if not chosen:
        raise ProxyError("scopes", "no_scopes")
    until = decision.until
    if until is None or not today < until <= latest_end(today):
        raise ProxyError("until", "representative_until")
    reason = " ".join(decision.reason.split())
    if not reason:
        raise ProxyError("reason", "reason")
    if len(reason) > REASON_MAX:
        raise ProxyError("reason", "reason_too_long")
    return number, reference, authority, " ".join(chosen), until, reason


def _notify_patient(
    session: Session, actor: Actor, grant: ProxyGrant, template: str, now: datetime
) -> None:
    """Tell the patient through the outbox, and log that they were told."""
    queue(
        session,
        template,
        f"{template}:{grant.id}",
        person_id=grant.patient_id,
        payload={"grant_id": grant.id},
    )
    record_access(session, actor, grant.patient_id, "notify", "proxy_grant", grant.id, now)


def register_legal_representative(
    session: Session,
    actor: Actor,
    patient_id: int,
    decision: RepresentativeDecision,
    now: datetime,
) -> ProxyGrant:
    """Care registers a god man or förvaltare for an adult patient from the decision: its
    reference, date, issuing authority, what it covers, until when, and why. The patient is
    told at once; the registration gives no access until a colleague confirms it."""
    _staff_for(session, actor, patient_id, now)
    patient = session.get(Person, patient_id)
    if patient is None:
        raise NotAllowed
    number, reference, authority, scopes, until, reason = _checked_decision(
        decision, patient, local_date(now)
    )
    lock_row(session, Person, patient_id)  # one registration for the patient at a time
    representative = session.scalars(select(Person).where(Person.personal_number == number)).first()
    if representative is None:
        if not decision.given_name.strip() or not decision.family_name.strip():
            raise ProxyError("given_name", "name")
        representative = Person(
            personal_number=number,
            given_name=decision.given_name.strip()[:100],
            family_name=decision.family_name.strip()[:100],
            birth_date=birth_date_of(number),
        )
        session.add(representative)
        session.flush()
    repeated = session.scalars(
        select(ProxyGrant).where(
            ProxyGrant.patient_id == patient_id,
            ProxyGrant.proxy_id == representative.id,
            ProxyGrant.relation == GrantRelation.LEGAL_REPRESENTATIVE,
            ProxyGrant.decision_reference == reference,
            ProxyGrant.revoked_at.is_(None),
        )
    ).first()
    if repeated is not None:  # the same decision registered again: it is already there
        return repeated
    grant = ProxyGrant(
        patient_id=patient_id,
        proxy_id=representative.id,
        relation=GrantRelation.LEGAL_REPRESENTATIVE,
        relation_label=decision.kind,
        scopes=scopes,
        valid_from=None,  # in force once a colleague confirms
        valid_until=_end_of_day(until),
        granted_by_practitioner_id=actor.practitioner_id,
        decision_reference=reference,
        decision_date=decision.decision_date,
        decision_authority=authority,
        reason=reason,
        created_at=now,
    )
    session.add(grant)
    session.flush()
    record_access(session, actor, patient_id, "register", "proxy_grant", grant.id, now)
    _notify_patient(session, actor, grant, "representative_registered", now)
    return grant


def _representative_grant(
    session: Session, actor: Actor, grant_id: int, now: datetime
) -> ProxyGrant:
    """A legal representative's grant on a patient the member of staff has a care relationship
    with (proxies are the patient's own to manage): NotAllowed otherwise."""
    grant = session.get(ProxyGrant, grant_id)
    if grant is None or grant.relation != GrantRelation.LEGAL_REPRESENTATIVE:
        raise NotAllowed
    _staff_for(session, actor, grant.patient_id, now)
    return grant


def confirm_legal_representative(
    session: Session, actor: Actor, grant_id: int, now: datetime
) -> ProxyGrant:
    """A second member of staff, who has seen the decision, confirms a registration: from now
    on the representative may act. The one who registered it cannot confirm it."""
    grant = _representative_grant(session, actor, grant_id, now)
    if not grant.awaiting_confirmation:
        return grant  # already confirmed (a form sent twice) or ended: nothing to do
    if grant.granted_by_practitioner_id == actor.practitioner_id:
        raise ProxyError(f"grant-{grant.id}", "confirm_self")
    if grant.valid_until <= now:
        raise ProxyError(f"grant-{grant.id}", "confirm_too_late")
    grant.valid_from = now
    grant.confirmed_by_practitioner_id = actor.practitioner_id
    record_access(session, actor, grant.patient_id, "confirm", "proxy_grant", grant.id, now)
    _notify_patient(session, actor, grant, "representative_confirmed", now)
    session.flush()
    return grant


def end_legal_representative(
    session: Session, actor: Actor, grant_id: int, reason: str, now: datetime
) -> ProxyGrant:
    """Any member of the patient's care team ends a legal representative's registration, with
    a reason: the representative's very next request is refused."""
    grant = _representative_grant(session, actor, grant_id, now)
    text = " ".join(reason.split())
    if not text:
        raise ProxyError(f"grant-{grant.id}", "end_reason")
    if len(text) > REASON_MAX:
        raise ProxyError(f"grant-{grant.id}", "reason_too_long")
    if grant.revoked_at is not None:
        return grant  # ended already (a form sent twice)
    grant.revoked_at = now
    grant.revoked_by_practitioner_id = actor.practitioner_id
    grant.revoked_reason = text
    record_access(session, actor, grant.patient_id, "end", "proxy_grant", grant.id, now)
    _notify_patient(session, actor, grant, "representative_ended", now)
    session.flush()
    return grant


def object_to_representative(
    session: Session, actor: Actor, grant_id: int, text: str, now: datetime
) -> RepresentativeObjection:
    """The patient objects to a legal representative registered for them. The objection is
    kept with the registration for care to read, goes as a message to the coordinator of the
    patient's plan (so the answer comes where the patient reads care's answers), kept private
    from the representative, and the staff who registered and confirmed it are told."""
    grant = _patients_grant(session, actor, grant_id)
    if grant.relation != GrantRelation.LEGAL_REPRESENTATIVE or grant.revoked_at is not None:
        raise NotAllowed
    try:
        body = check_body(text)
    except MessageError as error:
        raise ProxyError(f"grant-{grant.id}", f"objection_{error.code}") from error
    lock_row(session, Person, grant.patient_id)  # the same form twice at once: one objection
    repeated = session.scalars(
        select(RepresentativeObjection).where(
            RepresentativeObjection.grant_id == grant.id, RepresentativeObjection.text == body
        )
    ).first()
    if repeated is not None:
        return repeated
    objection = RepresentativeObjection(
        patient_id=grant.patient_id, grant_id=grant.id, text=body, created_at=now
    )
    contact = _care_contact(session, actor, grant.patient_id, now)
    if contact is not None:
        name, kind = grant.proxy.full_name, grant.relation_label
        subject = _("Invändning mot %(kind)s %(name)s", kind=kind, name=name)
        thread = start_thread(
            session,
            actor,
            grant.patient_id,
            (str(contact.plan_id), str(contact.practitioner_id)),
            subject[:SUBJECT_MAX],
            body,
            # the same objection is one message, however often it is sent
            hashlib.sha256(f"objection:{grant.id}:{body}".encode()).hexdigest(),
            now,
        )
        objection.thread_id = thread.id
        session.add(GrantExclusion(grant_id=grant.id, thread_id=thread.id))
    session.add(objection)
    session.flush()
    record_access(session, actor, grant.patient_id, "object", "proxy_grant", grant.id, now)
    staff = {grant.granted_by_practitioner_id, grant.confirmed_by_practitioner_id}
    for practitioner_id in sorted(pid for pid in staff if pid is not None):
        queue(
            session,
            "representative_objection",
            f"representative_objection:{objection.id}:{practitioner_id}",
            practitioner_id=practitioner_id,
            payload={"patient_id": grant.patient_id, "grant_id": grant.id},
        )
    return objection


def _care_contact(
    session: Session, actor: Actor, patient_id: int, now: datetime
) -> Recipient | None:
    """Whom the patient's objection goes to: the coordinator of their first active plan, or
    else the first care contact on it; None without an active plan."""
    members = [
        member
        for group in recipient_choices(session, actor, patient_id, now)
        for member in group.members
    ]
    return next((m for m in members if m.is_coordinator), members[0] if members else None)


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
    guardianship.extension_recorded_by_id = actor.practitioner_id  # type: ignore[union-attr]
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
            ProxyGrant.valid_from.is_not(None),  # a registration nobody confirmed gives nothing
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
    if actor.person_id is None:
        return
    session.execute(
        update(ProxyGrant)
        .where(
            ProxyGrant.proxy_id == actor.person_id,
            ProxyGrant.patient_id == patient_id,
            ProxyGrant.revoked_at.is_(None),
            ProxyGrant.valid_from.is_not(None),
        )
        .values(last_used_at=now)
    )
