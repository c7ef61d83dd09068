"""A plan as care edits it: one JSON document, read from the editor form, checked, compared
with what the patient has, and applied to the plan's rows when care publishes it.

The document (`CarePlan.draft`) holds the whole plan: its text, headings, follow-up, next step,
consent, goals, activities, team and external actors. Goals and team rows keep the ids of the rows
they edit, so publishing updates those rows (the patient's progress on a goal stays with it) and
only adds or takes out what care added or took out.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.goals.models import Activity, ActivityStatus, Goal, GoalStatus, ProposedBy, Responsible
from app.planning.templates import SECTIONS_BY_KIND, SIP_MAX_FOLLOW_UP
from app.plans.models import CarePlan, CareTeamMember, PlanKind, TeamRole

MAX_TEXT = 4000
MAX_LINE = 200
EDITABLE_GOAL_STATUSES = ("ongoing", "reached", "not_reached")
EDITABLE_ACTIVITY_STATUSES = ("planned", "ongoing", "done", "cancelled")
TEAM_ROLES = ("care_contact", "doctor", "contact_nurse", "sip_actor")
RESPONSIBLE = tuple(r.value for r in Responsible)

ERRORS = {
    "title": _l("Skriv en rubrik för planen."),
    "too_long": _l("Texten är för lång."),
    "date": _l("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-03-01."),
    "past": _l("Datumet har redan varit. Välj ett datum framåt i tiden."),
    "future": _l("Datumet kan inte ligga i framtiden."),
    "sip_follow_up": _l(
        "En SIP ska följas upp minst en gång om året. Välj ett uppföljningsdatum inom ett år."
    ),
    "coordinator": _l("Planen måste ha en samordnare. Välj vem i teamet som samordnar."),
    "coordinator_handover": _l(
        "Samordningen byter du med en överlämning, så att den nya samordnaren bekräftar den."
    ),
    "responsible": _l("Välj vem som ansvarar för insatsen."),
    "party": _l("Välj vilken enhet eller person som ansvarar för insatsen."),
    "name": _l("Skriv namnet på den som ansvarar för insatsen."),
    "goal_text": _l("Skriv målet, eller markera det för att ta bort det."),
    "activity_text": _l("Skriv vad insatsen är, eller markera den för att ta bort den."),
    "choice": _l("Välj ett av alternativen."),
    "practitioner": _l("Det finns ingen i personalen med det HSA-id:t."),
    "external_name": _l("Skriv namnet på aktören, till exempel Försäkringskassan."),
    "consent": _l(
        "En SIP kan inte börja gälla utan patientens samtycke. "
        "Fyll i när, hur och av vem samtycket gavs."
    ),
    "parent": _l("Ett delmål måste höra till ett huvudmål i planen."),
}


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


class DraftForm:
    """The editor's form read into a document, with Swedish messages keyed by field name."""

    def __init__(self, form: Mapping[str, str], base: dict[str, Any], kind: PlanKind) -> None:
        self.form = form
        self.base = base
        self.kind = kind
        self.errors: dict[str, str] = {}
        self.hsa_ids: dict[str, str] = {}  # field name -> HSA-id of a new team member
        self.doc = self._read()

    def _get(self, name: str, limit: int = MAX_TEXT) -> str:
        value = str(self.form.get(name, "")).replace("\r\n", "\n").strip()
        if len(value) > limit:
            self.errors.setdefault(name, str(ERRORS["too_long"]))
            return value[:limit]
        return value

    def _date(self, name: str) -> str:
        value = self._get(name, 20)
        try:
            _parse_date(value)
        except ValueError:
            self.errors.setdefault(name, str(ERRORS["date"]))
        return value

    def _choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self._get(name, 40) or default
        if value not in choices:
            self.errors.setdefault(name, str(ERRORS["choice"]))
            return default
        return value

    def _count(self, name: str) -> int:
        value = str(self.form.get(f"{name}-count", "0"))
        return min(int(value), 500) if value.isdigit() else 0

    def _ids(self, items: list[dict[str, Any]]) -> set[int]:
        return {item["id"] for item in items if item.get("id")}

    def _read(self) -> dict[str, Any]:
        base = self.base
        doc: dict[str, Any] = {
            "title": self._get("title", MAX_LINE),
            "summary": self._get("summary"),
            "sections": {key: self._get(f"section-{key}") for key in SECTIONS_BY_KIND[self.kind]},
            "self_care": {key: self._get(f"selfcare-{key}") for key in base["self_care"]},
            "follow_up_on": self._date("follow_up_on"),
            "follow_up_how": self._get("follow_up_how"),
            "next_step": {
                "what": self._get("next_what"),
                "on": self._date("next_on"),
                "where": self._get("next_where", 300),
                "who": self._get("next_who", MAX_LINE),
            },
            "consent": {
                "given_on": self._date("consent_on"),
                "how": self._get("consent_how", MAX_LINE),
                "given_by": self._get("consent_by", MAX_LINE),
            },
            "removed": {
                key: list(base.get("removed", {}).get(key, []))
                for key in ("goals", "activities", "team")
            },
        }
        if not doc["title"]:
            self.errors["title"] = str(ERRORS["title"])
        doc["goals"] = self._goals(doc)
        doc["activities"] = self._activities(doc)
        doc["team"] = self._team(doc)
        doc["external"] = self._external(doc)
        return doc

    def _known(self, items: list[dict[str, Any]], value: str) -> int | None:
        """An id from a hidden field, only if it is one of the base document's rows."""
        return int(value) if value.isdigit() and int(value) in self._ids(items) else None

    def _goals(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        goals = []
        for i in range(self._count("goal")):
            prefix = f"goal-{i}"
            goal_id = self._known(self.base["goals"], str(self.form.get(f"{prefix}-id", "")))
            text = self._get(f"{prefix}-text")
            if self.form.get(f"{prefix}-remove"):
                if goal_id:
                    doc["removed"]["goals"].append(goal_id)
                continue
            if not text and not goal_id:
                continue  # the blank row for a new goal, left blank
            if not text:
                self.errors[f"{prefix}-text"] = str(ERRORS["goal_text"])
            ref = str(self.form.get(f"{prefix}-ref", ""))[:20]
            if goal_id:
                ref = f"g{goal_id}"
            elif not ref.startswith("n"):
                ref = f"n{secrets.token_hex(4)}"
            goals.append(
                {
                    "id": goal_id,
                    "ref": ref,
                    "parent": self._get(f"{prefix}-parent", 20),
                    "text": text,
                    "target": self._date(f"{prefix}-target"),
                    "status": self._choice(f"{prefix}-status", EDITABLE_GOAL_STATUSES, "ongoing"),
                }
            )
        mains = {goal["ref"] for goal in goals if not goal["parent"]}
        for i, goal in enumerate(goals):
            if goal["parent"] and (goal["parent"] not in mains or goal["parent"] == goal["ref"]):
                self.errors.setdefault(f"goal-{i}-parent", str(ERRORS["parent"]))
        return goals

    def _activities(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        activities = []
        refs = {goal["ref"] for goal in doc["goals"]}
        for i in range(self._count("act")):
            prefix = f"act-{i}"
            act_id = self._known(self.base["activities"], str(self.form.get(f"{prefix}-id", "")))
            text = self._get(f"{prefix}-text")
            if self.form.get(f"{prefix}-remove"):
                if act_id:
                    doc["removed"]["activities"].append(act_id)
                continue
            if not text and not act_id:
                continue  # the blank row for a new activity, left blank
            if not text:
                self.errors[f"{prefix}-text"] = str(ERRORS["activity_text"])
            responsible = self._get(f"{prefix}-responsible", 20)
            party = self._get(f"{prefix}-party", 40)
            name = self._get(f"{prefix}-name", MAX_LINE)
            if responsible not in RESPONSIBLE:
                self.errors[f"{prefix}-responsible"] = str(ERRORS["responsible"])
            elif responsible in ("unit", "practitioner") and not party.startswith(
                f"{responsible}:"
            ):
                self.errors[f"{prefix}-party"] = str(ERRORS["party"])
            elif responsible in ("relative", "external") and not name:
                self.errors[f"{prefix}-name"] = str(ERRORS["name"])
            goal = self._get(f"{prefix}-goal", 20)
            activities.append(
                {
                    "id": act_id,
                    "text": text,
                    "goal": goal if goal in refs else "",
                    "responsible": responsible,
                    "party": party if responsible in ("unit", "practitioner") else "",
                    "name": name if responsible in ("relative", "external") else "",
                    "when": self._get(f"{prefix}-when", MAX_LINE),
                    "due": self._date(f"{prefix}-due"),
                    "status": self._choice(
                        f"{prefix}-status", EDITABLE_ACTIVITY_STATUSES, "planned"
                    ),
                }
            )
        return activities

    def _team(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        # Once published, the coordinator changes only by an acknowledged handover.
        published_coordinator = next(
            (m["id"] for m in self.base["team"] if m["coordinator"] and m.get("id")), None
        )
        chosen = str(self.form.get("coordinator", ""))
        team = []
        for i in range(self._count("team")):
            prefix = f"team-{i}"
            member_id = self._known(self.base["team"], str(self.form.get(f"{prefix}-id", "")))
            before = None
            if member_id:
                before = next(m for m in self.base["team"] if m.get("id") == member_id)
            else:
                # a row of the base document without an id (a new plan's first members)
                index = str(self.form.get(f"{prefix}-base", ""))
                if index.isdigit() and int(index) < len(self.base["team"]):
                    before = self.base["team"][int(index)]
            practitioner = before["practitioner_id"] if before else None
            if before is None:
                hsa = self._get(f"{prefix}-hsa", 40)
                picked = self._get(f"{prefix}-practitioner", 20)
                if picked.isdigit():
                    practitioner = int(picked)
                elif hsa:
                    self.hsa_ids[f"{prefix}-hsa"] = hsa
                else:
                    continue
            if self.form.get(f"{prefix}-remove"):
                if member_id:
                    doc["removed"]["team"].append(member_id)
                continue
            team.append(
                {
                    "id": member_id,
                    "practitioner_id": practitioner,
                    "role": self._choice(f"{prefix}-role", TEAM_ROLES, "sip_actor"),
                    "responsibility": self._get(f"{prefix}-responsibility"),
                    "coordinator": (
                        member_id == published_coordinator
                        if published_coordinator
                        else chosen == str(i)
                    ),
                }
            )
        if published_coordinator in doc["removed"]["team"]:
            self.errors["coordinator"] = str(ERRORS["coordinator_handover"])
        if sum(1 for member in team if member["coordinator"]) != 1:
            self.errors.setdefault("coordinator", str(ERRORS["coordinator"]))
        return team

    def _external(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        external = []
        for i in range(self._count("ext")):
            prefix = f"ext-{i}"
            member_id = self._known(self.base["external"], str(self.form.get(f"{prefix}-id", "")))
            name = self._get(f"{prefix}-name", MAX_LINE)
            contact = self._get(f"{prefix}-contact", 300)
            responsibility = self._get(f"{prefix}-responsibility")
            if self.form.get(f"{prefix}-remove"):
                if member_id:
                    doc["removed"]["team"].append(member_id)
                continue
            if not name:
                if member_id or contact or responsibility:
                    self.errors[f"{prefix}-name"] = str(ERRORS["external_name"])
                continue
            external.append(
                {
                    "id": member_id,
                    "name": name,
                    "contact": contact,
                    "responsibility": responsibility,
                }
            )
        return external


def check_dates(doc: dict[str, Any], base: dict[str, Any], kind: PlanKind, today: date) -> dict:
    """Date rules: no new date in the past, consent not in the future, a SIP's follow-up within
    a year (seed 003: followed up at least once a year)."""
    errors: dict[str, str] = {}

    def changed_to_past(value: str, before: str) -> bool:
        return bool(value) and value != before and _parse_date(value) < today  # type: ignore[operator]

    try:
        follow_up = _parse_date(doc["follow_up_on"])
        if changed_to_past(doc["follow_up_on"], base["follow_up_on"]):
            errors["follow_up_on"] = str(ERRORS["past"])
        elif kind == PlanKind.SIP and (follow_up is None or follow_up > today + SIP_MAX_FOLLOW_UP):
            errors["follow_up_on"] = str(ERRORS["sip_follow_up"])
        if changed_to_past(doc["next_step"]["on"], base["next_step"]["on"]):
            errors["next_on"] = str(ERRORS["past"])
        consent_on = _parse_date(doc["consent"]["given_on"])
        if consent_on and consent_on > today:
            errors["consent_on"] = str(ERRORS["future"])
    except ValueError:
        pass  # the form already said the date is malformed
    return errors


def has_consent(doc: dict[str, Any]) -> bool:
    consent = doc["consent"]
    return bool(consent["given_on"] and consent["how"] and consent["given_by"])


def _by_id(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in items if item.get("id")}


def describe_changes(
    before: dict[str, Any], after: dict[str, Any], names: Mapping[int, str]
) -> list[str]:
    """What publishing `after` changes for the patient, one plain line each."""
    lines: list[str] = []
    if before["title"] != after["title"]:
        lines.append(_("Ny rubrik: %(title)s", title=after["title"]))
    if before["summary"] != after["summary"]:
        lines.append(_("Ny beskrivning av planen."))
    from app.planning.templates import SECTION_HEADINGS

    for key, text in after["sections"].items():
        if before["sections"].get(key, "") != text:
            lines.append(_("Ändrat under ”%(heading)s”.", heading=SECTION_HEADINGS[key]))
    from app.plans.presenting import SELF_CARE_HEADINGS

    for key, text in after["self_care"].items():
        if before["self_care"].get(key, "") != text:
            lines.append(_("Ändrat i egenvården: ”%(heading)s”.", heading=SELF_CARE_HEADINGS[key]))
    old_goals = _by_id(before["goals"])
    for goal in after["goals"]:
        old = old_goals.get(goal["id"])
        if old is None:
            lines.append(_("Nytt mål: %(text)s", text=goal["text"]))
        elif (old["text"], old["target"], old["parent"]) != (
            goal["text"],
            goal["target"],
            goal["parent"],
        ):
            lines.append(_("Ändrat mål: %(text)s", text=goal["text"]))
        elif old["status"] != goal["status"] and goal["status"] == "reached":
            lines.append(_("Uppnått mål: %(text)s", text=goal["text"]))
    for goal_id in after["removed"]["goals"]:
        if goal_id in old_goals:
            lines.append(_("Borttaget mål: %(text)s", text=old_goals[goal_id]["text"]))
    old_acts = _by_id(before["activities"])
    for act in after["activities"]:
        old = old_acts.get(act["id"])
        if old is None:
            lines.append(_("Ny insats: %(text)s", text=act["text"]))
        elif {k: v for k, v in old.items() if k != "id"} != {
            k: v for k, v in act.items() if k != "id"
        }:
            lines.append(_("Ändrad insats: %(text)s", text=act["text"]))
    for act_id in after["removed"]["activities"]:
        if act_id in old_acts:
            lines.append(_("Borttagen insats: %(text)s", text=old_acts[act_id]["text"]))
    old_team = {m["practitioner_id"] for m in before["team"]}
    new_team = {m["practitioner_id"] for m in after["team"]}
    for pid in sorted(new_team - old_team):
        lines.append(_("Ny i teamet: %(name)s", name=names.get(pid, "")))
    for pid in sorted(old_team - new_team):
        lines.append(_("Inte längre med i teamet: %(name)s", name=names.get(pid, "")))
    old_ext = {m["name"] for m in before["external"]}
    for member in after["external"]:
        if member["name"] not in old_ext:
            lines.append(_("Ny aktör i planen: %(name)s", name=member["name"]))
    if before["follow_up_on"] != after["follow_up_on"] and after["follow_up_on"]:
        day = format_date(date.fromisoformat(after["follow_up_on"]), "long")
        lines.append(_("Ny dag för uppföljning: %(date)s", date=day))
    if before["next_step"] != after["next_step"] and after["next_step"]["what"]:
        lines.append(_("Nytt nästa steg: %(what)s", what=after["next_step"]["what"]))
    if before["consent"] != after["consent"] and has_consent(after):
        lines.append(_("Samtycke registrerat."))
    return lines


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


def _flatten(doc: dict[str, Any], names: Mapping[int, str]) -> dict[str, tuple[str, str]]:
    """Each thing in the document as (label, value) by a stable key, for a side-by-side view."""
    from app.planning.templates import SECTION_HEADINGS
    from app.plans.presenting import SELF_CARE_HEADINGS

    items: dict[str, tuple[str, str]] = {
        "title": (_("Rubrik"), doc["title"]),
        "summary": (_("Om planen"), doc["summary"]),
        "follow_up_on": (_("Uppföljning senast"), doc["follow_up_on"]),
        "follow_up_how": (_("Så följs planen upp"), doc["follow_up_how"]),
        "next_step": (_("Nästa steg"), " · ".join(v for v in doc["next_step"].values() if v)),
        "consent": (_("Samtycke"), " · ".join(v for v in doc["consent"].values() if v)),
    }
    for key, value in doc["sections"].items():
        items[f"section-{key}"] = (str(SECTION_HEADINGS[key]), value)
    for key, value in doc["self_care"].items():
        items[f"selfcare-{key}"] = (str(SELF_CARE_HEADINGS[key]), value)
    for goal in doc["goals"]:
        items[f"goal-{goal['ref']}"] = (_("Mål"), f"{goal['text']} ({goal['target']})")
    for i, act in enumerate(doc["activities"]):
        key = f"act-{act['id']}" if act["id"] else f"act-new-{act['text']}-{i}"
        items[key] = (_("Insats"), f"{act['text']} · {act['when']} {act['due']}".strip())
    for member in doc["team"]:
        label = _("Samordnare") if member["coordinator"] else _("I teamet")
        name = names.get(member["practitioner_id"], "")
        items[f"team-{member['practitioner_id']}"] = (label, name)
    for member in doc["external"]:
        items[f"ext-{member['name']}"] = (_("Annan aktör"), f"{member['name']} {member['contact']}")
    return items


def compare(
    theirs: dict[str, Any], mine: dict[str, Any], names: Mapping[int, str]
) -> list[tuple[str, str, str]]:
    """What differs between two documents: (label, theirs, mine), in the editor's order."""
    left, right = _flatten(theirs, names), _flatten(mine, names)
    keys = list(left) + [key for key in right if key not in left]
    rows = []
    for key in keys:
        a, b = left.get(key), right.get(key)
        if (a and a[1]) != (b and b[1]):
            rows.append(((a or b)[0], a[1] if a else "", b[1] if b else ""))  # type: ignore[index]
    return rows
