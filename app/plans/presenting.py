"""How plan content is grouped and named for the person reading it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.planning.templates import SECTION_HEADINGS  # noqa: F401 - templates name headings here
from app.plans.models import CareTeamMember, PlanKind, TeamRole

if TYPE_CHECKING:
    from app.plans.read import PlanItem

KIND_NAMES = {
    PlanKind.CARE_TREATMENT: _l("Vård- och behandlingsplan"),
    PlanKind.MY_CARE_PLAN: _l("Min vårdplan"),
    PlanKind.SIP: _l("Samordnad individuell plan (SIP)"),
    PlanKind.SELF_CARE: _l("Plan för egenvård"),
}
KIND_EXPLAINED = {
    PlanKind.CARE_TREATMENT: _l("Din plan hos en mottagning: mål och behandling."),
    PlanKind.MY_CARE_PLAN: _l("En plan för just din sjukdom, med ditt team."),
    PlanKind.SIP: _l("En plan där vården och kommunen hjälps åt."),
    PlanKind.SELF_CARE: _l("Det du gör själv för din hälsa, och vem du ringer om något händer."),
}
# Easy-to-read explanations for the simple view: short words, one idea per sentence.
SIMPLE_KIND = {
    PlanKind.CARE_TREATMENT: _l(
        "En plan för din vård. Den visar ditt mål. Den visar vem som gör vad."
    ),
    PlanKind.MY_CARE_PLAN: _l("En plan för din sjukdom. Den visar vem som hjälper dig."),
    PlanKind.SIP: _l("SIP är en plan där vården och kommunen hjälps åt."),
    PlanKind.SELF_CARE: _l("Egenvård är det du gör själv för att må bra. Här står hur du gör."),
}
ROLE_NAMES = {
    TeamRole.CARE_CONTACT: _l("Fast vårdkontakt"),
    TeamRole.DOCTOR: _l("Fast läkarkontakt"),
    TeamRole.CONTACT_NURSE: _l("Kontaktsjuksköterska"),
    TeamRole.SIP_ACTOR: _l("Med i planen"),
    TeamRole.EXTERNAL: _l("Annan aktör"),
}
RESPONSIBLE_NAMES = {
    "patient": _l("Patienten själv"),
    "relative": _l("En närstående"),
    "unit": _l("En enhet"),
    "practitioner": _l("En person i vården eller kommunen"),
    "external": _l("En annan aktör"),
}
SELF_CARE_HEADINGS = {
    "measure": _l("Vad du gör"),
    "performer": _l("Vem som gör det"),
    "instructions": _l("Hur du får instruktioner"),
    "if_harm": _l("Om något går fel: gör så här och ring"),
    "if_changed": _l("Om det blir annorlunda: ring"),
    "follow_up": _l("Hur och när vi följer upp"),
    "reassessment": _l("När vi tänker om"),
}
GOAL_STATUS = {
    "proposed": _l("Förslag"),
    "ongoing": _l("Pågår"),
    "reached": _l("Uppnått"),
    "not_reached": _l("Inte uppnått"),
    "declined": _l("Inte med i planen"),
    "removed": _l("Borttaget ur planen"),
}
ACTIVITY_STATUS = {
    "planned": _l("Planerad"),
    "ongoing": _l("Pågår"),
    "done": _l("Klar"),
    "cancelled": _l("Inställd"),
    "removed": _l("Borttagen ur planen"),
}
CLOSE_REASONS = {
    "goals_met": _l("Målen är uppnådda"),
    "no_longer_needed": _l("Planen behövs inte längre"),
    "consent_withdrawn": _l("Samtycket är återkallat"),
    "patient_died": _l("Patienten har avlidit"),
}
APPOINTMENT_MODES = {
    "visit": _l("Besök"),
    "video": _l("Videosamtal"),
    "phone": _l("Telefonsamtal"),
    "home": _l("Hembesök"),
}
# A SIP meeting's form (seed 003, "Hur"): app/sip/models.MeetingMode.
SIP_MEETING_MODES = {
    "in_person": _l("Möte på plats"),
    "video": _l("Videomöte"),
    "phone": _l("Telefonmöte"),
}
APPOINTMENT_STATUS = {
    "proposed": _l("Förslag på tid: svara gärna"),
    "accepted": _l("Överenskommen tid"),
    "change_requested": _l("Du har bett om en annan tid"),
    "declined": _l("Avböjd"),
    "cancelled": _l("Avbokad"),
    "withdrawn": _l("Tillbakatagen av vården"),
}
# The same, as care reads it about the patient's answer.
APPOINTMENT_STATUS_FOR_CARE = {
    "proposed": _l("Erbjuden, inte besvarad"),
    "accepted": _l("Patienten har tackat ja"),
    "change_requested": _l("Patienten vill ha en annan tid"),
    "declined": _l("Avböjd"),
    "cancelled": _l("Avbokad"),
    "withdrawn": _l("Tillbakatagen"),
}


@dataclass
class ActivityGroup:
    key: str
    heading: str
    activities: list[PlanItem] = field(default_factory=list)


def group_activities(activities: Iterable[PlanItem], own: bool, name: str) -> list[ActivityGroup]:
    """Who does what, in the order the patient reads it: me, my relatives, care, municipality."""
    groups = {
        "patient": ActivityGroup(
            "patient", _("Det här gör du") if own else _("Det här gör %(name)s", name=name)
        ),
        "relative": ActivityGroup("relative", _("Det här gör närstående")),
        "care": ActivityGroup("care", _("Det här gör vården")),
        "municipality": ActivityGroup("municipality", _("Det här gör kommunen")),
        "other": ActivityGroup("other", _("Andra")),
    }
    for activity in activities:
        if activity.status == "removed":
            continue
        groups[activity.group_key or "other"].activities.append(activity)
    return [group for group in groups.values() if group.activities]


def goal_tree(goals: Iterable[PlanItem]) -> list[tuple[PlanItem, list[PlanItem]]]:
    """Main goals with their sub-goals, leaving out goals not (yet) part of the plan."""
    shown = [g for g in goals if g.status not in ("declined", "proposed", "removed")]
    children: dict[int, list[PlanItem]] = {}
    for goal in shown:
        if goal.parent_id is not None:
            children.setdefault(goal.parent_id, []).append(goal)
    return [(goal, children.get(goal.id, [])) for goal in shown if goal.parent_id is None]


def history(plan: object) -> list[tuple[str, object]]:
    """Published versions and acknowledged handovers, newest first."""
    events: list[tuple[object, str, object]] = [
        (version.published_at, "version", version)
        for version in plan.versions  # type: ignore[attr-defined]
    ]
    events += [
        (handover.acknowledged_at, "handover", handover)
        for handover in plan.handovers  # type: ignore[attr-defined]
        if handover.acknowledged_at is not None
    ]
    events.sort(key=lambda event: event[0], reverse=True)  # type: ignore[arg-type,return-value]
    return [(kind, item) for _at, kind, item in events]


def principals_of(team: Iterable[CareTeamMember]) -> list[str]:
    """The principals (region, municipality) behind the units on a team, each once."""
    names: dict[str, None] = {}
    for member in team:
        unit = member.unit or (member.practitioner.unit if member.practitioner else None)
        if unit is not None:
            names.setdefault(unit.principal.name, None)
    return list(names)
