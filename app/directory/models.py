"""Every change to the directory of units and staff, by whom and how (append-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class DirectoryChange(Base):
    __tablename__ = "directory_change"
    __table_args__ = (Index("ix_directory_change_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The administrator, or None for an import from a directory file.
    by_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    # "admin" (the pages) or "import:<file name>".
    source: Mapped[str] = mapped_column(String(200))
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), index=True)
    # "unit" or "practitioner"
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column()
    # "created", "updated", "moved", "deactivated", "reactivated"
    action: Mapped[str] = mapped_column(String(20))
    # Each changed field: [before, after].
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
