"""The self-care diary: what the patient records each day for a self-care activity (seed 003,
"Egenvård": what the patient does and what to do when something changes), the plan's own rules
for when a value calls for action, and the times a rule was met."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, str_enum, utcnow


class MeasureKind(enum.StrEnum):
    WEIGHT = "weight"  # kg
    GLUCOSE = "glucose"  # mmol/L
    BLOOD_PRESSURE = "blood_pressure"  # mmHg, the upper (systolic) value; the lower beside it
    SYMPTOM = "symptom"  # 0-10
    DONE = "done"  # done or not


class RuleKind(enum.StrEnum):
    # The value has risen more than `threshold` within `window_days` days.
    RISE = "rise"
    BELOW = "below"  # the value is under `threshold`
    ABOVE = "above"  # the value is over `threshold`


class Measure(Base):
    """What is recorded for one self-care activity, how often, and what is plausible."""

    __tablename__ = "diary_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), unique=True)
    kind: Mapped[MeasureKind] = mapped_column(str_enum(MeasureKind, 20))
    # What the patient calls it: "Vikt", "Blodsocker", "Andfåddhet".
    label: Mapped[str] = mapped_column(String(100))
    # How often: every `every_days` days (1: daily, 7: weekly), at `time_of_day` (HH:MM, Swedish).
    every_days: Mapped[int] = mapped_column(Integer, default=1)
    time_of_day: Mapped[str] = mapped_column(String(5), default="08:00")
    # Values outside these are asked about ("Stämmer det?") before they are kept.
    low: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    high: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    # When the patient wants to be reminded on a day it is due (HH:MM, Swedish), or None.
    remind_at: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Rule(Base):
    """The plan's own "if this happens, do that", with the instruction the patient is shown."""

    __tablename__ = "diary_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("diary_measure.id"), index=True)
    kind: Mapped[RuleKind] = mapped_column(str_enum(RuleKind, 20))
    threshold: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    window_days: Mapped[int | None] = mapped_column(Integer)
    instruction: Mapped[str] = mapped_column(Text)
    # An emergency: the instruction is to call 112, shown as an alarm.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Replaced by care: no longer applied, kept for the values that met it.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Entry(Base):
    """One recorded value (or one task done), by the patient or someone acting for them."""

    __tablename__ = "diary_entry"
    __table_args__ = (
        Index("ix_diary_entry_measure_at", "measure_id", "recorded_for"),
        # A value sent twice (a double tap, or a phone sending what it kept offline once the
        # connection is back) is stored once.
        UniqueConstraint("patient_id", "client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("diary_measure.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    value: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    # The lower (diastolic) blood pressure.
    second_value: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    done: Mapped[bool | None] = mapped_column(Boolean)
    recorded_for: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    client_key: Mapped[str] = mapped_column(String(64))


class RuleHit(Base):
    """A rule met by a value: shown to the patient at once, and to the team on its work list
    until someone has seen to it."""

    __tablename__ = "diary_rule_hit"
    __table_args__ = (UniqueConstraint("rule_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("diary_rule.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entry.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
