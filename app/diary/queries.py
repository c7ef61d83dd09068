"""Reads for the diary's pages: fixed statements with bind parameters, rows into frozen
records with the words and numbers the pages print."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal
from sqlalchemy import Date, String, and_, bindparam, cast, null, select, type_coerce
from sqlalchemy.orm import Session, aliased

from app.access.context import staff_plan_rule
from app.accounts.models import Person
from app.db import UTCDateTime
from app.diary.models import Entry, Measure, MeasureKind, Rule, RuleHit
from app.goals.models import Activity
from app.plans.models import CarePlan, PlanStatus

UNITS = {
    MeasureKind.WEIGHT: "kg",
    MeasureKind.GLUCOSE: "mmol/l",
    MeasureKind.BLOOD_PRESSURE: "mmHg",
    MeasureKind.SYMPTOM: "/10",
    MeasureKind.DONE: "",
}


def number_text(value: Decimal | None, kind: MeasureKind) -> str:
    """A value as the patient's language writes it (72,4 in Swedish), with its unit."""
    if value is None:
        return ""
    places = "#,##0.0" if kind in (MeasureKind.WEIGHT, MeasureKind.GLUCOSE) else "#,##0"
    return format_decimal(value, format=places)


@dataclass(frozen=True)
class MeasureView:
    id: int
    plan_id: int
    plan_title: str
    activity_text: str
    kind: MeasureKind
    label: str
    unit: str
    every_days: int
    time_of_day: str
    low: Decimal | None
    high: Decimal | None
    active: bool
    created_at: datetime
    remind_at: str | None


@dataclass(frozen=True)
class EntryView:
    id: int
    at: datetime
    value: Decimal | None
    second_value: Decimal | None
    done: bool | None
    text: str
    recorded_by: str
    by_someone_else: bool


@dataclass(frozen=True)
class HitView:
    id: int
    entry_id: int
    at: datetime
    instruction: str
    urgent: bool
    handled: bool


_MEASURE_COLUMNS = (
    Measure.id,
    Measure.plan_id,
    CarePlan.title,
    Activity.text,
    Measure.kind,
    Measure.label,
    Measure.every_days,
    Measure.time_of_day,
    Measure.low,
    Measure.high,
    Measure.ended_at,
    CarePlan.status,
    Measure.created_at,
    Measure.remind_at,
)
# The patient's measures on their active plans (the diary's first page).
OF_PATIENT = (
    select(*_MEASURE_COLUMNS)
    .join(CarePlan, CarePlan.id == Measure.plan_id)
    .join(Activity, Activity.id == Measure.activity_id)
    .where(
        CarePlan.patient_id == bindparam("patient_id"),
        CarePlan.status == PlanStatus.ACTIVE,
        Measure.ended_at.is_(None),
    )
    .order_by(CarePlan.id, Activity.position, Measure.id)
)
OF_PLAN = (
    select(*_MEASURE_COLUMNS)
    .join(CarePlan, CarePlan.id == Measure.plan_id)
    .join(Activity, Activity.id == Measure.activity_id)
    .where(Measure.plan_id == bindparam("plan_id"))
    .order_by(Activity.position, Measure.id)
)
ONE = (
    select(*_MEASURE_COLUMNS)
    .join(CarePlan, CarePlan.id == Measure.plan_id)
    .join(Activity, Activity.id == Measure.activity_id)
    .where(Measure.id == bindparam("measure_id"))
)
_recorder = aliased(Person)
ENTRIES = (
    select(
        Entry.id,
        Entry.recorded_for,
        Entry.value,
        Entry.second_value,
        Entry.done,
        Entry.patient_id,
        Entry.recorded_by_id,
        _recorder.given_name,
        _recorder.family_name,
    )
    .join(_recorder, _recorder.id == Entry.recorded_by_id)
    .where(Entry.measure_id == bindparam("measure_id"), Entry.recorded_for >= bindparam("since"))
    .order_by(Entry.recorded_for.desc(), Entry.id.desc())
    .limit(400)
)
HITS = (
    select(
        RuleHit.id,
        RuleHit.entry_id,
        RuleHit.at,
        Rule.instruction,
        Rule.urgent,
        RuleHit.handled_at,
    )
    .join(Rule, Rule.id == RuleHit.rule_id)
    .join(Entry, Entry.id == RuleHit.entry_id)
    .where(Entry.measure_id == bindparam("measure_id"), RuleHit.at >= bindparam("since"))
    .order_by(RuleHit.at.desc(), Rule.position)
    .limit(100)
)


def _measure(row: Any) -> MeasureView:
    kind = MeasureKind(row.kind)
    return MeasureView(
        id=row.id,
        plan_id=row.plan_id,
        plan_title=row.title,
        activity_text=row.text,
        kind=kind,
        label=row.label,
        unit=UNITS[kind],
        every_days=row.every_days,
        time_of_day=row.time_of_day,
        low=row.low,
        high=row.high,
        active=row.ended_at is None and row.status == PlanStatus.ACTIVE,
        created_at=row.created_at,
        remind_at=row.remind_at,
    )


def of_patient(session: Session, patient_id: int) -> list[MeasureView]:
    rows = session.connection().execute(OF_PATIENT, {"patient_id": patient_id})
    return [_measure(row) for row in rows]


def of_plan(session: Session, plan_id: int) -> list[MeasureView]:
    return [_measure(row) for row in session.connection().execute(OF_PLAN, {"plan_id": plan_id})]


def measure(session: Session, measure_id: int) -> MeasureView:
    return _measure(session.connection().execute(ONE, {"measure_id": measure_id}).one())


def entry_text(kind: MeasureKind, value: Decimal | None, second: Decimal | None,
               done: bool | None, done_words: tuple[str, str]) -> str:  # fmt: skip
    if kind == MeasureKind.DONE:
        return done_words[0] if done else done_words[1]
    if kind == MeasureKind.BLOOD_PRESSURE:
        return f"{number_text(value, kind)}/{number_text(second, kind)} {UNITS[kind]}"
    if kind == MeasureKind.SYMPTOM:
        return f"{number_text(value, kind)} {UNITS[kind]}".replace(" /", "/")
    return f"{number_text(value, kind)} {UNITS[kind]}"


def entries(
    session: Session, shown: MeasureView, since: datetime, done_words: tuple[str, str]
) -> list[EntryView]:
    """The measure's values from `since`, newest first."""
    rows = session.connection().execute(ENTRIES, {"measure_id": shown.id, "since": since})
    return [
        EntryView(
            id=row.id,
            at=row.recorded_for,
            value=row.value,
            second_value=row.second_value,
            done=row.done,
            text=entry_text(shown.kind, row.value, row.second_value, row.done, done_words),
            recorded_by=f"{row.given_name} {row.family_name}",
            by_someone_else=row.recorded_by_id != row.patient_id,
        )
        for row in rows
    ]


def hits(session: Session, measure_id: int, since: datetime) -> list[HitView]:
    rows = session.connection().execute(HITS, {"measure_id": measure_id, "since": since})
    return [
        HitView(
            row.id, row.entry_id, row.at, row.instruction, row.urgent, row.handled_at is not None
        )
        for row in rows
    ]


def missed_days(
    shown: MeasureView, values: list[EntryView], first: date, today: date, zone: tzinfo
) -> list[date]:
    """The days in [first, today) a value was due and none was written in, newest first: shown
    as missed, never filled in."""
    start = shown.created_at.astimezone(zone).date()
    written = {entry.at.astimezone(zone).date() for entry in values}
    every = max(shown.every_days, 1)
    days = []
    day = today - timedelta(days=1)
    while day >= max(first, start):
        if (day - start).days % every == 0 and day not in written:
            days.append(day)
        day -= timedelta(days=1)
    return days


# The plan's values of the last days and its rules met and not seen to (care's diary page).
RECENT_OF_PLAN = (
    select(
        Entry.measure_id,
        Entry.id,
        Entry.recorded_for,
        Entry.value,
        Entry.second_value,
        Entry.done,
        Measure.kind,
    )  # fmt: skip
    .join(Measure, Measure.id == Entry.measure_id)
    .where(Measure.plan_id == bindparam("plan_id"), Entry.recorded_for >= bindparam("since"))
    .order_by(Entry.recorded_for.desc(), Entry.id.desc())
    .limit(200)
)
OPEN_OF_PLAN = (
    select(RuleHit.id, Entry.measure_id, RuleHit.at, Rule.instruction, Rule.urgent)
    .join(Rule, Rule.id == RuleHit.rule_id)
    .join(Entry, Entry.id == RuleHit.entry_id)
    .where(RuleHit.plan_id == bindparam("plan_id"), RuleHit.handled_at.is_(None))
    .order_by(RuleHit.at.desc())
    .limit(50)
)


@dataclass(frozen=True)
class Recent:
    """A measure's last values (newest first, as text) and its rules met, not yet seen to."""

    values: list[tuple[datetime, str]]
    open_hits: list[HitView]


def recent_of_plan(
    session: Session, plan_id: int, since: datetime, done_words: tuple[str, str]
) -> dict[int, Recent]:
    found: dict[int, Recent] = {}
    connection = session.connection()
    for row in connection.execute(RECENT_OF_PLAN, {"plan_id": plan_id, "since": since}):
        text = entry_text(MeasureKind(row.kind), row.value, row.second_value, row.done, done_words)
        found.setdefault(row.measure_id, Recent([], [])).values.append((row.recorded_for, text))
    for hit_row in connection.execute(OPEN_OF_PLAN, {"plan_id": plan_id}):
        hit = HitView(hit_row.id, 0, hit_row.at, hit_row.instruction, hit_row.urgent, False)
        found.setdefault(hit_row.measure_id, Recent([], [])).open_hits.append(hit)
    return found


# --- the chart ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Chart:
    """A line of the values over the period, as SVG coordinates, with its axis labels."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float]]
    low_label: str
    high_label: str
    first_day: date
    last_day: date


WIDTH, HEIGHT, PAD = 320, 160, 24


def chart(
    shown: MeasureView, values: list[EntryView], first: date, last: date, zone: tzinfo
) -> Chart | None:
    """The values (oldest to newest) placed on the period's days; None without two values."""
    points = [(entry.at, entry.value) for entry in reversed(values) if entry.value is not None]
    if len(points) < 2:
        return None
    lowest = min(value for _at, value in points)
    highest = max(value for _at, value in points)
    span = (highest - lowest) or Decimal(1)
    start = datetime.combine(first, datetime.min.time(), zone)
    seconds = max(
        (
            datetime.combine(last + timedelta(days=1), datetime.min.time(), zone) - start
        ).total_seconds(),
        1,
    )
    dots = []
    for at, value in points:
        x = PAD + (WIDTH - 2 * PAD) * ((at - start).total_seconds() / seconds)
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * float((value - lowest) / span)
        dots.append((round(x, 1), round(y, 1)))
    return Chart(
        WIDTH,
        HEIGHT,
        " ".join(f"{x},{y}" for x, y in dots),
        dots,
        number_text(lowest, shown.kind),
        number_text(highest, shown.kind),
        first,
        last,
    )


# --- care's work list ----------------------------------------------------------------------
@dataclass(frozen=True)
class HitItem:
    hit_id: int
    measure_id: int
    patient_id: int
    patient_name: str
    label: str
    at: datetime
    urgent: bool
    instruction: str


# Rules met on the plans the practitioner works on, not yet seen to, emergencies first; in the
# work list's shape of what waits for care (see app/appointments/queries.py WAITING_ANSWERS).
OPEN_HITS = (
    select(
        RuleHit.id,
        RuleHit.patient_id,
        Person.given_name,
        Person.family_name,
        RuleHit.at,
        cast(null(), Date).label("due_on"),
        cast(null(), String).label("code"),
        cast(null(), UTCDateTime).label("starts_at"),
        Measure.label.label("title"),
        type_coerce(Rule.instruction, String).label("instruction"),
        Rule.urgent,
        Entry.measure_id,
    )
    .join(CarePlan, CarePlan.id == RuleHit.plan_id)
    .join(Rule, Rule.id == RuleHit.rule_id)
    .join(Entry, Entry.id == RuleHit.entry_id)
    .join(Measure, and_(Measure.id == Entry.measure_id))
    .join(Person, Person.id == RuleHit.patient_id)
    .where(staff_plan_rule(), RuleHit.handled_at.is_(None))
    .order_by(Rule.urgent.desc(), RuleHit.at, RuleHit.id)
    .limit(100)
)


def hit_item(row: Any) -> HitItem:
    """A row of OPEN_HITS as the work list prints it."""
    return HitItem(
        row.id,
        row.measure_id,
        row.patient_id,
        f"{row.given_name} {row.family_name}",
        row.title,
        row.at,
        bool(row.urgent),
        row.instruction,
    )
