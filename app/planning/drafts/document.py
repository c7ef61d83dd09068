"""The draft document made from a plan as the patient has it now, and its limits and choices."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.goals.models import Activity, ActivityStatus, Responsible
from app.planning.templates import SECTIONS_BY_KIND
from app.plans.models import CarePlan, PlanKind

MAX_TEXT = 4000
MAX_LINE = 200
EDITABLE_GOAL_STATUSES = ("ongoing", "reached", "not_reached")
EDITABLE_ACTIVITY_STATUSES = ("planned", "ongoing", "done", "cancelled")
TEAM_ROLES = ("care_contact", "doctor", "contact_nurse", "sip_actor")
RESPONSIBLE = tuple(r.value for r in Responsible)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _parse_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def doc_from_plan(plan: CarePlan, today: date) -> dict[str, Any]:
    """The plan as the patient has it now, as a document to edit."""
    goals = [
        {
            "id": goal.id,
            "ref": f"g{goal.id}",
            "parent": f"g{goal.parent_id}" if goal.parent_id else "",
            "text": goal.text,
            "target": _iso(goal.target_date),
            "status": goal.status.value,
        }
        for goal in plan.goals
        if goal.status.value in EDITABLE_GOAL_STATUSES
    ]
    activities = [
        {
            "id": activity.id,
            "text": activity.text,
            "goal": f"g{activity.goal_id}" if activity.goal_id else "",
            "responsible": activity.responsible.value,
            "party": _party(activity),
            "name": activity.responsible_name or "",
            "when": activity.when_text,
            "due": _iso(activity.due_on),
            "status": activity.status.value,
        }
        for activity in plan.activities
        if activity.status != ActivityStatus.REMOVED
    ]
    current = plan.current_team(today)
    return {
        "title": plan.title,
        "summary": plan.summary,
        "sections": {
            key: (plan.sections or {}).get(key, "") for key in SECTIONS_BY_KIND[plan.kind]
        },
        "self_care": dict(plan.self_care or {}) if plan.kind == PlanKind.SELF_CARE else {},
        "follow_up_on": _iso(plan.follow_up_on),
        "follow_up_how": plan.follow_up_how,
        "next_step": {
            "what": plan.next_step_what or "",
            "on": _iso(plan.next_step_on),
            "where": plan.next_step_where or "",
            "who": plan.next_step_who or "",
        },
        "consent": {
            "given_on": _iso(plan.consent_given_on),
            "how": plan.consent_how or "",
            "given_by": plan.consent_given_by or "",
        },
        "goals": goals,
        "activities": activities,
        "team": [
            {
                "id": m.id,
                "practitioner_id": m.practitioner_id,
                "unit_id": m.unit_id,
                "role": m.role.value,
                "responsibility": m.responsibility,
                "coordinator": m.is_coordinator,
            }
            for m in current
            if m.practitioner_id is not None
        ],
        "external": [
            {
                "id": m.id,
                "name": m.external_name or "",
                "contact": m.external_contact or "",
                "responsibility": m.responsibility,
            }
            for m in current
            if m.practitioner_id is None
        ],
        "removed": {"goals": [], "activities": [], "team": []},
    }


def _party(activity: Activity) -> str:
    if activity.responsible_unit_id:
        return f"unit:{activity.responsible_unit_id}"
    if activity.responsible_practitioner_id:
        return f"practitioner:{activity.responsible_practitioner_id}"
    return ""
