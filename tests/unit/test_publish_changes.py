"""The publish preview says every change the patient will see, goal statuses included."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app import create_app
from app.planning.drafts.changes import describe_changes


def document(*goals: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": "Plan",
        "summary": "",
        "sections": {},
        "self_care": {},
        "goals": list(goals),
        "removed": {"goals": [], "activities": []},
        "activities": [],
        "team": [],
        "external": [],
        "follow_up_on": None,
        "next_step": {"what": ""},
        "consent": {},
    }


def goal(status: str, text: str = "Gå till brevlådan") -> dict[str, Any]:
    return {"id": 7, "text": text, "target": None, "parent": None, "status": status}


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        ("ongoing", "reached", "Uppnått mål: Gå till brevlådan"),
        ("ongoing", "not_reached", "Mål som inte nåddes: Gå till brevlådan"),
        ("proposed", "ongoing", "Förslag som nu är ett mål i planen: Gå till brevlådan"),
        ("reached", "ongoing", "Mål som gäller igen: Gå till brevlådan"),
        ("proposed", "declined", "Förslag som inte blev ett mål: Gå till brevlådan"),
    ],
)
def test_each_goal_status_change_is_said(before: str, after: str, line: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    with app.test_request_context():
        old = document(goal(before))
        new = copy.deepcopy(old)
        new["goals"][0]["status"] = after
        assert describe_changes(old, new, {}) == [line]
        assert describe_changes(old, copy.deepcopy(old), {}) == []
