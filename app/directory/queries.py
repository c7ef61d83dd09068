"""What the administrator's pages show: the principal's units and staff, and the change log,
read with Core statements into small frozen rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import CareUnit, Practitioner
from app.directory.models import DirectoryChange

LIST_LIMIT = 200
CHANGES_LIMIT = 50


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    hsa_id: str
    phone: str
    active: bool
    staff: int


@dataclass(frozen=True)
class StaffRow:
    id: int
    name: str
    hsa_id: str
    title: str
    unit_name: str
    roles: str
    active: bool


@dataclass(frozen=True)
class ChangeRow:
    at: datetime
    action: str
    object_type: str
    object_id: int
    source: str
    by_name: str
    changes: dict[str, Any]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def units(session: Session, principal_id: int, search: str = "") -> list[UnitRow]:
    staff = (
        select(func.count(Practitioner.id))
        .where(Practitioner.unit_id == CareUnit.id, Practitioner.deactivated_at.is_(None))
        .correlate(CareUnit)
        .scalar_subquery()
    )
    statement = select(
        CareUnit.id,
        CareUnit.name,
        CareUnit.hsa_id,
        CareUnit.phone,
        CareUnit.deactivated_at,
        staff.label("staff"),
    ).where(CareUnit.principal_id == principal_id)
    if search:
        pattern = _like(search)
        statement = statement.where(
            or_(
                func.lower(CareUnit.name).like(pattern, escape="\\"),
                func.lower(func.coalesce(CareUnit.hsa_id, "")).like(pattern, escape="\\"),
            )
        )
    rows = session.execute(
        statement.order_by(CareUnit.deactivated_at.is_not(None), CareUnit.name).limit(LIST_LIMIT)
    )
    return [
        UnitRow(r.id, r.name, r.hsa_id or "", r.phone, r.deactivated_at is None, r.staff or 0)
        for r in rows
    ]


def staff(
    session: Session, principal_id: int, search: str = "", unit_id: int | None = None
) -> list[StaffRow]:
    statement = (
        select(
            Practitioner.id,
            Practitioner.given_name,
            Practitioner.family_name,
            Practitioner.hsa_id,
            Practitioner.title,
            Practitioner.roles,
            Practitioner.deactivated_at,
            CareUnit.name.label("unit_name"),
        )
        .join(CareUnit, CareUnit.id == Practitioner.unit_id)
        .where(CareUnit.principal_id == principal_id)
    )
    if unit_id is not None:
        statement = statement.where(Practitioner.unit_id == unit_id)
    if search:
        pattern = _like(search)
        name = Practitioner.given_name + " " + Practitioner.family_name
        statement = statement.where(
            or_(
                func.lower(name).like(pattern, escape="\\"),
                func.lower(Practitioner.hsa_id).like(pattern, escape="\\"),
                func.lower(Practitioner.title).like(pattern, escape="\\"),
                func.lower(CareUnit.name).like(pattern, escape="\\"),
            )
        )
    rows = session.execute(
        statement.order_by(
            Practitioner.deactivated_at.is_not(None),
            Practitioner.family_name,
            Practitioner.given_name,
        ).limit(LIST_LIMIT)
    )
    return [
        StaffRow(
            r.id,
            f"{r.given_name} {r.family_name}",
            r.hsa_id,
            r.title,
            r.unit_name,
            r.roles,
            r.deactivated_at is None,
        )
        for r in rows
    ]


def changes(
    session: Session,
    principal_id: int,
    object_type: str | None = None,
    object_id: int | None = None,
    limit: int = CHANGES_LIMIT,
) -> list[ChangeRow]:
    """The newest changes (at most `limit`) of the principal's directory, or of one unit or
    person."""
    statement = (
        select(
            DirectoryChange.at,
            DirectoryChange.action,
            DirectoryChange.object_type,
            DirectoryChange.object_id,
            DirectoryChange.source,
            DirectoryChange.changes,
            Practitioner.given_name,
            Practitioner.family_name,
        )
        .outerjoin(Practitioner, Practitioner.id == DirectoryChange.by_practitioner_id)
        .where(DirectoryChange.principal_id == principal_id)
    )
    if object_type is not None:
        statement = statement.where(
            DirectoryChange.object_type == object_type, DirectoryChange.object_id == object_id
        )
    rows = session.execute(
        statement.order_by(DirectoryChange.at.desc(), DirectoryChange.id.desc()).limit(limit)
    )
    return [
        ChangeRow(
            r.at,
            r.action,
            r.object_type,
            r.object_id,
            r.source,
            f"{r.given_name} {r.family_name}" if r.given_name is not None else "",
            dict(r.changes or {}),
        )
        for r in rows
    ]
