"""The editor's form read into a document, and the rules it is checked against."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from app.planning.drafts.document import (
    EDITABLE_ACTIVITY_STATUSES,
    EDITABLE_GOAL_STATUSES,
    MAX_LINE,
    MAX_TEXT,
    RESPONSIBLE,
    TEAM_ROLES,
    _parse_date,
)
from app.planning.templates import SECTIONS_BY_KIND, SIP_MAX_FOLLOW_UP
from app.plans.models import PlanKind
from app.web.converters import identifier, number

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
    "form": _l("Formuläret gick inte att läsa. Ladda om sidan och försök igen."),
}


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

    def _number(self, name: str) -> int | None:
        """A number from one of the editor's hidden fields (a row count, a row id, an index):
        None when empty or absent. Anything but ASCII digits within an INTEGER column ("²",
        "٣", a 20-digit number) is None too, with a Swedish message, so nothing is saved."""
        text = str(self.form.get(name, "")).strip()
        if not text:
            return None
        value = number(text)
        if value is None:
            self.errors.setdefault(name, str(ERRORS["form"]))
        return value

    def _count(self, name: str) -> int:
        return min(self._number(f"{name}-count") or 0, 500)

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

    def _known(self, items: list[dict[str, Any]], name: str) -> int | None:
        """An id from a hidden field, only if it is one of the base document's rows."""
        value = self._number(name)
        return value if value is not None and value in self._ids(items) else None

    def _goals(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        goals = []
        for i in range(self._count("goal")):
            prefix = f"goal-{i}"
            goal_id = self._known(self.base["goals"], f"{prefix}-id")
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
            act_id = self._known(self.base["activities"], f"{prefix}-id")
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
            member_id = self._known(self.base["team"], f"{prefix}-id")
            before = None
            if member_id:
                before = next(m for m in self.base["team"] if m.get("id") == member_id)
            else:
                # a row of the base document without an id (a new plan's first members)
                index = self._number(f"{prefix}-base")
                if index is not None and index < len(self.base["team"]):
                    before = self.base["team"][index]
            practitioner = before["practitioner_id"] if before else None
            if before is None:
                hsa = self._get(f"{prefix}-hsa", 40)
                picked = self._get(f"{prefix}-practitioner", 20)
                if picked:
                    practitioner = identifier(picked)
                    if practitioner is None:
                        self.errors.setdefault(f"{prefix}-practitioner", str(ERRORS["choice"]))
                        continue
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
            member_id = self._known(self.base["external"], f"{prefix}-id")
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
