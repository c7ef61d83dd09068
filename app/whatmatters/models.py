"""Vad är viktigt för mig: the patient's own words, versioned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Person
from app.db import Base, UTCDateTime, utcnow

# The headings of seed 000, in the order the patient answers them.
WHAT_MATTERS_FIELDS: tuple[str, ...] = (
    "what_matters",
    "expectations",
    "relatives",
    "treatment_wishes",
    "visit_wishes",
    "resources_physical",
    "resources_psychological",
    "resources_existential",
    "resources_social",
)


class WhatMatters(Base):
    """One version of the patient's answers; the newest is shown first on every plan."""

    __tablename__ = "what_matters"
    __table_args__ = (
        Index("uq_what_matters_patient_version", "patient_id", "version", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    version: Mapped[int] = mapped_column(Integer)
    what_matters: Mapped[str] = mapped_column(Text, default="")
    expectations: Mapped[str] = mapped_column(Text, default="")
    relatives: Mapped[str] = mapped_column(Text, default="")
    treatment_wishes: Mapped[str] = mapped_column(Text, default="")
    visit_wishes: Mapped[str] = mapped_column(Text, default="")
    resources_physical: Mapped[str] = mapped_column(Text, default="")
    resources_psychological: Mapped[str] = mapped_column(Text, default="")
    resources_existential: Mapped[str] = mapped_column(Text, default="")
    resources_social: Mapped[str] = mapped_column(Text, default="")
    written_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    written_by: Mapped[Person] = relationship(foreign_keys=[written_by_id])
