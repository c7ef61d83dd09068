"""Follow-up: the patient's answers to the seven questions of seed 002 ("Patienten och vården,
hur funkar det?"), and the log of who looked at the region's figures."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, str_enum, utcnow

# The seven questions are offered again this long after the last answer or "Inte nu".
ASKED_AGAIN_AFTER = timedelta(days=365)


class Reply(enum.StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    DONT_KNOW = "dont_know"


# The seven questions of seed 002 ("Patientkontrakt", "Patienten och vården, hur funkar det?"),
# in their order there; each is a column of SevenQuestions.
QUESTIONS: tuple[str, ...] = (
    "live_and_trust",
    "agreement",
    "easy_contact",
    "care_contact",
    "next_step",
    "next_time",
    "overview",
)


class SevenQuestions(Base):
    """One person's answers at one time, or their "Inte nu" (declined, no answers). Shown one by
    one to care only when the patient shares them (`shared_at`); the region sees them only
    counted (app/followup/figures.py)."""

    __tablename__ = "seven_questions"
    __table_args__ = (Index("ix_seven_questions_person_at", "person_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # The plan whose answered version the questions followed, and its unit (counted there).
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("care_plan.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("care_unit.id"), index=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    live_and_trust: Mapped[Reply | None] = mapped_column(str_enum(Reply, 12))
    agreement: Mapped[Reply | None] = mapped_column(str_enum(Reply, 12))
    easy_contact: Mapped[Reply | None] = mapped_column(str_enum(Reply, 12))
    care_contact: Mapped[Reply | None] = mapped_column(str_enum(Reply, 12))
    next_step: Mapped[Reply | None] = mapped_column(str_enum(Reply, 12))
    next_time: Mapped[Reply | None] = mapped_column(str_enum(Reply, 12))
    overview: Mapped[Reply | None] = mapped_column(str_enum(Reply, 12))
    # When the patient chose to let their care team see these answers; None: not shared.
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One key per form: the same answers sent twice are kept once.
    client_key: Mapped[str] = mapped_column(String(64), unique=True)


class FollowUpView(Base):
    """Every look at the follow-up figures, on screen or as a file: who, when, which."""

    __tablename__ = "follow_up_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"), index=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("care_unit.id"))
    month: Mapped[str] = mapped_column(String(7))
    # "page" or "csv"
    kind: Mapped[str] = mapped_column(String(10))


class FollowUpCount(Base):
    """A month's follow-up counts for a principal ("all") or one of its units (the unit's id),
    as counted at `counted_at`, before protection (app/followup/stored.py): the page reads
    them instead of counting a whole region again on every look."""

    __tablename__ = "follow_up_count"
    __table_args__ = (UniqueConstraint("principal_id", "scope", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"))
    scope: Mapped[str] = mapped_column(String(20))
    month: Mapped[str] = mapped_column(String(7))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
