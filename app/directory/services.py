"""The directory of units and staff: each change checked, applied and written to the change log.

Both the administrator's pages (app/directory/views.py) and the import of a directory file
(app/directory/importing.py) change the directory through these functions, so that a change
is checked the same way and recorded once (DirectoryChange), whoever makes it. Nothing here
commits: the caller's transaction does (the request's, or the import's).

Deactivating someone who leaves ends their sign-in sessions, refuses their future sign-ins
(app/accounts), keeps every row of their history, and hands their open work to their unit:
their threads go back to the unit's queue, their pending handovers are cancelled, and their
current roles on care teams end today, so that the plans show on the unit's work list under
"Ingen fast vårdkontakt" (app/planning/worklist.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.accounts.models import CareUnit, Practitioner, Principal, StaffRole, UserSession
from app.audit.services import record_access
from app.directory.hsa import InvalidHsaId, normalise_hsa_id
from app.directory.models import DirectoryChange
from app.messages.models import Thread
from app.plans.models import CarePlan, CareTeamMember, Handover

ADMIN_SOURCE = "admin"
# A unit's promise for answering messages: at least the next working day, at most two weeks.
MIN_RESPONSE_DAYS = 1
MAX_RESPONSE_DAYS = 10
# How many working days before an agreed time its patient is reminded (app/appointments).
MIN_REMINDER_DAYS = 1
MAX_REMINDER_DAYS = 5
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{3,38}[0-9]$")
_EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_NAME_MAX = 100
_UNIT_NAME_MAX = 200
_ADDRESS_MAX = 300
_EMAIL_MAX = 200

ERRORS = {
    "hsa_id": _l("Skriv ett giltigt HSA-id, till exempel SE2321000230-ABC1."),
    "hsa_taken": _l("HSA-id:t används redan av en annan enhet eller person."),
    "name": _l("Skriv enhetens namn."),
    "given_name": _l("Skriv förnamnet."),
    "family_name": _l("Skriv efternamnet."),
    "title": _l("Skriv befattningen, till exempel Sjuksköterska."),
    "too_long": _l("Texten är för lång."),
    "phone": _l("Skriv ett telefonnummer med siffror, till exempel 0920-28 40 00."),
    "email": _l("Skriv en giltig e-postadress, till exempel namn@regionen.se."),
    "days": _l("Skriv hur många arbetsdagar enheten lovar för svar, från 1 till 10."),
    "reminder_days": _l(
        "Skriv hur många arbetsdagar före en tid patienten påminns, från 1 till 5."
    ),
    "unit": _l("Välj en av huvudmannens öppna enheter."),
    "roles": _l("Välj minst en roll: vård eller administratör."),
    "own_admin": _l(
        "Du kan inte ta bort din egen roll som administratör. Be en annan administratör."
    ),
    "own_access": _l(
        "Du kan inte avsluta din egen behörighet. Be en annan administratör göra det."
    ),
}


class DirectoryError(ValueError):
    """A change that is refused: which field, and the Swedish message."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class UnitData:
    hsa_id: str
    name: str
    phone: str
    address: str = ""
    response_working_days: int | None = 2
    reminder_working_days: int | None = 1


@dataclass(frozen=True)
class StaffData:
    hsa_id: str
    given_name: str
    family_name: str
    title: str
    unit_id: int | None
    phone: str = ""
    email: str = ""
    roles: tuple[str, ...] = (StaffRole.CARE.value,)


def principal_of(session: Session, practitioner: Practitioner) -> Principal:
    """The principal whose directory the practitioner administers: their own unit's."""
    return session.get_one(Principal, practitioner.unit.principal_id)


def check_hsa_id(principal: Principal, value: str) -> str:
    """A unit's or person's HSA-id: well-formed, and under the principal's own."""
    try:
        hsa_id = normalise_hsa_id(value)
    except InvalidHsaId:
        raise DirectoryError("hsa_id", ERRORS["hsa_id"]) from None
    prefix = principal.hsa_id or ""
    if not prefix or not hsa_id.startswith(prefix + "-"):
        raise DirectoryError(
            "hsa_id",
            _l("HSA-id:t måste börja med huvudmannens eget HSA-id, %(prefix)s.", prefix=prefix),
        )
    return hsa_id


# Every HSA-id in the directory: {hsa_id: (object type, id)}. An import reads it once and keeps
# it up to date, instead of asking the database for each row.
Known = dict[str, tuple[str, int]]


def known_hsa_ids(session: Session) -> Known:
    known: Known = {}
    for object_type, model in (("unit", CareUnit), ("practitioner", Practitioner)):
        for hsa_id, row_id in session.execute(
            select(model.hsa_id, model.id).where(model.hsa_id.is_not(None))
        ):
            known[hsa_id] = (object_type, row_id)
    return known


def _taken(
    session: Session, hsa_id: str, kind: type[Any], own: int | None, known: Known | None = None
) -> None:
    """Refuse an HSA-id that another unit or person has (`own`: the row being edited)."""
    if known is not None:
        holder = known.get(hsa_id)
        wanted = "unit" if kind is CareUnit else "practitioner"
        if holder is not None and holder != (wanted, own):
            raise DirectoryError("hsa_id", ERRORS["hsa_taken"])
        return
    for model in (CareUnit, Practitioner):
        found = session.scalar(select(model.id).where(model.hsa_id == hsa_id))
        if found is not None and not (model is kind and found == own):
            raise DirectoryError("hsa_id", ERRORS["hsa_taken"])


def _text(field: str, value: str, maximum: int, required: bool = True, code: str = "") -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise DirectoryError(field, ERRORS[code or field])
    if len(text) > maximum:
        raise DirectoryError(field, ERRORS["too_long"])
    return text


def _phone(field: str, value: str, required: bool) -> str:
    text = " ".join((value or "").split())
    if not text and not required:
        return ""
    if not _PHONE.match(text):
        raise DirectoryError(field, ERRORS["phone"])
    return text


def _email(value: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) > _EMAIL_MAX or not _EMAIL.match(text):
        raise DirectoryError("email", ERRORS["email"])
    return text


def checked_unit(
    session: Session,
    principal: Principal,
    data: UnitData,
    own: int | None = None,
    known: Known | None = None,
) -> dict[str, Any]:
    """The unit's fields as they will be stored, or DirectoryError for the first bad one."""
    hsa_id = check_hsa_id(principal, data.hsa_id)
    _taken(session, hsa_id, CareUnit, own, known)
    days = data.response_working_days
    if days is None or not MIN_RESPONSE_DAYS <= days <= MAX_RESPONSE_DAYS:
        raise DirectoryError("response_working_days", ERRORS["days"])
    reminder = data.reminder_working_days
    if reminder is None or not MIN_REMINDER_DAYS <= reminder <= MAX_REMINDER_DAYS:
        raise DirectoryError("reminder_working_days", ERRORS["reminder_days"])
    return {
        "hsa_id": hsa_id,
        "name": _text("name", data.name, _UNIT_NAME_MAX),
        "phone": _phone("phone", data.phone, required=True),
        "address": _text("address", data.address, _ADDRESS_MAX, required=False),
        "response_working_days": days,
        "reminder_working_days": reminder,
    }


def checked_staff(
    session: Session,
    principal: Principal,
    data: StaffData,
    own: int | None = None,
    known: Known | None = None,
) -> dict[str, Any]:
    """The person's fields as they will be stored, or DirectoryError for the first bad one."""
    hsa_id = check_hsa_id(principal, data.hsa_id)
    _taken(session, hsa_id, Practitioner, own, known)
    values: dict[str, Any] = {
        "hsa_id": hsa_id,
        "given_name": _text("given_name", data.given_name, _NAME_MAX),
        "family_name": _text("family_name", data.family_name, _NAME_MAX),
        "title": _text("title", data.title, _NAME_MAX),
        "phone": _phone("phone", data.phone, required=False) or None,
        "email": _email(data.email) or None,
    }
    unit = session.get(CareUnit, data.unit_id) if data.unit_id is not None else None
    if unit is None or unit.principal_id != principal.id or unit.deactivated_at is not None:
        raise DirectoryError("unit_id", ERRORS["unit"])
    values["unit_id"] = unit.id
    roles = [role.value for role in StaffRole if role.value in data.roles]
    if not roles or len(roles) != len(set(data.roles)):
        raise DirectoryError("roles", ERRORS["roles"])
    values["roles"] = " ".join(roles)
    return values


def _log(
    session: Session,
    principal_id: int,
    object_type: str,
    object_id: int,
    action: str,
    changes: dict[str, list[Any]],
    by_id: int | None,
    source: str,
    now: datetime,
) -> DirectoryChange:
    row = DirectoryChange(
        at=now,
        by_practitioner_id=by_id,
        source=source[:200],
        principal_id=principal_id,
        object_type=object_type,
        object_id=object_id,
        action=action,
        changes=changes,
    )
    session.add(row)
    return row


def _apply(row: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set each value that differs; return the changes as {field: [before, after]}."""
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        before = getattr(row, name)
        if before != value:
            changes[name] = [before, value]
            setattr(row, name, value)
    return changes


# --- Units ------------------------------------------------------------------------------------


def create_unit(
    session: Session,
    principal: Principal,
    data: UnitData,
    by_id: int | None,
    source: str,
    now: datetime,
    known: Known | None = None,
) -> CareUnit:
    values = checked_unit(session, principal, data, known=known)
    unit = CareUnit(principal_id=principal.id, **values)
    session.add(unit)
    session.flush()
    if known is not None:
        known[unit.hsa_id or ""] = ("unit", unit.id)
    changes = {name: [None, value] for name, value in values.items()}
    _log(session, principal.id, "unit", unit.id, "created", changes, by_id, source, now)
    return unit


def update_unit(
    session: Session,
    unit: CareUnit,
    data: UnitData,
    by_id: int | None,
    source: str,
    now: datetime,
    known: Known | None = None,
) -> dict[str, list[Any]]:
    """Change the unit's fields; nothing is logged when nothing differs."""
    principal = session.get_one(Principal, unit.principal_id)
    values = checked_unit(session, principal, data, own=unit.id, known=known)
    changes = _apply(unit, values)
    if changes:
        _log(session, principal.id, "unit", unit.id, "updated", changes, by_id, source, now)
        session.flush()
    return changes


def active_staff_count(session: Session, unit_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Practitioner.id)).where(
                Practitioner.unit_id == unit_id, Practitioner.deactivated_at.is_(None)
            )
        )
        or 0
    )


def deactivate_unit(
    session: Session, unit: CareUnit, by_id: int | None, source: str, now: datetime
) -> None:
    """Close a unit that nobody works at any more (its history stays)."""
    if unit.deactivated_at is not None:
        return
    count = active_staff_count(session, unit.id)
    if count:
        raise DirectoryError(
            "unit",
            _l(
                "Enheten har fortfarande %(count)d aktiva medarbetare. "
                "Flytta eller avsluta dem först.",
                count=count,
            ),
        )
    unit.deactivated_at = now
    changes = {"deactivated_at": [None, now.isoformat()]}
    _log(session, unit.principal_id, "unit", unit.id, "deactivated", changes, by_id, source, now)
    session.flush()


def reactivate_unit(
    session: Session, unit: CareUnit, by_id: int | None, source: str, now: datetime
) -> None:
    if unit.deactivated_at is None:
        return
    changes = {"deactivated_at": [unit.deactivated_at.isoformat(), None]}
    unit.deactivated_at = None
    _log(session, unit.principal_id, "unit", unit.id, "reactivated", changes, by_id, source, now)
    session.flush()


# --- Staff ------------------------------------------------------------------------------------


def create_staff(
    session: Session,
    principal: Principal,
    data: StaffData,
    by_id: int | None,
    source: str,
    now: datetime,
    known: Known | None = None,
) -> Practitioner:
    values = checked_staff(session, principal, data, known=known)
    practitioner = Practitioner(**values)
    session.add(practitioner)
    session.flush()
    if known is not None:
        known[practitioner.hsa_id] = ("practitioner", practitioner.id)
    changes = {name: [None, value] for name, value in values.items()}
    _log(
        session,
        principal.id,
        "practitioner",
        practitioner.id,
        "created",
        changes,
        by_id,
        source,
        now,
    )
    return practitioner


def update_staff(
    session: Session,
    practitioner: Practitioner,
    data: StaffData,
    by_id: int | None,
    source: str,
    now: datetime,
    known: Known | None = None,
) -> dict[str, list[Any]]:
    """Change the person's fields. A change of unit is a move: logged as "moved" (with any
    other field changed at the same time). Nothing is logged when nothing differs. An
    administrator cannot take away their own administrator role (nobody could give it back)."""
    if by_id == practitioner.id and StaffRole.ADMIN.value not in data.roles:
        raise DirectoryError("roles", ERRORS["own_admin"])
    principal = principal_of(session, practitioner)
    values = checked_staff(session, principal, data, own=practitioner.id, known=known)
    changes = _apply(practitioner, values)
    if changes:
        action = "moved" if "unit_id" in changes else "updated"
        _log(
            session,
            principal.id,
            "practitioner",
            practitioner.id,
            action,
            changes,
            by_id,
            source,
            now,
        )
        session.flush()
        session.refresh(practitioner, ["unit"])
    return changes


@dataclass(frozen=True)
class HandedOver:
    """What deactivating someone passed on to their unit."""

    sessions: int = 0
    threads: int = 0
    handovers: int = 0
    team_roles: int = 0


def deactivate_staff(
    session: Session,
    practitioner: Practitioner,
    by: Actor | None,
    source: str,
    now: datetime,
    today: date,
) -> HandedOver:
    """Someone leaves: sessions end now, sign-in is refused from now on, nothing is deleted, and
    their open work goes to their unit. `by` is the administrator (None for an import); each
    patient whose threads or care team change gets an entry in their access log when an
    administrator did it. An administrator cannot end their own access."""
    if by is not None and by.practitioner_id == practitioner.id:
        raise DirectoryError("status", ERRORS["own_access"])
    if practitioner.deactivated_at is not None:
        return HandedOver()
    practitioner.deactivated_at = now
    ended = session.execute(
        update(UserSession)
        .where(UserSession.practitioner_id == practitioner.id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    threads = session.scalars(
        select(Thread).where(
            or_(
                Thread.assigned_to_id == practitioner.id,
                Thread.offered_to_id == practitioner.id,
                Thread.offered_by_id == practitioner.id,
            )
        )
    ).all()
    for thread in threads:
        if thread.assigned_to_id == practitioner.id:
            thread.assigned_to_id = None
        thread.offered_to_id = None
        thread.offered_by_id = None
        thread.offer_note = None
        if by is not None:
            record_access(session, by, thread.patient_id, "update", "thread", thread.id, now)
    handovers = session.scalars(
        select(Handover).where(
            or_(
                Handover.from_practitioner_id == practitioner.id,
                Handover.to_practitioner_id == practitioner.id,
            ),
            Handover.acknowledged_at.is_(None),
            Handover.cancelled_at.is_(None),
        )
    ).all()
    for handover in handovers:
        handover.cancelled_at = now
    members = session.execute(
        select(CareTeamMember, CarePlan.patient_id)
        .join(CarePlan, CarePlan.id == CareTeamMember.plan_id)
        .where(
            CareTeamMember.practitioner_id == practitioner.id,
            or_(CareTeamMember.valid_until.is_(None), CareTeamMember.valid_until >= today),
        )
    ).all()
    for member, patient_id in members:
        # A current role ends with yesterday, as a handover ends one (app/planning/handovers.py),
        # so that from today the plan has no care contact; a role not begun yet never begins.
        member.valid_until = max(today, member.valid_from) - timedelta(days=1)
        if by is not None:
            record_access(session, by, patient_id, "update", "care_team", member.plan_id, now)
    changes = {
        "deactivated_at": [None, now.isoformat()],
        "sessions_ended": [None, ended.rowcount],  # type: ignore[attr-defined]
        "threads_to_unit": [None, len(threads)],
        "handovers_cancelled": [None, len(handovers)],
        "team_roles_ended": [None, len(members)],
    }
    _log(
        session,
        practitioner.unit.principal_id,
        "practitioner",
        practitioner.id,
        "deactivated",
        changes,
        by.practitioner_id if by is not None else None,
        source,
        now,
    )
    session.flush()
    return HandedOver(ended.rowcount, len(threads), len(handovers), len(members))  # type: ignore[attr-defined]


def reactivate_staff(
    session: Session, practitioner: Practitioner, by_id: int | None, source: str, now: datetime
) -> None:
    """Someone returns: they may sign in again (their former work stays with the unit)."""
    if practitioner.deactivated_at is None:
        return
    unit = practitioner.unit
    if unit.deactivated_at is not None:
        raise DirectoryError("unit_id", ERRORS["unit"])
    changes = {"deactivated_at": [practitioner.deactivated_at.isoformat(), None]}
    practitioner.deactivated_at = None
    _log(
        session,
        unit.principal_id,
        "practitioner",
        practitioner.id,
        "reactivated",
        changes,
        by_id,
        source,
        now,
    )
    session.flush()
