"""A handover offer to someone outside the team opens the plan to read, nothing more, until the
receiver accepts it (issue 15, finding 5): Karin offers the coordination of Maja's SIP to Jonas
at orthopaedics, who has no care relationship with anyone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Practitioner
from app.audit.models import AccessLogEntry
from app.plans.models import CarePlan, Handover
from app.proxies.models import ProxyGrant
from tests.conftest import Auth, csrf_token
from tests.helpers import form_fields, plan_id, visible_text


def signed_in(app: Flask, persona: str) -> FlaskClient:
    client = app.test_client()
    Auth(client).sign_in(persona)
    return client


def offer_to_jonas(app: Flask, db: Session, ids: dict[str, int]) -> tuple[int, int]:
    """Karin offers the coordination of Maja's SIP to Jonas through the handover form; the
    plan's id and the handover's."""
    sip = plan_id(db, "trygg hemma")
    karin = signed_in(app, "staff-karin")
    fields = form_fields(karin.get(f"/plan/{sip}/overlamning"), f"/plan/{sip}/overlamning")
    jonas_hsa = db.get(Practitioner, ids["staff-jonas"]).hsa_id
    fields.update(role="coordination", receiver="hsa", hsa=jonas_hsa, note="Du tar över.")
    assert karin.post(f"/plan/{sip}/overlamning", data=fields).status_code == 303
    handover = db.scalars(select(Handover).where(Handover.plan_id == sip)).one()
    assert handover.to_practitioner_id == ids["staff-jonas"]
    return sip, handover.id


def refusals(db: Session, practitioner_id: int) -> int:
    return (
        db.scalar(
            select(func.count(AccessLogEntry.id)).where(
                AccessLogEntry.actor_practitioner_id == practitioner_id,
                AccessLogEntry.allowed.is_(False),
            )
        )
        or 0
    )


def test_the_receiver_reads_the_offered_plan_but_sees_no_tools(app, db, ids) -> None:
    sip, handover = offer_to_jonas(app, db, ids)
    jonas = signed_in(app, "staff-jonas")
    page = jonas.get(f"/plan/{sip}")
    assert page.status_code == 200
    text = visible_text(page)
    assert "Samordnad individuell plan – trygg hemma" in text
    assert "Karin Berg vill lämna över till dig. Du tar över." in text
    assert "Bekräfta att jag tar över" in text
    assert "Planen är erbjuden dig i en överlämning." in text
    for tool in ("Redigera planen", "Lämna över", "Avsluta planen", "Vem agerar för patienten ·"):
        assert tool not in text
    body = page.get_data(as_text=True)
    for link in (f"/plan/{sip}/redigera", "/ny-plan", "/foretradare", "/dodsfall"):
        assert link not in body
    read = db.scalars(
        select(AccessLogEntry).where(
            AccessLogEntry.actor_practitioner_id == ids["staff-jonas"],
            AccessLogEntry.object_type == "care_plan",
            AccessLogEntry.object_id == sip,
        )
    ).one()
    assert read.allowed
    assert read.patient_id == ids["patient-maja"]
    # Karin, on the team, still has all her tools.
    assert "Redigera planen" in visible_text(signed_in(app, "staff-karin").get(f"/plan/{sip}"))


def test_the_receiver_cannot_open_the_editor(app, db, ids) -> None:
    sip, _handover = offer_to_jonas(app, db, ids)
    jonas = signed_in(app, "staff-jonas")
    before = refusals(db, ids["staff-jonas"])
    assert jonas.get(f"/plan/{sip}/redigera").status_code == 404
    version = str(db.get(CarePlan, sip).version)
    token = csrf_token(jonas, f"/plan/{sip}")
    saved = jonas.post(
        f"/plan/{sip}/redigera", data={"csrf_token": token, "version": version, "title": "Ny"}
    )
    assert saved.status_code == 404
    db.expire_all()
    assert db.get(CarePlan, sip).draft is None
    assert refusals(db, ids["staff-jonas"]) == before + 2


def test_the_receiver_cannot_create_a_plan_for_the_patient(app, db, ids) -> None:
    _sip, _handover = offer_to_jonas(app, db, ids)
    jonas = signed_in(app, "staff-jonas")
    url = f"/patient/{ids['patient-maja']}/ny-plan"
    plans = db.scalar(select(func.count(CarePlan.id))) or 0
    before = refusals(db, ids["staff-jonas"])
    assert jonas.get(url).status_code == 404
    token = csrf_token(jonas, "/sessioner")
    assert jonas.post(url, data={"csrf_token": token, "kind": "sip"}).status_code == 404
    assert (db.scalar(select(func.count(CarePlan.id))) or 0) == plans
    assert refusals(db, ids["staff-jonas"]) == before + 2


def test_the_receiver_cannot_register_a_legal_representative(app, db, ids) -> None:
    _sip, _handover = offer_to_jonas(app, db, ids)
    jonas = signed_in(app, "staff-jonas")
    url = f"/patient/{ids['patient-maja']}/foretradare"
    grants = db.scalar(select(func.count(ProxyGrant.id))) or 0
    before = refusals(db, ids["staff-jonas"])
    assert jonas.get(url).status_code == 404
    form = {
        "csrf_token": csrf_token(jonas, "/sessioner"),
        "personal_number": "19580404-9947",
        "given_name": "Bo",
        "family_name": "Förvaltare",
        "kind": "god man",
        "decision_reference": "Överförmyndaren 2026-1234",
        "scopes": ["read_plans"],
        "until": (date.today() + timedelta(days=400)).isoformat(),
    }
    assert jonas.post(url, data=form).status_code == 404
    assert (db.scalar(select(func.count(ProxyGrant.id))) or 0) == grants
    assert refusals(db, ids["staff-jonas"]) == before + 2


def _other_plan(db: Session, ids: dict[str, int]) -> str:
    return f"/plan/{plan_id(db, 'daglig vägning')}"


# Everything else a pending offer does not open: (method, url) for the receiver, Jonas.
REFUSED: list[tuple[str, Callable[[Session, dict[str, int], int], str]]] = [
    ("GET", lambda db, ids, sip: f"/plan/{sip}/publicera"),
    ("POST", lambda db, ids, sip: f"/plan/{sip}/publicera"),
    ("GET", lambda db, ids, sip: f"/plan/{sip}/avsluta"),
    ("POST", lambda db, ids, sip: f"/plan/{sip}/avsluta"),
    ("GET", lambda db, ids, sip: f"/plan/{sip}/overlamning"),
    ("POST", lambda db, ids, sip: f"/plan/{sip}/utkast/kasta"),
    ("GET", lambda db, ids, sip: f"/patient/{ids['patient-maja']}/dodsfall"),
    ("POST", lambda db, ids, sip: f"/patient/{ids['patient-maja']}/dodsfall"),
    ("GET", lambda db, ids, sip: _other_plan(db, ids)),
    ("GET", lambda db, ids, sip: _other_plan(db, ids) + "/utskrift.pdf"),
]


@pytest.mark.parametrize(("method", "url"), REFUSED)
def test_everything_else_is_refused_and_logged(app, db, ids, method, url) -> None:
    sip, _handover = offer_to_jonas(app, db, ids)
    jonas = signed_in(app, "staff-jonas")
    before = refusals(db, ids["staff-jonas"])
    path = url(db, ids, sip)
    if method == "GET":
        answer = jonas.get(path)
    else:
        token = csrf_token(jonas, "/sessioner")
        answer = jonas.post(path, data={"csrf_token": token, "day": "2026-01-01", "confirm": "1"})
    assert answer.status_code == 404
    assert refusals(db, ids["staff-jonas"]) == before + 1
    db.expire_all()
    assert db.get(CarePlan, sip).status == "active"


def test_the_offer_does_not_put_the_patient_on_the_receivers_lists(app, db, ids) -> None:
    _sip, _handover = offer_to_jonas(app, db, ids)
    jonas = signed_in(app, "staff-jonas")
    assert "Maja Lind" not in visible_text(jonas.get("/"))
    work = visible_text(jonas.get("/arbetslista"))
    assert "Överlämningar till dig" in work
    assert "Uppföljning snart eller försenad" not in work


def test_after_accepting_the_receiver_works_as_a_team_member(app, db, ids) -> None:
    sip, handover = offer_to_jonas(app, db, ids)
    jonas = signed_in(app, "staff-jonas")
    accept = form_fields(jonas.get(f"/plan/{sip}"), f"/overlamning/{handover}/bekrafta")
    assert jonas.post(f"/overlamning/{handover}/bekrafta", data=accept).status_code == 303
    db.expire_all()
    assert db.get(Handover, handover).acknowledged_at is not None
    page = visible_text(jonas.get(f"/plan/{sip}"))
    assert "Redigera planen" in page
    assert jonas.get(f"/plan/{sip}/redigera").status_code == 200
    assert jonas.get(f"/patient/{ids['patient-maja']}/ny-plan").status_code == 200
    assert jonas.get(f"/patient/{ids['patient-maja']}/foretradare").status_code == 200


def test_a_cancelled_offer_opens_nothing(app, db, ids) -> None:
    sip, handover = offer_to_jonas(app, db, ids)
    karin = signed_in(app, "staff-karin")
    cancel = form_fields(karin.get(f"/plan/{sip}"), f"/overlamning/{handover}/aterkalla")
    assert karin.post(f"/overlamning/{handover}/aterkalla", data=cancel).status_code == 303
    jonas = signed_in(app, "staff-jonas")
    assert jonas.get(f"/plan/{sip}").status_code == 404
    token = csrf_token(jonas, "/sessioner")
    answer = jonas.post(f"/overlamning/{handover}/bekrafta", data={"csrf_token": token})
    assert answer.status_code == 404
