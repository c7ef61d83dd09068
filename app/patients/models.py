"""A practitioner's own statement that they have a care relationship with a patient, and why.

Under the patient data act a practitioner may read about a patient only with a care relationship
(vårdrelation). Samplan infers one from a plan (app/access/policy); before a patient's first plan
there is none to infer from, so the practitioner states it. The statement is logged in the
patient's access log and opens the patient to them, and to nobody else, for a limited time."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, str_enum, utcnow


class RelationshipReason(enum.StrEnum):
    VISIT = "visit"
    REFERRAL = "referral"
    ADMISSION = "admission"
    REQUEST = "request"
    OTHER = "other"


class CareRelationship(Base):
    __tablename__ = "care_relationship"
    __table_args__ = (
        Index("ix_care_relationship_practitioner_patient", "practitioner_id", "patient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The unit the practitioner worked at when they stated it.
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"))
    reason: Mapped[RelationshipReason] = mapped_column(str_enum(RelationshipReason, 20))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
