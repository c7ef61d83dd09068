"""Calling a SIP meeting, the patient's answer, and care's steps after (seed 003, "Kallelse –
Samordnad individuell planering" and "Möte – Samordnad individuell planering").

Relatives take part only as the patient names them, and never when the patient objects: the
coordinator invites the SIP's actors, the patient their relatives. So a relative the patient
objected to is never invited or told (nor does a relative acting for them see the meeting:
app/sip/views.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.audit.services import record_access
from app.clock import local_date
from app.contact.services import ContactError, normalise_email, normalise_mobile
from app.notifications.services import queue
from app.plans.models import CarePlan, CareTeamMember, PlanKind, PlanStatus
from app.sip.deadlines import Rules
from app.sip.models import (
    InviteeKind,
    MeetingMode,
    MeetingStatus,
    PatientAnswer,
    SipInvitee,
    SipMeeting,
)

LONGEST = timedelta(hours=8)
AHEAD = timedelta(days=366)


class SipError(Exception):
    """Input that changes nothing: `field` and the Swedish message's code (forms.ERRORS)."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field, self.code = field, code


class NotAllowed(Exception):
    """Shown as 404."""


@dataclass(frozen=True)
class Call:
    need_known_on: date
    mode: MeetingMode
    starts_at: datetime
    ends_at: datetime
    place: str
    meeting_url: str


@dataclass(frozen=True)
class Relative:
    name: str
    contact: str


def _check_call(plan: CarePlan, actor: Actor, call: Call, now: datetime) -> None:
    today = local_date(now)
    if plan.kind != PlanKind.SIP or plan.status != PlanStatus.ACTIVE:
        raise SipError("mode", "not_sip")
    if plan.consent_given_on is None or plan.consent_withdrawn_on is not None:
        raise SipError("mode", "not_sip")  # seed 003: "får endast göras om … samtycke"
    coordinator = plan.coordinator(today)
    if coordinator is None or coordinator.practitioner_id != actor.practitioner_id:
        raise SipError("mode", "not_coordinator")
    if not today - timedelta(days=366) <= call.need_known_on <= today:
        raise SipError("need_known_on", "need_range")
    if not now < call.starts_at <= now + AHEAD:
        raise SipError("day", "past")
    if not call.starts_at < call.ends_at <= call.starts_at + LONGEST:
        raise SipError("ends", "order")
    if call.mode == MeetingMode.IN_PERSON and not call.place:
        raise SipError("place", "place")
    if call.mode == MeetingMode.PHONE and not call.place:
        raise SipError("place", "phone")
    if call.mode == MeetingMode.VIDEO and not call.meeting_url:
        raise SipError("meeting_url", "url")


def call(
    session: Session,
    actor: Actor,
    plan: CarePlan,
    details: Call,
    key: str,
    now: datetime,
    rules: Rules,
) -> SipMeeting:
    """The coordinator calls the meeting and invites every actor on the SIP's team; the patient
    is told. The same form sent twice is kept once."""
    earlier = session.scalar(select(SipMeeting).where(SipMeeting.client_key == key))
    if earlier is not None:
        if earlier.plan_id != plan.id:
            raise NotAllowed
        return earlier
    _check_call(plan, actor, details, now)
    if actor.practitioner_id is None or actor.unit_id is None:
        raise NotAllowed
    today = local_date(now)
    meeting = SipMeeting(
        plan_id=plan.id,
        patient_id=plan.patient_id,
        unit_id=actor.unit_id,
        called_by_id=actor.practitioner_id,
        need_known_on=details.need_known_on,
        call_due_on=rules.call_due(details.need_known_on),
        meet_by=rules.meet_by(details.need_known_on),
        called_at=now,
        mode=details.mode,
        place=details.place,
        meeting_url=details.meeting_url if details.mode == MeetingMode.VIDEO else "",
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        client_key=key,
    )
    session.add(meeting)
    session.flush()
    for member in plan.current_team(today):
        invitee = actor_invitee(meeting.id, member, now)
        session.add(invitee)
        _mail_guest(session, invitee)
    session.flush()
    session.refresh(meeting, ["invitees"])
    _tell(session, meeting, "sip_meeting_called", actor)
    record_access(session, actor, plan.patient_id, "create", "sip_meeting", meeting.id, now)
    return meeting


def actor_invitee(meeting_id: int, member: CareTeamMember, at: datetime) -> SipInvitee:
    """Someone on the SIP's team, called to the meeting. An external actor without an account
    is called by mail if their contact line has an address (worker.py compose_guest)."""
    contact = member.external_contact or ""
    return SipInvitee(
        meeting_id=meeting_id,
        kind=InviteeKind.ACTOR,
        practitioner_id=member.practitioner_id,
        unit_id=member.unit_id,
        name=member.display_name,
        contact=contact,
        email=_address_in(contact) if member.practitioner_id is None else "",
        invited_at=at,
    )


def _tell(session: Session, meeting: SipMeeting, template: str, actor: Actor) -> None:
    """Tell the patient (`template`) and each member of staff called but the actor
    (`template`_staff) that the meeting was called or called off."""
    queue(
        session,
        template,
        f"{template}:{meeting.id}",
        person_id=meeting.patient_id,
        payload={"meeting_id": meeting.id},
    )
    for invitee in meeting.invitees:
        if invitee.practitioner_id is not None and invitee.practitioner_id != actor.practitioner_id:
            queue(
                session,
                f"{template}_staff",
                f"{template}:{meeting.id}:{invitee.practitioner_id}",
                practitioner_id=invitee.practitioner_id,
                payload={"meeting_id": meeting.id},
            )


def _mail_guest(session: Session, invitee: SipInvitee) -> None:
    """Call someone without an account by mail, if they have an address (the mail names no
    health content: app/notifications/worker.py compose_guest)."""
    if invitee.email:
        session.flush()
        queue(
            session,
            "sip_meeting_guest",
            f"sip_meeting_guest:{invitee.id}",
            payload={"invitee_id": invitee.id},
        )


def _address_in(contact: str) -> str:
    """The first e-mail address in a contact line ("Handläggare, anna@fk.se, tel …"), or ""."""
    for word in contact.replace(",", " ").replace(";", " ").split():
        if "@" in word:
            try:
                return normalise_email(word.strip("<>()."))
            except ContactError:
                continue
    return ""


def _guest_address(contact: str) -> tuple[str, str]:
    """A named relative's e-mail address or Swedish mobile number, as stored: (email, shown)."""
    if "@" in contact:
        try:
            email = normalise_email(contact)
        except ContactError:
            raise SipError("relatives", "relative_contact") from None
        return email, email
    try:
        return "", normalise_mobile(contact)
    except ContactError:
        raise SipError("relatives", "relative_contact") from None


def answer(
    session: Session,
    actor: Actor,
    meeting: SipMeeting,
    reply: PatientAnswer,
    note: str,
    topics: str,
    relatives: list[Relative],
    no_relatives: bool,
    now: datetime,
) -> SipMeeting:
    """The patient's answer: whether they can come, what they want to talk about, and who of
    their relatives they want there (each invited at once), or that they want none (then none
    is invited, and those they named before are taken off the list)."""
    if meeting.status != MeetingStatus.CALLED:
        raise SipError("answer", "closed")
    named: list[tuple[Relative, str, str]] = []
    if not no_relatives:
        for relative in relatives:
            if not relative.name and not relative.contact:
                continue
            if not relative.name:
                raise SipError("relatives", "relative_name")
            email, shown = _guest_address(relative.contact)
            named.append((relative, email, shown))
    meeting.answer = reply
    meeting.answer_note = note
    meeting.topics = topics
    meeting.relatives_objected = no_relatives
    meeting.answered_at = now
    meeting.answered_by_id = actor.person_id
    if no_relatives:
        for invitee in list(meeting.invitees):
            if invitee.kind == InviteeKind.RELATIVE:
                meeting.invitees.remove(invitee)
                session.delete(invitee)
    known = {(i.name.casefold(), i.contact) for i in meeting.invitees}
    for relative, email, shown in named:
        if (relative.name.casefold(), shown) in known:
            continue  # named again: invited once
        invitee = SipInvitee(
            meeting_id=meeting.id,
            kind=InviteeKind.RELATIVE,
            name=relative.name,
            contact=shown,
            email=email,
            invited_at=now,
        )
        meeting.invitees.append(invitee)
        _mail_guest(session, invitee)
    session.flush()
    queue(
        session,
        "sip_meeting_answered",
        f"sip_meeting_answered:{meeting.id}:{int(now.timestamp())}",
        practitioner_id=meeting.called_by_id,
        payload={"meeting_id": meeting.id},
    )
    record_access(session, actor, meeting.patient_id, "update", "sip_meeting", meeting.id, now)
    return meeting


def cancel(session: Session, actor: Actor, meeting: SipMeeting, now: datetime) -> SipMeeting:
    """The meeting is called off (to call another time, say): the patient and the staff called
    are told; the relatives the patient invited hear it from the patient or the coordinator."""
    if meeting.status != MeetingStatus.CALLED:
        raise SipError("cancel", "closed")
    meeting.status = MeetingStatus.CANCELLED
    _tell(session, meeting, "sip_meeting_cancelled", actor)
    record_access(session, actor, meeting.patient_id, "update", "sip_meeting", meeting.id, now)
    session.flush()
    return meeting


def held(
    session: Session, actor: Actor, meeting: SipMeeting, now: datetime, rules: Rules
) -> SipMeeting:
    """The meeting took place: each actor documents their part by the seed's day."""
    if meeting.status != MeetingStatus.CALLED:
        raise SipError("held", "closed")
    meeting.status = MeetingStatus.HELD
    meeting.held_at = now
    meeting.documented_by = rules.documented_by(local_date(now))
    record_access(session, actor, meeting.patient_id, "update", "sip_meeting", meeting.id, now)
    session.flush()
    return meeting


def documented(session: Session, actor: Actor, meeting: SipMeeting, now: datetime) -> SipInvitee:
    """A member of staff called to the meeting says their part of the SIP is documented."""
    if meeting.status != MeetingStatus.HELD:
        raise SipError("documented", "closed")
    mine = next(
        (i for i in meeting.invitees if i.practitioner_id == actor.practitioner_id),
        None,
    )
    if mine is None:
        raise SipError("documented", "not_invited")
    if mine.documented_at is None:
        mine.documented_at = now
    record_access(session, actor, meeting.patient_id, "update", "sip_meeting", meeting.id, now)
    session.flush()
    return mine
