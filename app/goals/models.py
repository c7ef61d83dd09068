"""Goals in the patient's own words, and the activities that get them there."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import CareUnit, Person, Practitioner
from app.db import Base, UTCDateTime, str_enum, utcnow
from app.plans.models import CarePlan


class GoalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ONGOING = "ongoing"
    REACHED = "reached"
    NOT_REACHED = "not_reached"
    DECLINED = "declined"
    # Taken out of the plan by care in a published version; kept for the patient's words on it.
    REMOVED = "removed"


class ProposedBy(enum.StrEnum):
    PATIENT = "patient"
    CARE = "care"


class Goal(Base):
    """A main goal (no parent) or a sub-goal under one."""

    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(str_enum(GoalStatus, 20), default=GoalStatus.ONGOING)
    proposed_by: Mapped[ProposedBy] = mapped_column(
        str_enum(ProposedBy, 20), default=ProposedBy.CARE
    )
    decline_reason: Mapped[str | None] = mapped_column(Text)
    proposed_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # The patient's latest word on it ("done", "not_yet", "hard"); history in ProgressReport.
    progress_state: Mapped[str | None] = mapped_column(String(20))
    progress_note: Mapped[str | None] = mapped_column(Text)
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[CarePlan] = relationship(back_populates="goals")

    @property
    def is_main(self) -> bool:
        return self.parent_id is None


class Responsible(enum.StrEnum):
    PATIENT = "patient"
    RELATIVE = "relative"
    UNIT = "unit"
    PRACTITIONER = "practitioner"
    EXTERNAL = "external"


class ActivityStatus(enum.StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    DONE = "done"
    CANCELLED = "cancelled"
    # Taken out of the plan by care in a published version; kept for the patient's words on it.
    REMOVED = "removed"


class Activity(Base):
    """An insats: something someone does, with exactly one responsible party."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    responsible: Mapped[Responsible] = mapped_column(str_enum(Responsible, 20))
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("care_unit.id"))
    responsible_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    # A relative's or an external actor's name as the patient knows it.
    responsible_name: Mapped[str | None] = mapped_column(String(200))
    when_text: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActivityStatus] = mapped_column(
        str_enum(ActivityStatus, 20), default=ActivityStatus.ONGOING
    )
    # The patient's latest word on it ("done", "not_yet", "hard"); history in ProgressReport.
    progress_state: Mapped[str | None] = mapped_column(String(20))
    progress_note: Mapped[str | None] = mapped_column(Text)
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[CarePlan] = relationship(back_populates="activities")
    responsible_unit: Mapped[CareUnit | None] = relationship()
    responsible_practitioner: Mapped[Practitioner | None] = relationship()

    @property
    def responsible_display(self) -> str:
        """Who does it, as the patient knows them; empty when it is the patient."""
        if self.responsible_practitioner is not None:
            person = self.responsible_practitioner
            return f"{person.full_name}, {person.unit.name}"
        if self.responsible_unit is not None:
            return self.responsible_unit.name
        return self.responsible_name or ""


class ProgressReport(Base):
    """The patient's word on how a goal or activity is going."""

    __tablename__ = "progress_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    written_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    written_by: Mapped[Person] = relationship()
