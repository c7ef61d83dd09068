"""The outbox: notifications to deliver at least once, recorded once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class OutboxItem(Base):
    __tablename__ = "outbox_item"
    __table_args__ = (Index("ix_outbox_item_pending", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recipient_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    template: Mapped[str] = mapped_column(String(60))
    # Never health content: ids and links only.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
