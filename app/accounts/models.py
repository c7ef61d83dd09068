"""People who sign in, the staff who care for them, and where the staff work."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, str_enum, utcnow


class PrincipalKind(enum.StrEnum):
    REGION = "region"
    MUNICIPALITY = "municipality"


class StaffRole(enum.StrEnum):
    # Care for patients: the care-relationship rules of app/access/policy apply.
    CARE = "care"
    # Keeps the directory of the principal the practitioner's unit belongs to (app/directory).
    ADMIN = "admin"
    # Reads the principal's follow-up figures, counted and never one patient (app/followup).
    FOLLOW_UP = "followup"


class Principal(Base):
    """A huvudman: the region or municipality responsible for a unit."""

    __tablename__ = "principal"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PrincipalKind] = mapped_column(str_enum(PrincipalKind, 20))
    # The organisation's HSA-id (SE + organisation number), as the directory names it.
    hsa_id: Mapped[str | None] = mapped_column(String(40), unique=True)


class CareUnit(Base):
    """A workplace: a health centre, a clinic, a municipal home-care team."""

    __tablename__ = "care_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(300), default="")
    # The unit's promise for answering messages, in Swedish working days.
    response_working_days: Mapped[int] = mapped_column(Integer, default=2)
    # How long before an agreed time the patient is reminded, in Swedish working days.
    reminder_working_days: Mapped[int] = mapped_column(Integer, default=1)
    hsa_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    # A unit that has closed keeps its history; nobody is placed there any more.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    principal: Mapped[Principal] = relationship()


class Person(Base):
    """Someone who signs in with eID: a patient, a relative acting for one, or both."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(12), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    # Confirmed addresses only (a one-time code, app/contact): Samplan reaches the person there.
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    # What the person wants to be told about, and how (space-separated; see app/contact).
    notify_topics: Mapped[str] = mapped_column(
        String(200), default="reply plan appointment reminder request"
    )
    notify_channels: Mapped[str] = mapped_column(String(60), default="email sms push")
    # When the name was last taken from the eID's claims; None for a person care registered
    # from a personal number who has not signed in yet (the name is care's until then).
    name_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preferred_language: Mapped[str] = mapped_column(String(8), default="sv")
    simple_view: Mapped[bool] = mapped_column(Boolean, default=False)
    deceased_on: Mapped[date | None] = mapped_column(Date)
    # Stable key for the demo world ("patient-maja"); empty for real people.
    demo_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Practitioner(Base):
    """A member of staff, identified by their HSA-id, working at one unit."""

    __tablename__ = "practitioner"

    id: Mapped[int] = mapped_column(primary_key=True)
    hsa_id: Mapped[str] = mapped_column(String(40), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    notify_each_message: Mapped[bool] = mapped_column(Boolean, default=True)
    # What they do in Samplan (space-separated StaffRole values).
    roles: Mapped[str] = mapped_column(String(100), default="care")
    # Someone who has left: cannot sign in, keeps their history (app/directory).
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    demo_key: Mapped[str | None] = mapped_column(String(40), unique=True)

    unit: Mapped[CareUnit] = relationship()

    def has_role(self, role: StaffRole) -> bool:
        return role.value in self.roles.split()

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class UserSession(Base):
    """A signed-in session, kept server-side so that signing out ends it everywhere."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the random token held in the signed session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"), index=True)
    # "demo", or the OIDC provider's name ("eid", "staff").
    method: Mapped[str] = mapped_column(String(20))
    # Kept to end the provider's session too at sign-out (id_token_hint).
    id_token: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "Spara min plan på den här telefonen": when the person turned it on for this session's
    # device (a session is one browser on one device); None means no copies may be kept.
    offline_copy_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person | None] = relationship()
    practitioner: Mapped[Practitioner | None] = relationship()
