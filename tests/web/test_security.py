"""Security headers on every response, and the access log for every read of patient data."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AccessLogEntry
from tests.conftest import csrf_token
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


def test_every_answer_with_patient_data_is_not_stored_whatever_its_type(
    auth, client, db, ids
) -> None:
    """Not only pages: the PDF, the calendar file, JSON, plain text and htmx fragments may carry
    a patient's data, and no browser, proxy or shared cache may keep a copy of any of them."""
    from app.appointments.models import Appointment, AppointmentStatus

    auth.sign_in("patient-maja")
    appointment = db.scalars(
        select(Appointment).where(Appointment.patient_id == ids["patient-maja"])
    ).first()
    appointment.status = AppointmentStatus.ACCEPTED
    db.flush()
    answers = {
        "pdf": client.get(f"/plan/{plan_id(db, 'trygg hemma')}/utskrift.pdf"),
        "ics": client.get(f"/tider/{appointment.id}.ics"),
        "json": client.get("/healthz"),
        "fragment": client.get("/", headers={"HX-Request": "true", "HX-Target": "unread"}),
        "text": client.post(
            "/den-har-telefonen/push",
            data=b"{",
            content_type="application/json",
            headers={"X-CSRFToken": csrf_token(client, "/den-har-telefonen")},
        ),
    }
    assert answers["pdf"].mimetype == "application/pdf"
    assert answers["ics"].mimetype == "text/calendar"
    assert answers["json"].is_json
    assert answers["text"].mimetype == "text/plain"
    for kind, response in answers.items():
        assert response.status_code < 500, kind
        assert response.headers["Cache-Control"] == "no-store", kind
        response.close()


def test_only_answers_without_anyones_data_may_be_kept(client) -> None:
    """The few public answers say so themselves; the rule is no-store for everything else."""
    for path in ("/manifest.webmanifest", "/service-worker.js", "/offline"):
        assert client.get(path).headers["Cache-Control"].startswith("public"), path
    plain = client.get("/static/css/samplan.css")
    assert plain.headers["Cache-Control"] == "public, no-cache"
    plain.close()


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


def test_majas_access_log_shows_karin_erik_and_anna(app, auth, client, db) -> None:
    from tests.conftest import Auth
    from tests.helpers import visible_text

    pid = plan_id(db, "trygg hemma")
    for persona in ("staff-karin", "staff-erik"):
        other = app.test_client()
        Auth(other).sign_in(persona)
        assert other.get(f"/plan/{pid}").status_code == 200
    anna = app.test_client()
    Auth(anna).sign_in("proxy-anna")
    anna.get("/", follow_redirects=True)
    jonas = app.test_client()
    Auth(jonas).sign_in("staff-jonas")
    assert jonas.get(f"/plan/{pid}").status_code == 404

    auth.sign_in("patient-maja")

    text = visible_text(client.get("/vem-har-tittat"))
    assert "Karin Berg, Distriktssköterska, Hälsocentralen Kvarnen" in text
    assert "läste planen ”Samordnad individuell plan – trygg hemma”" in text
    assert "Erik Olsson" in text
    assert "Anna Lind, ombud" in text
    assert "läste din översikt" in text
    assert "Jonas Åberg" in text
    assert "Det stoppades" in text
    newest_first = [text.find("Jonas Åberg"), text.find("Anna Lind, ombud"), text.find("Erik")]
    assert newest_first == sorted(newest_first)


def test_access_log_is_the_patients_own(auth, client) -> None:
    auth.sign_in("staff-karin")
    assert client.get("/vem-har-tittat").status_code == 404


def test_access_log_pages(app, auth, client, db, ids) -> None:
    from app.access.actor import Actor
    from app.accounts.models import Practitioner
    from app.audit.queries import PAGE_SIZE
    from app.audit.services import record_access
    from app.db import utcnow

    actor = Actor.of(db.get(Practitioner, ids["staff-erik"]))
    for _ in range(2 * PAGE_SIZE + 5):
        record_access(db, actor, ids["patient-per"], "read", "overview", None, utcnow())
    db.flush()
    auth.sign_in("patient-per")
    from tests.helpers import visible_text

    first = visible_text(client.get("/vem-har-tittat"))
    assert "Sida 1 av 3" in first
    assert "Sida 3 av 3" in visible_text(client.get("/vem-har-tittat?sida=3"))
    assert client.get("/vem-har-tittat?sida=4").status_code == 404
    assert client.get("/vem-har-tittat?sida=x").status_code == 404


def test_downloading_the_plan_is_logged_as_a_download_not_a_change(auth, client, db) -> None:
    from tests.helpers import visible_text

    auth.sign_in("patient-maja")
    pid = plan_id(db, "trygg hemma")
    assert client.get(f"/plan/{pid}/utskrift.pdf").status_code == 200
    text = visible_text(client.get("/vem-har-tittat"))
    assert "Du laddade ner planen ”Samordnad individuell plan – trygg hemma” som PDF" in text
    assert "ändrade planen" not in text
