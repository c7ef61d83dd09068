"""An address a person gives for being reached, waiting for the one-time code that confirms it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, str_enum, utcnow


class ContactKind(enum.StrEnum):
    EMAIL = "email"
    MOBILE = "mobile"


class ContactConfirmation(Base):
    """A code sent to a new address. The address is the person's (Person.email or .phone) only
    once they type the code back, before it expires and within a few tries."""

    __tablename__ = "contact_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[ContactKind] = mapped_column(str_enum(ContactKind, 10))
    address: Mapped[str] = mapped_column(String(200))
    # SHA-256 of the code: a copy of the database does not confirm anything.
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Replaced by a newer code for the same kind, or given up after too many wrong tries.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
