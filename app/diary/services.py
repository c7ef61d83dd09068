"""Recording in the self-care diary, and care's part: what an activity records and its rules,
and seeing to a rule that was met."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.audit.services import record_access
from app.db import get_locked, lock_row
from app.diary.models import Entry, Measure, MeasureKind, Rule, RuleHit, RuleKind
from app.diary.rules import Reading, RuleSpec, met, window_start
from app.goals.models import Activity
from app.plans.models import CarePlan, PlanStatus

# What a person can have measured at all: anything outside is a typing error, never stored.
BOUNDS: dict[MeasureKind, tuple[Decimal, Decimal]] = {
    MeasureKind.WEIGHT: (Decimal(1), Decimal(400)),
    MeasureKind.GLUCOSE: (Decimal("0.5"), Decimal(50)),
    MeasureKind.BLOOD_PRESSURE: (Decimal(40), Decimal(300)),
    MeasureKind.SYMPTOM: (Decimal(0), Decimal(10)),
}
DIASTOLIC = (Decimal(20), Decimal(200))
# How far back a value can be recorded (a forgotten morning), and a little slack ahead.
LATEST_BACK = timedelta(days=7)
CLOCK_SLACK = timedelta(minutes=5)
MOST_RULES = 3


class DiaryError(Exception):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


class NotAllowed(Exception):
    """The view answers 404."""


class Unconfirmed(Exception):
    """A plausible but unusual value: the patient is asked whether it is right first."""


@dataclass(frozen=True)
class Recorded:
    entry: Entry
    hits: list[RuleHit]
    created: bool


def _check_value(measure: Measure, value: Decimal | None, second: Decimal | None) -> None:
    if measure.kind == MeasureKind.DONE:
        return
    low, high = BOUNDS[measure.kind]
    if value is None:
        raise DiaryError("value", "value_empty")
    if not low <= value <= high:
        raise DiaryError("value", f"range_{measure.kind}")
    if measure.kind == MeasureKind.SYMPTOM and value != value.to_integral_value():
        raise DiaryError("value", f"range_{measure.kind}")
    if measure.kind == MeasureKind.BLOOD_PRESSURE:
        if second is None or not DIASTOLIC[0] <= second <= DIASTOLIC[1] or second >= value:
            raise DiaryError("second_value", "range_diastolic")


def record(
    session: Session,
    actor: Actor,
    measure_id: int,
    value: Decimal | None,
    second: Decimal | None,
    done: bool | None,
    recorded_for: datetime,
    client_key: str,
    confirmed: bool,
    now: datetime,
    zone: ZoneInfo,
) -> Recorded:
    """Keep one value (the gate has let the actor record for the patient), and find the plan's
    rules it meets. The same value sent twice (its client key) is kept once; a value outside
    the plan's plausible range is kept only once the person has confirmed it."""
    if actor.person_id is None:
        raise NotAllowed
    measure = session.get(Measure, measure_id)
    plan = session.get(CarePlan, measure.plan_id) if measure is not None else None
    if measure is None or plan is None or measure.ended_at is not None:
        raise NotAllowed
    lock_row(session, Measure, measure.id)  # one value at a time per measure: rules see each
    earlier = session.scalars(
        select(Entry).where(Entry.patient_id == plan.patient_id, Entry.client_key == client_key)
    ).first()
    if earlier is not None:
        hits = session.scalars(select(RuleHit).where(RuleHit.entry_id == earlier.id)).all()
        return Recorded(earlier, list(hits), created=False)
    if plan.status != PlanStatus.ACTIVE:
        raise DiaryError("value", "plan_not_active")
    if not now - LATEST_BACK <= recorded_for <= now + CLOCK_SLACK:
        raise DiaryError("recorded_for", "when")
    if measure.kind == MeasureKind.DONE:
        if done is None:
            raise DiaryError("done", "done_empty")
        value = second = None
    else:
        _check_value(measure, value, second)
        done = None
        unusual = (measure.low is not None and value is not None and value < measure.low) or (
            measure.high is not None and value is not None and value > measure.high
        )
        if unusual and not confirmed:
            raise Unconfirmed
    entry = Entry(
        measure_id=measure.id,
        patient_id=plan.patient_id,
        value=value,
        second_value=second if measure.kind == MeasureKind.BLOOD_PRESSURE else None,
        done=done,
        recorded_for=recorded_for,
        recorded_at=now,
        recorded_by_id=actor.person_id,
        client_key=client_key,
    )
    session.add(entry)
    session.flush()
    record_access(session, actor, plan.patient_id, "create", "diary_entry", entry.id, now)
    hits = _hits(session, measure, entry, plan, now, zone)
    session.flush()
    return Recorded(entry, hits, created=True)


def _hits(
    session: Session, measure: Measure, entry: Entry, plan: CarePlan, now: datetime, zone: ZoneInfo
) -> list[RuleHit]:
    if entry.value is None:
        return []
    rules = session.scalars(
        select(Rule)
        .where(Rule.measure_id == measure.id, Rule.retired.is_(False))
        .order_by(Rule.position, Rule.id)
    ).all()
    if not rules:
        return []
    longest = max((rule.window_days or 0) for rule in rules)
    rows = session.execute(
        select(Entry.recorded_for, Entry.value).where(
            Entry.measure_id == measure.id,
            Entry.id != entry.id,
            Entry.value.is_not(None),
            Entry.recorded_for >= window_start(entry.recorded_for, longest, zone),
            Entry.recorded_for <= entry.recorded_for,
        )
    ).all()
    specs = [RuleSpec(rule.id, rule.kind, rule.threshold, rule.window_days) for rule in rules]
    new = Reading(entry.recorded_for, entry.value)
    found = met(specs, new, [Reading(at, value) for at, value in rows], zone)
    hits = [
        RuleHit(
            rule_id=spec.id, entry_id=entry.id, patient_id=plan.patient_id, plan_id=plan.id, at=now
        )
        for spec in found
    ]
    session.add_all(hits)
    return hits


@dataclass(frozen=True)
class RuleData:
    kind: RuleKind
    threshold: Decimal
    window_days: int | None
    instruction: str
    urgent: bool


@dataclass(frozen=True)
class MeasureData:
    kind: MeasureKind
    label: str
    every_days: int
    time_of_day: str
    low: Decimal | None
    high: Decimal | None


def define(
    session: Session,
    actor: Actor,
    activity_id: int,
    data: MeasureData,
    rules: Sequence[RuleData],
    now: datetime,
) -> Measure:
    """What a self-care activity records, and its rules (replacing what it had): care's part,
    on a plan the gate has let the actor edit. Values recorded so far stay."""
    if actor.practitioner_id is None:
        raise NotAllowed
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotAllowed
    if data.kind != MeasureKind.DONE:
        low, high = BOUNDS[data.kind]
        for field, limit in (("low", data.low), ("high", data.high)):
            if limit is not None and not low <= limit <= high:
                raise DiaryError(field, f"range_{data.kind}")
        if data.low is not None and data.high is not None and data.low >= data.high:
            raise DiaryError("high", "low_high")
    if len(rules) > MOST_RULES:
        raise DiaryError("rules", "too_many_rules")
    if data.kind == MeasureKind.DONE and rules:
        raise DiaryError("rule-0-kind", "no_rules_for_done")
    lock_row(session, Activity, activity.id)
    measure = session.scalars(select(Measure).where(Measure.activity_id == activity.id)).first()
    if measure is None:
        measure = Measure(activity_id=activity.id, plan_id=activity.plan_id, created_at=now)
        session.add(measure)
    measure.kind = data.kind
    measure.label = data.label
    measure.every_days = data.every_days
    measure.time_of_day = data.time_of_day
    measure.low, measure.high = data.low, data.high
    measure.created_by_id = actor.practitioner_id
    measure.ended_at = None
    session.flush()
    # The rules before: gone, or kept (retired) where a value met them, for that history.
    used = select(RuleHit.rule_id)
    session.execute(delete(Rule).where(Rule.measure_id == measure.id, Rule.id.not_in(used)))
    session.execute(update(Rule).where(Rule.measure_id == measure.id).values(retired=True))
    for position, rule in enumerate(rules):
        session.add(
            Rule(
                measure_id=measure.id,
                kind=rule.kind,
                threshold=rule.threshold,
                window_days=rule.window_days if rule.kind == RuleKind.RISE else None,
                instruction=rule.instruction,
                urgent=rule.urgent,
                position=position,
            )
        )
    patient_id = session.get_one(CarePlan, activity.plan_id).patient_id
    record_access(session, actor, patient_id, "update", "diary_measure", measure.id, now)
    session.flush()
    return measure


def set_reminder(
    session: Session, actor: Actor, measure_id: int, remind_at: str | None, now: datetime
) -> Measure:
    """The patient's (or their helper's) choice of reminder time for a measure; None: none."""
    if actor.person_id is None:
        raise NotAllowed
    measure = get_locked(session, Measure, measure_id)
    if measure is None:
        raise NotAllowed
    if measure.remind_at != remind_at:
        measure.remind_at = remind_at
        patient_id = session.get_one(CarePlan, measure.plan_id).patient_id
        record_access(session, actor, patient_id, "update", "diary_measure", measure.id, now)
        session.flush()
    return measure


def handle_hit(session: Session, actor: Actor, hit_id: int, now: datetime) -> RuleHit:
    """Care has seen to a rule that was met: it leaves the work list (once)."""
    if actor.practitioner_id is None:
        raise NotAllowed
    hit = get_locked(session, RuleHit, hit_id)
    if hit is None:
        raise NotAllowed
    if hit.handled_at is None:
        hit.handled_at = now
        hit.handled_by_id = actor.practitioner_id
        record_access(session, actor, hit.patient_id, "update", "diary_rule_hit", hit.id, now)
        session.flush()
    return hit
