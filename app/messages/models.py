"""Threads between a patient (or their proxy) and a care unit, with an assigned care contact."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import CareUnit, Person, Practitioner
from app.db import Base, UTCDateTime, str_enum, utcnow
from app.plans.models import CarePlan


class ThreadStatus(enum.StrEnum):
    WAITING_FOR_CARE = "waiting_for_care"
    ANSWERED = "answered"
    HANDLED = "handled"


class Thread(Base):
    __tablename__ = "thread"
    __table_args__ = (
        Index("ix_thread_patient_last", "patient_id", "last_message_at"),
        Index("ix_thread_assigned_status", "assigned_to_id", "status", "waiting_since"),
        Index("ix_thread_unit_status", "unit_id", "status", "waiting_since"),
        # "Assigned to me" is assigned OR offered to me: both sides need an index.
        Index("ix_thread_offered_status", "offered_to_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("care_plan.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"))
    # None: in the unit's queue (its care contact has left, app/directory), for anyone there.
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    # A handover in progress: the thread stays with assigned_to until this person takes it.
    offered_to_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    offer_note: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[ThreadStatus] = mapped_column(
        str_enum(ThreadStatus, 20), default=ThreadStatus.WAITING_FOR_CARE
    )
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[CareUnit] = relationship()
    patient: Mapped[Person] = relationship(foreign_keys=[patient_id])
    plan: Mapped[CarePlan | None] = relationship()
    assigned_to: Mapped[Practitioner | None] = relationship(foreign_keys=[assigned_to_id])
    offered_to: Mapped[Practitioner | None] = relationship(foreign_keys=[offered_to_id])
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", order_by="Message.created_at"
    )


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_thread_created", "thread_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"))
    # Exactly one author: a person (patient or proxy) or a practitioner.
    author_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    author_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    # Set when a proxy writes for the patient: "Anna Lind för Maja Lind".
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(Text)
    # One key per compose form: a resubmission stores nothing new.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_by_care_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_by_care_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    read_by_patient_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship(back_populates="messages")
    author_person: Mapped[Person | None] = relationship(foreign_keys=[author_person_id])
    author_practitioner: Mapped[Practitioner | None] = relationship(
        foreign_keys=[author_practitioner_id]
    )
    on_behalf_of: Mapped[Person | None] = relationship(foreign_keys=[on_behalf_of_id])
    read_by_care: Mapped[Practitioner | None] = relationship(foreign_keys=[read_by_care_id])


class Wait(Base):
    """One time a patient waited for care in a thread: from the patient's message that started
    it to care's first answer, or to care marking the matter handled. Kept for follow-up (seed
    002: "Är det lätt att komma i kontakt med vården?"), with the day the unit promised to answer
    by when the wait began, so a later change of promise does not rewrite the past."""

    __tablename__ = "message_wait"
    __table_args__ = (
        Index("ix_message_wait_unit_started", "unit_id", "started_at"),
        Index("ix_message_wait_thread_open", "thread_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[date] = mapped_column(Date)  # the unit's promise, in Swedish working days
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Working days from the start to the end: 0 the same day, 1 the next working day.
    working_days: Mapped[int | None] = mapped_column()

    thread: Mapped[Thread] = relationship()
