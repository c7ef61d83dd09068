"""The care team's workspace through the browser's eyes: templates per kind, drafts, publishing
and the patient's answer, the edit conflict, handovers, the work list, closing and death."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.audit.models import AccessLogEntry
from app.clock import local_date
from app.db import utcnow
from app.goals.models import Activity, Goal, GoalStatus
from app.notifications.models import OutboxItem
from app.plans.models import CarePlan, CloseReason, Handover, PlanStatus, PlanVersion
from tests.conftest import Auth, csrf_token, html
from tests.helpers import form_fields, plan_id, visible_text


def signed_in(app: Flask, persona: str):  # noqa: ANN201 - a Flask test client
    client = app.test_client()
    Auth(client).sign_in(persona)
    return client


def editor(client, plan: int) -> tuple[str, dict[str, str]]:  # noqa: ANN001
    page = client.get(f"/plan/{plan}/redigera")
    assert page.status_code == 200, page.status_code
    return visible_text(page), form_fields(page, f"/plan/{plan}/redigera")


def new_plan(client, patient_id: int, kind: str) -> int:  # noqa: ANN001
    token = csrf_token(client, f"/patient/{patient_id}/ny-plan")
    response = client.post(
        f"/patient/{patient_id}/ny-plan", data={"csrf_token": token, "kind": kind}
    )
    assert response.status_code == 303, html(response)
    return int(response.headers["Location"].split("/")[2])


def publish(client, plan: int, summary: str | None = None, **extra: str):  # noqa: ANN001, ANN201
    page = client.get(f"/plan/{plan}/publicera")
    fields = form_fields(page, f"/plan/{plan}/publicera")
    if summary is not None:
        fields["summary"] = summary
    fields.update(extra)
    return client.post(f"/plan/{plan}/publicera", data=fields)


@pytest.mark.parametrize(
    ("kind", "headings"),
    [
        ("sip", ["Dina behov", "Dina egna resurser", "Samtycke"]),
        (
            "self_care",
            [
                "1. Vad du gör",
                "2. Vem som gör det",
                "3. Hur du får instruktioner",
                "4. Om något går fel: gör så här och ring",
                "5. Om det blir annorlunda: ring",
                "6. Hur och när vi följer upp",
                "7. När vi tänker om",
            ],
        ),
        (
            "care_treatment",
            ["Egenvård", "Hälso- och sjukvårdsinsatser", "Vårdnivå", "Rehabiliteringsinsatser"],
        ),
        ("my_care_plan", ["Mötet med vården", "Utredning och diagnoser", "Behandling"]),
    ],
)
def test_each_kind_starts_from_its_template_and_stays_a_draft(
    app, db: Session, ids, kind, headings
) -> None:
    karin = signed_in(app, "staff-karin")
    plan = new_plan(karin, ids["patient-maja"], kind)
    text, fields = editor(karin, plan)
    for heading in headings:
        assert heading in text
    # Karin is the care contact and coordinates until she says otherwise.
    assert "Karin Berg" in text
    assert fields["coordinator"] == "0"
    stored = db.get(CarePlan, plan)
    assert stored.status == PlanStatus.DRAFT
    assert stored.draft is not None
    if kind == "sip":
        follow_up = date.fromisoformat(stored.draft["follow_up_on"])
        assert follow_up <= local_date(utcnow()) + timedelta(days=365)
    # Maja sees nothing of it.
    maja = signed_in(app, "patient-maja")
    assert maja.get(f"/plan/{plan}").status_code == 404
    assert f"/plan/{plan}" not in html(maja.get("/"))


def test_karin_makes_a_sip_for_ali_and_ali_answers(app, db: Session, ids) -> None:
    karin = signed_in(app, "staff-karin")
    plan = new_plan(karin, ids["patient-ali"], "sip")
    _text, fields = editor(karin, plan)
    lena = ids["staff-lena"]
    fields.update(
        {
            "title": "SIP: tillbaka till arbetet",
            "summary": "Vi hjälps åt så att du kan börja arbeta igen.",
            "section-needs": "Stöd att träna och att planera arbetet.",
            "goal-0-text": "Jag vill arbeta halvtid i vår.",
            "goal-0-target": (date.today() + timedelta(days=120)).isoformat(),
            "team-1-practitioner": str(lena),
            "team-1-role": "sip_actor",
            "team-1-responsibility": "Hemsjukvården tränar gång med dig.",
            "ext-0-name": "Försäkringskassan",
            "ext-0-contact": "Handläggare, tel 0771-524 524",
            "ext-0-responsibility": "Planerar återgång i arbete.",
        }
    )
    response = karin.post(f"/plan/{plan}/redigera", data=fields)
    assert response.status_code == 303, visible_text(response)
    # An activity for the municipal home care, now that Lena's unit is on the team.
    lena_unit = _practitioner(db, lena).unit
    text, fields = editor(karin, plan)
    assert f"Enhet: {lena_unit.name}" in text
    fields.update(
        {
            "act-0-text": "Träna gång och balans hemma",
            "act-0-responsible": "unit",
            "act-0-party": f"unit:{lena_unit.id}",
            "act-0-when": "Två gånger i veckan",
            "act-0-goal": db.get(CarePlan, plan).draft["goals"][0]["ref"],
        }
    )
    response = karin.post(f"/plan/{plan}/redigera", data={**fields, "next": "publish"})
    assert response.headers["Location"].endswith(f"/plan/{plan}/publicera")

    # No consent yet: publishing is refused and nothing changes.
    refused = publish(karin, plan, "Ny SIP upprättad.")
    assert refused.status_code == 400
    assert "kan inte börja gälla utan patientens samtycke" in visible_text(refused)
    db.expire_all()
    assert db.get(CarePlan, plan).status == PlanStatus.DRAFT
    assert db.get(CarePlan, plan).published_version == 0

    _text, fields = editor(karin, plan)
    fields.update(
        {
            "consent_on": date.today().isoformat(),
            "consent_how": "Muntligt vid SIP-möte, med tolk",
            "consent_by": "Ali Hassan",
        }
    )
    assert karin.post(f"/plan/{plan}/redigera", data=fields).status_code == 303
    done = publish(karin, plan, "Ny SIP upprättad med hemsjukvården och Försäkringskassan.")
    assert done.status_code == 303
    db.expire_all()
    stored = db.get(CarePlan, plan)
    assert stored.status == PlanStatus.ACTIVE
    assert stored.published_version == 1
    assert stored.consent_recorded_by_id == ids["staff-karin"]
    assert stored.draft is None
    names = {m.display_name for m in stored.team}
    assert names == {"Karin Berg", "Lena Holm", "Försäkringskassan"}
    assert db.scalars(
        select(OutboxItem).where(
            OutboxItem.template == "plan_published",
            OutboxItem.recipient_person_id == ids["patient-ali"],
            OutboxItem.channel == "email",  # and an SMS: tests/web/test_sms.py
        )
    ).one()

    ali = signed_in(app, "patient-ali")
    ali.post("/enkel-vy", data={"csrf_token": csrf_token(ali, "/"), "on": "0"})
    ali.post("/sprak", data={"csrf_token": csrf_token(ali, "/"), "lang": "sv"})
    page = visible_text(ali.get(f"/plan/{plan}"))
    for seen in (
        "SIP: tillbaka till arbetet",
        "Jag vill arbeta halvtid i vår.",
        "Träna gång och balans hemma",
        "Försäkringskassan",
        "Lena Holm",
        "Stämmer det här med det vi kom överens om?",
        "Ny SIP upprättad med hemsjukvården och Försäkringskassan.",
    ):
        assert seen in page, seen
    token = csrf_token(ali, f"/plan/{plan}")
    answer = ali.post(
        f"/plan/{plan}/svar", data={"csrf_token": token, "version": "1", "answer": "agree"}
    )
    assert answer.status_code == 303
    assert db.scalars(select(Agreement).where(Agreement.plan_id == plan)).one().plan_version == 1
    assert "Version 1: ”Ja, jag håller med”" in visible_text(karin.get(f"/plan/{plan}"))


def test_edits_are_drafts_until_published_and_publishing_asks_again(app, db, ids) -> None:
    karin = signed_in(app, "staff-karin")
    sip = plan_id(db, "trygg hemma")
    before = db.get(CarePlan, sip).published_version
    _text, fields = editor(karin, sip)
    fields["goal-4-text"] = "Jag vill kunna duscha själv."  # the blank row after four goals
    assert karin.post(f"/plan/{sip}/redigera", data=fields).status_code == 303

    maja = signed_in(app, "patient-maja")
    assert "Jag vill kunna duscha själv." not in visible_text(maja.get(f"/plan/{sip}"))
    assert "Det finns ändringar som inte är publicerade." in visible_text(karin.get(f"/plan/{sip}"))

    review = karin.get(f"/plan/{sip}/publicera")
    assert "Nytt mål: Jag vill kunna duscha själv." in visible_text(review)
    assert publish(karin, sip, "Nytt mål: duscha själv.", uppf="1").status_code == 303
    db.expire_all()
    plan = db.get(CarePlan, sip)
    assert plan.published_version == before + 1
    assert plan.last_followed_up_on == local_date(utcnow())
    version = db.scalars(
        select(PlanVersion).where(PlanVersion.plan_id == sip, PlanVersion.number == before + 1)
    ).one()
    assert version.published_by_id == ids["staff-karin"]
    assert version.change_summary == "Nytt mål: duscha själv."
    assert any(g["text"] == "Jag vill kunna duscha själv." for g in version.snapshot["goals"])
    page = visible_text(maja.get(f"/plan/{sip}"))
    assert "Jag vill kunna duscha själv." in page
    assert "Stämmer det här med det vi kom överens om?" in page
    assert f"Version {before + 1}" in page
    assert "Karin Berg" in page
    # Earlier versions stay in the history.
    assert "Version 1" in page
    log = db.scalars(
        select(AccessLogEntry).where(
            AccessLogEntry.object_type == "care_plan",
            AccessLogEntry.action == "publish",
            AccessLogEntry.object_id == sip,
        )
    ).one()
    assert log.actor_practitioner_id == ids["staff-karin"]
    assert log.actor_unit_id is not None


def test_two_editors_at_once_never_lose_an_edit(app, db, ids) -> None:
    sip = plan_id(db, "trygg hemma")
    karin, erik = signed_in(app, "staff-karin"), signed_in(app, "staff-erik")
    _t, karin_form = editor(karin, sip)
    _t, erik_form = editor(erik, sip)
    assert karin_form["version"] == erik_form["version"]

    erik_form["follow_up_how"] = "Läkarbesök på hälsocentralen med blodprover först."
    assert erik.post(f"/plan/{sip}/redigera", data=erik_form).status_code == 303

    karin_form["summary"] = "Karins nya beskrivning av planen."
    refused = karin.post(f"/plan/{sip}/redigera", data=karin_form)
    assert refused.status_code == 409
    page = visible_text(refused)
    assert "Någon annan sparade planen medan du skrev" in page
    # Both side by side: what Erik saved and what Karin wrote.
    assert "Läkarbesök på hälsocentralen med blodprover först." in page
    assert "Karins nya beskrivning av planen." in page
    db.expire_all()
    assert db.get(CarePlan, sip).draft["follow_up_how"].startswith("Läkarbesök")
    assert db.get(CarePlan, sip).draft["summary"] != "Karins nya beskrivning av planen."

    # Karin's input is still in the form, now on the newest version; she keeps Erik's too.
    kept = form_fields(refused, f"/plan/{sip}/redigera")
    assert kept["summary"] == "Karins nya beskrivning av planen."
    assert kept["version"] != karin_form["version"]
    kept["follow_up_how"] = "Läkarbesök på hälsocentralen med blodprover först."
    assert karin.post(f"/plan/{sip}/redigera", data=kept).status_code == 303
    db.expire_all()
    draft = db.get(CarePlan, sip).draft
    assert draft["summary"] == "Karins nya beskrivning av planen."
    assert draft["follow_up_how"] == "Läkarbesök på hälsocentralen med blodprover först."


def test_publishing_a_version_someone_changed_meanwhile_is_refused(app, db) -> None:
    sip = plan_id(db, "trygg hemma")
    karin, erik = signed_in(app, "staff-karin"), signed_in(app, "staff-erik")
    _t, fields = editor(karin, sip)
    fields["summary"] = "Första ändringen."
    karin.post(f"/plan/{sip}/redigera", data=fields)
    review = form_fields(karin.get(f"/plan/{sip}/publicera"), f"/plan/{sip}/publicera")
    _t, erik_fields = editor(erik, sip)
    erik_fields["summary"] = "Eriks ändring."
    erik.post(f"/plan/{sip}/redigera", data=erik_fields)
    refused = karin.post(f"/plan/{sip}/publicera", data=review)
    assert refused.status_code == 409
    assert "Eriks ändring" not in db.get(CarePlan, sip).summary


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "Skriv en rubrik för planen."),
        ({"follow_up_on": "2099-01-01"}, "follow_up_on", "minst en gång om året"),
        ({"follow_up_on": "1 mars"}, "follow_up_on", "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ({"act-0-responsible": ""}, "act-0-responsible", "Välj vem som ansvarar för insatsen."),
        ({"act-0-responsible": "unit", "act-0-party": ""}, "act-0-party", "Välj vilken enhet"),
        ({"act-0-responsible": "relative", "act-0-name": ""}, "act-0-name", "Skriv namnet"),
        ({"team-0-remove": "1"}, "coordinator", "Samordningen byter du med en överlämning"),
        ({"team-3-hsa": "SE0000000000-NOBODY"}, "team-3-hsa", "Det finns ingen i personalen"),
        ({"goal-0-text": ""}, "goal-0-text", "Skriv målet"),
        ({"summary": "x" * 4001}, "summary", "Texten är för lång."),
    ],
)
def test_bad_input_is_refused_in_swedish_and_kept(app, db, change, field, message) -> None:
    sip = plan_id(db, "trygg hemma")
    karin = signed_in(app, "staff-karin")
    version = db.get(CarePlan, sip).version
    _t, fields = editor(karin, sip)
    fields.update(change)
    response = karin.post(f"/plan/{sip}/redigera", data=fields)
    assert response.status_code == 400
    assert message in visible_text(response)
    assert f'id="{field}-error"' in html(response) or f'id="{field}"' in html(response)
    # the input is kept and nothing changed
    kept = form_fields(response, f"/plan/{sip}/redigera")
    for name, value in change.items():
        if name in kept and not name.endswith("remove") and len(value) < 4001:
            assert kept[name] == value
    db.expire_all()
    assert db.get(CarePlan, sip).draft is None
    assert db.get(CarePlan, sip).version == version


def test_a_new_plan_needs_a_coordinator(app, ids, db) -> None:
    karin = signed_in(app, "staff-karin")
    plan = new_plan(karin, ids["patient-maja"], "care_treatment")
    _t, fields = editor(karin, plan)
    del fields["coordinator"]
    response = karin.post(f"/plan/{plan}/redigera", data=fields)
    assert response.status_code == 400
    assert "Planen måste ha en samordnare" in visible_text(response)


def test_handover_from_karin_to_lena_with_acknowledgement(app, db, ids) -> None:
    sip = plan_id(db, "trygg hemma")
    karin = signed_in(app, "staff-karin")
    page = karin.get(f"/plan/{sip}/overlamning")
    fields = form_fields(page, f"/plan/{sip}/overlamning")
    lena_row = next(
        m.id for m in db.get(CarePlan, sip).team if m.practitioner_id == ids["staff-lena"]
    )
    fields.update(role="care_contact", receiver=f"member:{lena_row}", note="Maja vet om det.")
    assert karin.post(f"/plan/{sip}/overlamning", data=fields).status_code == 303

    maja = signed_in(app, "patient-maja")
    waiting = "Din vårdkontakt byts från Karin Berg till Lena Holm (väntar på bekräftelse)."
    assert waiting in visible_text(maja.get("/"))
    assert waiting in visible_text(maja.get(f"/plan/{sip}"))
    # Karin is still responsible until Lena acknowledges.
    plan = db.get(CarePlan, sip)
    assert plan.coordinator(local_date(utcnow())).practitioner_id == ids["staff-karin"]

    lena = signed_in(app, "staff-lena")
    work = lena.get("/arbetslista")
    assert "Överlämningar till dig" in visible_text(work)
    handover = db.scalars(select(Handover).where(Handover.plan_id == sip)).one()
    ack = form_fields(work, f"/overlamning/{handover.id}/bekrafta")
    # Only Lena can acknowledge it.
    karin_token = {"csrf_token": csrf_token(karin, "/")}
    assert karin.post(f"/overlamning/{handover.id}/bekrafta", data=karin_token).status_code == 404
    assert lena.post(f"/overlamning/{handover.id}/bekrafta", data=ack).status_code == 303

    page = visible_text(maja.get(f"/plan/{sip}"))
    assert "väntar på bekräftelse" not in page
    assert "Ny fast vårdkontakt" in page
    assert "Karin Berg lämnade över till Lena Holm, som bekräftade." in page
    db.expire_all()
    today = local_date(utcnow())
    coordinator = db.get(CarePlan, sip).coordinator(today)
    assert coordinator.practitioner_id == ids["staff-lena"]
    assert coordinator.role == "care_contact"
    current = {m.practitioner_id for m in db.get(CarePlan, sip).current_team(today)}
    assert ids["staff-karin"] not in current
    # history: Karin's row ended, nothing deleted
    karin_rows = [m for m in db.get(CarePlan, sip).team if m.practitioner_id == ids["staff-karin"]]
    assert karin_rows
    assert all(m.valid_until == today - timedelta(days=1) for m in karin_rows)
    start = visible_text(maja.get("/"))
    assert "Lena Holm" in start


def test_handover_refusals(app, db, ids) -> None:
    ali_sip = plan_id(db, "efter stroke")
    karin, erik = signed_in(app, "staff-karin"), signed_in(app, "staff-erik")
    fk = next(m.id for m in db.get(CarePlan, ali_sip).team if m.practitioner_id is None)
    fields = form_fields(karin.get(f"/plan/{ali_sip}/overlamning"), f"/plan/{ali_sip}/overlamning")
    fields.update(role="coordination", receiver=f"member:{fk}")
    refused = karin.post(f"/plan/{ali_sip}/overlamning", data=fields)
    assert refused.status_code == 400
    assert "En annan aktör kan inte vara fast vårdkontakt eller samordnare." in visible_text(
        refused
    )
    fields.update(receiver="hsa", hsa="SE0000000000-NOBODY")
    assert "Välj vem som ska ta över." in visible_text(
        karin.post(f"/plan/{ali_sip}/overlamning", data=fields)
    )
    # Erik neither coordinates nor is a care contact here.
    assert "Du är inte fast vårdkontakt eller samordnare" in visible_text(
        erik.get(f"/plan/{ali_sip}/overlamning")
    )
    erik_fields = {"csrf_token": csrf_token(erik, f"/plan/{ali_sip}")}
    erik_fields.update(role="coordination", receiver="hsa", hsa="x")
    assert "Du kan bara lämna över en roll som du själv har" in visible_text(
        erik.post(f"/plan/{ali_sip}/overlamning", data=erik_fields)
    )
    assert db.scalars(select(Handover)).first() is None


def test_an_unacknowledged_handover_is_flagged_after_two_working_days(
    app, db, ids, monkeypatch
) -> None:
    sip = plan_id(db, "trygg hemma")
    karin = signed_in(app, "staff-karin")
    fields = form_fields(karin.get(f"/plan/{sip}/overlamning"), f"/plan/{sip}/overlamning")
    fields.update(
        role="coordination", receiver="hsa", hsa=_practitioner(db, ids["staff-erik"]).hsa_id
    )
    assert karin.post(f"/plan/{sip}/overlamning", data=fields).status_code == 303
    flag = "Inte bekräftad på två arbetsdagar"
    assert flag not in visible_text(karin.get("/arbetslista"))
    later = utcnow() + timedelta(days=6)  # at least two working days, whatever today is
    monkeypatch.setitem(app.config, "NOW_FUNC", lambda: later)
    karin = signed_in(app, "staff-karin")  # the earlier session has expired meanwhile
    assert flag in visible_text(karin.get("/arbetslista"))


def _practitioner(db: Session, practitioner_id: int):  # noqa: ANN202 - a Practitioner
    from app.accounts.models import Practitioner

    return db.get(Practitioner, practitioner_id)


def test_the_work_list_rules(app, db, ids, monkeypatch) -> None:
    karin = signed_in(app, "staff-karin")
    sip = db.get(CarePlan, plan_id(db, "trygg hemma"))
    ali = db.get(CarePlan, plan_id(db, "efter stroke"))
    today = local_date(utcnow())
    sip.follow_up_on = today + timedelta(days=3)
    ali.follow_up_on = today + timedelta(days=40)
    db.flush()
    text = visible_text(karin.get("/arbetslista"))
    assert "Uppföljning snart eller försenad" in text
    assert "Maja Lind: Samordnad individuell plan – trygg hemma" in text
    assert "Ali Hassan: Samordnad individuell plan efter stroke" in text  # unanswered v1
    assert "Har inte svarat på version 1" in text
    # a year and more later: both SIPs lack a follow-up in the last year, and are overdue
    later = utcnow() + timedelta(days=400)
    monkeypatch.setitem(app.config, "NOW_FUNC", lambda: later)
    text = visible_text(signed_in(app, "staff-karin").get("/arbetslista"))
    assert "SIP utan uppföljning det senaste året" in text
    assert "Skulle ha följts upp senast" in text
    # a plan without a care contact
    monkeypatch.undo()
    karin = signed_in(app, "staff-karin")
    for member in ali.team:
        if member.role == "care_contact":
            member.role = "doctor"
    db.flush()
    assert "Planer utan fast vårdkontakt" in visible_text(karin.get("/arbetslista"))
    # Jonas has no care relationship: nothing
    jonas = signed_in(app, "staff-jonas")
    assert "Inget väntar på dig just nu." in visible_text(jonas.get("/arbetslista"))


def test_only_the_coordinator_closes_and_the_patient_keeps_reading(app, db, ids) -> None:
    sip = plan_id(db, "trygg hemma")
    erik = signed_in(app, "staff-erik")
    assert "Bara samordnaren kan avsluta planen." in visible_text(erik.get(f"/plan/{sip}/avsluta"))
    token = csrf_token(erik, f"/plan/{sip}/avsluta")
    version = str(db.get(CarePlan, sip).version)
    refused = erik.post(
        f"/plan/{sip}/avsluta",
        data={"csrf_token": token, "reason": "goals_met", "version": version},
    )
    assert refused.status_code == 400
    karin = signed_in(app, "staff-karin")
    fields = form_fields(karin.get(f"/plan/{sip}/avsluta"), f"/plan/{sip}/avsluta")
    assert karin.post(f"/plan/{sip}/avsluta", data=fields).status_code == 400  # no reason
    fields["reason"] = "consent_withdrawn"
    assert karin.post(f"/plan/{sip}/avsluta", data=fields).status_code == 303
    db.expire_all()
    plan = db.get(CarePlan, sip)
    assert plan.status == PlanStatus.CLOSED
    assert plan.closed_reason == CloseReason.CONSENT_WITHDRAWN
    assert plan.closed_by_id == ids["staff-karin"]
    assert plan.consent_withdrawn_on is not None
    maja = signed_in(app, "patient-maja")
    page = visible_text(maja.get(f"/plan/{sip}"))
    assert "Planen är avslutad sedan" in page
    assert "Samtycket är återkallat" in page
    assert "Jag vill bo kvar hemma" in page  # everything still readable


def test_consent_withdrawal_closes_only_a_sip(app, db) -> None:
    self_care = plan_id(db, "Egenvård vid hjärtsvikt")
    karin = signed_in(app, "staff-karin")
    token = csrf_token(karin, f"/plan/{self_care}/avsluta")
    response = karin.post(
        f"/plan/{self_care}/avsluta",
        data={
            "csrf_token": token,
            "reason": "consent_withdrawn",
            "version": str(db.get(CarePlan, self_care).version),
        },
    )
    assert response.status_code == 400
    assert db.get(CarePlan, self_care).status == PlanStatus.ACTIVE


def test_recording_a_death_closes_every_plan_and_stops_notifications(app, db, ids) -> None:
    from app.notifications.services import queue

    karin = signed_in(app, "staff-karin")
    queue(db, "new_reply", "death-test-pending", person_id=ids["patient-maja"])
    db.flush()
    token = csrf_token(karin, f"/patient/{ids['patient-maja']}/dodsfall")
    future = (local_date(utcnow()) + timedelta(days=1)).isoformat()
    refused = karin.post(
        f"/patient/{ids['patient-maja']}/dodsfall",
        data={"csrf_token": token, "day": future, "confirm": "1"},
    )
    assert refused.status_code == 400
    assert "Den kan inte vara framåt" in visible_text(refused)
    yesterday = (local_date(utcnow()) - timedelta(days=1)).isoformat()
    response = karin.post(
        f"/patient/{ids['patient-maja']}/dodsfall",
        data={"csrf_token": token, "day": yesterday, "confirm": "1"},
    )
    assert response.status_code == 303
    db.expire_all()
    plans = db.scalars(select(CarePlan).where(CarePlan.patient_id == ids["patient-maja"])).all()
    assert all(p.status == PlanStatus.CLOSED for p in plans)
    assert {p.closed_reason for p in plans if p.closed_at and p.closed_at.date() >= date.today()}
    pending = db.scalars(
        select(OutboxItem).where(OutboxItem.dedupe_key == "death-test-pending")
    ).one()
    assert pending.delivered_at is not None
    assert pending.last_error.startswith("not sent")

    # Nothing more goes out about her: a staff notice about her thread is withheld.
    from app.messages.models import Thread
    from app.notifications.worker import deliver_one

    thread = db.scalars(select(Thread).where(Thread.patient_id == ids["patient-maja"])).first()
    queue(
        db,
        "new_patient_message",
        "death-test-staff",
        practitioner_id=ids["staff-karin"],
        payload={"thread_id": thread.id},
    )
    db.commit()

    class Recorder:
        sent: list[object] = []

        def send(self, message: object) -> None:
            self.sent.append(message)

    recorder = Recorder()
    while deliver_one(app, recorder):
        pass
    item = db.scalars(select(OutboxItem).where(OutboxItem.dedupe_key == "death-test-staff")).one()
    db.refresh(item)
    assert item.delivered_at is not None
    assert item.last_error.startswith("not sent")
    assert f"<outbox-{item.id}@samplan>" not in [m["Message-ID"] for m in recorder.sent]


def test_publishing_keeps_the_patients_words_on_a_goal(app, db) -> None:
    sip = plan_id(db, "trygg hemma")
    goal = db.scalars(select(Goal).where(Goal.plan_id == sip, Goal.parent_id.is_(None))).first()
    goal.progress_state, goal.progress_note = "hard", "Trappan är svår."
    db.flush()
    karin = signed_in(app, "staff-karin")
    _t, fields = editor(karin, sip)
    index = _row(fields, "goal", goal.id)
    fields[f"goal-{index}-text"] = "Jag vill bo kvar hemma och orka vara på stugan."
    removed = next(a for a in db.get(CarePlan, sip).activities if a.responsible == "relative")
    act_index = _row(fields, "act", removed.id)
    fields[f"act-{act_index}-remove"] = "1"
    assert karin.post(f"/plan/{sip}/redigera", data=fields).status_code == 303
    assert publish(karin, sip, "Målet omformulerat.").status_code == 303
    db.expire_all()
    kept = db.get(Goal, goal.id)
    assert kept.text == "Jag vill bo kvar hemma och orka vara på stugan."
    assert kept.progress_note == "Trappan är svår."
    assert db.get(Activity, removed.id).status == "removed"
    maja = signed_in(app, "patient-maja")
    assert removed.text not in visible_text(maja.get(f"/plan/{sip}"))
    assert kept.status == GoalStatus.ONGOING


def _row(fields: dict[str, str], prefix: str, row_id: int) -> str:
    """The editor's row number for the goal or activity with this id."""
    return next(
        name.split("-")[1]
        for name, value in fields.items()
        if name.startswith(f"{prefix}-") and name.endswith("-id") and value == str(row_id)
    )


def test_the_editor_shows_how_the_patient_will_read_a_text(app) -> None:
    karin = signed_in(app, "staff-karin")
    token = csrf_token(karin, "/")
    response = karin.post(
        "/lasbarhet",
        data={"csrf_token": token, "goal-0-text": "Jag vill gå till affären själv."},
    )
    text = visible_text(response)
    assert "Läsbarhet (LIX)" in text
    assert "Så här läser patienten texten: Jag vill gå till affären själv." in text


def test_discarding_a_draft(app, db, ids) -> None:
    karin = signed_in(app, "staff-karin")
    sip = plan_id(db, "trygg hemma")
    _t, fields = editor(karin, sip)
    fields["summary"] = "Ett utkast som inte blir av."
    karin.post(f"/plan/{sip}/redigera", data=fields)
    page = karin.get(f"/plan/{sip}/redigera")
    discard = form_fields(page, f"/plan/{sip}/utkast/kasta")
    assert karin.post(f"/plan/{sip}/utkast/kasta", data=discard).status_code == 303
    db.expire_all()
    assert db.get(CarePlan, sip).draft is None
    assert "Ett utkast som inte blir av." not in db.get(CarePlan, sip).summary
    # A plan never published goes altogether.
    plan = new_plan(karin, ids["patient-maja"], "my_care_plan")
    discard = form_fields(karin.get(f"/plan/{plan}/redigera"), f"/plan/{plan}/utkast/kasta")
    assert karin.post(f"/plan/{plan}/utkast/kasta", data=discard).status_code == 303
    db.expire_all()
    assert db.get(CarePlan, plan) is None


def test_bad_input_then_a_save_by_someone_else_is_still_a_conflict(app, db) -> None:
    sip = plan_id(db, "trygg hemma")
    karin, erik = signed_in(app, "staff-karin"), signed_in(app, "staff-erik")
    _t, karin_form = editor(karin, sip)
    refused = karin.post(f"/plan/{sip}/redigera", data={**karin_form, "title": ""})
    assert refused.status_code == 400
    _t, erik_form = editor(erik, sip)
    erik_form["summary"] = "Eriks text."
    assert erik.post(f"/plan/{sip}/redigera", data=erik_form).status_code == 303
    fixed = form_fields(refused, f"/plan/{sip}/redigera")
    fixed["title"] = "Trygg hemma"
    assert karin.post(f"/plan/{sip}/redigera", data=fixed).status_code == 409
    db.expire_all()
    assert db.get(CarePlan, sip).draft["summary"] == "Eriks text."


def test_the_work_list_shows_drafts_until_published_and_logs_each_patient(app, db, ids) -> None:
    karin = signed_in(app, "staff-karin")
    sip = plan_id(db, "trygg hemma")
    _t, fields = editor(karin, sip)
    fields["summary"] = "Ett nytt utkast."
    karin.post(f"/plan/{sip}/redigera", data=fields)
    assert "Utkast som inte är publicerade" in visible_text(karin.get("/arbetslista"))
    assert publish(karin, sip, "Ny beskrivning.").status_code == 303
    db.expire_all()
    assert db.get(CarePlan, sip).draft is None
    assert db.scalars(select(CarePlan.id).where(CarePlan.draft.is_not(None))).all() == []
    before = db.scalars(
        select(AccessLogEntry).where(AccessLogEntry.object_type == "work_list")
    ).all()
    text = visible_text(karin.get("/arbetslista"))
    assert "Utkast som inte är publicerade" not in text
    logged = db.scalars(
        select(AccessLogEntry.patient_id).where(AccessLogEntry.object_type == "work_list")
    ).all()
    assert len(logged) > len(before)
    assert ids["patient-maja"] in logged
    assert ids["patient-ali"] in logged  # Ali's unanswered SIP is on the list


def _more_plans(db: Session, ids: dict[str, int], count: int) -> None:
    """Plans for Karin in every section of her work list: follow-up due, an old SIP, no care
    contact, not answered, and a draft; and a handover offered to her."""
    from app.appointments.models import Appointment, AppointmentMode, AppointmentStatus
    from app.plans.models import CareTeamMember, PlanKind, TeamRole

    today = local_date(utcnow())
    unit = db.get(CarePlan, plan_id(db, "trygg hemma")).unit_id
    for n in range(count):
        plan = CarePlan(
            patient_id=ids["patient-maja"],
            kind=PlanKind.SIP,
            title=f"Extra plan {n}",
            unit_id=unit,
            status=PlanStatus.ACTIVE,
            published_version=1,
            follow_up_on=today + timedelta(days=2),
            created_at=utcnow() - timedelta(days=800),
            draft={"title": f"Extra utkast {n}"},
        )
        db.add(plan)
        db.flush()
        db.add(
            CareTeamMember(
                plan_id=plan.id,
                role=TeamRole.DOCTOR,
                practitioner_id=ids["staff-erik"],
                is_coordinator=True,
                valid_from=today,
            )
        )
        db.add(
            Handover(
                plan_id=plan.id,
                role="coordination",
                from_practitioner_id=ids["staff-erik"],
                to_practitioner_id=ids["staff-karin"],
                note="",
                created_at=utcnow(),
            )
        )
        db.add(
            Appointment(
                patient_id=ids["patient-maja"],
                plan_id=plan.id,
                unit_id=unit,
                practitioner_id=ids["staff-erik"],
                starts_at=utcnow() + timedelta(days=20, hours=n),
                mode=AppointmentMode.VISIT,
                purpose=f"Extra tid {n}",
                status=AppointmentStatus.CHANGE_REQUESTED,
                answered_at=utcnow(),
                due_on=today + timedelta(days=2),
            )
        )
    db.flush()


def test_the_work_list_runs_a_fixed_number_of_statements(
    app, db, ids, auth, client, count_queries
) -> None:
    auth.sign_in("staff-karin")
    _more_plans(db, ids, 2)
    client.get("/arbetslista")
    count_queries()
    few = client.get("/arbetslista")
    statements_few = count_queries()
    _more_plans(db, ids, 40)
    count_queries()
    many = client.get("/arbetslista")
    statements_many = count_queries()
    assert few.status_code == many.status_code == 200
    text = visible_text(many)
    for heading in (
        "Svar om tider",
        "Överlämningar till dig",
        "Uppföljning snart eller försenad",
        "SIP utan uppföljning det senaste året",
        "Planer utan fast vårdkontakt",
        "Patienten har inte svarat eller har frågor",
        "Utkast som inte är publicerade",
    ):
        assert heading in text
    assert "Maja Lind: Extra plan 39" in text
    assert "Maja Lind: Extra utkast 39" in text
    assert len(statements_many) == len(statements_few)
    assert len(statements_many) <= 6, "\n\n".join(statements_many)


@pytest.mark.parametrize(
    ("field", "value"),
    [("goal-0-target", "3000-01-01"), ("act-0-due", "2101-01-01"), ("consent_on", "1899-12-31")],
)
def test_the_editor_refuses_dates_outside_the_sane_range(app, db, field, value) -> None:
    sip = plan_id(db, "trygg hemma")
    karin = signed_in(app, "staff-karin")
    _t, fields = editor(karin, sip)
    fields[field] = value
    refused = karin.post(f"/plan/{sip}/redigera", data=fields)
    assert refused.status_code == 400
    assert "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-03-01." in visible_text(refused)
    assert value in html(refused)  # what was typed stays in the form
    db.expire_all()
    assert db.get(CarePlan, sip).draft is None


@pytest.mark.parametrize("day", ["1800-01-01", "2200-01-01", "igår"])
def test_a_death_date_must_be_a_real_day(app, db, ids, day) -> None:
    karin = signed_in(app, "staff-karin")
    url = f"/patient/{ids['patient-maja']}/dodsfall"
    fields = form_fields(karin.get(url), url)
    fields.update(day=day, confirm="1")
    refused = karin.post(url, data=fields)
    assert refused.status_code == 400
    assert "Skriv dagen då patienten avled, som ÅÅÅÅ-MM-DD." in visible_text(refused)
    from app.accounts.models import Person

    db.expire_all()
    assert db.get(Person, ids["patient-maja"]).deceased_on is None


def test_a_handover_whose_sender_no_longer_holds_the_role_closes_when_acknowledged(
    app, db, ids
) -> None:
    """Deliberately a 303 to the work list now (it was a 404): closing the handover is a change
    that must be kept, and an error answer would roll it back."""
    sip = plan_id(db, "trygg hemma")
    karin = signed_in(app, "staff-karin")
    fields = form_fields(karin.get(f"/plan/{sip}/overlamning"), f"/plan/{sip}/overlamning")
    lena_row = next(
        m.id for m in db.get(CarePlan, sip).team if m.practitioner_id == ids["staff-lena"]
    )
    fields.update(role="care_contact", receiver=f"member:{lena_row}")
    assert karin.post(f"/plan/{sip}/overlamning", data=fields).status_code == 303
    for member in db.get(CarePlan, sip).team:
        if member.practitioner_id == ids["staff-karin"]:
            member.role = "doctor"
    db.flush()
    lena = signed_in(app, "staff-lena")
    handover = db.scalars(select(Handover).where(Handover.plan_id == sip)).one()
    ack = form_fields(lena.get("/arbetslista"), f"/overlamning/{handover.id}/bekrafta")
    answer = lena.post(f"/overlamning/{handover.id}/bekrafta", data=ack)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/arbetslista")
    db.expire_all()
    assert db.get(Handover, handover.id).cancelled_at is not None
    assert "Överlämningar till dig" not in visible_text(lena.get("/arbetslista"))


def test_care_sees_the_patients_personal_number_language_and_view(app, auth, client, db) -> None:
    auth.sign_in("staff-karin")
    page = visible_text(client.get(f"/plan/{plan_id(db, 'efter stroke')}"))
    assert "Patient: Ali Hassan, " in page
    assert "Vill ha: arabiska" in page
    assert "Läser i enkel vy" in page
    maja = visible_text(client.get(f"/plan/{plan_id(db, 'trygg hemma')}"))
    assert "Vill ha:" not in maja
