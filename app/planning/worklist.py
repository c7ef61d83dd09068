"""The follow-up duty: what a practitioner must see to (seed 000: "All vårdpersonal ska bevaka
och kontinuerligt uppdatera innehållet"; seed 003: a SIP is followed up at least yearly).

Patients' requests to the practitioner's unit (a care plan, a SIP, another fast vårdkontakt)
wait here until someone at the unit answers them.

A read model: three statements built once at import (what waits for care is one UNION of the
patients' requests, their answers about times from app/appointments and the diary's rules met
from app/diary), scoped by the access policy's care relationship over bind parameters, each
section limited; rows become small frozen records with everything the page prints already
worded. The number of statements does not grow with the number of plans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.access.actor import Actor
from app.access.context import staff_plan_rule
from app.accounts.models import Person, Practitioner
from app.agreements.models import Agreement, AgreementAnswer
from app.appointments.queries import WAITING_ANSWERS, AnswerItem, answer_item
from app.care_requests.models import CareRequest, RequestKind, RequestStatus
from app.clock import local_date
from app.db import UTCDateTime
from app.diary.queries import OPEN_HITS, HitItem, hit_item
from app.messages.workdays import add_working_days
from app.planning.handovers import ACKNOWLEDGE_WITHIN_WORKING_DAYS
from app.plans.models import CarePlan, CareTeamMember, Handover, PlanKind, PlanStatus, TeamRole
from app.sip.models import MeetingStatus, SipInvitee, SipMeeting
from app.web.templating import local_day, local_time

FOLLOW_UP_SOON = timedelta(days=14)
SIP_YEAR = timedelta(days=365)
LIMIT = 100

FOLLOW_UP, SIP_OVERDUE, NO_CONTACT, UNANSWERED, DRAFTS = range(5)


@dataclass(frozen=True)
class PlanItem:
    """One plan on the list: whose, which, and the line that says why it is there."""

    plan_id: int
    patient_id: int
    patient_name: str
    title: str
    meta: str
    overdue: bool
    due: bool


@dataclass(frozen=True)
class HandoverItem:
    """A handover waiting for acknowledgement, offered to or by the practitioner."""

    handover_id: int
    plan_id: int
    patient_id: int
    patient_name: str
    title: str
    incoming: bool
    role: str
    from_name: str
    to_name: str
    offered_on: str
    note: str
    overdue: bool


@dataclass(frozen=True)
class RequestItem:
    """A patient's open request to the unit: who, what, since when, due by."""

    request_id: int
    patient_id: int
    patient_name: str
    kind: RequestKind
    since: str
    due: str
    overdue: bool


@dataclass(frozen=True)
class MeetingItem:
    """A SIP meeting the practitioner is called to: coming, or held and their part of the plan
    not yet documented (seed 003: within three days)."""

    meeting_id: int
    patient_id: int
    patient_name: str
    title: str
    starts_at: datetime
    held: bool
    answer: str | None
    due: str
    overdue: bool


@dataclass(frozen=True)
class WorkList:
    follow_up: tuple[PlanItem, ...] = ()
    sip_overdue: tuple[PlanItem, ...] = ()
    no_contact: tuple[PlanItem, ...] = ()
    unanswered: tuple[PlanItem, ...] = ()
    drafts: tuple[PlanItem, ...] = ()
    to_acknowledge: tuple[HandoverItem, ...] = ()
    sent: tuple[HandoverItem, ...] = ()
    requests: tuple[RequestItem, ...] = ()
    appointments: tuple[AnswerItem, ...] = ()
    diary: tuple[HitItem, ...] = ()
    meetings: tuple[MeetingItem, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.follow_up,
                self.sip_overdue,
                self.no_contact,
                self.unanswered,
                self.drafts,
                self.to_acknowledge,
                self.sent,
                self.requests,
                self.appointments,
                self.diary,
                self.meetings,
            )
        )

    def patient_ids(self) -> list[int]:
        """Every patient the page shows (each is logged as read)."""
        plans = self.follow_up + self.sip_overdue + self.no_contact + self.unanswered + self.drafts
        handovers = self.to_acknowledge + self.sent
        asked = {item.patient_id for item in self.requests}
        asked |= {item.patient_id for item in self.appointments}
        asked |= {item.patient_id for item in self.diary}
        asked |= {item.patient_id for item in self.meetings}
        return sorted(
            {item.patient_id for item in plans} | {h.patient_id for h in handovers} | asked
        )


# --- The statements ----------------------------------------------------------------------

_TODAY: BindParameter[Any] = bindparam("today")
_SOON: BindParameter[Any] = bindparam("soon")
_YEAR_AGO: BindParameter[Any] = bindparam("year_ago")
_YEAR_AGO_AT: BindParameter[Any] = bindparam("year_ago_at")
_PRACTITIONER: BindParameter[Any] = bindparam("practitioner_id")

_drafter = aliased(Practitioner)
_current_contact = exists().where(
    CareTeamMember.plan_id == CarePlan.id,
    CareTeamMember.valid_from <= _TODAY,
    or_(CareTeamMember.valid_until.is_(None), CareTeamMember.valid_until >= _TODAY),
    CareTeamMember.practitioner_id.is_not(None),
    CareTeamMember.role.in_([TeamRole.CARE_CONTACT, TeamRole.CONTACT_NURSE]),
)


def _section(
    section: int, order: Any, *conditions: ColumnElement[bool], draft: bool = False
) -> Select[Any]:
    """One section's plans (at most LIMIT), in the columns every section shares."""
    title = CarePlan.draft["title"].as_string() if draft else CarePlan.title
    inner = (
        select(
            literal(section).label("section"),
            func.row_number().over(order_by=(order, CarePlan.id)).label("rank"),
            CarePlan.id.label("plan_id"),
            CarePlan.patient_id,
            Person.given_name,
            Person.family_name,
            title.label("title"),
            CarePlan.follow_up_on,
            CarePlan.last_followed_up_on,
            CarePlan.created_at,
            CarePlan.published_version,
            Agreement.answer,
            _drafter.given_name.label("drafter_given"),
            _drafter.family_name.label("drafter_family"),
            CarePlan.draft_at,
        )
        .select_from(CarePlan)
        .join(Person, Person.id == CarePlan.patient_id)
        .outerjoin(
            Agreement,
            and_(
                Agreement.plan_id == CarePlan.id,
                Agreement.plan_version == CarePlan.published_version,
            ),
        )
        .outerjoin(_drafter, _drafter.id == CarePlan.draft_by_id)
        .where(staff_plan_rule(), *conditions)
        .order_by(order, CarePlan.id)
        .limit(LIMIT)
        .subquery()
    )
    return select(inner)


_active = CarePlan.status == PlanStatus.ACTIVE
_sections = [
    _section(
        FOLLOW_UP,
        CarePlan.follow_up_on,
        _active,
        CarePlan.follow_up_on.is_not(None),
        CarePlan.follow_up_on <= _SOON,
    ),
    _section(
        SIP_OVERDUE,
        CarePlan.created_at,
        _active,
        CarePlan.kind == PlanKind.SIP,
        or_(
            CarePlan.last_followed_up_on < _YEAR_AGO,
            and_(CarePlan.last_followed_up_on.is_(None), CarePlan.created_at < _YEAR_AGO_AT),
        ),
    ),
    _section(NO_CONTACT, CarePlan.patient_id, _active, ~_current_contact),
    _section(
        UNANSWERED,
        CarePlan.updated_at,
        _active,
        CarePlan.published_version > 0,
        or_(Agreement.id.is_(None), Agreement.answer == AgreementAnswer.QUESTIONS),
    ),
    _section(DRAFTS, CarePlan.draft_at, CarePlan.draft.is_not(None), draft=True),
]
_all = _sections[0].union_all(*_sections[1:]).subquery()
PLANS = select(_all).order_by(_all.c.section, _all.c.rank)

_sender = aliased(Practitioner)
_receiver = aliased(Practitioner)
HANDOVERS = (
    select(
        Handover.id,
        Handover.plan_id,
        Handover.role,
        Handover.note,
        Handover.created_at,
        Handover.to_practitioner_id,
        CarePlan.patient_id,
        CarePlan.title,
        Person.given_name,
        Person.family_name,
        _sender.given_name.label("from_given"),
        _sender.family_name.label("from_family"),
        _receiver.given_name.label("to_given"),
        _receiver.family_name.label("to_family"),
    )
    .join(CarePlan, CarePlan.id == Handover.plan_id)
    .join(Person, Person.id == CarePlan.patient_id)
    .join(_sender, _sender.id == Handover.from_practitioner_id)
    .join(_receiver, _receiver.id == Handover.to_practitioner_id)
    .where(
        or_(
            Handover.to_practitioner_id == _PRACTITIONER,
            Handover.from_practitioner_id == _PRACTITIONER,
        ),
        Handover.acknowledged_at.is_(None),
        Handover.cancelled_at.is_(None),
    )
    .order_by(Handover.created_at, Handover.id)
    .limit(LIMIT)
)


# Open requests to the practitioner's unit, the soonest due first: anyone at the unit answers.
REQUESTS = (
    select(
        CareRequest.id,
        CareRequest.patient_id,
        Person.given_name,
        Person.family_name,
        CareRequest.created_at.label("at"),
        CareRequest.due_on,
        type_coerce(CareRequest.kind, String).label("code"),
        cast(null(), UTCDateTime).label("starts_at"),
        cast(null(), String).label("title"),
        cast(null(), String).label("instruction"),
        cast(null(), Boolean).label("urgent"),
        cast(null(), Integer).label("measure_id"),
    )
    .join(Person, Person.id == CareRequest.patient_id)
    .where(
        CareRequest.unit_id == bindparam("unit_id"),
        CareRequest.status == RequestStatus.OPEN,
    )
    .order_by(CareRequest.due_on, CareRequest.created_at, CareRequest.id)
    .limit(LIMIT)
)
# SIP meetings the practitioner is called to (app/sip): coming, or held with their part of the
# plan still to document by the seed's day.
_meeting_plan = aliased(CarePlan)
MEETINGS = (
    select(
        SipMeeting.id,
        SipMeeting.patient_id,
        Person.given_name,
        Person.family_name,
        SipMeeting.called_at.label("at"),
        func.coalesce(SipMeeting.documented_by, SipMeeting.meet_by).label("due_on"),
        type_coerce(SipMeeting.status, String).label("code"),
        SipMeeting.starts_at,
        _meeting_plan.title,
        type_coerce(SipMeeting.answer, String).label("instruction"),
        cast(null(), Boolean).label("urgent"),
        cast(null(), Integer).label("measure_id"),
    )
    .join(SipInvitee, SipInvitee.meeting_id == SipMeeting.id)
    .join(Person, Person.id == SipMeeting.patient_id)
    .join(_meeting_plan, _meeting_plan.id == SipMeeting.plan_id)
    .where(
        SipInvitee.practitioner_id == bindparam("practitioner_id"),
        or_(
            SipMeeting.status == MeetingStatus.CALLED,
            and_(SipMeeting.status == MeetingStatus.HELD, SipInvitee.documented_at.is_(None)),
        ),
    )
    .order_by(SipMeeting.starts_at, SipMeeting.id)
    .limit(LIMIT)
)
REQUEST, ANSWER, HIT, MEETING = range(4)


def _waiting_part(section: int, statement: Select[Any]) -> Select[Any]:
    inner = statement.subquery()
    return select(literal(section).label("section"), *inner.c)


# What waits for care in one statement: the patients' requests to the unit, their answers about
# times and the diary's rules met on the team's plans (each part ordered and limited).
WAITING = union_all(
    _waiting_part(REQUEST, REQUESTS),
    _waiting_part(ANSWER, WAITING_ANSWERS),
    _waiting_part(HIT, OPEN_HITS),
    _waiting_part(MEETING, MEETINGS),
)


# --- Rows into records -------------------------------------------------------------------


def _plan_item(row: Any, today: date) -> PlanItem:
    overdue = due = False
    meta = ""
    if row.section == FOLLOW_UP:
        overdue = row.follow_up_on < today
        due = not overdue
        if overdue:
            meta = gettext(
                "Skulle ha följts upp senast %(date)s", date=local_day(row.follow_up_on, "long")
            )
        else:
            meta = gettext("Följs upp senast %(date)s", date=local_day(row.follow_up_on, "long"))
    elif row.section == SIP_OVERDUE:
        overdue = True
        if row.last_followed_up_on:
            meta = gettext(
                "Senast uppföljd %(date)s", date=local_day(row.last_followed_up_on, "long")
            )
        else:
            meta = gettext(
                "Aldrig uppföljd. Upprättad %(date)s", date=local_day(row.created_at, "long")
            )
    elif row.section == NO_CONTACT:
        overdue = True
    elif row.section == UNANSWERED:
        if row.answer == AgreementAnswer.QUESTIONS:
            meta = gettext("Har frågor om version %(num)d", num=row.published_version)
        else:
            meta = gettext("Har inte svarat på version %(num)d", num=row.published_version)
    elif row.section == DRAFTS and row.drafter_given is not None and row.draft_at is not None:
        meta = gettext(
            "Sparat av %(name)s, %(when)s.",
            name=f"{row.drafter_given} {row.drafter_family}",
            when=gettext(
                "%(day)s kl. %(time)s",
                day=local_day(row.draft_at, "EEEE d MMMM"),
                time=_clock(row.draft_at),
            ),
        )
    return PlanItem(
        plan_id=row.plan_id,
        patient_id=row.patient_id,
        patient_name=f"{row.given_name} {row.family_name}",
        title=row.title or "",
        meta=meta,
        overdue=overdue,
        due=due,
    )


def _clock(moment: datetime) -> str:
    return local_time(moment)


def _handover_item(
    row: Any, practitioner_id: int, today: date, zone: ZoneInfo, roles: dict[Any, Any]
) -> HandoverItem:
    offered = row.created_at.astimezone(zone).date()
    return HandoverItem(
        handover_id=row.id,
        plan_id=row.plan_id,
        patient_id=row.patient_id,
        patient_name=f"{row.given_name} {row.family_name}",
        title=row.title,
        incoming=row.to_practitioner_id == practitioner_id,
        role=str(roles[row.role]),
        from_name=f"{row.from_given} {row.from_family}",
        to_name=f"{row.to_given} {row.to_family}",
        offered_on=local_day(row.created_at, "long"),
        note=row.note or "",
        overdue=add_working_days(offered, ACKNOWLEDGE_WITHIN_WORKING_DAYS) < today,
    )


def _request_item(row: Any, today: date) -> RequestItem:
    return RequestItem(
        request_id=row.id,
        patient_id=row.patient_id,
        patient_name=f"{row.given_name} {row.family_name}",
        kind=RequestKind(row.code),
        since=local_day(row.at, "long"),
        due=local_day(row.due_on, "long"),
        overdue=row.due_on < today,
    )


def work_list(
    session: Session, actor: Actor, now: datetime, zone: ZoneInfo, roles: dict[Any, Any]
) -> WorkList:
    """Everything on the practitioner's work list, scoped by the access policy (and the
    requests by the unit they were sent to): three statements, each section limited. `roles`
    names the handover roles."""
    practitioner = actor.practitioner
    assert practitioner is not None  # noqa: S101 - staff only
    today = local_date(now)
    year_ago = today - SIP_YEAR
    params = {
        "practitioner_id": practitioner.id,
        "unit_id": practitioner.unit_id,
        "today": today,
        "soon": today + FOLLOW_UP_SOON,
        "year_ago": year_ago,
        "year_ago_at": datetime.combine(year_ago, time(), UTC),
    }
    sections: list[list[PlanItem]] = [[] for _ in range(5)]
    for row in session.connection().execute(PLANS, params):
        sections[row.section].append(_plan_item(row, today))
    handovers = [
        _handover_item(row, practitioner.id, today, zone, roles)
        for row in session.connection().execute(HANDOVERS, {"practitioner_id": practitioner.id})
    ]
    waiting: dict[int, list[Any]] = {REQUEST: [], ANSWER: [], HIT: [], MEETING: []}
    for row in session.connection().execute(WAITING, params):
        waiting[row.section].append(row)
    # A UNION keeps no order: each part comes back in its own.
    requests = [
        _request_item(row, today)
        for row in sorted(waiting[REQUEST], key=lambda r: (r.due_on, r.at, r.id))
    ]
    answers = [
        answer_item(row, today)
        for row in sorted(waiting[ANSWER], key=lambda r: (r.due_on or today, r.at, r.id))
    ]
    hits = [hit_item(row) for row in sorted(waiting[HIT], key=lambda r: (not r.urgent, r.at, r.id))]
    return WorkList(
        follow_up=tuple(sections[FOLLOW_UP]),
        sip_overdue=tuple(sections[SIP_OVERDUE]),
        no_contact=tuple(sections[NO_CONTACT]),
        unanswered=tuple(sections[UNANSWERED]),
        drafts=tuple(sections[DRAFTS]),
        to_acknowledge=tuple(h for h in handovers if h.incoming),
        sent=tuple(h for h in handovers if not h.incoming),
        requests=tuple(requests),
        appointments=tuple(answers),
        diary=tuple(hits),
        meetings=tuple(
            _meeting_item(row, today)
            for row in sorted(waiting[MEETING], key=lambda r: (r.starts_at, r.id))
        ),
    )


def _meeting_item(row: Any, today: date) -> MeetingItem:
    return MeetingItem(
        meeting_id=row.id,
        patient_id=row.patient_id,
        patient_name=f"{row.given_name} {row.family_name}",
        title=row.title,
        starts_at=row.starts_at,
        held=row.code == MeetingStatus.HELD,
        answer=row.instruction,
        due=local_day(row.due_on, "long"),
        overdue=row.code == MeetingStatus.HELD and row.due_on < today,
    )
