"""Read models for the start page: fixed Core statements, built once at import with bind
parameters, whose rows become small frozen dataclasses ready to print. Templates never follow a
relationship, and the page runs four statements whatever the size of the patient's plans.

The gate has already decided that the actor may see this patient; these statements only load.
What a proxy may not see (plans without the read-plans scope, plans the patient keeps private
from them) is left out here from the access context's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    outerjoin,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.access.gate import Target
from app.access.policy import Action
from app.accounts.models import CareUnit, Person, Practitioner, Principal, PrincipalKind
from app.agreements.models import Agreement
from app.appointments.models import Appointment, AppointmentStatus
from app.db import UTCDateTime
from app.followup.models import ASKED_AGAIN_AFTER, SevenQuestions
from app.goals.models import Activity, ActivityStatus, Goal, GoalStatus, Responsible
from app.messages.models import Message, Thread
from app.plans.models import CarePlan, CareTeamMember, Handover, PlanStatus, TeamRole
from app.pwa.models import PushSubscription
from app.sip.models import MeetingStatus, SipMeeting
from app.whatmatters.models import WhatMatters

# --- the patient, what matters to them, and unread answers --------------------------------
_writer = aliased(Person)
_latest = (
    select(func.max(WhatMatters.id))
    .where(WhatMatters.patient_id == bindparam("patient_id"))
    .scalar_subquery()
)
_unread = (
    select(func.count(Message.id))
    .join(Thread, Thread.id == Message.thread_id)
    .where(
        Thread.patient_id == bindparam("patient_id"),
        Message.author_practitioner_id.is_not(None),
        Message.read_by_patient_at.is_(None),
    )
    .scalar_subquery()
)
PATIENT = (
    select(
        Person.id,
        Person.given_name,
        Person.family_name,
        WhatMatters.what_matters,
        WhatMatters.created_at,
        _writer.given_name,
        _writer.family_name,
        _unread,
    )
    .select_from(Person)
    .outerjoin(WhatMatters, WhatMatters.id == _latest)
    .outerjoin(_writer, _writer.id == WhatMatters.written_by_id)
    .where(Person.id == bindparam("patient_id"))
)

# --- the plans, with their unit, goals reached and coordinator -----------------------------
_counted = and_(
    Goal.plan_id == CarePlan.id,
    Goal.status.not_in([GoalStatus.DECLINED, GoalStatus.PROPOSED, GoalStatus.REMOVED]),
)
_current = and_(
    CareTeamMember.valid_from <= bindparam("today"),
    or_(CareTeamMember.valid_until.is_(None), CareTeamMember.valid_until >= bindparam("today")),
)
_coordinator_practitioner = aliased(Practitioner)
_coordinator = (
    select(
        func.coalesce(
            _coordinator_practitioner.given_name + " " + _coordinator_practitioner.family_name,
            CareTeamMember.external_name,
        )
    )
    .outerjoin(
        _coordinator_practitioner,
        _coordinator_practitioner.id == CareTeamMember.practitioner_id,
    )
    .where(CareTeamMember.plan_id == CarePlan.id, CareTeamMember.is_coordinator.is_(True), _current)
    .order_by(CareTeamMember.position, CareTeamMember.id)
    .limit(1)
    .correlate(CarePlan)
    .scalar_subquery()
)
PLANS = (
    select(
        CarePlan.id,
        CarePlan.kind,
        CarePlan.title,
        CarePlan.status,
        CareUnit.name,
        CarePlan.follow_up_on,
        CarePlan.follow_up_how,
        CarePlan.closed_at,
        CarePlan.closed_reason,
        CarePlan.next_step_what,
        CarePlan.next_step_on,
        CarePlan.next_step_where,
        CarePlan.next_step_who,
        select(func.count(Goal.id)).where(_counted).correlate(CarePlan).scalar_subquery(),
        select(func.count(Goal.id))
        .where(Goal.plan_id == CarePlan.id, Goal.status == GoalStatus.REACHED)
        .correlate(CarePlan)
        .scalar_subquery(),
        _coordinator,
        # A published version nobody has answered yet: "Ändrad – svara" on the start page.
        and_(
            CarePlan.published_version > 0,
            ~exists().where(
                Agreement.plan_id == CarePlan.id,
                Agreement.plan_version == CarePlan.published_version,
            ),
        ),
        # Answered before: the unanswered version is a change ("Ändrad – svara").
        exists().where(Agreement.plan_id == CarePlan.id),
    )
    .select_from(CarePlan)
    .join(CareUnit, CareUnit.id == CarePlan.unit_id)
    .where(
        CarePlan.patient_id == bindparam("patient_id"),
        CarePlan.status != PlanStatus.DRAFT,
        bindparam("read_plans"),
    )
    .subquery()
)
# --- whether Samplan can reach the signed-in person at all (app/contact) ----------------------
_me = aliased(Person)


def _chose(channel: str) -> ColumnElement[bool]:
    return (literal(" ") + _me.notify_channels + literal(" ")).like(f"% {channel} %")


_REACHABLE = (
    select(_me.id)
    .where(
        _me.id == bindparam("me"),
        or_(
            and_(_me.email.is_not(None), _chose("email")),
            and_(_me.phone.is_not(None), _chose("sms")),
            and_(_chose("push"), exists().where(PushSubscription.person_id == _me.id)),
        ),
    )
    .exists()
)
# The patient with each of their plans (or once, with none), and whether the signed-in person
# can be reached: one statement for all.
# The seven questions (app/followup/questions.py) are due for the signed-in person: they have
# answered a version of their own active plan, and not answered or declined them for a year.
_plan_answered = aliased(CarePlan)
_SEVEN_DUE = and_(
    bindparam("me") == bindparam("patient_id"),
    exists().where(
        Agreement.plan_id == _plan_answered.id,
        Agreement.answered_by_id == bindparam("me"),
        _plan_answered.patient_id == bindparam("me"),
        _plan_answered.status == PlanStatus.ACTIVE,
    ),
    ~exists().where(
        SevenQuestions.person_id == bindparam("me"),
        SevenQuestions.answered_at > bindparam("year_ago"),
    ),
)
PATIENT_PLANS = (
    select(PATIENT.subquery(), PLANS, _SEVEN_DUE.label("seven_due"), _REACHABLE.label("reachable"))
    .outerjoin(PLANS, true())
    .order_by(PLANS.c.status, PLANS.c.follow_up_on, PLANS.c.id)
)

# --- the people on the active plans, and pending handovers, in one statement ---------------
_member_practitioner = aliased(Practitioner)
_member_unit = aliased(CareUnit)
_active_plan = and_(
    CarePlan.patient_id == bindparam("patient_id"), CarePlan.status == PlanStatus.ACTIVE
)
_members = (
    select(
        literal("member").label("kind"),
        CareTeamMember.plan_id,
        CareTeamMember.id,
        CareTeamMember.role,
        CareTeamMember.is_coordinator,
        CareTeamMember.practitioner_id,
        _member_practitioner.given_name,
        _member_practitioner.family_name,
        _member_practitioner.title,
        _member_practitioner.phone,
        _member_unit.name,
        _member_unit.phone,
        CareTeamMember.external_name,
        CareTeamMember.external_contact,
        CareTeamMember.responsibility,
        CareTeamMember.position,
        literal(None, String).label("to_given"),
        literal(None, String).label("to_family"),
    )
    .select_from(CareTeamMember)
    .join(CarePlan, CarePlan.id == CareTeamMember.plan_id)
    .outerjoin(_member_practitioner, _member_practitioner.id == CareTeamMember.practitioner_id)
    .outerjoin(_member_unit, _member_unit.id == _member_practitioner.unit_id)
    .where(_active_plan, _current)
)
_from = aliased(Practitioner)
_to = aliased(Practitioner)
_handovers = (
    select(
        literal("handover"),
        Handover.plan_id,
        Handover.id,
        Handover.role,
        literal(False),
        Handover.from_practitioner_id,
        _from.given_name,
        _from.family_name,
        literal(None, String),
        literal(None, String),
        literal(None, String),
        literal(None, String),
        literal(None, String),
        literal(None, String),
        literal(None, String),
        literal(0, Integer),
        _to.given_name,
        _to.family_name,
    )
    .select_from(Handover)
    .join(CarePlan, CarePlan.id == Handover.plan_id)
    .join(_from, _from.id == Handover.from_practitioner_id)
    .join(_to, _to.id == Handover.to_practitioner_id)
    .where(_active_plan, Handover.acknowledged_at.is_(None), Handover.cancelled_at.is_(None))
)
PEOPLE = union_all(_members, _handovers)

# --- upcoming appointments and the next open activity, in one statement --------------------
_appointment_practitioner = aliased(Practitioner)
_appointment_unit = aliased(CareUnit)
_appointments = (
    select(
        literal("appointment").label("kind"),
        Appointment.id,
        Appointment.plan_id,
        Appointment.starts_at,
        literal(None, Date).label("due_on"),
        type_coerce(Appointment.status, String).label("status"),
        Appointment.purpose,
        type_coerce(Appointment.mode, String).label("mode"),
        Appointment.location,
        _appointment_unit.name,
        _appointment_practitioner.given_name,
        _appointment_practitioner.family_name,
        literal(None, String).label("responsible_name"),
        Appointment.offer_group,
    )
    .select_from(Appointment)
    .join(_appointment_unit, _appointment_unit.id == Appointment.unit_id)
    .outerjoin(
        _appointment_practitioner, _appointment_practitioner.id == Appointment.practitioner_id
    )
    .where(
        Appointment.patient_id == bindparam("patient_id"),
        Appointment.starts_at >= bindparam("since"),
        Appointment.status.in_(
            [
                AppointmentStatus.PROPOSED,
                AppointmentStatus.ACCEPTED,
                AppointmentStatus.CHANGE_REQUESTED,
            ]
        ),
    )
    .order_by(Appointment.starts_at)
    .limit(10)
    .subquery()
)
# Who is responsible for an activity, as the patient knows them (Activity.responsible_display in
# SQL); the start page's next activity and the plan page's activities join these three.
_activity_practitioner = aliased(Practitioner)
_activity_practitioner_unit = aliased(CareUnit)
_activity_unit = aliased(CareUnit)
_responsible = case(
    (
        _activity_practitioner.id.is_not(None),
        _activity_practitioner.given_name
        + " "
        + _activity_practitioner.family_name
        + ", "
        + _activity_practitioner_unit.name,
    ),
    (_activity_unit.id.is_not(None), _activity_unit.name),
    else_=func.coalesce(Activity.responsible_name, ""),
)
# An activity with the three rows that say who is responsible for it.
_WITH_RESPONSIBLE = (
    outerjoin(
        Activity,
        _activity_practitioner,
        _activity_practitioner.id == Activity.responsible_practitioner_id,
    )
    .outerjoin(
        _activity_practitioner_unit,
        _activity_practitioner_unit.id == _activity_practitioner.unit_id,
    )
    .outerjoin(_activity_unit, _activity_unit.id == Activity.responsible_unit_id)
)


def _next_activity(*private: ColumnElement[bool]) -> Subquery:
    return (
        select(
            literal("activity").label("kind"),
            Activity.id,
            Activity.plan_id,
            literal(None, UTCDateTime).label("starts_at"),
            Activity.due_on,
            type_coerce(Activity.status, String).label("status"),
            Activity.text,
            literal(None, String).label("mode"),
            literal(None, String).label("location"),
            literal(None, String).label("unit_name"),
            literal(None, String).label("given_name"),
            literal(None, String).label("family_name"),
            _responsible.label("responsible_name"),
            literal(None, String).label("offer_group"),
        )
        .select_from(_WITH_RESPONSIBLE)
        .join(CarePlan, CarePlan.id == Activity.plan_id)
        .where(
            _active_plan,
            *private,
            Activity.due_on.is_not(None),
            Activity.due_on >= bindparam("today"),
            Activity.status.in_([ActivityStatus.PLANNED, ActivityStatus.ONGOING]),
        )
        .order_by(Activity.due_on, Activity.id)
        .limit(1)
        .subquery()
    )


# A SIP meeting the patient is called to (app/sip): for the patient, or one acting for them with
# a guardian's full access (`meetings`); a relative hears of it only if the patient names them.
_meeting_unit = aliased(CareUnit)
_meeting_caller = aliased(Practitioner)
_meetings = (
    select(
        literal("sip_meeting").label("kind"),
        SipMeeting.id,
        SipMeeting.plan_id,
        SipMeeting.starts_at,
        literal(None, Date).label("due_on"),
        type_coerce(SipMeeting.status, String).label("status"),
        literal("", String).label("what"),
        type_coerce(SipMeeting.mode, String).label("mode"),
        SipMeeting.place,
        _meeting_unit.name,
        _meeting_caller.given_name,
        _meeting_caller.family_name,
        literal(None, String).label("responsible_name"),
        literal(None, String).label("offer_group"),
    )
    .join(_meeting_unit, _meeting_unit.id == SipMeeting.unit_id)
    .join(_meeting_caller, _meeting_caller.id == SipMeeting.called_by_id)
    .where(
        bindparam("meetings"),
        SipMeeting.patient_id == bindparam("patient_id"),
        SipMeeting.status == MeetingStatus.CALLED,
        SipMeeting.starts_at >= bindparam("since"),
    )
    .order_by(SipMeeting.starts_at)
    .limit(3)
    .subquery()
)
UPCOMING = union_all(select(_appointments), select(_next_activity()), select(_meetings))
# The same for a proxy from whom the patient keeps some plans private (an expanding parameter
# costs a compilation per request, so only that rare case pays it).
UPCOMING_WITHOUT_PRIVATE = union_all(
    select(_appointments),
    select(_next_activity(CarePlan.id.not_in(bindparam("private", expanding=True)))),
    select(_meetings),
)


# --- what the template prints --------------------------------------------------------------
@dataclass(frozen=True)
class WhatMattersLine:
    text: str
    written_by: str
    written_at: datetime


@dataclass(frozen=True)
class PlanCard:
    id: int
    kind: str
    title: str
    status: str
    unit_name: str
    follow_up_on: date | None
    follow_up_how: str | None
    closed_at: datetime | None
    closed_reason: str | None
    next_step_what: str | None
    next_step_on: date | None
    next_step_where: str | None
    next_step_who: str | None
    goals_total: int
    goals_reached: int
    coordinator: str | None
    needs_answer: bool
    changed: bool  # needs an answer to a change, after answering an earlier version


@dataclass(frozen=True)
class Contact:
    """Someone on the patient's active plans, once however many plans they are on."""

    plan_id: int
    role: str
    practitioner_id: int | None
    name: str
    given_name: str
    title: str
    unit_name: str
    phone: str
    external_contact: str
    responsibility: str
    coordinates: tuple[str, ...] = ()

    @property
    def phone_link(self) -> str:
        return "tel:" + self.phone.replace(" ", "").replace("-", "")


@dataclass(frozen=True)
class PendingHandover:
    plan_title: str
    role: str
    from_name: str
    to_name: str


@dataclass(frozen=True)
class Upcoming:
    """An appointment, or the next open activity (which the next-step rule may pick)."""

    kind: str
    id: int
    plan_id: int | None
    starts_at: datetime | None
    due_on: date | None
    status: str
    what: str
    mode: str | None
    place: str
    who: str | None
    offer_group: str | None = None


@dataclass(frozen=True)
class StartPage:
    patient_id: int
    full_name: str
    given_name: str
    what_matters: WhatMattersLine | None
    unread: int
    plans: list[PlanCard]
    contacts: list[Contact]
    handovers: list[PendingHandover]
    appointments: list[Upcoming]
    next_activity: Upcoming | None
    # SIP meetings the patient is called to (app/sip), soonest first.
    meetings: list[Upcoming] = field(default_factory=list)
    # The signed-in person has no confirmed address, no push device, or every channel off.
    unreachable: bool = False
    # The seven questions are offered (app/followup/questions.py).
    seven_questions_due: bool = False
    active: list[PlanCard] = field(init=False)
    closed: list[PlanCard] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "active", [plan for plan in self.plans if plan.status == PlanStatus.ACTIVE]
        )
        object.__setattr__(
            self, "closed", [plan for plan in self.plans if plan.status == PlanStatus.CLOSED]
        )


CONTACT_ORDER: list[str] = [
    TeamRole.CARE_CONTACT,
    TeamRole.CONTACT_NURSE,
    TeamRole.DOCTOR,
    TeamRole.SIP_ACTOR,
    TeamRole.EXTERNAL,
]


def start_page(session: Session, target: Target, now: datetime) -> StartPage:
    """Everything on the start page for the patient the gate let the actor see."""
    context = target.context
    patient_id = target.patient_id
    access = context.people().get(patient_id) if not target.own else None
    private = sorted(access.private_plans) if access else []
    params = {"patient_id": patient_id, "today": context.today}
    rows = (
        session.connection()
        .execute(
            PATIENT_PLANS,
            {
                **params,
                "read_plans": target.may(Action.READ_PLANS),
                "me": context.actor.person_id,
                "year_ago": now - ASKED_AGAIN_AFTER,
            },
        )
        .all()
    )
    row = rows[0]
    what_matters = WhatMattersLine(row[3], f"{row[5]} {row[6]}", row[4]) if row[3] else None
    plans = [_card(plan) for plan in rows if plan[8] is not None and plan[8] not in private]
    contacts: list[Contact] = []
    handovers: list[PendingHandover] = []
    if plans:
        titles = {plan.id: plan.title for plan in plans}
        contacts, handovers = _people(session.connection().execute(PEOPLE, params).all(), titles)
    upcoming = [
        _upcoming(row)
        for row in session.connection().execute(
            UPCOMING_WITHOUT_PRIVATE if private else UPCOMING,
            {
                **params,
                "since": now - timedelta(hours=1),
                "private": private,
                "meetings": context.fully_for(patient_id),
            },
        )
    ]
    appointments = _one_of_each_offer(
        sorted(
            (item for item in upcoming if item.kind == "appointment"),
            key=lambda item: item.starts_at or now,
        )
    )
    next_activity = next((item for item in upcoming if item.kind == "activity"), None)
    meetings = sorted(
        (item for item in upcoming if item.kind == "sip_meeting"),
        key=lambda item: item.starts_at or now,
    )
    if not target.may(Action.READ_PLANS):
        next_activity = None
    return StartPage(
        patient_id,
        f"{row[1]} {row[2]}",
        row[1],
        what_matters,
        row[7] or 0,
        plans,
        contacts,
        handovers,
        appointments,
        next_activity,
        unreachable=not row[-1],
        seven_questions_due=bool(row[-2]),
        meetings=meetings,
    )


def _one_of_each_offer(appointments: list[Upcoming]) -> list[Upcoming]:
    """Times offered together to choose from are one thing to answer: shown once, at the
    first of them (its page lists them all)."""
    seen: set[str] = set()
    shown = []
    for item in appointments:
        if item.offer_group and item.status == AppointmentStatus.PROPOSED:
            if item.offer_group in seen:
                continue
            seen.add(item.offer_group)
        shown.append(item)
    return shown


def _upcoming(row: Any) -> Upcoming:
    """A row of UPCOMING: an appointment (with its place and who) or the next activity."""
    kind, item_id, plan_id, starts_at, due_on, status, what, mode = row[:8]
    location, unit_name, given, family, responsible, offer_group = row[8:]
    who = f"{given} {family}" if given else (responsible or None)
    return Upcoming(
        kind,
        item_id,
        plan_id,
        starts_at,
        due_on,
        status,
        what,
        mode,
        location or unit_name or "",
        who,
        offer_group,
    )


def _card(row: Any) -> PlanCard:
    """A plan's columns in PATIENT_PLANS (after the patient's eight) as a card."""
    return PlanCard(
        id=row[8],
        kind=row[9],
        title=row[10],
        status=row[11],
        unit_name=row[12],
        follow_up_on=row[13],
        follow_up_how=row[14],
        closed_at=row[15],
        closed_reason=row[16],
        next_step_what=row[17],
        next_step_on=row[18],
        next_step_where=row[19],
        next_step_who=row[20],
        goals_total=row[21] or 0,
        goals_reached=row[22] or 0,
        coordinator=row[23],
        needs_answer=bool(row[24]) and row[11] == PlanStatus.ACTIVE,
        changed=bool(row[24]) and bool(row[25]) and row[11] == PlanStatus.ACTIVE,
    )


def _people(
    rows: Sequence[Any], titles: dict[int, str]
) -> tuple[list[Contact], list[PendingHandover]]:
    """Contacts once each (care contacts and coordinators first) and pending handovers."""
    contacts: dict[tuple[str, int], Contact] = {}
    handovers: list[PendingHandover] = []
    ordered = sorted(rows, key=lambda row: (row[1], row[15] or 0, row[2]))
    for (
        kind,
        plan_id,
        row_id,
        role,
        coordinates,
        practitioner_id,
        given,
        family,
        title,
        phone,
        unit_name,
        unit_phone,
        external_name,
        external_contact,
        responsibility,
        _position,
        to_given,
        to_family,
    ) in ordered:
        if plan_id not in titles:
            continue  # kept private from this proxy
        if kind == "handover":
            handovers.append(
                PendingHandover(
                    titles[plan_id], role, f"{given} {family}", f"{to_given} {to_family}"
                )
            )
            continue
        key = ("p", practitioner_id) if practitioner_id else ("x", row_id)
        contact = contacts.get(key)
        if contact is None:
            contact = Contact(
                plan_id=plan_id,
                role=role,
                practitioner_id=practitioner_id,
                name=f"{given} {family}" if practitioner_id else (external_name or ""),
                given_name=given or "",
                title=title or "",
                unit_name=unit_name or "",
                phone=(phone or unit_phone or "") if practitioner_id else "",
                external_contact=external_contact or "",
                responsibility=responsibility or "",
            )
        if coordinates:
            contact = replace(contact, coordinates=(*contact.coordinates, titles[plan_id]))
        contacts[key] = contact
    return (
        sorted(contacts.values(), key=lambda c: (not c.coordinates, CONTACT_ORDER.index(c.role))),
        handovers,
    )


# --- the same shapes from ORM objects, for pages that still load through the ORM -----------
def contact_of(member: CareTeamMember, coordinates: tuple[str, ...] = ()) -> Contact:
    practitioner = member.practitioner
    return Contact(
        plan_id=member.plan_id,
        role=member.role,
        practitioner_id=member.practitioner_id,
        name=member.display_name,
        given_name=practitioner.given_name if practitioner else "",
        title=practitioner.title if practitioner else "",
        unit_name=practitioner.unit.name if practitioner else "",
        phone=(practitioner.phone or practitioner.unit.phone or "") if practitioner else "",
        external_contact=member.external_contact or "",
        responsibility=member.responsibility or "",
        coordinates=coordinates,
    )


def handovers_of(plan: CarePlan) -> list[PendingHandover]:
    return [
        PendingHandover(
            plan.title,
            handover.role,
            handover.from_practitioner.full_name,
            handover.to_practitioner.full_name,
        )
        for handover in plan.pending_handovers
    ]


def what_matters_of(answers: WhatMatters | None) -> WhatMattersLine | None:
    if answers is None or not answers.what_matters:
        return None
    return WhatMattersLine(answers.what_matters, answers.written_by.full_name, answers.created_at)


# --- the plan page's goals and activities, in one statement ----------------------------------
_item_principal = aliased(Principal)
# Who does it, in the order the patient reads it (presenting.group_activities).
_item_group = case(
    (Activity.responsible == Responsible.PATIENT, "patient"),
    (Activity.responsible == Responsible.RELATIVE, "relative"),
    (_item_principal.kind == PrincipalKind.MUNICIPALITY, "municipality"),
    (_item_principal.id.is_not(None), "care"),
    else_="other",
)
_goals = select(
    literal("goal", String).label("kind"),
    Goal.id,
    Goal.parent_id,
    Goal.text,
    type_coerce(Goal.status, String).label("status"),
    Goal.target_date,
    Goal.progress_state,
    Goal.progress_note,
    Goal.progress_at,
    type_coerce(Goal.proposed_by, String).label("proposed_by"),
    Goal.decline_reason,
    Goal.position,
    literal(None, String).label("responsible"),
    literal(None, String).label("when_text"),
    literal(None, Date).label("due_on"),
    literal(None, String).label("responsible_display"),
    literal(None, String).label("group_key"),
).where(Goal.plan_id == bindparam("plan_id"))
_activities = (
    select(
        literal("activity", String),
        Activity.id,
        Activity.goal_id,
        Activity.text,
        type_coerce(Activity.status, String),
        literal(None, Date),
        Activity.progress_state,
        Activity.progress_note,
        Activity.progress_at,
        literal(None, String),
        literal(None, String),
        Activity.position,
        type_coerce(Activity.responsible, String),
        Activity.when_text,
        Activity.due_on,
        _responsible,
        _item_group,
    )
    .select_from(_WITH_RESPONSIBLE)
    .outerjoin(
        _item_principal,
        _item_principal.id
        == func.coalesce(_activity_unit.principal_id, _activity_practitioner_unit.principal_id),
    )
    .where(Activity.plan_id == bindparam("plan_id"))
)
PLAN_ITEMS = union_all(_goals, _activities)


@dataclass(frozen=True)
class PlanItem:
    """A goal or an activity as the plan page prints it."""

    kind: str
    id: int
    parent_id: int | None
    text: str
    status: str
    target_date: date | None
    progress_state: str | None
    progress_note: str | None
    progress_at: datetime | None
    proposed_by: str | None
    decline_reason: str | None
    position: int
    responsible: str | None
    when_text: str | None
    due_on: date | None
    responsible_display: str | None
    group_key: str | None


def plan_items(session: Session, plan_id: int) -> tuple[list[PlanItem], list[PlanItem]]:
    """The plan's goals and its activities, each in the plan's order."""
    items = [
        PlanItem(*row) for row in session.connection().execute(PLAN_ITEMS, {"plan_id": plan_id})
    ]
    items.sort(key=lambda item: (item.position, item.id))
    return (
        [item for item in items if item.kind == "goal"],
        [item for item in items if item.kind == "activity"],
    )
