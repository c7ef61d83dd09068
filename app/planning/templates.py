"""What a new plan starts from, per kind: the headings of the regional guidelines.

A care and treatment plan carries the areas of seed 000 ("Exempel på områden som kan finnas med"),
Min vårdplan the headings of seed 000's Min vårdplan example, a SIP what seed 003 says it must state
(needs, own resources, the goals, who does what, coordinator, follow-up at least yearly), and a
self-care plan the seven points of seed 003 section 4.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from app.plans.models import SELF_CARE_POINTS, PlanKind

# Every heading a plan may carry, with what the text under it is for (shown to staff as help).
SECTION_HEADINGS: dict[str, Any] = {
    # Vård- och behandlingsplan (seed 000)
    "self_care_advice": _l("Egenvård"),
    "health_care": _l("Hälso- och sjukvårdsinsatser"),
    "level_of_care": _l("Vårdnivå"),
    "rehabilitation": _l("Rehabiliteringsinsatser"),
    "other_decisions": _l("Övriga beslut om insatser"),
    # Min vårdplan (seed 000)
    "meeting_care": _l("Mötet med vården"),
    "diagnosis": _l("Utredning och diagnoser"),
    "treatment": _l("Behandling"),
    "rehab_self_care": _l("Rehabilitering och egenvård"),
    "tests": _l("Undersökningar och provtagningar"),
    "practical": _l("Praktiska råd"),
    "rights": _l("Mina rättigheter som patient"),
    # SIP (seed 003)
    "needs": _l("Dina behov"),
    "resources": _l("Dina egna resurser"),
    "other_actors": _l("Insatser av andra än regionen och kommunen"),
}

SECTIONS_BY_KIND: dict[PlanKind, tuple[str, ...]] = {
    PlanKind.CARE_TREATMENT: (
        "self_care_advice",
        "health_care",
        "level_of_care",
        "rehabilitation",
        "other_decisions",
    ),
    PlanKind.MY_CARE_PLAN: (
        "meeting_care",
        "diagnosis",
        "treatment",
        "rehab_self_care",
        "tests",
        "practical",
        "rights",
    ),
    PlanKind.SIP: ("needs", "resources", "other_actors"),
    PlanKind.SELF_CARE: (),
}

TITLES = {
    PlanKind.CARE_TREATMENT: _l("Vård- och behandlingsplan"),
    PlanKind.MY_CARE_PLAN: _l("Min vårdplan"),
    PlanKind.SIP: _l("Samordnad individuell plan"),
    PlanKind.SELF_CARE: _l("Plan för egenvård"),
}

# A SIP is followed up at least once a year (seed 003); others by the unit's routine.
SIP_MAX_FOLLOW_UP = timedelta(days=365)
DEFAULT_FOLLOW_UP = {
    PlanKind.SIP: timedelta(days=180),
    PlanKind.SELF_CARE: timedelta(days=180),
    PlanKind.CARE_TREATMENT: timedelta(days=90),
    PlanKind.MY_CARE_PLAN: timedelta(days=90),
}


def template_doc(kind: PlanKind, coordinator_id: int, today: date) -> dict[str, Any]:
    """A new plan's draft: the kind's headings, empty, the creator as care contact and
    coordinator, and a follow-up date the kind's rules allow."""
    return {
        "title": str(TITLES[kind]),
        "summary": "",
        "sections": dict.fromkeys(SECTIONS_BY_KIND[kind], ""),
        "self_care": dict.fromkeys(SELF_CARE_POINTS, "") if kind == PlanKind.SELF_CARE else {},
        "follow_up_on": (today + DEFAULT_FOLLOW_UP[kind]).isoformat(),
        "follow_up_how": "",
        "next_step": {"what": "", "on": "", "where": "", "who": ""},
        "consent": {"given_on": "", "how": "", "given_by": ""},
        "goals": [],
        "activities": [],
        "team": [
            {
                "id": None,
                "practitioner_id": coordinator_id,
                "role": "care_contact",
                "responsibility": "",
                "coordinator": True,
            }
        ],
        "external": [],
        "removed": {"goals": [], "activities": [], "team": []},
    }
