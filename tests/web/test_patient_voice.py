"""The patient's voice: what matters, goals, answers to the plan, appointments, the PDF."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.agreements.models import Agreement
from app.appointments.models import Appointment, AppointmentMode, AppointmentStatus
from app.db import utcnow
from app.goals.models import Activity, Goal, GoalStatus
from app.plans.models import CarePlan, PlanVersion
from app.whatmatters.models import WhatMatters
from tests.conftest import Auth, csrf_token
from tests.helpers import plan_id, visible_text


def post(client, path: str, data: dict, form_page: str = "/sessioner"):  # noqa: ANN001, ANN201
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **data})


def versions(db, patient_id: int) -> int:  # noqa: ANN001
    return db.scalar(select(func.count(WhatMatters.id)).where(WhatMatters.patient_id == patient_id))


def test_what_matters_one_question_at_a_time_versioned(app, auth, client, db, ids, monkeypatch):
    auth.sign_in("patient-maja")
    page = visible_text(client.get("/viktigt/1"))
    assert "Vad förväntar du dig av vården?" in page
    assert "Fråga 2 av 9" in page
    assert "Till exempel" in page
    before = versions(db, ids["patient-maja"])
    response = post(client, "/viktigt/1", {"answer": "Att någon ringer efter proverna."})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/viktigt/2")
    # the same sitting (autosave while typing) updates that version; a later change makes a new one
    assert (
        post(
            client, "/viktigt/1", {"answer": "Att Karin ringer efter proverna.", "autosave": "1"}
        ).status_code
        == 303
    )
    assert versions(db, ids["patient-maja"]) == before + 1
    later = utcnow() + timedelta(hours=2)
    monkeypatch.setitem(app.config, "NOW_FUNC", lambda: later)
    Auth(client).sign_in("patient-maja")
    post(client, "/viktigt/2", {"answer": "Anna får vara med."})
    assert versions(db, ids["patient-maja"]) == before + 2
    newest = db.scalars(
        select(WhatMatters)
        .where(WhatMatters.patient_id == ids["patient-maja"])
        .order_by(WhatMatters.version.desc())
    ).first()
    assert newest.expectations == "Att Karin ringer efter proverna."
    assert newest.relatives == "Anna får vara med."
    assert "stugan i Kallax" in newest.what_matters  # earlier answers carried over
    too_long = post(client, "/viktigt/2", {"answer": "x" * 2001})
    assert too_long.status_code == 400
    assert "högst 2 000 tecken" in visible_text(too_long)
    assert "x" * 2001 in too_long.get_data(as_text=True)


def test_care_sees_what_changed_since_they_last_looked(app, auth, client, db, ids, monkeypatch):
    pid = plan_id(db, "trygg hemma")
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    assert "Ändrat sedan du senast tittade" not in visible_text(karin.get(f"/plan/{pid}"))
    later = utcnow() + timedelta(minutes=40)
    monkeypatch.setitem(app.config, "NOW_FUNC", lambda: later)
    auth.sign_in("patient-maja")
    post(client, "/viktigt/4", {"answer": "Helst förmiddagar."})
    Auth(karin).sign_in("staff-karin")
    text = visible_text(karin.get(f"/plan/{pid}"))
    assert "Ändrat sedan du senast tittade:" in text
    assert "När passar det dig att träffa vården?: Helst förmiddagar." in text
    assert "Ändrat sedan du senast tittade" not in visible_text(karin.get(f"/plan/{pid}"))


def test_a_proxy_answers_only_with_the_scope_and_is_named(app, db, ids):
    from app.proxies.models import ProxyGrant

    anna = app.test_client()
    Auth(anna).sign_in("proxy-anna")
    anna.get("/", follow_redirects=True)
    assert anna.get("/viktigt/0").status_code == 404
    assert post(anna, "/viktigt/0", {"answer": "Från Anna"}).status_code == 404
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    grant.scopes += " answer_for"
    db.flush()
    assert post(anna, "/viktigt/0", {"answer": "Att mamma får vara hemma."}).status_code == 303
    assert "Skrivet av Anna Lind" in visible_text(anna.get(f"/plan/{plan_id(db, 'trygg hemma')}"))


def test_goal_proposal_accepted_reworded_or_declined(app, auth, client, db):
    pid = plan_id(db, "trygg hemma")
    auth.sign_in("patient-maja")
    bad = post(client, f"/plan/{pid}/mal", {"goal": "Plocka bär", "target": "2001-01-01"})
    assert bad.status_code == 400
    assert "Datumet har redan varit" in visible_text(bad)
    assert "Plocka bär" in bad.get_data(as_text=True)
    for text in ("Plocka bär i augusti", "Baka bullar", "Åka till Paris"):
        assert post(client, f"/plan/{pid}/mal", {"goal": text}).status_code == 303
    assert "Väntar på svar från vården" in visible_text(client.get(f"/plan/{pid}"))
    goals = {g.text: g for g in db.scalars(select(Goal).where(Goal.plan_id == pid))}

    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    token_page = f"/plan/{pid}"
    assert (
        post(
            karin,
            f"/mal/{goals['Plocka bär i augusti'].id}/beslut",
            {"decision": "accept"},
            token_page,
        ).status_code
        == 303
    )
    assert (
        post(
            karin,
            f"/mal/{goals['Baka bullar'].id}/beslut",
            {"decision": "reword", "text": "Baka bullar med Anna en gång i veckan"},
            token_page,
        ).status_code
        == 303
    )
    no_reason = post(
        karin,
        f"/mal/{goals['Åka till Paris'].id}/beslut",
        {"decision": "decline", "reason": ""},
        token_page,
    )
    assert no_reason.status_code == 400
    assert (
        post(
            karin,
            f"/mal/{goals['Åka till Paris'].id}/beslut",
            {"decision": "decline", "reason": "Vi börjar med resor i Norrbotten."},
            token_page,
        ).status_code
        == 303
    )
    text = visible_text(client.get(f"/plan/{pid}"))
    assert "Plocka bär i augusti" in text
    assert "Baka bullar med Anna en gång i veckan" in text
    assert "Kom inte med i planen: Vi börjar med resor i Norrbotten." in text
    db.expire_all()
    assert db.get(Goal, goals["Åka till Paris"].id).status == GoalStatus.DECLINED


def test_progress_on_own_activities_shows_to_care(app, auth, client, db):
    pid = plan_id(db, "trygg hemma")
    mine = db.scalars(
        select(Activity).where(Activity.plan_id == pid, Activity.responsible == "patient")
    ).first()
    theirs = db.scalars(
        select(Activity).where(Activity.plan_id == pid, Activity.responsible != "patient")
    ).first()
    auth.sign_in("patient-maja")
    assert post(client, f"/insats/{theirs.id}/lage", {"state": "done"}).status_code == 404
    assert post(client, f"/insats/{mine.id}/lage", {"state": "maybe"}).status_code == 400
    reported = post(
        client, f"/insats/{mine.id}/lage", {"state": "hard", "note": "Vågen är trasig."}
    )
    assert reported.status_code == 303
    shown = client.get(reported.headers["Location"]).get_data(as_text=True)
    assert (
        '<p class="notice notice--done" role="status" data-confirmation tabindex="-1">'
        "Tack! Det du skrev om hur det går är sparat. Ditt vårdteam ser det.</p>"
    ) in shown
    # Only Samplan's own sentences: an address cannot make the page say anything else.
    assert "data-confirmation" not in client.get(f"/plan/{pid}?klart=<b>hej</b>").get_data(
        as_text=True
    )
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    assert "Så går det: Svårt. Vågen är trasig." in visible_text(karin.get(f"/plan/{pid}"))


def publish(db, pid: int, summary: str) -> int:  # noqa: ANN001
    plan = db.get(CarePlan, pid)
    coordinator = plan.coordinator(utcnow().date())
    plan.published_version += 1
    db.add(
        PlanVersion(
            plan_id=pid,
            number=plan.published_version,
            published_at=utcnow(),
            published_by_id=coordinator.practitioner_id,
            change_summary=summary,
            snapshot={},
        )
    )
    db.flush()
    return plan.published_version


def test_agreement_across_two_published_versions(auth, client, db):
    pid = plan_id(db, "trygg hemma")
    first = publish(db, pid, "Nytt delmål: gå till brevlådan.")
    auth.sign_in("patient-maja")
    text = visible_text(client.get(f"/plan/{pid}"))
    # The question comes after the plan it asks about; the top of the page points to it.
    assert text.index("Läs planen och svara längst ner om den stämmer.") < text.index("Vem gör vad")
    assert text.index("Vem gör vad") < text.index("Stämmer det här med det vi kom överens om?")
    assert (
        post(client, f"/plan/{pid}/svar", {"answer": "agree", "version": first}).status_code == 303
    )
    again = post(client, f"/plan/{pid}/svar", {"answer": "agree", "version": first})
    assert again.status_code == 400
    assert "redan svarat" in visible_text(again)
    second = publish(db, pid, "Hembesöken blir varje vecka.")
    text = visible_text(client.get(f"/plan/{pid}"))
    assert f"Det här har ändrats sedan version {first}" in text
    assert "Hembesöken blir varje vecka." in text
    stale = post(client, f"/plan/{pid}/svar", {"answer": "agree", "version": first})
    assert stale.status_code == 400
    assert "Planen har ändrats" in visible_text(stale)
    questions = post(client, f"/plan/{pid}/svar", {"answer": "questions", "version": second})
    assert questions.status_code == 303
    assert "/meddelanden/nytt" in questions.headers["Location"]
    compose = client.get(questions.headers["Location"]).get_data(as_text=True)
    assert f"Frågor om planen, version {second}" in compose
    answers = db.scalars(
        select(Agreement).where(Agreement.plan_id == pid).order_by(Agreement.plan_version)
    ).all()
    assert [(a.plan_version, a.answer) for a in answers][-2:] == [
        (first, "agree"),
        (second, "questions"),
    ]


def test_staff_see_the_agreement_state(app, auth, client, db):
    pid = plan_id(db, "trygg hemma")
    version = publish(db, pid, "Ny uppföljning.")
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    assert f"Patienten har inte svarat på version {version} ännu." in visible_text(
        karin.get(f"/plan/{pid}")
    )
    auth.sign_in("patient-maja")
    post(client, f"/plan/{pid}/svar", {"answer": "agree", "version": version})
    assert f"Version {version}: ”Ja, jag håller med”" in visible_text(karin.get(f"/plan/{pid}"))


def offer_two(db, ids, days: int = 5) -> tuple[Appointment, Appointment]:  # noqa: ANN001
    unit = db.get(CarePlan, plan_id(db, "trygg hemma")).unit_id
    base = utcnow().replace(microsecond=0) + timedelta(days=days)
    offers = [
        Appointment(
            patient_id=ids["patient-maja"],
            plan_id=plan_id(db, "trygg hemma"),
            unit_id=unit,
            practitioner_id=ids["staff-karin"],
            starts_at=base + timedelta(hours=h),
            duration_minutes=30,
            mode=AppointmentMode.VISIT,
            location="Hälsocentralen Kvarnen",
            purpose="Uppföljning av vikten",
            status=AppointmentStatus.PROPOSED,
            offer_group="g1",
        )
        for h in (0, 24)
    ]
    db.add_all(offers)
    db.flush()
    return offers[0], offers[1]


def test_accepting_one_offered_time_declines_the_other_and_becomes_the_next_step(
    auth, client, db, ids
):
    first, second = offer_two(db, ids, days=1)
    auth.sign_in("patient-maja")
    assert post(client, f"/tider/{first.id}/ja", {}).status_code == 303
    db.expire_all()
    assert db.get(Appointment, first.id).status == AppointmentStatus.ACCEPTED
    assert db.get(Appointment, second.id).status == AppointmentStatus.DECLINED
    text = visible_text(client.get("/"))
    step = text.split("Nästa steg", 1)[1].split("Det här är viktigt", 1)[0]
    assert "Uppföljning av vikten" in step
    ics = client.get(f"/tider/{first.id}.ics")
    assert ics.status_code == 200
    assert ics.mimetype == "text/calendar"
    from icalendar import Calendar

    event = Calendar.from_ical(ics.get_data()).walk("VEVENT")[0]
    assert str(event["summary"]) == "Uppföljning av vikten"
    assert event.decoded("dtstart") == first.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert str(event["uid"]) == f"appointment-{first.id}@samplan"
    assert client.get(f"/tider/{second.id}.ics").status_code == 404


def test_asking_for_another_time_and_cancelling(auth, client, db, ids):
    first, second = offer_two(db, ids)
    auth.sign_in("patient-maja")
    url = f"/tider/{first.id}"
    past = post(client, f"{url}/annan-tid", {"note": "Hellre torsdag", "wished": "2020-01-01"}, url)
    assert past.status_code == 400
    assert "Datumet har redan varit" in visible_text(past)
    assert "Hellre torsdag" in past.get_data(as_text=True)
    empty = post(client, f"{url}/annan-tid", {"note": " "}, url)
    assert empty.status_code == 400
    wished = (utcnow() + timedelta(days=10)).date().isoformat()
    asked = post(client, f"{url}/annan-tid", {"note": "Hellre torsdag", "wished": wished}, url)
    assert asked.status_code == 303
    page = visible_text(client.get(asked.headers["Location"]))
    assert "Din önskan om en annan tid är skickad. Vården hör av sig." in page
    assert "Ditt meddelande: Hellre torsdag" in page
    day = (utcnow() + timedelta(days=10)).date()
    assert f"Du önskade en tid den {day.day} " in page
    db.expire_all()
    moved = db.get(Appointment, first.id)
    assert moved.status == AppointmentStatus.CHANGE_REQUESTED
    assert moved.patient_note == "Hellre torsdag"
    # None of the times offered together suited: the other one is no longer on offer.
    assert db.get(Appointment, second.id).status == AppointmentStatus.DECLINED
    assert post(client, f"/tider/{second.id}/ja", {}, url).status_code == 400
    assert post(client, f"{url}/avboka", {"reason": ""}, url).status_code == 400
    cancelled = post(client, f"{url}/avboka", {"reason": "Jag är bortrest."}, url)
    assert cancelled.status_code == 303
    assert "Tiden är avbokad. Vården har fått veta det." in visible_text(
        client.get(cancelled.headers["Location"])
    )
    db.expire_all()
    assert db.get(Appointment, first.id).status == AppointmentStatus.CANCELLED
    assert post(client, f"{url}/ja", {}, url).status_code == 400  # closed now


@pytest.mark.parametrize("persona", ["patient-maja", "staff-karin"])
def test_the_self_care_plan_as_pdf_has_goals_and_all_seven_points(auth, client, db, persona):
    from pypdf import PdfReader

    auth.sign_in(persona)
    pid = plan_id(db, "Egenvård vid hjärtsvikt")
    response = client.get(f"/plan/{pid}/utskrift.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    plan = db.get(CarePlan, pid)
    assert "Egenvård vid hjärtsvikt" in text
    assert "Maja Lind" in text
    assert f"version {plan.published_version}" in text
    for heading in (
        "Vad du gör",
        "Vem som gör det",
        "Hur du får instruktioner",
        "Om något går fel",
        "Om det blir annorlunda",
        "Hur och när vi följer upp",
        "När vi tänker om",
    ):
        assert heading in text, heading
    for goal in db.scalars(select(Goal).where(Goal.plan_id == pid)):
        assert " ".join(goal.text.split())[:40] in text
    assert "Sida 1 av" in text


def test_a_newly_published_version_is_marked_on_the_start_page_until_answered(auth, client, db):
    pid = plan_id(db, "trygg hemma")
    first = publish(db, pid, "Nytt delmål: gå till brevlådan.")
    auth.sign_in("patient-maja")
    text = visible_text(client.get("/"))
    assert "Läs planen ”Samordnad individuell plan – trygg hemma” och svara om den stämmer." in text
    post(client, f"/plan/{pid}/svar", {"answer": "agree", "version": first})
    version = publish(db, pid, "Hembesöken blir varje vecka.")
    text = visible_text(client.get("/"))
    notice = "Planen ”Samordnad individuell plan – trygg hemma” är ändrad. Läs den och svara om"
    assert notice in text
    assert text.index(notice) < text.index("Mina planer"), "in the first screen, with the next step"
    marks = text.count("Ändrad – svara")
    assert marks >= 1
    post(client, f"/plan/{pid}/svar", {"answer": "agree", "version": version})
    text = visible_text(client.get("/"))
    assert notice not in text
    assert text.count("Ändrad – svara") == marks - 1


def test_saving_while_typing_says_so_and_a_too_long_answer_says_why(auth, client, db, ids):
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/viktigt/3")
    headers = {"HX-Request": "true"}
    saved = client.post(
        "/viktigt/3",
        data={"csrf_token": token, "answer": "Att få sova ut.", "autosave": "1"},
        headers=headers,
    )
    assert saved.status_code == 200
    assert re.fullmatch(r"Sparat automatiskt kl\. \d\d:\d\d\.", visible_text(saved))
    before = versions(db, ids["patient-maja"])
    too_long = client.post(
        "/viktigt/3",
        data={"csrf_token": token, "answer": "x" * 2001, "autosave": "1"},
        headers=headers,
    )
    assert too_long.status_code == 400
    assert "högst 2 000 tecken" in visible_text(too_long)
    assert "<html" not in too_long.get_data(as_text=True)  # a line under the field, not a page
    assert versions(db, ids["patient-maja"]) == before
    assert 'id="answer-saved" role="status"' in client.get("/viktigt/3").get_data(as_text=True)


def test_anna_reads_of_maja_by_name_not_as_if_the_plan_were_hers(app, db, ids):
    from app.proxies.models import ProxyGrant

    anna = app.test_client()
    Auth(anna).sign_in("proxy-anna")
    anna.get("/", follow_redirects=True)
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    grant.scopes += " answer_for"
    db.flush()
    compose = visible_text(anna.get("/meddelanden/nytt"))
    assert "Samordnaren står först." in compose
    assert "Din samordnare" not in compose
    overview = visible_text(anna.get("/viktigt"))
    assert "Svaren visas först i alla planer för Maja" in overview
    assert "Dina svar" not in overview
    self_care = visible_text(anna.get(f"/plan/{plan_id(db, 'Egenvård')}"))
    assert "Egenvård, punkt för punkt" in self_care
    assert "Din egenvård" not in self_care
