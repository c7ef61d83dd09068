"""Överenskommen tid: appointments agreed with the patient, not imposed."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import CareUnit, Practitioner
from app.db import Base, UTCDateTime, str_enum, utcnow


class AppointmentMode(enum.StrEnum):
    VISIT = "visit"
    VIDEO = "video"
    PHONE = "phone"
    HOME = "home"


class AppointmentStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    CHANGE_REQUESTED = "change_requested"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    # Care took back an offered time before the patient chose it (or offered new times instead).
    WITHDRAWN = "withdrawn"


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_patient_starts", "patient_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("care_plan.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"))
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    mode: Mapped[AppointmentMode] = mapped_column(str_enum(AppointmentMode, 20))
    location: Mapped[str] = mapped_column(String(300), default="")
    purpose: Mapped[str] = mapped_column(Text)
    status: Mapped[AppointmentStatus] = mapped_column(
        str_enum(AppointmentStatus, 20),
        default=AppointmentStatus.PROPOSED,
    )
    patient_note: Mapped[str] = mapped_column(Text, default="")
    # What care says about the time: how to prepare, who will be there, the video link.
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    attendees: Mapped[str] = mapped_column(String(300), default="")
    interpreter_booked: Mapped[bool] = mapped_column(Boolean, default=False)
    preparation: Mapped[str] = mapped_column(Text, default="")
    # Care's word to the patient when it changes or cancels the time.
    care_note: Mapped[str] = mapped_column(Text, default="")
    cancelled_by_care: Mapped[bool] = mapped_column(Boolean, default=False)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    # iCalendar's SEQUENCE: raised whenever the time, place or status changes, so that a
    # calendar that has the file already takes the new one in its place (RFC 5545 3.8.7.4).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Care may offer several times for one purpose; accepting one declines the others.
    offer_group: Mapped[str | None] = mapped_column(String(40), index=True)
    requested_on: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # The patient's answer waits on the team's work list until someone handles it, by `due_on`
    # (the unit's promise in Swedish working days).
    due_on: Mapped[date | None] = mapped_column(Date)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[CareUnit] = relationship()
    practitioner: Mapped[Practitioner | None] = relationship(foreign_keys=[practitioner_id])
