"""Security headers on every response, and the access log for every read of patient data."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AccessLogEntry
from tests.helpers import plan_id


def test_security_headers_on_pages(auth, client) -> None:
    for response in (client.get("/logga-in"), client.get("/demo"), client.get("/nope")):
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert "base-uri 'none'" in csp
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_patient_pages_are_not_cached(auth, client) -> None:
    auth.sign_in("patient-maja")
    response = client.get("/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]


def test_reads_are_logged_with_actor_and_patient(auth, client, db, ids) -> None:
    auth.sign_in("staff-erik")
    pid = plan_id(db, "trygg hemma")
    client.get(f"/plan/{pid}")
    entry = db.scalars(
        select(AccessLogEntry).where(AccessLogEntry.actor_practitioner_id == ids["staff-erik"])
    ).one()
    assert entry.patient_id == ids["patient-maja"]
    assert (entry.action, entry.object_type, entry.object_id) == ("read", "care_plan", pid)
    assert entry.actor_unit_id is not None


def test_a_proxy_read_is_logged_as_the_proxy_for_the_patient(auth, client, db, ids) -> None:
    auth.sign_in("proxy-anna")
    client.get("/", follow_redirects=True)
    entry = db.scalars(
        select(AccessLogEntry).where(AccessLogEntry.actor_person_id == ids["proxy-anna"])
    ).one()
    assert entry.patient_id == ids["patient-maja"]
    assert entry.object_type == "overview"


def test_a_refused_plan_is_not_logged_as_read(auth, client, db, ids) -> None:
    auth.sign_in("staff-jonas")
    assert client.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == 404
    logged = db.scalars(
        select(AccessLogEntry).where(
            AccessLogEntry.actor_practitioner_id == ids["staff-jonas"],
            AccessLogEntry.allowed.is_(True),
        )
    ).all()
    assert logged == []
