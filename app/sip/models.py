"""A SIP meeting (seed 003, "Möte – Samordnad individuell planering"): called by the coordinator,
with its actors and the relatives the patient names, held, and each actor's part documented."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import CareUnit, Person, Practitioner
from app.db import Base, UTCDateTime, str_enum, utcnow
from app.plans.models import CarePlan


class MeetingMode(enum.StrEnum):
    """Seed 003, "Hur": a physical meeting, a digital one, a telephone conference."""

    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"


class MeetingStatus(enum.StrEnum):
    CALLED = "called"
    HELD = "held"
    CANCELLED = "cancelled"


class PatientAnswer(enum.StrEnum):
    COMING = "coming"
    ANOTHER_TIME = "another_time"


class InviteeKind(enum.StrEnum):
    ACTOR = "actor"  # someone on the SIP's team: staff in Samplan, or an external actor
    RELATIVE = "relative"  # named by the patient


class SipMeeting(Base):
    __tablename__ = "sip_meeting"
    __table_args__ = (Index("ix_sip_meeting_unit_status", "unit_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"))
    called_by_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"))
    # The day the need became known, and the deadlines that follow from it (app/sip/deadlines).
    need_known_on: Mapped[date] = mapped_column(Date)
    call_due_on: Mapped[date] = mapped_column(Date)
    meet_by: Mapped[date] = mapped_column(Date)
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mode: Mapped[MeetingMode] = mapped_column(str_enum(MeetingMode, 20))
    place: Mapped[str] = mapped_column(String(300), default="")
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, 20), default=MeetingStatus.CALLED
    )
    # The patient's side: whether they can come, what they want to talk about, and whether they
    # object to relatives taking part (then none is invited, whoever they named before).
    answer: Mapped[PatientAnswer | None] = mapped_column(str_enum(PatientAnswer, 20))
    answer_note: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[str] = mapped_column(Text, default="")
    relatives_objected: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    documented_by: Mapped[date | None] = mapped_column(Date)  # each actor's part, by this day
    # One key per call form: the same call sent twice is kept once.
    client_key: Mapped[str] = mapped_column(String(64), unique=True)

    plan: Mapped[CarePlan] = relationship()
    patient: Mapped[Person] = relationship(foreign_keys=[patient_id])
    unit: Mapped[CareUnit] = relationship()
    called_by: Mapped[Practitioner] = relationship()
    invitees: Mapped[list[SipInvitee]] = relationship(
        back_populates="meeting", order_by="SipInvitee.id"
    )


class SipInvitee(Base):
    """Someone called to the meeting: an actor on the SIP (staff, or an external actor with a
    contact line), or a relative the patient named."""

    __tablename__ = "sip_invitee"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("sip_meeting.id"), index=True)
    kind: Mapped[InviteeKind] = mapped_column(str_enum(InviteeKind, 20))
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("care_unit.id"))
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")  # a guest without an account
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For an actor: when they said their part of the plan was documented.
    documented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[SipMeeting] = relationship(back_populates="invitees")
    practitioner: Mapped[Practitioner | None] = relationship()
