"""Care plans, who is on them, and their published versions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import CareUnit, Person, Practitioner
from app.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from app.agreements.models import Agreement
    from app.goals.models import Activity, Goal


class PlanKind(enum.StrEnum):
    CARE_TREATMENT = "care_treatment"
    MY_CARE_PLAN = "my_care_plan"
    SIP = "sip"
    SELF_CARE = "self_care"


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class CloseReason(enum.StrEnum):
    GOALS_MET = "goals_met"
    NO_LONGER_NEEDED = "no_longer_needed"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    PATIENT_DIED = "patient_died"


class TeamRole(enum.StrEnum):
    CARE_CONTACT = "care_contact"
    DOCTOR = "doctor"
    CONTACT_NURSE = "contact_nurse"
    SIP_ACTOR = "sip_actor"
    EXTERNAL = "external"


# The seven points a self-care plan must state (seed 003, section 4), in order.
SELF_CARE_POINTS: tuple[str, ...] = (
    "measure",
    "performer",
    "instructions",
    "if_harm",
    "if_changed",
    "follow_up",
    "reassessment",
)


class CarePlan(Base):
    """One plan the patient has with care; what the patient reads as their agreement."""

    __tablename__ = "care_plan"
    __table_args__ = (Index("ix_care_plan_patient_status", "patient_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[PlanKind] = mapped_column(str_enum(PlanKind, 20))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"), index=True)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, 20), default=PlanStatus.DRAFT)
    closed_reason: Mapped[CloseReason | None] = mapped_column(str_enum(CloseReason, 30))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_how: Mapped[str] = mapped_column(Text, default="")
    # An explicit next step set by care wins over anything computed.
    next_step_what: Mapped[str | None] = mapped_column(Text)
    next_step_on: Mapped[date | None] = mapped_column(Date)
    next_step_where: Mapped[str | None] = mapped_column(String(300))
    next_step_who: Mapped[str | None] = mapped_column(String(200))
    # Self-care plans: the seven points of seed 003 keyed by SELF_CARE_POINTS.
    self_care: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # SIP: consent is required before the plan can be active.
    consent_given_on: Mapped[date | None] = mapped_column(Date)
    consent_how: Mapped[str | None] = mapped_column(String(200))
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    consent_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    # Who gave the consent: the patient, or who gave it for them.
    consent_given_by: Mapped[str | None] = mapped_column(String(200))
    # The plan's own headings (seed 000 for care and treatment plans and Min vårdplan, seed 003
    # for a SIP), keyed as in app.planning.templates.
    sections: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Care's unpublished edits: the whole plan as app.planning.drafts documents it. The patient
    # sees the published rows until care publishes the draft.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    draft_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    draft_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_followed_up_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    # Optimistic locking: every save checks and bumps this.
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    patient: Mapped[Person] = relationship()
    unit: Mapped[CareUnit] = relationship()
    consent_recorded_by: Mapped[Practitioner | None] = relationship(
        foreign_keys=[consent_recorded_by_id]
    )
    draft_by: Mapped[Practitioner | None] = relationship(foreign_keys=[draft_by_id])
    closed_by: Mapped[Practitioner | None] = relationship(foreign_keys=[closed_by_id])
    team: Mapped[list[CareTeamMember]] = relationship(
        back_populates="plan", order_by="CareTeamMember.position"
    )
    goals: Mapped[list[Goal]] = relationship(back_populates="plan", order_by="Goal.position")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="plan", order_by="Activity.position"
    )
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", order_by="PlanVersion.number.desc()"
    )
    handovers: Mapped[list[Handover]] = relationship(
        back_populates="plan", order_by="Handover.created_at.desc()"
    )

    @property
    def is_closed(self) -> bool:
        return self.status == PlanStatus.CLOSED

    def current_team(self, today: date) -> list[CareTeamMember]:
        return [m for m in self.team if m.is_current(today)]

    def coordinator(self, today: date) -> CareTeamMember | None:
        return next((m for m in self.current_team(today) if m.is_coordinator), None)

    @property
    def pending_handovers(self) -> list[Handover]:
        return [h for h in self.handovers if h.is_pending]


class CareTeamMember(Base):
    """Someone on a plan: a practitioner in a role, or an external actor with a contact line."""

    __tablename__ = "care_team_member"
    __table_args__ = (
        Index("ix_care_team_member_practitioner_plan", "practitioner_id", "plan_id"),
        Index("ix_care_team_member_unit_plan", "unit_id", "plan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole, 20))
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("care_unit.id"))
    # External actors (Försäkringskassan, school, employer) have no practitioner.
    external_name: Mapped[str | None] = mapped_column(String(200))
    external_contact: Mapped[str | None] = mapped_column(String(300))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    responsibility: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[CarePlan] = relationship(back_populates="team")
    practitioner: Mapped[Practitioner | None] = relationship()
    unit: Mapped[CareUnit | None] = relationship()

    def is_current(self, today: date) -> bool:
        return self.valid_from <= today and (self.valid_until is None or today <= self.valid_until)

    @property
    def display_name(self) -> str:
        if self.practitioner is not None:
            return self.practitioner.full_name
        return self.external_name or ""


class PlanVersion(Base):
    """A published version of a plan, with a readable summary of what changed."""

    __tablename__ = "plan_version"
    __table_args__ = (Index("uq_plan_version_plan_number", "plan_id", "number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"))
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"))
    change_summary: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    plan: Mapped[CarePlan] = relationship(back_populates="versions")
    published_by: Mapped[Practitioner] = relationship()
    # The patient's answer to this version, if any (Agreement is unique per plan and version).
    agreement: Mapped[Agreement | None] = relationship(
        primaryjoin="and_(Agreement.plan_id == foreign(PlanVersion.plan_id), "
        "Agreement.plan_version == foreign(PlanVersion.number))",
        viewonly=True,
        uselist=False,
    )


class HandoverRole(enum.StrEnum):
    CARE_CONTACT = "care_contact"
    COORDINATION = "coordination"


class Handover(Base):
    """An aktiv överlämning: a role on a plan passed to a colleague. The sender stays
    responsible until the receiver acknowledges it."""

    __tablename__ = "handover"
    __table_args__ = (Index("ix_handover_to_pending", "to_practitioner_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    role: Mapped[HandoverRole] = mapped_column(str_enum(HandoverRole, 20))
    from_practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"), index=True)
    to_practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The day it should be acknowledged by (planning.handovers.ACKNOWLEDGE_WITHIN_WORKING_DAYS).
    due_on: Mapped[date | None] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[CarePlan] = relationship(back_populates="handovers")
    from_practitioner: Mapped[Practitioner] = relationship(foreign_keys=[from_practitioner_id])
    to_practitioner: Mapped[Practitioner] = relationship(foreign_keys=[to_practitioner_id])

    @property
    def is_pending(self) -> bool:
        return self.acknowledged_at is None and self.cancelled_at is None
