"""Reading the access log, for the patient's page Vem har tittat på mina uppgifter?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased, lazyload

from app.accounts.models import CareUnit, Person, Practitioner
from app.audit.models import AccessLogEntry
from app.plans.models import CarePlan

PAGE_SIZE = 25


@dataclass(frozen=True)
class LogRow:
    at: datetime
    action: str
    object_type: str
    object_title: str | None
    allowed: bool
    person: Person | None
    practitioner: Practitioner | None
    unit: CareUnit | None
    own: bool


def access_log_page(session: Session, patient_id: int, page: int) -> tuple[list[LogRow], int]:
    """One page of the patient's access log, newest first, and the number of pages."""
    total = (
        session.scalar(
            select(func.count(AccessLogEntry.id)).where(AccessLogEntry.patient_id == patient_id)
        )
        or 0
    )
    actor_person = aliased(Person)
    rows = session.execute(
        select(AccessLogEntry, actor_person, Practitioner, CareUnit, CarePlan.title)
        .outerjoin(actor_person, actor_person.id == AccessLogEntry.actor_person_id)
        .outerjoin(Practitioner, Practitioner.id == AccessLogEntry.actor_practitioner_id)
        .outerjoin(CareUnit, CareUnit.id == AccessLogEntry.actor_unit_id)
        .outerjoin(
            CarePlan,
            and_(
                AccessLogEntry.object_type.in_(["care_plan", "care_plan_draft"]),
                CarePlan.id == AccessLogEntry.object_id,
            ),
        )
        # The unit is selected above; an eager inner join here would drop rows without staff.
        .options(lazyload(Practitioner.unit), lazyload(CareUnit.principal))
        .where(AccessLogEntry.patient_id == patient_id)
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    result = [
        LogRow(
            entry.at,
            entry.action,
            entry.object_type,
            title,
            entry.allowed,
            person,
            practitioner,
            unit,
            person is not None and person.id == patient_id,
        )
        for entry, person, practitioner, unit, title in rows
    ]
    return result, max(1, -(-total // PAGE_SIZE))
