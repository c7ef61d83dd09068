"""Reads for the message pages: the patient's threads, one thread, the care inbox, and whom one
may write to. Each is a fixed statement with bind parameters, built once; rows become frozen
dataclasses that the templates print. The gate (or, for lists, the access context) has decided
who may see what; these statements only read."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import String, and_, bindparam, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

# The context's staff rule over bind parameters: the same rule book as the gate.
from app.access.context import staff_plan_rule
from app.accounts.models import CareUnit, Person, Practitioner
from app.messages.models import Message, Thread, ThreadStatus
from app.messages.workdays import add_working_days
from app.plans.models import CarePlan, CareTeamMember, PlanStatus

INBOX_PAGE_SIZE = 50


@dataclass(frozen=True)
class PatientName:
    """Whom a page is about, for the banner of someone acting for them."""

    full_name: str


PATIENT_NAME = select(Person.given_name, Person.family_name).where(
    Person.id == bindparam("patient_id")
)


def patient_name(session: Session, patient_id: int) -> PatientName:
    row = session.connection().execute(PATIENT_NAME, {"patient_id": patient_id}).one()
    return PatientName(_name(row[0], row[1]))


def _name(given: str | None, family: str | None) -> str:
    return f"{given} {family}" if given is not None else ""


def answer_due(waiting_since: datetime | None, working_days: int, zone: tzinfo) -> date | None:
    """The day care promised to answer by, counted from the day the patient started waiting."""
    if waiting_since is None:
        return None
    return add_working_days(waiting_since.astimezone(zone).date(), working_days)


# --- the patient's threads ----------------------------------------------------------------
@dataclass(frozen=True)
class ThreadListRow:
    id: int
    subject: str
    status: str
    last_message_at: datetime
    assigned_name: str
    unit_name: str
    unread: int


@dataclass(frozen=True)
class ThreadList:
    patient: PatientName
    rows: list[ThreadListRow]


_UNREAD_FOR_PATIENT = (
    select(func.count(Message.id))
    .where(
        Message.thread_id == Thread.id,
        Message.author_practitioner_id.is_not(None),
        Message.read_by_patient_at.is_(None),
    )
    .correlate(Thread)
    .scalar_subquery()
)
# The patient's row with one row per thread they let this reader see (a proxy's private plans
# and threads are left out), newest activity first.
THREAD_LIST = (
    select(
        Person.given_name,
        Person.family_name,
        Thread.id,
        Thread.subject,
        Thread.status,
        Thread.last_message_at,
        Practitioner.given_name.label("assigned_given"),
        Practitioner.family_name.label("assigned_family"),
        CareUnit.name.label("unit_name"),
        _UNREAD_FOR_PATIENT.label("unread"),
    )
    .select_from(Person)
    .outerjoin(
        Thread,
        and_(
            Thread.patient_id == Person.id,
            Thread.id.not_in(bindparam("private_threads", expanding=True)),
            or_(
                Thread.plan_id.is_(None),
                Thread.plan_id.not_in(bindparam("private_plans", expanding=True)),
            ),
        ),
    )
    .outerjoin(Practitioner, Practitioner.id == Thread.assigned_to_id)
    .outerjoin(CareUnit, CareUnit.id == Thread.unit_id)
    .where(Person.id == bindparam("patient_id"))
    .order_by(Thread.last_message_at.desc())
)


def thread_list(
    session: Session,
    patient_id: int,
    private_plans: frozenset[int],
    private_threads: frozenset[int],
) -> ThreadList:
    rows = (
        session.connection()
        .execute(
            THREAD_LIST,
            {
                "patient_id": patient_id,
                "private_plans": list(private_plans),
                "private_threads": list(private_threads),
            },
        )
        .all()
    )
    return ThreadList(
        PatientName(_name(rows[0].given_name, rows[0].family_name)),
        [
            ThreadListRow(
                row.id,
                row.subject,
                str(row.status),
                row.last_message_at,
                _name(row.assigned_given, row.assigned_family),
                row.unit_name,
                row.unread or 0,
            )
            for row in rows
            if row.id is not None
        ],
    )


# --- one thread ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MessageView:
    id: int
    body: str
    created_at: datetime
    from_care: bool
    author_name: str
    author_unit: str
    on_behalf_name: str
    read_by_care_at: datetime | None
    read_by_name: str
    read_by_patient_at: datetime | None


@dataclass(frozen=True)
class ThreadPage:
    id: int
    patient_id: int
    patient_name: str
    subject: str
    status: str
    plan_title: str | None
    unit_name: str
    working_days: int
    waiting_since: datetime | None
    assigned_to_id: int | None
    assigned_name: str
    offered_to_id: int | None
    offered_name: str
    offer_note: str | None
    messages: tuple[MessageView, ...]

    def due(self, zone: tzinfo) -> date | None:
        return answer_due(self.waiting_since, self.working_days, zone)

    def etag_state(self) -> str:
        """What the polling page's ETag depends on: the messages and care's read receipts."""
        return ":".join(f"{m.id}-{m.read_by_care_at is not None}" for m in self.messages)

    def unread_for(self, staff: bool) -> bool:
        """The other side has written something this side has not opened."""
        if staff:
            return any(not m.from_care and m.read_by_care_at is None for m in self.messages)
        return any(m.from_care and m.read_by_patient_at is None for m in self.messages)

    def read_now(self, staff: bool, reader: str, now: datetime) -> ThreadPage:
        """The page as it is once this side has opened it (the service marks it read)."""
        if not staff:
            return replace(
                self,
                messages=tuple(
                    replace(m, read_by_patient_at=now)
                    if m.from_care and m.read_by_patient_at is None
                    else m
                    for m in self.messages
                ),
            )
        return replace(
            self,
            messages=tuple(
                replace(m, read_by_care_at=now, read_by_name=reader)
                if not m.from_care and m.read_by_care_at is None
                else m
                for m in self.messages
            ),
        )


_patient, _author, _for = aliased(Person), aliased(Person), aliased(Person)
_assigned, _offered = aliased(Practitioner), aliased(Practitioner)
_writer, _reader = aliased(Practitioner), aliased(Practitioner)
_writer_unit = aliased(CareUnit)
# The thread with one row per message (or one row without): one statement, however long.
THREAD_PAGE = (
    select(
        Thread.id,
        Thread.patient_id,
        _patient.given_name.label("patient_given"),
        _patient.family_name.label("patient_family"),
        Thread.subject,
        Thread.status,
        CarePlan.title.label("plan_title"),
        CareUnit.name.label("unit_name"),
        CareUnit.response_working_days,
        Thread.waiting_since,
        Thread.assigned_to_id,
        _assigned.given_name.label("assigned_given"),
        _assigned.family_name.label("assigned_family"),
        Thread.offered_to_id,
        _offered.given_name.label("offered_given"),
        _offered.family_name.label("offered_family"),
        Thread.offer_note,
        Message.id.label("message_id"),
        Message.body,
        Message.created_at,
        Message.author_practitioner_id,
        _author.given_name.label("author_given"),
        _author.family_name.label("author_family"),
        _writer.given_name.label("writer_given"),
        _writer.family_name.label("writer_family"),
        _writer_unit.name.label("writer_unit"),
        _for.given_name.label("for_given"),
        _for.family_name.label("for_family"),
        Message.read_by_care_at,
        _reader.given_name.label("reader_given"),
        _reader.family_name.label("reader_family"),
        Message.read_by_patient_at,
    )
    .join(_patient, _patient.id == Thread.patient_id)
    .join(CareUnit, CareUnit.id == Thread.unit_id)
    .outerjoin(_assigned, _assigned.id == Thread.assigned_to_id)
    .outerjoin(_offered, _offered.id == Thread.offered_to_id)
    .outerjoin(CarePlan, CarePlan.id == Thread.plan_id)
    .outerjoin(Message, Message.thread_id == Thread.id)
    .outerjoin(_author, _author.id == Message.author_person_id)
    .outerjoin(_writer, _writer.id == Message.author_practitioner_id)
    .outerjoin(_writer_unit, _writer_unit.id == _writer.unit_id)
    .outerjoin(_for, _for.id == Message.on_behalf_of_id)
    .outerjoin(_reader, _reader.id == Message.read_by_care_id)
    .where(Thread.id == bindparam("thread_id"))
    .order_by(Message.created_at, Message.id)
)


def _message(row: Any) -> MessageView:
    care = row.author_practitioner_id is not None
    return MessageView(
        id=row.message_id,
        body=row.body,
        created_at=row.created_at,
        from_care=care,
        author_name=_name(row.writer_given, row.writer_family)
        if care
        else _name(row.author_given, row.author_family),
        author_unit=row.writer_unit or "",
        on_behalf_name=_name(row.for_given, row.for_family),
        read_by_care_at=row.read_by_care_at,
        read_by_name=_name(row.reader_given, row.reader_family),
        read_by_patient_at=row.read_by_patient_at,
    )


def thread_page(session: Session, thread_id: int) -> ThreadPage:
    """The thread the gate has let the actor read, with all its messages, oldest first."""
    rows = session.connection().execute(THREAD_PAGE, {"thread_id": thread_id}).all()
    first = rows[0]
    return ThreadPage(
        id=first.id,
        patient_id=first.patient_id,
        patient_name=_name(first.patient_given, first.patient_family),
        subject=first.subject,
        status=str(first.status),
        plan_title=first.plan_title,
        unit_name=first.unit_name,
        working_days=first.response_working_days,
        waiting_since=first.waiting_since,
        assigned_to_id=first.assigned_to_id,
        assigned_name=_name(first.assigned_given, first.assigned_family),
        offered_to_id=first.offered_to_id,
        offered_name=_name(first.offered_given, first.offered_family),
        offer_note=first.offer_note,
        messages=tuple(_message(row) for row in rows if row.message_id is not None),
    )


# --- colleagues and recipients ------------------------------------------------------------
@dataclass(frozen=True)
class Colleague:
    id: int
    name: str
    unit_name: str


_ON_TEAM_TODAY = and_(
    CareTeamMember.valid_from <= bindparam("today"),
    or_(CareTeamMember.valid_until.is_(None), CareTeamMember.valid_until >= bindparam("today")),
)
COLLEAGUES = (
    select(Practitioner.id, Practitioner.given_name, Practitioner.family_name, CareUnit.name)
    .join(CareUnit, CareUnit.id == Practitioner.unit_id)
    .join(CareTeamMember, CareTeamMember.practitioner_id == Practitioner.id)
    .join(CarePlan, CarePlan.id == CareTeamMember.plan_id)
    .where(
        CarePlan.patient_id == bindparam("patient_id"),
        CarePlan.status == PlanStatus.ACTIVE,
        _ON_TEAM_TODAY,
    )
    .distinct()
    .order_by(Practitioner.family_name, Practitioner.given_name, Practitioner.id)
)


def colleagues(session: Session, patient_id: int, today: date) -> list[Colleague]:
    """Practitioners on the patient's current care teams, who may take over a thread."""
    rows = session.connection().execute(COLLEAGUES, {"patient_id": patient_id, "today": today})
    return [Colleague(row[0], _name(row[1], row[2]), row[3]) for row in rows]


@dataclass(frozen=True)
class Recipient:
    plan_id: int
    practitioner_id: int
    unit_id: int
    name: str
    unit_name: str
    is_coordinator: bool

    @property
    def value(self) -> str:
        return f"{self.plan_id}:{self.practitioner_id}"


@dataclass(frozen=True)
class RecipientGroup:
    plan_id: int
    title: str
    members: tuple[Recipient, ...]


RECIPIENTS = (
    select(
        CarePlan.id,
        CarePlan.title,
        Practitioner.id.label("practitioner_id"),
        Practitioner.unit_id,
        Practitioner.given_name,
        Practitioner.family_name,
        CareUnit.name,
        CareTeamMember.is_coordinator,
    )
    .join(CareTeamMember, CareTeamMember.plan_id == CarePlan.id)
    .join(Practitioner, Practitioner.id == CareTeamMember.practitioner_id)
    .join(CareUnit, CareUnit.id == Practitioner.unit_id)
    .where(
        CarePlan.patient_id == bindparam("patient_id"),
        CarePlan.status == PlanStatus.ACTIVE,
        _ON_TEAM_TODAY,
    )
    .order_by(CarePlan.id, CareTeamMember.position, CareTeamMember.id)
)


def recipients(
    session: Session, patient_id: int, today: date, readable: frozenset[int] | None
) -> list[RecipientGroup]:
    """The patient's active plans (those in `readable`, if given) with the practitioners one
    can write to; the coordinator first."""
    groups: dict[int, tuple[str, list[Recipient]]] = {}
    for row in session.connection().execute(RECIPIENTS, {"patient_id": patient_id, "today": today}):
        if readable is not None and row.id not in readable:
            continue
        _, members = groups.setdefault(row.id, (row.title, []))
        members.append(
            Recipient(
                row.id,
                row.practitioner_id,
                row.unit_id,
                _name(row.given_name, row.family_name),
                row.name,
                bool(row.is_coordinator),
            )
        )
    return [
        RecipientGroup(plan_id, title, tuple(sorted(members, key=lambda m: not m.is_coordinator)))
        for plan_id, (title, members) in groups.items()
    ]


# --- the care inbox -----------------------------------------------------------------------
@dataclass(frozen=True)
class InboxRow:
    id: int
    subject: str
    patient_id: int
    patient_name: str
    personal_number: str
    # Who wrote the latest message from the patient's side, when it was not the patient (a
    # relative or guardian writing for them); None when the patient wrote it.
    written_by: str | None
    unread: int
    waiting_since: datetime | None
    due: date | None
    assigned_name: str
    offered_name: str


_UNREAD_FOR_CARE = (
    select(func.count(Message.id))
    .where(
        Message.thread_id == Thread.id,
        Message.author_person_id.is_not(None),
        Message.read_by_care_at.is_(None),
    )
    .correlate(Thread)
    .scalar_subquery()
)
# thread_clause for staff over bind parameters: a care relationship with the patient, and the
# thread at their unit, assigned or offered to them.
_STAFF_MAY_READ = and_(
    exists().where(CarePlan.patient_id == Thread.patient_id, staff_plan_rule()),
    or_(
        Thread.unit_id == bindparam("unit_id"),
        Thread.assigned_to_id == bindparam("practitioner_id"),
        Thread.offered_to_id == bindparam("practitioner_id"),
    ),
)
_MINE = or_(
    Thread.assigned_to_id == bindparam("practitioner_id"),
    Thread.offered_to_id == bindparam("practitioner_id"),
)
_UNIT = Thread.unit_id == bindparam("unit_id")
_inbox_patient, _patient_side = aliased(Person), aliased(Person)
_inbox_assigned, _inbox_offered = aliased(Practitioner), aliased(Practitioner)
_LAST_WRITER = (
    select(
        case(
            (Message.author_person_id == Thread.patient_id, literal(None, String)),
            else_=_patient_side.given_name + " " + _patient_side.family_name,
        )
    )
    .select_from(Message)
    .join(_patient_side, _patient_side.id == Message.author_person_id)
    .where(Message.thread_id == Thread.id)
    .order_by(Message.created_at.desc(), Message.id.desc())
    .limit(1)
    .correlate(Thread)
    .scalar_subquery()
)


def _inbox_rows(scope: Any) -> Any:
    return (
        select(
            Thread.id,
            Thread.subject,
            Thread.patient_id,
            _inbox_patient.given_name,
            _inbox_patient.family_name,
            _inbox_patient.personal_number,
            _LAST_WRITER.label("written_by"),
            _UNREAD_FOR_CARE.label("unread"),
            Thread.waiting_since,
            CareUnit.response_working_days,
            _inbox_assigned.given_name.label("assigned_given"),
            _inbox_assigned.family_name.label("assigned_family"),
            _inbox_offered.given_name.label("offered_given"),
            _inbox_offered.family_name.label("offered_family"),
        )
        .join(_inbox_patient, _inbox_patient.id == Thread.patient_id)
        .join(CareUnit, CareUnit.id == Thread.unit_id)
        .outerjoin(_inbox_assigned, _inbox_assigned.id == Thread.assigned_to_id)
        .outerjoin(_inbox_offered, _inbox_offered.id == Thread.offered_to_id)
        .where(scope, Thread.status != ThreadStatus.HANDLED, _STAFF_MAY_READ)
        .order_by(Thread.waiting_since.is_(None), Thread.waiting_since, Thread.last_message_at)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _inbox_count(scope: Any) -> Any:
    return select(func.count(Thread.id)).where(
        scope, Thread.status != ThreadStatus.HANDLED, _STAFF_MAY_READ
    )


INBOX = {True: _inbox_rows(_MINE), False: _inbox_rows(_UNIT)}
INBOX_COUNT = {True: _inbox_count(_MINE), False: _inbox_count(_UNIT)}


def inbox(
    session: Session,
    practitioner_id: int,
    unit_id: int,
    today: date,
    zone: tzinfo,
    mine: bool,
    page: int = 1,
) -> tuple[list[InboxRow], int]:
    """One page of open threads for the practitioner (assigned or offered to them) or their
    unit, the longest-waiting first, and the number of open threads in all."""
    params: dict[str, object] = {
        "practitioner_id": practitioner_id,
        "unit_id": unit_id,
        "today": today,
    }
    total = session.connection().scalar(INBOX_COUNT[mine], params) or 0
    rows = session.connection().execute(
        INBOX[mine],
        {**params, "limit": INBOX_PAGE_SIZE, "offset": (page - 1) * INBOX_PAGE_SIZE},
    )
    return [
        InboxRow(
            row.id,
            row.subject,
            row.patient_id,
            _name(row.given_name, row.family_name),
            f"{row.personal_number[:8]}-{row.personal_number[8:]}",
            row.written_by,
            row.unread or 0,
            row.waiting_since,
            answer_due(row.waiting_since, row.response_working_days, zone),
            _name(row.assigned_given, row.assigned_family),
            _name(row.offered_given, row.offered_family),
        )
        for row in rows
    ], total
