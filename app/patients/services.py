"""A patient's first contact with Samplan through care: a practitioner states a care
relationship with the person behind a personal number, and may then start their first plan.

Under the patient data act (patientdatalagen 4 kap. 1 §) staff may read about a patient only
with a care relationship. Samplan infers one from the plans a practitioner works on; for a
patient with no plan at their unit there is none, so the practitioner states it, and why. The
statement is written in the patient's access log, where the patient reads it, and opens the
patient to that practitioner alone, for STATED_FOR. Until the statement, nothing about the
person is shown, not even whether Samplan knows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.accounts.identity import birth_date_of
from app.accounts.models import Person, StaffRole
from app.audit.services import record_access
from app.patients.models import CareRelationship, RelationshipReason

# Long enough to write and publish a first plan; the plan's own care relationship holds after.
STATED_FOR = timedelta(days=30)


class NotCare(Exception):
    """The practitioner has no care role (an administrator): no patients at all."""


@dataclass(frozen=True)
class Statement:
    personal_number: str
    given_name: str
    family_name: str
    reason: RelationshipReason
    note: str


def may_state(actor: Actor) -> bool:
    practitioner = actor.practitioner
    return practitioner is not None and practitioner.has_role(StaffRole.CARE)


def state_relationship(
    session: Session, actor: Actor, statement: Statement, now: datetime
) -> Person:
    """Record the statement and return the patient, created from the personal number if
    Samplan does not know them yet (with the name as care wrote it, until the person's first
    sign-in confirms it from the e-legitimation's claims: app/accounts/oidc.person_for)."""
    practitioner = actor.practitioner
    if practitioner is None or not practitioner.has_role(StaffRole.CARE):
        raise NotCare
    patient = session.scalars(
        select(Person).where(Person.personal_number == statement.personal_number)
    ).first()
    if patient is None:
        patient = Person(
            personal_number=statement.personal_number,
            given_name=statement.given_name,
            family_name=statement.family_name,
            birth_date=birth_date_of(statement.personal_number),
            created_at=now,
            name_confirmed_at=None,
        )
        session.add(patient)
        session.flush()
    relationship = CareRelationship(
        practitioner_id=practitioner.id,
        patient_id=patient.id,
        unit_id=practitioner.unit_id,
        reason=statement.reason,
        note=statement.note,
        created_at=now,
        valid_until=now + STATED_FOR,
    )
    session.add(relationship)
    session.flush()
    record_access(session, actor, patient.id, "state", "care_relationship", relationship.id, now)
    return patient
