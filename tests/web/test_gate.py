"""The gate is the shape, not a habit: a test derived from the URL map fails when a route that
touches patient data is behind neither `@gate` nor `@listing`; and the gate itself logs reads and
refusals, answers 404 alike for what does not exist and for what is not one's own, and writes the
refusal even though the request's own changes are rolled back."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.audit.models import AccessLogEntry
from tests.helpers import plan_id
from tests.web.test_matrix import PUBLIC


def test_every_route_with_patient_data_is_behind_the_gate(app: Flask) -> None:
    ungated = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC and not hasattr(app.view_functions[rule.endpoint], "gate")
    )
    assert ungated == []


def test_public_routes_are_not_gated_by_mistake(app: Flask) -> None:
    """A route listed as without patient data must really be free of the gate (else it belongs
    in the matrix with the people who may use it)."""
    gated = sorted(
        endpoint
        for endpoint in PUBLIC
        if endpoint in app.view_functions and hasattr(app.view_functions[endpoint], "gate")
    )
    assert gated == []


def _entries(db, patient_id: int) -> list[tuple[str, str, bool]]:
    rows = db.execute(
        select(AccessLogEntry.action, AccessLogEntry.object_type, AccessLogEntry.allowed)
        .where(AccessLogEntry.patient_id == patient_id)
        .order_by(AccessLogEntry.id)
    ).all()
    return [tuple(row) for row in rows]


def test_an_allowed_read_is_logged_once(auth, client, db, ids) -> None:
    auth.sign_in("patient-maja")
    before = _entries(db, ids["patient-maja"])
    pid = plan_id(db, "trygg hemma")
    assert client.get(f"/plan/{pid}").status_code == 200
    after = _entries(db, ids["patient-maja"])
    assert after[len(before) :] == [("read", "care_plan", True)]


def test_a_refused_read_is_a_logged_404_like_a_missing_one(auth, client, db, ids) -> None:
    auth.sign_in("staff-jonas")
    pid = plan_id(db, "trygg hemma")
    before = _entries(db, ids["patient-maja"])
    refused = client.get(f"/plan/{pid}")
    missing = client.get("/plan/999999")
    assert refused.status_code == missing.status_code == 404
    after = _entries(db, ids["patient-maja"])
    assert after[len(before) :] == [("read", "care_plan", False)]


def test_the_gate_has_no_way_to_leave_a_read_unlogged() -> None:
    """`log` says how a GET is logged, never whether: a route declared with log=None fails when
    the app is built, before any test or request."""
    import pytest

    from app.access.gate import gate
    from app.access.policy import Action

    with pytest.raises(ValueError, match="read or export"):
        gate(Action.READ_PLANS, on="care_plan", log=None)  # type: ignore[arg-type]
