"""Överenskommen tid: appointments agreed with the patient, not imposed."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
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
    # Care may offer several times for one purpose; accepting one declines the others.
    offer_group: Mapped[str | None] = mapped_column(String(40), index=True)
    requested_on: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[CareUnit] = relationship()
    practitioner: Mapped[Practitioner | None] = relationship()
