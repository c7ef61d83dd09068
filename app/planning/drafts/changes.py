"""What differs between two documents: lines for the patient, rows for a side-by-side view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from app.planning.drafts.form import has_consent


def _by_id(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in items if item.get("id")}


def _status_line(before: str, after: str, text: str) -> str:
    """A goal whose status changed, said as the patient will read it."""
    if after == "reached":
        return _("Uppnått mål: %(text)s", text=text)
    if after == "not_reached":
        return _("Mål som inte nåddes: %(text)s", text=text)
    if after == "ongoing" and before == "proposed":
        return _("Förslag som nu är ett mål i planen: %(text)s", text=text)
    if after == "ongoing":
        return _("Mål som gäller igen: %(text)s", text=text)
    if after == "declined":
        return _("Förslag som inte blev ett mål: %(text)s", text=text)
    return _("Ändrat mål: %(text)s", text=text)


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
        elif old["status"] != goal["status"]:
            lines.append(_status_line(old["status"], goal["status"], goal["text"]))
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
