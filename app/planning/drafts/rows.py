"""A document written to the plan's rows when care publishes it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.goals.models import Activity, ActivityStatus, Goal, GoalStatus, ProposedBy, Responsible
from app.planning.drafts.document import _iso, _parse_date
from app.plans.models import CarePlan, CareTeamMember, PlanKind, TeamRole


def apply(
    session: Session, plan: CarePlan, doc: dict[str, Any], today: date, recorder_id: int
) -> None:
    """Write the document to the plan's rows. Goals, activities and team rows keep their ids;
    what care took out is marked removed or ends, never deleted."""
    plan.title = doc["title"]
    plan.summary = doc["summary"]
    plan.sections = dict(doc["sections"]) or None
    if plan.kind == PlanKind.SELF_CARE:
        plan.self_care = dict(doc["self_care"])
    plan.follow_up_on = _parse_date(doc["follow_up_on"])
    plan.follow_up_how = doc["follow_up_how"]
    step = doc["next_step"]
    plan.next_step_what = step["what"] or None
    plan.next_step_on = _parse_date(step["on"])
    plan.next_step_where = step["where"] or None
    plan.next_step_who = step["who"] or None
    consent = doc["consent"]
    if (_iso(plan.consent_given_on), plan.consent_how or "", plan.consent_given_by or "") != (
        consent["given_on"],
        consent["how"],
        consent["given_by"],
    ):
        plan.consent_given_on = _parse_date(consent["given_on"])
        plan.consent_how = consent["how"] or None
        plan.consent_given_by = consent["given_by"] or None
        plan.consent_recorded_by_id = recorder_id if consent["given_on"] else None
    goals = _apply_goals(session, plan, doc)
    _apply_activities(session, plan, doc, goals)
    _apply_team(session, plan, doc, today)
    session.flush()


def _apply_goals(session: Session, plan: CarePlan, doc: dict[str, Any]) -> dict[str, Goal]:
    live = {goal.id: goal for goal in plan.goals}
    by_ref: dict[str, Goal] = {}
    for position, goal_doc in enumerate(doc["goals"]):
        goal = live.get(goal_doc["id"]) if goal_doc["id"] else None
        if goal is None:
            goal = Goal(plan=plan, proposed_by=ProposedBy.CARE)
            session.add(goal)
        goal.text = goal_doc["text"]
        goal.target_date = _parse_date(goal_doc["target"])
        goal.status = GoalStatus(goal_doc["status"])
        goal.position = position
        by_ref[goal_doc["ref"]] = goal
    session.flush()  # new goals get their ids before sub-goals and activities point at them
    for goal_doc in doc["goals"]:
        parent = by_ref.get(goal_doc["parent"]) if goal_doc["parent"] else None
        by_ref[goal_doc["ref"]].parent_id = parent.id if parent else None
    for goal_id in doc["removed"]["goals"]:
        if goal_id in live:
            live[goal_id].status = GoalStatus.REMOVED
    return by_ref


def _apply_activities(
    session: Session, plan: CarePlan, doc: dict[str, Any], goals: dict[str, Goal]
) -> None:
    live = {activity.id: activity for activity in plan.activities}
    for position, act_doc in enumerate(doc["activities"]):
        activity = live.get(act_doc["id"]) if act_doc["id"] else None
        if activity is None:
            activity = Activity(plan=plan)
            session.add(activity)
        goal = goals.get(act_doc["goal"])
        activity.goal_id = goal.id if goal else None
        activity.text = act_doc["text"]
        activity.responsible = Responsible(act_doc["responsible"])
        kind, _sep, party_id = act_doc["party"].partition(":")
        activity.responsible_unit_id = int(party_id) if kind == "unit" else None
        activity.responsible_practitioner_id = int(party_id) if kind == "practitioner" else None
        activity.responsible_name = act_doc["name"] or None
        activity.when_text = act_doc["when"]
        activity.due_on = _parse_date(act_doc["due"])
        activity.status = ActivityStatus(act_doc["status"])
        activity.position = position
    for act_id in doc["removed"]["activities"]:
        if act_id in live:
            live[act_id].status = ActivityStatus.REMOVED


def _apply_team(session: Session, plan: CarePlan, doc: dict[str, Any], today: date) -> None:
    live = {member.id: member for member in plan.team}
    position = max((m.position for m in plan.team), default=-1) + 1
    for member_doc in doc["team"]:
        member = live.get(member_doc["id"]) if member_doc["id"] else None
        if member is None:
            member = CareTeamMember(
                plan=plan,
                practitioner_id=member_doc["practitioner_id"],
                unit_id=member_doc.get("unit_id"),
                valid_from=today,
                position=position,
            )
            session.add(member)
            position += 1
        member.role = TeamRole(member_doc["role"])
        member.responsibility = member_doc["responsibility"]
        member.is_coordinator = bool(member_doc["coordinator"])
    for ext in doc["external"]:
        member = live.get(ext["id"]) if ext["id"] else None
        if member is None:
            member = CareTeamMember(
                plan=plan, role=TeamRole.EXTERNAL, valid_from=today, position=position
            )
            session.add(member)
            position += 1
        member.external_name = ext["name"]
        member.external_contact = ext["contact"] or None
        member.responsibility = ext["responsibility"]
    for member_id in doc["removed"]["team"]:
        member = live.get(member_id)
        if member is not None and member.is_current(today):
            member.valid_until = today - timedelta(days=1)
