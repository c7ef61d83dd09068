"""The seven questions of seed 002, asked of the patient: offered on the start page once they
have answered a plan version, optional, kept once, not offered again for a year; only the
patient answers, in their own words in the simple view and in Arabic."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.agreements.models import Agreement
from app.db import utcnow
from app.followup.models import Reply, SevenQuestions
from app.plans.models import CarePlan, PlanStatus
from tests.conftest import csrf_token
from tests.helpers import visible_text

OFFER = "Hur fungerar det för dig?"


def _answers(db, person_id: int) -> int:  # noqa: ANN001
    db.expire_all()
    return db.scalar(
        select(func.count(SevenQuestions.id)).where(
            SevenQuestions.person_id == person_id, SevenQuestions.declined.is_(False)
        )
    )


def _answer_the_plan(client, db, persona_id: int) -> None:  # noqa: ANN001
    """The patient answers "Stämmer" to their plan's published version, as on the plan page."""
    plan = db.scalars(
        select(CarePlan).where(
            CarePlan.patient_id == persona_id,
            CarePlan.status == PlanStatus.ACTIVE,
            CarePlan.published_version > 0,
        )
    ).first()
    token = csrf_token(client, f"/plan/{plan.id}")
    form = {"csrf_token": token, "version": str(plan.published_version), "answer": "agree"}
    assert client.post(f"/plan/{plan.id}/svar", data=form).status_code == 303
    assert db.scalar(select(Agreement.id).where(Agreement.answered_by_id == persona_id))


def test_maja_is_offered_the_questions_answers_some_and_is_not_asked_again_for_a_year(
    app, auth, client, db, ids, monkeypatch
) -> None:
    maja = ids["patient-maja"]
    auth.sign_in("patient-maja")
    assert OFFER not in visible_text(client.get("/"))  # she has answered no plan yet
    _answer_the_plan(client, db, maja)
    assert OFFER in visible_text(client.get("/"))
    page = client.get("/sju-fragor")
    assert page.status_code == 200
    text = visible_text(page)
    assert "Känner du att du kan ha fokus på att leva ditt liv" in text
    assert "Har du en fast vårdkontakt? (vid behov)" in text
    token = csrf_token(client, "/sju-fragor")
    form = {"csrf_token": token, "key": "maja-1", "next_step": "yes", "care_contact": "partly"}
    for _ in range(2):  # sent twice: kept once
        sent = client.post("/sju-fragor", data=form)
        assert sent.status_code == 303
    assert _answers(db, maja) == 1
    row = db.scalars(select(SevenQuestions).where(SevenQuestions.person_id == maja)).one()
    assert (row.next_step, row.care_contact, row.overview) == (Reply.YES, Reply.PARTLY, None)
    assert row.unit_id is not None
    assert "Tack för dina svar." in visible_text(client.get("/sju-fragor?tack=1"))
    assert OFFER not in visible_text(client.get("/"))
    later = utcnow() + timedelta(days=366)
    monkeypatch.setitem(app.config, "NOW_FUNC", lambda: later)
    auth.sign_in("patient-maja")
    assert OFFER in visible_text(client.get("/"))


def test_nothing_answered_gets_a_swedish_message_and_nothing_is_kept(auth, client, db, ids) -> None:
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sju-fragor")
    for form in ({}, {"next_step": "kanske"}):
        response = client.post("/sju-fragor", data={"csrf_token": token, "key": "k", **form})
        assert response.status_code == 400
        assert ("Svara på minst en av frågorna" in visible_text(response)) or (
            "Välj ett av svaren." in visible_text(response)
        )
    assert _answers(db, ids["patient-maja"]) == 0


def test_not_now_hides_the_offer_for_a_year(auth, client, db, ids) -> None:
    auth.sign_in("patient-maja")
    _answer_the_plan(client, db, ids["patient-maja"])
    assert OFFER in visible_text(client.get("/"))
    token = csrf_token(client, "/sju-fragor")
    assert client.post("/sju-fragor/inte-nu", data={"csrf_token": token}).status_code == 303
    assert OFFER not in visible_text(client.get("/"))
    assert _answers(db, ids["patient-maja"]) == 0
    declined = db.scalar(
        select(func.count(SevenQuestions.id)).where(SevenQuestions.declined.is_(True))
    )
    assert declined == 1


def test_a_relative_acting_for_maja_is_not_offered_the_questions(auth, client) -> None:
    auth.sign_in("proxy-anna")
    assert OFFER not in visible_text(client.get("/", follow_redirects=True))
    assert client.get("/sju-fragor").status_code == 404


def test_the_simple_view_asks_in_short_sentences(auth, client) -> None:
    auth.sign_in("patient-ali")
    token = csrf_token(client, "/sju-fragor")
    client.post("/sprak", data={"csrf_token": token, "lang": "sv"})
    client.post("/enkel-vy", data={"csrf_token": token, "on": "1"})
    text = visible_text(client.get("/sju-fragor"))
    assert "Kan du leva ditt liv? Får du hjälp när du behöver det?" in text
    assert "Känner du att du kan ha fokus" not in text


def test_arabic_asks_in_arabic(auth, client) -> None:
    auth.sign_in("patient-ali")
    token = csrf_token(client, "/sju-fragor")
    client.post("/sprak", data={"csrf_token": token, "lang": "ar"})
    page = client.get("/sju-fragor")
    assert 'lang="ar"' in page.get_data(as_text=True)
    assert 'dir="rtl"' in page.get_data(as_text=True)
    text = visible_text(page)
    assert "Har du enkla sätt" not in text
    assert "؟" in text


def test_maja_shares_her_answers_with_her_care_team_and_stops_again(app, auth, client, db, ids):
    """Care sees her answers only once she shares them, on her plan's page, and each look is in
    the access log; when she stops sharing, care no longer sees them."""
    from app.audit.models import AccessLogEntry
    from tests.conftest import Auth

    maja = ids["patient-maja"]
    plan = db.scalars(
        select(CarePlan).where(CarePlan.patient_id == maja, CarePlan.status == PlanStatus.ACTIVE)
    ).first()
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    heading = "Hur det fungerar för Maja"

    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sju-fragor")
    form = {"csrf_token": token, "key": "maja-share", "next_step": "no", "easy_contact": "yes"}
    assert client.post("/sju-fragor", data=form).status_code == 303
    page = visible_text(client.get("/sju-fragor"))
    assert "Ditt vårdteam ser inte dina svar." in page
    assert heading not in visible_text(karin.get(f"/plan/{plan.id}"))

    token = csrf_token(client, "/sju-fragor")
    assert client.post("/sju-fragor/dela", data={"csrf_token": token, "share": "1"}).status_code
    db.expire_all()
    row = db.scalars(select(SevenQuestions).where(SevenQuestions.person_id == maja)).one()
    assert row.shared_at is not None
    assert "Ditt vårdteam kan se dina svar från" in visible_text(client.get("/sju-fragor"))
    text = visible_text(karin.get(f"/plan/{plan.id}"))
    assert heading in text
    assert "Vet du ditt nästa steg? Nej" in text
    looked = db.scalars(
        select(AccessLogEntry).where(
            AccessLogEntry.patient_id == maja, AccessLogEntry.object_type == "seven_questions"
        )
    ).all()
    assert {entry.action for entry in looked} >= {"create", "update", "read"}

    token = csrf_token(client, "/sju-fragor")
    client.post("/sju-fragor/dela", data={"csrf_token": token, "share": "0"})
    db.expire_all()
    assert db.get(SevenQuestions, row.id).shared_at is None
    assert heading not in visible_text(karin.get(f"/plan/{plan.id}"))


def test_answers_shared_as_they_are_sent(auth, client, db, ids) -> None:
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sju-fragor")
    form = {"csrf_token": token, "key": "maja-at-once", "overview": "partly", "share": "1"}
    assert client.post("/sju-fragor", data=form).status_code == 303
    row = db.scalars(
        select(SevenQuestions).where(SevenQuestions.person_id == ids["patient-maja"])
    ).one()
    assert row.shared_at is not None


def test_nothing_to_share_before_answering_is_not_found(auth, client) -> None:
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sju-fragor")
    assert (
        client.post("/sju-fragor/dela", data={"csrf_token": token, "share": "1"}).status_code == 404
    )
