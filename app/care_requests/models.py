"""What a patient asks a unit for: a care plan, a SIP, another fast vårdkontakt."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, str_enum, utcnow


class RequestKind(enum.StrEnum):
    # Seed 001: "eget önskemål om patientkontrakt".
    CARE_PLAN = "care_plan"
    # Seed 003: a SIP "när en person själv önskar".
    SIP = "sip"
    # Another fast vårdkontakt (patient safety act 6 kap. 2 §).
    NEW_CONTACT = "new_contact"


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"


class RequestOutcome(enum.StrEnum):
    YES = "yes"
    NO = "no"
    ELSEWHERE = "elsewhere"


class CareRequest(Base):
    __tablename__ = "care_request"
    __table_args__ = (Index("ix_care_request_unit_status", "unit_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"))
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind, 20))
    text: Mapped[str] = mapped_column(Text, default="")
    # The patient, or the relative who asked for them.
    made_by_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # By the unit's promise (CareUnit.response_working_days), in Swedish working days.
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, 20), default=RequestStatus.OPEN
    )
    outcome: Mapped[RequestOutcome | None] = mapped_column(str_enum(RequestOutcome, 20))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
