"""The follow-up figures of one principal for one month, counted by SQL aggregation, and
protected so that nobody can be picked out.

Seed 002 asks each region to say how the documented agreement is followed up, around its seven
questions, with the target that at least 55 % have a named fast läkarkontakt; seed 001 asks that
patients' experience be followed up. Each figure is counted per unit and for the principal as
a whole, by GROUP BY in the database (one statement per figure and level), never by reading
rows into Python.

Nobody exposed: a cell is counted in patients, and a cell of 1 to 4 patients shows no number.
Where one unit's cell is hidden, the smallest other unit's is hidden too, so that the
principal's total minus the shown units cannot give it back (0 is shown: it points at nobody).
A principal's total under 5 is hidden as well.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from app.accounts.models import CareUnit
from app.agreements.models import Agreement, AgreementAnswer
from app.care_requests.models import CareRequest
from app.followup.models import QUESTIONS, Reply, SevenQuestions
from app.messages.models import Wait
from app.plans.models import (
    CarePlan,
    CareTeamMember,
    Handover,
    PlanKind,
    PlanStatus,
    PlanVersion,
    TeamRole,
)
from app.sip.models import SipMeeting
from app.sqltime import STOCKHOLM, days_between, swedish_day, swedish_month

SMALLEST = 5  # fewer patients than this in a cell: no number is shown
DOCTOR_TARGET = 0.55  # seed 002: at least 55 % with a named fast läkarkontakt
TREND_MONTHS = 12


class Figure(enum.StrEnum):
    CARE_CONTACT = "care_contact"
    DOCTOR = "doctor"
    SIP_FOLLOWED_UP = "sip_followed_up"
    ANSWERED = "answered"
    AGREED = "agreed"
    QUESTIONS = "questions"
    DAYS_TO_ANSWER = "days_to_answer"
    REQUESTS_IN_TIME = "requests_in_time"
    MESSAGES_IN_TIME = "messages_in_time"
    MESSAGE_DAYS = "message_days"
    HANDOVERS_IN_TIME = "handovers_in_time"
    SIP_CALLED_IN_TIME = "sip_called_in_time"
    SIP_HELD_IN_TIME = "sip_held_in_time"


@dataclass(frozen=True)
class Cell:
    """One figure for one unit (or the principal): the patients it is built on, and the share
    (0–1) or number of days. Both None when hidden; `value` None too when there is nothing to
    count (no patients)."""

    patients: int | None
    value: float | None
    hidden: bool = False


@dataclass(frozen=True)
class Row:
    unit_id: int | None  # None: the principal as a whole
    name: str
    cells: dict[str, Cell]


@dataclass(frozen=True)
class TrendPoint:
    month: str  # YYYY-MM
    patients: int | None
    value: float | None
    hidden: bool


@dataclass
class Figures:
    month: date
    units: list[Row]
    total: Row | None
    seven: list[Row]  # the seven questions: one cell per question, the share answering "Ja"
    trends: dict[str, list[TrendPoint]] = field(default_factory=dict)
    counted_at: datetime | None = None


@dataclass(frozen=True)
class Counted:
    """A month's counts for a principal (or one unit), before protection: what is stored
    (app/followup/stored.py). Keyed by unit id, None for the principal as a whole."""

    cells: dict[int | None, dict[str, Cell]]
    seven: dict[int | None, dict[str, Cell]]
    trends: dict[str, list[TrendPoint]]
    counted_at: datetime


# --- the month, in Swedish time ---------------------------------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first moment of the month and of the next, Swedish time, in UTC."""
    start = datetime.combine(month.replace(day=1), time.min, STOCKHOLM)
    following = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    end = datetime.combine(following, time.min, STOCKHOLM)
    return start.astimezone(UTC), end.astimezone(UTC)


def last_day(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


# --- what is counted --------------------------------------------------------------------------


def _units(principal_id: int, unit_id: int | None) -> ColumnElement[bool]:
    scope = CareUnit.principal_id == principal_id
    return and_(scope, CareUnit.id == unit_id) if unit_id is not None else scope


Counts = Callable[[Any], list[Any]]
Levels = Select[Any] | CompoundSelect


def _levels(rows: Select[Any], counts: Counts, whole: bool) -> Select[Any] | CompoundSelect:
    """The same counts per unit and, for the whole principal, once more over all of them (a
    patient counted once there), in one statement: the rows are found once (a CTE, which
    PostgreSQL materialises when it is read twice) and grouped twice. The unit comes last in
    each row, None for the principal."""
    found = rows.cte("counted")
    per_unit = select(*counts(found.c), found.c.unit_id).group_by(found.c.unit_id)
    if not whole:
        return per_unit
    return union_all(per_unit, select(*counts(found.c), cast(null(), Integer).label("unit_id")))


def _active_at(end: datetime) -> ColumnElement[bool]:
    """A plan in force at `end`: its first version published before it, not closed before it
    (one probe of the plan's first version by its unique (plan, number) index)."""
    return and_(
        CarePlan.status != PlanStatus.DRAFT,
        exists().where(
            PlanVersion.plan_id == CarePlan.id,
            PlanVersion.number == 1,
            PlanVersion.published_at < end,
        ),
        or_(CarePlan.closed_at.is_(None), CarePlan.closed_at >= end),
    )


def _named_on(day: date) -> Any:
    """Per plan, whether it has a named fast vårdkontakt and a named fast läkarkontakt on `day`:
    one pass over the care-team rows, grouped, joined to the plans (not a probe per plan)."""
    current = and_(
        CareTeamMember.practitioner_id.is_not(None),
        CareTeamMember.role.in_((TeamRole.CARE_CONTACT, TeamRole.DOCTOR)),
        CareTeamMember.valid_from <= day,
        or_(CareTeamMember.valid_until.is_(None), CareTeamMember.valid_until >= day),
    )
    return (
        select(
            CareTeamMember.plan_id.label("plan_id"),
            func.max(case((CareTeamMember.role == TeamRole.CARE_CONTACT, 1), else_=0)).label(
                "contact"
            ),
            func.max(case((CareTeamMember.role == TeamRole.DOCTOR, 1), else_=0)).label("doctor"),
        )
        .where(current)
        .group_by(CareTeamMember.plan_id)
        .subquery("named")
    )


def _contacts(principal_id: int, unit_id: int | None, month: date, whole: bool) -> Levels:
    """Patients with a plan in force at the month's end; of them, those with a named fast
    vårdkontakt and a named fast läkarkontakt on such a plan."""
    _, end = month_bounds(month)
    named = _named_on(last_day(month))
    rows = (
        select(
            CarePlan.unit_id.label("unit_id"),
            CarePlan.patient_id.label("patient"),
            named.c.contact.label("contact"),
            named.c.doctor.label("doctor"),
        )
        .join(CareUnit, CareUnit.id == CarePlan.unit_id)
        .outerjoin(named, named.c.plan_id == CarePlan.id)
        .where(_units(principal_id, unit_id), _active_at(end))
    )
    return _levels(
        rows,
        lambda c: [
            func.count(distinct(c.patient)),
            func.count(distinct(case((c.contact == 1, c.patient)))),
            func.count(distinct(case((c.doctor == 1, c.patient)))),
        ],
        whole,
    )


def _sips(principal_id: int, unit_id: int | None, month: date, whole: bool) -> Levels:
    """SIPs in force at the month's end that are a year old or more; of them, those followed up
    within the last twelve months."""
    _, end = month_bounds(month)
    year_before = last_day(month) - timedelta(days=365)
    old_enough = exists().where(
        PlanVersion.plan_id == CarePlan.id, PlanVersion.published_at < end - timedelta(days=365)
    )
    rows = (
        select(
            CarePlan.unit_id.label("unit_id"),
            CarePlan.patient_id.label("patient"),
            case((CarePlan.last_followed_up_on > year_before, 1), else_=0).label("followed"),
        )
        .join(CareUnit, CareUnit.id == CarePlan.unit_id)
        .where(
            _units(principal_id, unit_id),
            CarePlan.kind == PlanKind.SIP,
            _active_at(end),
            old_enough,
        )
    )
    return _levels(
        rows,
        lambda c: [
            func.count(distinct(c.patient)),
            func.count(distinct(case((c.followed == 1, c.patient)))),
        ],
        whole,
    )


def _versions_of(principal_id: int, unit_id: int | None, start: datetime, end: datetime) -> Any:
    return (
        select(PlanVersion.id)
        .join(CarePlan, CarePlan.id == PlanVersion.plan_id)
        .join(CareUnit, CareUnit.id == CarePlan.unit_id)
        .outerjoin(
            Agreement,
            and_(
                Agreement.plan_id == PlanVersion.plan_id,
                Agreement.plan_version == PlanVersion.number,
            ),
        )
        .where(
            _units(principal_id, unit_id),
            PlanVersion.published_at >= start,
            PlanVersion.published_at < end,
        )
    )


def _answers(principal_id: int, unit_id: int | None, month: date, whole: bool) -> Levels:
    """Plan versions published in the month: the patients they went to, how many versions, how
    many were answered, "Stämmer" and "Jag har frågor"."""
    start, end = month_bounds(month)
    rows = _versions_of(principal_id, unit_id, start, end).with_only_columns(
        CarePlan.unit_id.label("unit_id"),
        CarePlan.patient_id.label("patient"),
        PlanVersion.id.label("version"),
        Agreement.id.label("agreement"),
        Agreement.answer.label("answer"),
    )
    return _levels(
        rows,
        lambda c: [
            func.count(distinct(c.patient)),
            func.count(c.version),
            func.count(c.agreement),
            func.count(case((c.answer == AgreementAnswer.AGREE, c.agreement))),
            func.count(case((c.answer == AgreementAnswer.QUESTIONS, c.agreement))),
        ],
        whole,
    )


def _median_days(
    principal_id: int, unit_id: int | None, month: date, whole: bool
) -> Select[Any] | CompoundSelect:
    """The median days from publishing to the patient's answer, for versions published in the
    month and answered."""
    start, end = month_bounds(month)
    rows = (
        _versions_of(principal_id, unit_id, start, end)
        .with_only_columns(
            CarePlan.unit_id.label("unit_id"),
            days_between(PlanVersion.published_at, Agreement.answered_at).label("days"),
        )
        .where(Agreement.id.is_not(None))
    )
    return _medians(rows, whole)


def _in_time(done: Any, due_on: Any) -> ColumnElement[bool]:
    """Done by the day promised, by the Swedish day it was done."""
    return and_(done.is_not(None), swedish_day(done) <= due_on)


def _decided(done: Any, due_on: Any, today: date) -> ColumnElement[bool]:
    """Whether in time or not is known: done, or its day has passed (one not yet due counts
    neither way)."""
    return or_(done.is_not(None), due_on < today)


@dataclass(frozen=True)
class _Promised:
    """Something care does by a promised day: whose it is, where, when it began, when it was
    done, and the day it was due."""

    unit: Any
    patient: Any
    begun: Any
    done: Any
    due: Any


# Patients' requests (a plan, a SIP, another fast vårdkontakt), due by the unit's working days.
REQUESTS = _Promised(
    CareRequest.unit_id,
    CareRequest.patient_id,
    CareRequest.created_at,
    CareRequest.answered_at,
    CareRequest.due_on,
)
# Times patients waited for an answer to a message, due by the unit's promise when they began;
# marking the matter handled counts as an answer.
WAITS = _Promised(Wait.unit_id, Wait.patient_id, Wait.started_at, Wait.ended_at, Wait.due_on)


def _promised(
    what: _Promised,
    principal_id: int,
    unit_id: int | None,
    start: datetime,
    end: datetime,
    today: date,
) -> Select[Any]:
    """What began between `start` and `end` and is decided, with whether it was in time."""
    return (
        select(
            what.unit.label("unit_id"),
            what.patient.label("patient"),
            case((_in_time(what.done, what.due), 1)).label("in_time"),
            what.begun.label("begun"),
        )
        .join(CareUnit, CareUnit.id == what.unit)
        .where(
            _units(principal_id, unit_id),
            what.begun >= start,
            what.begun < end,
            _decided(what.done, what.due, today),
        )
    )


def _in_time_in(
    what: _Promised, principal_id: int, unit_id: int | None, month: date, whole: bool, today: date
) -> Levels:
    """Begun in the month and decided: the patients, how many, how many in time."""
    start, end = month_bounds(month)
    return _levels(
        _promised(what, principal_id, unit_id, start, end, today), _in_time_counts, whole
    )


def _median_message_days(
    principal_id: int, unit_id: int | None, month: date, whole: bool
) -> Select[Any] | CompoundSelect:
    """The median working days to an answer, for waits begun in the month and answered."""
    start, end = month_bounds(month)
    rows = (
        select(Wait.unit_id.label("unit_id"), Wait.working_days.label("days"))
        .join(CareUnit, CareUnit.id == Wait.unit_id)
        .where(
            _units(principal_id, unit_id),
            Wait.started_at >= start,
            Wait.started_at < end,
            Wait.ended_at.is_not(None),
        )
    )
    return _medians(rows, whole)


def _medians(rows: Select[Any], whole: bool) -> Select[Any] | CompoundSelect:
    """The median of `days` per unit and (whole) over all: the middle value (the mean of the
    middle two), by its place in order (window functions), from rows found once."""
    found = rows.cte("measured")

    def middle(group: Any, unit: Any) -> Select[Any]:
        ranked = select(
            unit.label("unit_id"),
            found.c.days,
            func.row_number().over(partition_by=group, order_by=found.c.days).label("place"),
            func.count().over(partition_by=group).label("answered"),
        ).subquery()
        return (
            select(func.avg(ranked.c.days), ranked.c.unit_id)
            .where(
                or_(
                    ranked.c.place == (ranked.c.answered + 1) // 2,
                    ranked.c.place == (ranked.c.answered + 2) // 2,
                )
            )
            .group_by(ranked.c.unit_id)
        )

    per_unit = middle(found.c.unit_id, found.c.unit_id)
    if not whole:
        return per_unit
    return union_all(per_unit, middle(literal(0), cast(null(), Integer)))


def _handovers(
    principal_id: int, unit_id: int | None, month: date, whole: bool, today: date
) -> Levels:
    """Handovers (aktiv överlämning) offered in the month and decided, not withdrawn before an
    answer: the patients whose plans they were on, how many, how many acknowledged in time."""
    start, end = month_bounds(month)
    rows = (
        select(
            CarePlan.unit_id.label("unit_id"),
            CarePlan.patient_id.label("patient"),
            case((_in_time(Handover.acknowledged_at, Handover.due_on), 1)).label("in_time"),
        )
        .select_from(Handover)
        .join(CarePlan, CarePlan.id == Handover.plan_id)
        .join(CareUnit, CareUnit.id == CarePlan.unit_id)
        .where(
            _units(principal_id, unit_id),
            Handover.created_at >= start,
            Handover.created_at < end,
            or_(Handover.cancelled_at.is_(None), Handover.acknowledged_at.is_not(None)),
            _decided(Handover.acknowledged_at, Handover.due_on, today),
        )
    )
    return _levels(rows, _in_time_counts, whole)


def _sip_meetings(
    principal_id: int, unit_id: int | None, month: date, whole: bool, today: date
) -> Levels:
    """SIP meetings called in the month (seed 003): the patients, how many, how many called
    within the working days after the need became known, how many are decided (held, or their
    last day passed) and how many of those were held by their last day."""
    start, end = month_bounds(month)
    rows = (
        select(
            SipMeeting.unit_id.label("unit_id"),
            SipMeeting.patient_id.label("patient"),
            case((swedish_day(SipMeeting.called_at) <= SipMeeting.call_due_on, 1)).label(
                "called_in_time"
            ),
            case((_decided(SipMeeting.held_at, SipMeeting.meet_by, today), 1)).label("decided"),
            case((_in_time(SipMeeting.held_at, SipMeeting.meet_by), 1)).label("held_in_time"),
        )
        .join(CareUnit, CareUnit.id == SipMeeting.unit_id)
        .where(
            _units(principal_id, unit_id),
            SipMeeting.called_at >= start,
            SipMeeting.called_at < end,
        )
    )
    return _levels(
        rows,
        lambda c: [
            func.count(distinct(c.patient)),
            func.count(),
            func.count(c.called_in_time),
            func.count(c.decided),
            func.count(c.held_in_time),
        ],
        whole,
    )


def _in_time_counts(c: Any) -> list[Any]:
    """The patients, how many things, how many of them in time."""
    return [func.count(distinct(c.patient)), func.count(), func.count(c.in_time)]


def _seven(principal_id: int, unit_id: int | None, month: date, whole: bool) -> Levels:
    """The seven questions answered in the month: per question, the people who answered it and
    those who answered "Ja"."""
    start, end = month_bounds(month)
    rows = (
        select(
            SevenQuestions.unit_id.label("unit_id"),
            SevenQuestions.person_id.label("person"),
            *(getattr(SevenQuestions, name) for name in QUESTIONS),
        )
        .join(CareUnit, CareUnit.id == SevenQuestions.unit_id)
        .where(
            _units(principal_id, unit_id),
            SevenQuestions.declined.is_(False),
            SevenQuestions.answered_at >= start,
            SevenQuestions.answered_at < end,
        )
    )

    def counts(c: Any) -> list[Any]:
        columns = []
        for name in QUESTIONS:
            columns.append(func.count(distinct(case((c[name].is_not(None), c.person)))))
            columns.append(func.count(case((c[name] == Reply.YES, 1))))
        return columns

    return _levels(rows, counts, whole)


# --- from counts to cells ---------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _raw(rows: dict[int | None, dict[str, Cell]], unit: int | None) -> dict[str, Cell]:
    return rows.setdefault(unit, {})


def _count(session: Session, statement: Levels) -> dict[int | None, Sequence[Any]]:
    return {row[-1]: row for row in session.execute(statement).all()}


def _cells(
    session: Session,
    principal_id: int,
    unit_id: int | None,
    month: date,
    whole: bool,
    today: date,
) -> dict[int | None, dict[str, Cell]]:
    """Every figure but the seven questions, unprotected, per unit and (whole) for the
    principal (under None)."""
    cells: dict[int | None, dict[str, Cell]] = {}
    args = (principal_id, unit_id, month, whole)
    for unit, (patients, contact, doctor, _u) in _count(session, _contacts(*args)).items():
        _raw(cells, unit)[Figure.CARE_CONTACT] = Cell(patients, _share(contact, patients))
        _raw(cells, unit)[Figure.DOCTOR] = Cell(patients, _share(doctor, patients))
    for unit, (patients, followed, _u) in _count(session, _sips(*args)).items():
        _raw(cells, unit)[Figure.SIP_FOLLOWED_UP] = Cell(patients, _share(followed, patients))
    medians = {row[-1]: row[0] for row in session.execute(_median_days(*args)).all()}
    for unit, (patients, versions, answered, agreed, asked, _u) in _count(
        session, _answers(*args)
    ).items():
        row = _raw(cells, unit)
        row[Figure.ANSWERED] = Cell(patients, _share(answered, versions))
        row[Figure.AGREED] = Cell(patients, _share(agreed, answered))
        row[Figure.QUESTIONS] = Cell(patients, _share(asked, answered))
        median = medians.get(unit)
        row[Figure.DAYS_TO_ANSWER] = Cell(patients, float(median) if median is not None else None)
    for unit, (patients, made, in_time, _u) in _count(
        session, _in_time_in(REQUESTS, *args, today)
    ).items():
        _raw(cells, unit)[Figure.REQUESTS_IN_TIME] = Cell(patients, _share(in_time, made))
    medians = {row[-1]: row[0] for row in session.execute(_median_message_days(*args)).all()}
    for unit, (patients, waits, in_time, _u) in _count(
        session, _in_time_in(WAITS, *args, today)
    ).items():
        _raw(cells, unit)[Figure.MESSAGES_IN_TIME] = Cell(patients, _share(in_time, waits))
        median = medians.get(unit)
        _raw(cells, unit)[Figure.MESSAGE_DAYS] = Cell(
            patients, float(median) if median is not None else None
        )
    for unit, (patients, offered, in_time, _u) in _count(session, _handovers(*args, today)).items():
        _raw(cells, unit)[Figure.HANDOVERS_IN_TIME] = Cell(patients, _share(in_time, offered))
    for unit, (patients, called, called_in_time, decided, held_in_time, _u) in _count(
        session, _sip_meetings(*args, today)
    ).items():
        _raw(cells, unit)[Figure.SIP_CALLED_IN_TIME] = Cell(
            patients, _share(called_in_time, called)
        )
        _raw(cells, unit)[Figure.SIP_HELD_IN_TIME] = Cell(patients, _share(held_in_time, decided))
    return cells


def _seven_cells(
    session: Session, principal_id: int, unit_id: int | None, month: date, whole: bool
) -> dict[int | None, dict[str, Cell]]:
    cells: dict[int | None, dict[str, Cell]] = {}
    for unit, row in _count(session, _seven(principal_id, unit_id, month, whole)).items():
        for index, name in enumerate(QUESTIONS):
            people, yes = row[2 * index], row[2 * index + 1]
            _raw(cells, unit)[name] = Cell(people, _share(yes, people))
    return cells


def hidden(patients: int | None) -> bool:
    return patients is not None and 0 < patients < SMALLEST


HIDDEN = Cell(None, None, hidden=True)


def protect(units: dict[int, Cell], total: Cell | None) -> tuple[dict[int, Cell], Cell | None]:
    """Hide every cell of 1–4 patients; where that hides exactly one unit's cell, hide the
    smallest other shown unit too (else the total minus the others gives it back); hide a total
    under 5."""
    shown = {unit: cell for unit, cell in units.items() if not hidden(cell.patients)}
    if len(shown) == len(units) - 1 and total is not None:
        others = [unit for unit, cell in shown.items() if (cell.patients or 0) > 0]
        if others:
            smallest = min(others, key=lambda unit: (shown[unit].patients or 0, unit))
            del shown[smallest]
        elif not hidden(total.patients):
            total = HIDDEN  # the hidden unit is the whole total
    protected = {unit: shown.get(unit, HIDDEN) for unit in units}
    if total is not None and hidden(total.patients):
        total = HIDDEN
    return protected, total


def _protected_rows(
    keys: Sequence[str],
    per_unit: dict[int | None, dict[str, Cell]],
    totals: dict[int | None, dict[str, Cell]] | None,
    units: list[tuple[int, str]],
    principal_name: str,
) -> tuple[list[Row], Row | None]:
    empty = Cell(0, None)
    by_key: dict[str, tuple[dict[int, Cell], Cell | None]] = {}
    for key in keys:
        unit_cells = {unit: per_unit.get(unit, {}).get(key, empty) for unit, _name in units}
        total_cell = totals.get(None, {}).get(key, empty) if totals is not None else None
        by_key[key] = protect(unit_cells, total_cell)
    rows = [Row(unit, name, {key: by_key[key][0][unit] for key in keys}) for unit, name in units]
    total = None
    if totals is not None:
        total = Row(None, principal_name, {key: by_key[key][1] or empty for key in keys})
    return rows, total


def _for_counting(session: Session) -> None:
    """On PostgreSQL, for this transaction: no JIT compilation (it cost a quarter of a second
    per statement here and saves nothing on statements this size), and room to sort and hash
    a region's rows in memory rather than on disk."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '32MB'"))


def count(
    session: Session,
    principal_id: int,
    month: date,
    now: datetime,
    unit_id: int | None = None,
) -> Counted:
    """Count the month for the principal's units and the principal (or for one unit), by SQL
    aggregation. `now` decides what is late: something not done whose day has not passed
    counts neither way."""
    today = now.astimezone(STOCKHOLM).date()
    whole = unit_id is None
    _for_counting(session)
    return Counted(
        cells=_cells(session, principal_id, unit_id, month, whole, today),
        seven=_seven_cells(session, principal_id, unit_id, month, whole),
        trends=trends(session, principal_id, unit_id, month, today),
        counted_at=now,
    )


def units_of(session: Session, principal_id: int, unit_id: int | None) -> list[tuple[int, str]]:
    return [
        (row.id, row.name)
        for row in session.execute(
            select(CareUnit.id, CareUnit.name)
            .where(_units(principal_id, unit_id))
            .order_by(CareUnit.name, CareUnit.id)
        )
    ]


def present(
    counted: Counted,
    month: date,
    units: list[tuple[int, str]],
    principal_name: str,
    whole: bool,
) -> Figures:
    """The counts as the page shows them: every cell protected."""
    cells, seven = counted.cells, counted.seven
    rows, total = _protected_rows(
        list(Figure), cells, {None: cells.get(None, {})} if whole else None, units, principal_name
    )
    seven_rows, seven_whole = _protected_rows(
        QUESTIONS, seven, {None: seven.get(None, {})} if whole else None, units, principal_name
    )
    shown = [*seven_rows, *([seven_whole] if seven_whole else [])]
    return Figures(month, rows, total, shown, counted.trends, counted.counted_at)


def figures(
    session: Session,
    principal_id: int,
    principal_name: str,
    month: date,
    now: datetime,
    unit_id: int | None = None,
) -> Figures:
    """The month's figures for the principal's units (or one of them), counted now and
    protected."""
    counted = count(session, principal_id, month, now, unit_id)
    units = units_of(session, principal_id, unit_id)
    return present(counted, month, units, principal_name, unit_id is None)


# --- a year month by month, for the charts ------------------------------------------------------


def _monthly(
    what: _Promised,
    principal_id: int,
    unit_id: int | None,
    start: datetime,
    end: datetime,
    today: date,
) -> Select[Any]:
    """Per Swedish month: the patients, how many things, how many in time."""
    rows = _promised(what, principal_id, unit_id, start, end, today).subquery()
    month = swedish_month(rows.c.begun)
    return select(
        month, func.count(distinct(rows.c.patient)), func.count(), func.count(rows.c.in_time)
    ).group_by(month)


def trends(
    session: Session, principal_id: int, unit_id: int | None, month: date, today: date
) -> dict[str, list[TrendPoint]]:
    """The twelve months up to `month`, for the principal (or the unit): the share of plan
    versions answered "Stämmer", of requests and of messages answered in time, one GROUP BY
    month each."""
    first = month.replace(day=1)
    for _ in range(TREND_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    start, _ = month_bounds(first)
    _, end = month_bounds(month)
    names = []
    cursor = first
    for _ in range(TREND_MONTHS):
        names.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + timedelta(days=32)).replace(day=1)

    versions_month = swedish_month(PlanVersion.published_at)
    answered = session.execute(
        _versions_of(principal_id, unit_id, start, end)
        .with_only_columns(
            versions_month,
            func.count(distinct(CarePlan.patient_id)),
            func.count(Agreement.id),
            func.count(case((Agreement.answer == AgreementAnswer.AGREE, Agreement.id))),
        )
        .group_by(versions_month)
    ).all()
    requests, waits = (
        session.execute(_monthly(what, principal_id, unit_id, start, end, today)).all()
        for what in (REQUESTS, WAITS)
    )

    def points(rows: Sequence[Any]) -> list[TrendPoint]:
        found = {row[0]: row for row in rows}
        result = []
        for name in names:
            row = found.get(name)
            patients = row[1] if row else 0
            if hidden(patients):
                result.append(TrendPoint(name, None, None, True))
            else:
                value = _share(row[3], row[2]) if row else None
                result.append(TrendPoint(name, patients, value, False))
        return result

    return {
        Figure.AGREED: points(answered),
        Figure.REQUESTS_IN_TIME: points(requests),
        Figure.MESSAGES_IN_TIME: points(waits),
    }
