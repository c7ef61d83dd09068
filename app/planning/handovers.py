"""Aktiv överlämning (seed 001): care passes a plan's care-contact role or its coordination to a
colleague at the same or another unit. Until the receiver acknowledges, the sender stays
responsible and the patient sees that the change is waiting; after, the team changes and the
history keeps both."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.accounts.models import Practitioner
from app.audit.services import record_access
from app.clock import local_date
from app.messages.workdays import add_working_days
from app.notifications.services import queue
from app.planning.services import NotAllowed, PlanningError
from app.plans.models import (
    CarePlan,
    CareTeamMember,
    Handover,
    HandoverRole,
    PlanKind,
    PlanStatus,
    TeamRole,
)

# A handover not acknowledged within this many working days is flagged to the sender.
ACKNOWLEDGE_WITHIN_WORKING_DAYS = 2
CONTACT_ROLES = (TeamRole.CARE_CONTACT, TeamRole.CONTACT_NURSE)
MAX_NOTE = 2000

ERRORS = {
    "role": _l("Välj vad du lämnar över."),
    "not_holder": _l("Du kan bara lämna över en roll som du själv har på planen."),
    "receiver": _l("Välj vem som ska ta över."),
    "external": _l(
        "En annan aktör kan inte vara fast vårdkontakt eller samordnare. "
        "Välj någon i vårdens eller kommunens personal."
    ),
    "self": _l("Du kan inte lämna över till dig själv."),
    "already": _l("Den personen har redan den rollen på planen."),
    "pending": _l("Det finns redan en överlämning som väntar på bekräftelse."),
    "too_long": _l("Texten är för lång."),
}


def _fail(field: str, code: str) -> PlanningError:
    return PlanningError({field: str(ERRORS[code])})


def held_roles(plan: CarePlan, practitioner_id: int, today: date) -> list[HandoverRole]:
    """What this practitioner can hand over on the plan today."""
    roles = []
    for member in plan.current_team(today):
        if member.practitioner_id != practitioner_id:
            continue
        if member.role in CONTACT_ROLES:
            roles.append(HandoverRole.CARE_CONTACT)
        if member.is_coordinator:
            roles.append(HandoverRole.COORDINATION)
    return roles


def _holds(plan: CarePlan, practitioner_id: int, role: HandoverRole, today: date) -> bool:
    return role in held_roles(plan, practitioner_id, today)


def offer(
    session: Session,
    actor: Actor,
    plan: CarePlan,
    role: str,
    receiver: str,
    note: str,
    now: datetime,
) -> Handover:
    """Offer a role to a colleague: `receiver` is "member:<team row id>" for someone on the
    plan, or an HSA-id for anyone else. The sender stays responsible until it is acknowledged."""
    practitioner = actor.practitioner
    if practitioner is None or plan.status != PlanStatus.ACTIVE:
        raise NotAllowed
    today = local_date(now)
    if role not in {r.value for r in HandoverRole}:
        raise _fail("role", "role")
    handover_role = HandoverRole(role)
    if not _holds(plan, practitioner.id, handover_role, today):
        raise _fail("role", "not_holder")
    target = _receiver(session, plan, receiver.strip(), today)
    if target.id == practitioner.id:
        raise _fail("receiver", "self")
    if _holds(plan, target.id, handover_role, today):
        raise _fail("receiver", "already")
    if any(h.is_pending and h.role == handover_role for h in plan.handovers):
        raise _fail("receiver", "pending")
    text = note.replace("\r\n", "\n").strip()
    if len(text) > MAX_NOTE:
        raise _fail("note", "too_long")
    handover = Handover(
        plan_id=plan.id,
        role=handover_role,
        from_practitioner_id=practitioner.id,
        to_practitioner_id=target.id,
        note=text,
        created_at=now,
        due_on=add_working_days(today, ACKNOWLEDGE_WITHIN_WORKING_DAYS),
    )
    session.add(handover)
    plan.handovers.insert(0, handover)
    session.flush()
    record_access(session, actor, plan.patient_id, "create", "handover", handover.id, now)
    queue(
        session,
        "handover_offered",
        f"handover_offered:{handover.id}",
        practitioner_id=target.id,
        payload={"plan_id": plan.id},
    )
    return handover


def _receiver(session: Session, plan: CarePlan, receiver: str, today: date) -> Practitioner:
    if not receiver:
        raise _fail("receiver", "receiver")
    if receiver.startswith("member:"):
        member_id = receiver.removeprefix("member:")
        member = next(
            (m for m in plan.current_team(today) if str(m.id) == member_id),
            None,
        )
        if member is None:
            raise _fail("receiver", "receiver")
        if member.practitioner_id is None:
            raise _fail("receiver", "external")
        found = session.get(Practitioner, member.practitioner_id)
    else:
        found = session.scalars(
            select(Practitioner).where(Practitioner.hsa_id == receiver[:40])
        ).first()
    if found is None:
        raise _fail("receiver", "receiver")
    return found


def pending_for(session: Session, handover_id: int, now: datetime) -> Handover | None:
    return session.scalars(
        select(Handover).where(
            Handover.id == handover_id,
            Handover.acknowledged_at.is_(None),
            Handover.cancelled_at.is_(None),
        )
    ).first()


def acknowledge(session: Session, actor: Actor, handover_id: int, now: datetime) -> Handover | None:
    """The receiver confirms: the role moves to them today, the sender's row ends yesterday, and
    an open draft of the plan follows the change. None when the sender no longer holds the
    role: the handover is closed instead (there is nothing to take over). NotAllowed (404)
    for a handover that is not pending or not offered to the actor."""
    practitioner = actor.practitioner
    handover = pending_for(session, handover_id, now)
    if (
        practitioner is None
        or handover is None
        or handover.to_practitioner_id != practitioner.id
        or handover.plan.status != PlanStatus.ACTIVE
    ):
        raise NotAllowed
    plan = handover.plan
    today = local_date(now)
    team = plan.current_team(today)
    sender = next(
        (
            m
            for m in team
            if m.practitioner_id == handover.from_practitioner_id
            and (
                m.is_coordinator
                if handover.role == HandoverRole.COORDINATION
                else m.role in CONTACT_ROLES
            )
        ),
        None,
    )
    if sender is None:  # the sender no longer holds it: nothing to take over
        handover.cancelled_at = now
        session.flush()
        return None
    receiver_row = next((m for m in team if m.practitioner_id == practitioner.id), None)
    replaced: dict[int, CareTeamMember | None] = {}
    position = max((m.position for m in plan.team), default=-1) + 1

    def successor(old: CareTeamMember, **changes: object) -> CareTeamMember:
        nonlocal position
        old.valid_until = today - timedelta(days=1)
        fields: dict[str, Any] = {
            "role": old.role,
            "practitioner_id": old.practitioner_id,
            "unit_id": old.unit_id,
            "is_coordinator": old.is_coordinator,
            "responsibility": old.responsibility,
        }
        fields.update(changes)
        new = CareTeamMember(plan=plan, valid_from=today, position=position, **fields)
        session.add(new)
        position += 1
        replaced[old.id] = new
        return new

    moves_coordination = sender.is_coordinator and (
        handover.role == HandoverRole.COORDINATION or handover.role == HandoverRole.CARE_CONTACT
    )
    if handover.role == HandoverRole.CARE_CONTACT:
        sender.valid_until = today - timedelta(days=1)
        replaced[sender.id] = None  # leaves the team
        role = sender.role
    else:
        successor(sender, is_coordinator=False)
        role = receiver_row.role if receiver_row else _coordinator_role(plan)
    changes = {
        "role": role,
        "is_coordinator": moves_coordination or bool(receiver_row and receiver_row.is_coordinator),
        "practitioner_id": practitioner.id,
        "unit_id": practitioner.unit_id,
        "responsibility": sender.responsibility
        if handover.role == HandoverRole.CARE_CONTACT
        else (receiver_row.responsibility if receiver_row else ""),
    }
    if receiver_row is not None:
        successor(receiver_row, **changes)
    else:
        session.add(CareTeamMember(plan=plan, valid_from=today, position=position, **changes))
    handover.acknowledged_at = now
    plan.updated_at = now  # a new plan version: editors who opened it before must reload
    session.flush()
    _follow_in_draft(plan, replaced, today)
    record_access(session, actor, plan.patient_id, "update", "handover", handover.id, now)
    queue(
        session,
        "contact_changed",
        f"contact_changed:{handover.id}",
        person_id=plan.patient_id,
        payload={"plan_id": plan.id},
    )
    return handover


def _coordinator_role(plan: CarePlan) -> TeamRole:
    return TeamRole.SIP_ACTOR if plan.kind == PlanKind.SIP else TeamRole.CARE_CONTACT


def _follow_in_draft(
    plan: CarePlan, replaced: dict[int, CareTeamMember | None], today: date
) -> None:
    """An open draft keeps its edits; rows that the handover ended point at their successors,
    and the receiver's new row joins the draft's team."""
    if plan.draft is None:
        return
    draft = dict(plan.draft)
    current = {m.practitioner_id: m for m in plan.current_team(today) if m.practitioner_id}
    team = []
    for entry in draft["team"]:
        if entry.get("id") in replaced:
            successor = replaced[entry["id"]]
            if successor is None:
                continue
            entry = {**entry, "id": successor.id, "coordinator": successor.is_coordinator}
        team.append(entry)
    listed = {entry["practitioner_id"] for entry in team}
    for practitioner_id, member in current.items():
        if practitioner_id not in listed:
            team.append(
                {
                    "id": member.id,
                    "practitioner_id": practitioner_id,
                    "unit_id": member.unit_id,
                    "role": member.role.value,
                    "responsibility": member.responsibility,
                    "coordinator": member.is_coordinator,
                }
            )
    for entry in team:
        row = current.get(entry["practitioner_id"])
        entry["coordinator"] = bool(row and row.is_coordinator)
    draft["team"] = team
    plan.draft = draft


def cancel(session: Session, actor: Actor, handover_id: int, now: datetime) -> Handover:
    """The sender takes back a handover that nobody has acknowledged yet."""
    practitioner = actor.practitioner
    handover = pending_for(session, handover_id, now)
    if practitioner is None or handover is None or handover.from_practitioner_id != practitioner.id:
        raise NotAllowed
    handover.cancelled_at = now
    session.flush()
    record_access(session, actor, handover.plan.patient_id, "delete", "handover", handover.id, now)
    return handover
