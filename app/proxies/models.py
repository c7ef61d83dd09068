"""Delegated access: proxies the patient invited, guardians on record, legal representatives."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Person, Practitioner
from app.db import Base, UTCDateTime, str_enum, utcnow


class Scope(enum.StrEnum):
    READ_PLANS = "read_plans"
    READ_MESSAGES = "read_messages"
    WRITE_MESSAGES = "write_messages"
    ANSWER_FOR = "answer_for"
    APPOINTMENTS = "appointments"


class GrantRelation(enum.StrEnum):
    PROXY = "proxy"
    LEGAL_REPRESENTATIVE = "legal_representative"


class DecisionAuthority(enum.StrEnum):
    """Who decided on a god man or förvaltare: the district court, or (for some god man
    decisions) the municipality's överförmyndare."""

    DISTRICT_COURT = "tingsratt"
    GUARDIANSHIP_AUTHORITY = "overformyndare"


class ProxyGrant(Base):
    """What a proxy may do for a patient, and for how long."""

    __tablename__ = "proxy_grant"
    __table_args__ = (Index("ix_proxy_grant_proxy_patient", "proxy_id", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    proxy_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    relation: Mapped[GrantRelation] = mapped_column(str_enum(GrantRelation, 30))
    relation_label: Mapped[str] = mapped_column(String(100), default="")
    # Space-separated Scope values, like OAuth scopes; matched portably with LIKE.
    scopes: Mapped[str] = mapped_column(String(200))
    # None: not in force yet. A legal representative registered by one member of staff takes
    # effect only when a colleague confirms it (valid_from is then the moment of confirmation);
    # the policy's `valid_from <= now` is never true for None, so it gives no access until then.
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # For a legal representative: who registered it, and who confirmed it.
    granted_by_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    confirmed_by_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    # The decision a legal representative is registered from, and why care registered it.
    decision_reference: Mapped[str | None] = mapped_column(String(200))
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_authority: Mapped[DecisionAuthority | None] = mapped_column(
        str_enum(DecisionAuthority, 30)
    )
    reason: Mapped[str | None] = mapped_column(Text)
    # Ended: by the patient (a proxy), or by care with a reason (a legal representative).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[Person] = relationship(foreign_keys=[patient_id])
    proxy: Mapped[Person] = relationship(foreign_keys=[proxy_id])
    registered_by: Mapped[Practitioner | None] = relationship(
        foreign_keys=[granted_by_practitioner_id]
    )
    confirmed_by: Mapped[Practitioner | None] = relationship(
        foreign_keys=[confirmed_by_practitioner_id]
    )
    revoked_by: Mapped[Practitioner | None] = relationship(
        foreign_keys=[revoked_by_practitioner_id]
    )
    exclusions: Mapped[list[GrantExclusion]] = relationship(
        back_populates="grant", cascade="all, delete-orphan"
    )
    objections: Mapped[list[RepresentativeObjection]] = relationship(
        back_populates="grant", order_by="RepresentativeObjection.created_at"
    )

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def awaiting_confirmation(self) -> bool:
        return self.valid_from is None and self.revoked_at is None

    def is_valid(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and self.valid_from is not None
            and self.valid_from <= now < self.valid_until
        )


class GrantExclusion(Base):
    """A plan or thread the patient keeps private from one proxy."""

    __tablename__ = "grant_exclusion"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("proxy_grant.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("care_plan.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"))

    grant: Mapped[ProxyGrant] = relationship(back_populates="exclusions")


class RepresentativeObjection(Base):
    """The patient objects to a legal representative care registered for them. Kept for
    staff to read beside the registration; it also opens a thread with the patient's care
    contact, kept private from the representative."""

    __tablename__ = "representative_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    grant_id: Mapped[int] = mapped_column(ForeignKey("proxy_grant.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grant: Mapped[ProxyGrant] = relationship(back_populates="objections")


class ProxyInvitation(Base):
    """A one-time code the patient passes on; only its hash is stored."""

    __tablename__ = "proxy_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    relation_label: Mapped[str] = mapped_column(String(100), default="")
    scopes: Mapped[str] = mapped_column(String(200))
    grant_until: Mapped[datetime] = mapped_column(UTCDateTime)
    # Plan ids kept private from whoever accepts, space-separated.
    private_plan_ids: Mapped[str] = mapped_column(String(500), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    patient: Mapped[Person] = relationship(foreign_keys=[patient_id])


class Guardianship(Base):
    """A vårdnadshavare on record for a child; access follows the age rule in the policy."""

    __tablename__ = "guardianship"
    __table_args__ = (Index("ix_guardianship_guardian_child", "guardian_id", "child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # From 13: continued access only by a recorded decision with the child's agreement (max 16).
    extended_until: Mapped[date | None] = mapped_column(Date)
    extension_decision: Mapped[str | None] = mapped_column(Text)
    extension_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"))

    child: Mapped[Person] = relationship(foreign_keys=[child_id])
    guardian: Mapped[Person] = relationship(foreign_keys=[guardian_id])
    extension_recorded_by: Mapped[Practitioner | None] = relationship()
