"""The pieces the patients' modules build with: plans, team members, goals, activities, published
versions, threads and messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.clock import local_date
from app.demo.seed.world import _World
from app.goals.models import Activity, ActivityStatus, Goal, GoalStatus, ProposedBy, Responsible
from app.messages.models import Message, Thread, ThreadStatus, Wait
from app.messages.workdays import add_working_days, working_days_between
from app.plans.models import CarePlan, CareTeamMember, PlanKind, PlanStatus, PlanVersion, TeamRole


def _plan(
    w: _World, key: str, patient: str, kind: PlanKind, unit: str, created: int, **fields: Any
) -> CarePlan:
    """A plan for a patient, created `created` days ago (a negative offset).

    Not flushed yet: publish its versions before anything flushes it, so the first INSERT
    already carries published_version and the optimistic-lock version stays at 1.
    """
    created_at = w.at(created, 9, 30)
    plan = w.add(
        CarePlan(
            patient_id=w.persons[patient].id,
            kind=kind,
            unit_id=w.units[unit].id,
            status=fields.pop("status", PlanStatus.ACTIVE),
            created_at=created_at,
            updated_at=created_at,
            **fields,
        )
    )
    w.plans[key] = plan
    return plan


def _member(
    w: _World,
    plan: CarePlan,
    role: TeamRole,
    staff: str | None,
    responsibility: str,
    *,
    coordinator: bool = False,
    **external: str,
) -> CareTeamMember:
    """A practitioner (at their own unit) or an external actor (staff None) on the plan."""
    practitioner = w.staff[staff] if staff else None
    return w.add(
        CareTeamMember(
            plan=plan,
            role=role,
            practitioner_id=practitioner.id if practitioner else None,
            unit_id=practitioner.unit_id if practitioner else None,
            external_name=external.get("name"),
            external_contact=external.get("contact"),
            is_coordinator=coordinator,
            responsibility=responsibility,
            valid_from=plan.created_at.date(),
            valid_until=None,
            position=len(plan.team),
        )
    )


def _goal(
    w: _World,
    plan: CarePlan,
    text: str,
    target: date | None,
    *,
    parent: Goal | None = None,
    by: ProposedBy = ProposedBy.PATIENT,
    status: GoalStatus = GoalStatus.ONGOING,
) -> Goal:
    goal = w.add(
        Goal(
            plan=plan,
            parent_id=parent.id if parent else None,
            text=text,
            target_date=target,
            status=status,
            proposed_by=by,
            position=len(plan.goals),
            created_at=plan.created_at,
        )
    )
    w.session.flush()
    return goal


ActivityRow = tuple[Goal | None, str, Responsible, str | None, str, date | None, ActivityStatus]

# Short names for the activity tables in the patients' modules.
PATIENT, RELATIVE, UNIT = Responsible.PATIENT, Responsible.RELATIVE, Responsible.UNIT
PRACTITIONER, EXTERNAL = Responsible.PRACTITIONER, Responsible.EXTERNAL
ONGOING, PLANNED, DONE = ActivityStatus.ONGOING, ActivityStatus.PLANNED, ActivityStatus.DONE


def _responsible_party(
    w: _World, responsible: Responsible, who: str | None
) -> tuple[int | None, int | None, str | None]:
    """(unit id, practitioner id, name) for a party: `who` is a unit key for UNIT, a staff key
    for PRACTITIONER, the name the patient knows for RELATIVE and EXTERNAL, None for PATIENT."""
    if responsible is Responsible.PATIENT and who is None:
        return None, None, None
    if who is None:
        raise ValueError(f"an activity with responsible {responsible.value} needs a party")
    if responsible is Responsible.UNIT:
        return w.units[who].id, None, None
    if responsible is Responsible.PRACTITIONER:
        return None, w.staff[who].id, None
    if responsible in (Responsible.RELATIVE, Responsible.EXTERNAL):
        return None, None, who
    raise ValueError(f"a patient's own activity names no other party: {who!r}")


def _activities(w: _World, plan: CarePlan, *rows: ActivityRow) -> None:
    """Activities as (goal, text, responsible, who, when, due on, status)."""
    for goal, text, responsible, who, when, due_on, status in rows:
        unit_id, practitioner_id, name = _responsible_party(w, responsible, who)
        w.add(
            Activity(
                plan=plan,
                goal_id=goal.id if goal else None,
                text=text,
                responsible=responsible,
                responsible_unit_id=unit_id,
                responsible_practitioner_id=practitioner_id,
                responsible_name=name,
                when_text=when,
                due_on=due_on,
                status=status,
                position=len(plan.activities),
            )
        )


def _publish(w: _World, plan: CarePlan, *versions: tuple[int, str, str]) -> None:
    """Published versions as (days ago as a negative offset, staff key, what changed)."""
    for number, (offset, staff, change) in enumerate(versions, start=1):
        published_at = w.at(offset, 15, 0)
        w.add(
            PlanVersion(
                plan=plan,
                number=number,
                published_at=published_at,
                published_by_id=w.staff[staff].id,
                change_summary=change,
                snapshot={"title": plan.title, "summary": plan.summary},
            )
        )
        plan.updated_at = published_at
    plan.published_version = len(versions)


def _thread(w: _World, plan_key: str, staff: str, subject: str) -> Thread:
    plan, practitioner = w.plans[plan_key], w.staff[staff]
    thread = w.add(
        Thread(
            patient_id=plan.patient_id,
            plan_id=plan.id,
            unit_id=practitioner.unit_id,
            assigned_to_id=practitioner.id,
            subject=subject,
        )
    )
    return thread


def _message(
    w: _World,
    thread: Thread,
    at: datetime,
    body: str,
    *,
    person: str | None = None,
    staff: str | None = None,
    for_patient: str | None = None,
) -> Message:
    """A message by a person (optionally for a patient) or a practitioner, read by its author."""
    w.message_count += 1
    author = w.staff[staff] if staff else None
    message = w.add(
        Message(
            thread=thread,
            author_person_id=w.persons[person].id if person else None,
            author_practitioner_id=author.id if author else None,
            on_behalf_of_id=w.persons[for_patient].id if for_patient else None,
            body=body,
            idempotency_key=f"demo-{w.message_count}",
            created_at=at,
            read_by_care_at=at if author else None,
            read_by_care_id=author.id if author else None,
            read_by_patient_at=None if author else at,
        )
    )
    if thread.created_at is None:
        thread.created_at = at
    thread.last_message_at = at
    if author:
        thread.status, thread.waiting_since = ThreadStatus.ANSWERED, None
        wait = w.waits.pop(id(thread), None)
        if wait is not None:
            wait.ended_at = at
            wait.working_days = working_days_between(local_date(wait.started_at), local_date(at))
    elif thread.status != ThreadStatus.WAITING_FOR_CARE or thread.waiting_since is None:
        thread.status, thread.waiting_since = ThreadStatus.WAITING_FOR_CARE, at
        promise = next(u for u in w.units.values() if u.id == thread.unit_id).response_working_days
        w.waits[id(thread)] = w.add(
            Wait(
                thread=thread,
                unit_id=thread.unit_id,
                patient_id=thread.patient_id,
                started_at=at,
                due_on=add_working_days(local_date(at), promise),
            )
        )
    return message
