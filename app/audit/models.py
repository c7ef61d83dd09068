"""The access log: who read or changed what about a patient. Append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Person, Practitioner
from app.db import Base, UTCDateTime, utcnow

SEARCH_TEXT_LENGTH = 100


class AccessLogEntry(Base):
    __tablename__ = "access_log_entry"
    __table_args__ = (Index("ix_access_log_entry_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    actor_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    # The unit the practitioner worked at when they acted.
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("care_unit.id"))
    # The patient whose data it was; for a proxy, the one they acted for.
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    # What a staff member searched for when the patient was among the hits (bounded).
    search_text: Mapped[str | None] = mapped_column(String(SEARCH_TEXT_LENGTH))

    actor_person: Mapped[Person | None] = relationship(foreign_keys=[actor_person_id])
    actor_practitioner: Mapped[Practitioner | None] = relationship()
