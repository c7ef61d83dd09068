"""Legal representatives (god man, förvaltare) registered by care from a decision: what it takes
to register one, a colleague's confirmation, the patient's notice and objection, ending one, the
log of every step, and pages that keep working whatever date is stored (Samplan issue #15)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.identity import make_test_number
from app.accounts.models import Person
from app.audit.models import AccessLogEntry
from app.db import utcnow
from app.messages.models import Thread
from app.notifications.models import OutboxItem
from app.notifications.worker import TEMPLATES, link_path
from app.proxies.models import GrantExclusion, ProxyGrant, RepresentativeObjection
from tests.conftest import Auth, csrf_token
from tests.helpers import plan_id, visible_text
from tests.web.test_pages import use_full_view_in_swedish

SELF_CARE = "Egenvård vid hjärtsvikt"
REFERENCE = "Luleå tingsrätt Ä 1234-26"


def signed_in(app, persona: str):  # noqa: ANN001, ANN201
    client = app.test_client()
    Auth(client).sign_in(persona)
    use_full_view_in_swedish(client)
    return client


def decision(db, ids, **changes) -> dict[str, object]:  # noqa: ANN001
    """A complete decision registering Per Nilsson as Maja's förvaltare, with `changes`."""
    per = db.get(Person, ids["patient-per"])
    today = date.today()
    return {
        "personal_number": per.personal_number,
        "given_name": "",
        "family_name": "",
        "kind": "förvaltare",
        "decision_reference": REFERENCE,
        "decision_date": (today - timedelta(days=20)).isoformat(),
        "authority": "tingsratt",
        "scopes": ["read_plans", "read_messages"],
        "until": (today + timedelta(days=365)).isoformat(),
        "reason": "Maja har förvaltare enligt tingsrättens beslut; förvaltaren sköter kontakten.",
        **changes,
    }


def register(client, patient_id: int, form: dict[str, object]):  # noqa: ANN001, ANN201
    url = f"/patient/{patient_id}/foretradare"
    return client.post(url, data={**form, "csrf_token": csrf_token(client, url)})


def representative_grants(db, patient_id: int) -> list[ProxyGrant]:  # noqa: ANN001
    return list(
        db.scalars(
            select(ProxyGrant).where(
                ProxyGrant.patient_id == patient_id,
                ProxyGrant.relation == "legal_representative",
            )
        )
    )


def registered(app, db, ids) -> ProxyGrant:  # noqa: ANN001
    """Karin registers Per as Maja's förvaltare; not yet confirmed."""
    karin = signed_in(app, "staff-karin")
    response = register(karin, ids["patient-maja"], decision(db, ids))
    assert response.status_code == 303, visible_text(response)[-600:]
    (grant,) = representative_grants(db, ids["patient-maja"])
    return grant


def confirmed(app, db, ids) -> ProxyGrant:  # noqa: ANN001
    grant = registered(app, db, ids)
    erik = signed_in(app, "staff-erik")
    url = f"/patient/{ids['patient-maja']}/foretradare"
    answer = erik.post(f"{url}/{grant.id}/bekrafta", data={"csrf_token": csrf_token(erik, url)})
    assert answer.status_code == 303
    db.refresh(grant)
    return grant


def logged(db, grant: ProxyGrant) -> list[str]:  # noqa: ANN001
    return list(
        db.scalars(
            select(AccessLogEntry.action)
            .where(
                AccessLogEntry.object_type == "proxy_grant",
                AccessLogEntry.object_id == grant.id,
            )
            .order_by(AccessLogEntry.id)
        )
    )


# --- registering: the decision, bounded dates, adults only --------------------------------------


@pytest.mark.parametrize("until", ["9999-12-31", "2100-12-31", "years-ahead", "today", "yesterday"])
def test_an_end_date_out_of_range_is_refused_in_swedish_and_nothing_stored(app, db, ids, until):
    today = date.today()
    until = {
        "years-ahead": (today + timedelta(days=3 * 366 + 1)).isoformat(),
        "today": today.isoformat(),
        "yesterday": (today - timedelta(days=1)).isoformat(),
    }.get(until, until)
    karin = signed_in(app, "staff-karin")
    response = register(karin, ids["patient-maja"], decision(db, ids, until=until))
    assert response.status_code == 400
    assert "Skriv ett slutdatum efter i dag och högst tre år fram i tiden" in visible_text(response)
    assert representative_grants(db, ids["patient-maja"]) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decision_reference", "", "Skriv beslutets diarienummer eller referens."),
        ("decision_date", "", "Skriv beslutets datum."),
        ("decision_date", "tomorrow", "Det kan inte ligga i framtiden"),
        ("decision_date", "1900-01-01", "före patientens 16-årsdag"),
        ("decision_date", "9999-12-31", "Det kan inte ligga i framtiden"),
        ("authority", "", "Välj vem som fattade beslutet"),
        ("authority", "kommunen", "Välj vem som fattade beslutet"),
        ("authority", "overformyndare", "Förvaltarskap beslutas av tingsrätten."),
        ("scopes", [], "Välj minst en sak"),
        ("until", "", "Skriv ett slutdatum efter i dag"),
        ("reason", "   ", "Skriv varför företrädaren registreras."),
        ("kind", "vårdnadshavare", "Välj god man eller förvaltare."),
    ],
)
def test_every_part_of_the_decision_is_required(app, db, ids, field, value, message):
    if value == "tomorrow":
        value = (date.today() + timedelta(days=1)).isoformat()
    karin = signed_in(app, "staff-karin")
    response = register(karin, ids["patient-maja"], decision(db, ids, **{field: value}))
    assert response.status_code == 400
    assert message in visible_text(response)
    assert representative_grants(db, ids["patient-maja"]) == []


def test_the_patient_cannot_be_their_own_representative_nor_a_child_someones(app, db, ids):
    karin = signed_in(app, "staff-karin")
    maja = db.get(Person, ids["patient-maja"])
    own = register(karin, maja.id, decision(db, ids, personal_number=maja.personal_number))
    assert own.status_code == 400
    assert "Patienten kan inte vara sin egen företrädare." in visible_text(own)
    child = make_test_number(date.today() - timedelta(days=365 * 15), 995)
    young = register(
        karin,
        maja.id,
        decision(db, ids, personal_number=child, given_name="Unga", family_name="Lind"),
    )
    assert young.status_code == 400
    assert "måste ha fyllt 18 år" in visible_text(young)
    assert representative_grants(db, maja.id) == []
    assert db.scalar(select(func.count()).where(Person.given_name == "Unga")) == 0


def test_a_minor_gets_no_forvaltare_and_the_guardian_rule_stands(app, db, ids, monkeypatch):
    """The attack: a 16-year-old's guardian registered as förvaltare got full access back."""
    elias = db.get(Person, ids["patient-elias"])
    sixteen = elias.birth_date.replace(year=elias.birth_date.year + 16) + timedelta(days=10)
    monkeypatch.setitem(
        app.config,
        "NOW_FUNC",
        lambda: datetime(sixteen.year, sixteen.month, sixteen.day, 10, tzinfo=UTC),
    )
    sara = db.get(Person, ids["guardian-sara"])
    amir = signed_in(app, "staff-amir")
    form = decision(
        db,
        ids,
        personal_number=sara.personal_number,
        decision_date=(sixteen - timedelta(days=5)).isoformat(),
        until=(sixteen + timedelta(days=300)).isoformat(),
        scopes=["read_plans", "read_messages", "write_messages", "answer_for", "appointments"],
    )
    for kind in ("förvaltare", "god man"):
        response = register(amir, elias.id, {**form, "kind": kind})
        assert response.status_code == 400
        assert "bara registreras för patienter som har fyllt 18 år" in visible_text(response)
    assert representative_grants(db, elias.id) == []
    page = amir.get(f"/patient/{elias.id}/foretradare")
    assert 'name="decision_reference"' not in page.get_data(as_text=True)
    assert "bara registreras för patienter som har fyllt 18 år" in visible_text(page)
    guardian = signed_in(app, "guardian-sara")
    assert guardian.get(f"/plan/{plan_id(db, 'diabetes typ 1')}").status_code == 404


# --- far-future dates already stored never break a page -----------------------------------------


def test_a_stored_far_future_date_still_renders_every_page(app, db, ids):
    end_of_time = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    maja = ids["patient-maja"]
    common = {
        "patient_id": maja,
        "proxy_id": ids["patient-per"],
        "relation": "legal_representative",
        "relation_label": "förvaltare",
        "scopes": "read_plans",
        "valid_until": end_of_time,
        "decision_reference": "ÅÄÖ 9999",
        "decision_date": date(9999, 12, 31),
        "granted_by_practitioner_id": ids["staff-karin"],
    }
    now = utcnow()
    current = ProxyGrant(**common, valid_from=now, created_at=now)
    ended = ProxyGrant(
        **common, valid_from=now, created_at=end_of_time, revoked_at=end_of_time,
        revoked_by_practitioner_id=ids["staff-erik"], revoked_reason="Slut",
    )  # fmt: skip
    db.add_all([current, ended])
    db.flush()
    db.add(
        RepresentativeObjection(
            patient_id=maja, grant_id=current.id, text="Nej", created_at=end_of_time
        )
    )
    db.flush()
    patient = signed_in(app, "patient-maja")
    page = patient.get("/ombud")
    assert page.status_code == 200
    assert "31 december 9999" in visible_text(page)
    karin = signed_in(app, "staff-karin")
    assert karin.get(f"/patient/{maja}/foretradare").status_code == 200
    staff_plan = karin.get(f"/plan/{plan_id(db, 'trygg hemma')}")
    assert staff_plan.status_code == 200
    assert "ÅÄÖ 9999" in visible_text(staff_plan)
    assert patient.get("/vem-har-tittat").status_code == 200


# --- the patient is told, sees it, and can object -----------------------------------------------


def test_the_patient_is_told_at_once_and_sees_who_registered_what(app, db, ids):
    grant = registered(app, db, ids)
    notices = db.scalars(
        select(OutboxItem).where(OutboxItem.template == "representative_registered")
    ).all()
    # By mail and by SMS, the ways Maja can be reached (always, whatever she chose).
    assert sorted((n.channel, n.recipient_person_id, n.payload) for n in notices) == [
        ("email", ids["patient-maja"], {"grant_id": grant.id}),
        ("sms", ids["patient-maja"], {"grant_id": grant.id}),
    ]
    page = visible_text(signed_in(app, "patient-maja").get("/ombud"))
    for shown in (
        "Per Nilsson (förvaltare)",
        f"Förvaltare enligt beslut {REFERENCE}",
        "Tingsrätten",
        "Registrerad",
        "av Karin Berg, Hälsocentralen Kvarnen",
        "Se mina planer",
        "Läsa mina meddelanden",
        "Gäller till och med",
        "Det gäller först när en kollega har bekräftat beslutet",
        "Skicka invändning",
    ):
        assert shown in page, shown


def test_it_takes_effect_only_when_a_colleague_confirms(app, db, ids):
    grant = registered(app, db, ids)
    plan = f"/plan/{plan_id(db, SELF_CARE)}"
    per = signed_in(app, "patient-per")
    assert per.get(plan).status_code == 404  # registered, not confirmed: nothing yet
    karin = signed_in(app, "staff-karin")
    url = f"/patient/{ids['patient-maja']}/foretradare"
    page = visible_text(karin.get(url))
    assert "Väntar på bekräftelse. Ger ingen tillgång ännu." in page
    assert "En kollega som har sett beslutet behöver bekräfta" in page
    own = karin.post(f"{url}/{grant.id}/bekrafta", data={"csrf_token": csrf_token(karin, url)})
    assert own.status_code == 400
    assert "En kollega måste bekräfta registreringen" in visible_text(own)
    assert per.get(plan).status_code == 404
    jonas = signed_in(app, "staff-jonas")
    token = csrf_token(jonas, "/sessioner")
    assert jonas.post(f"{url}/{grant.id}/bekrafta", data={"csrf_token": token}).status_code == 404
    erik = signed_in(app, "staff-erik")
    ok = erik.post(f"{url}/{grant.id}/bekrafta", data={"csrf_token": csrf_token(erik, url)})
    assert ok.status_code == 303
    assert per.get(plan).status_code == 200
    assert "av Erik Olsson" in visible_text(karin.get(url))
    confirmed_notice = db.scalar(
        select(OutboxItem.recipient_person_id).where(
            OutboxItem.template == "representative_confirmed"
        )
    )
    assert confirmed_notice == ids["patient-maja"]


def test_an_objection_is_stored_reaches_care_and_stays_private(app, db, ids):
    grant = confirmed(app, db, ids)
    maja = signed_in(app, "patient-maja")
    objection = "Jag känner inte Per. Jag har ingen förvaltare."
    empty = maja.post(
        f"/ombud/{grant.id}/invandning",
        data={"csrf_token": csrf_token(maja, "/ombud"), "text": " "},
    )
    assert empty.status_code == 400
    assert "Skriv vad du invänder mot" in visible_text(empty)
    for _twice in range(2):
        sent = maja.post(
            f"/ombud/{grant.id}/invandning",
            data={"csrf_token": csrf_token(maja, "/ombud"), "text": objection},
        )
        assert sent.status_code == 303
    (stored,) = db.scalars(select(RepresentativeObjection)).all()
    assert (stored.patient_id, stored.grant_id, stored.text) == (
        ids["patient-maja"],
        grant.id,
        objection,
    )
    assert "Dina invändningar" in visible_text(maja.get("/ombud"))
    # A message to Maja's care contact, in the care inbox, that the representative cannot read.
    thread = db.get(Thread, stored.thread_id)
    assert thread.patient_id == ids["patient-maja"]
    assert thread.assigned_to_id == ids["staff-karin"]
    assert db.scalar(
        select(GrantExclusion.id).where(
            GrantExclusion.grant_id == grant.id, GrantExclusion.thread_id == thread.id
        )
    )
    per = signed_in(app, "patient-per")
    assert per.get(f"/plan/{plan_id(db, SELF_CARE)}").status_code == 200
    assert per.get(f"/meddelanden/{thread.id}").status_code == 404
    assert objection in visible_text(signed_in(app, "staff-karin").get(f"/meddelanden/{thread.id}"))
    # The staff who registered and confirmed it are told; any of the team sees it on the page.
    told = set(
        db.scalars(
            select(OutboxItem.recipient_practitioner_id).where(
                OutboxItem.template == "representative_objection"
            )
        )
    )
    assert told == {ids["staff-karin"], ids["staff-erik"]}
    notice = db.scalars(
        select(OutboxItem).where(OutboxItem.template == "representative_objection")
    ).first()
    link = link_path(TEMPLATES["representative_objection"][2], notice)
    assert link == f"/patient/{ids['patient-maja']}/foretradare"
    lena = signed_in(app, "staff-lena")
    page = visible_text(lena.get(f"/patient/{ids['patient-maja']}/foretradare"))
    assert "Patientens invändningar" in page
    assert objection in page


def test_only_the_patient_objects_and_only_to_a_legal_representative(app, db, ids):
    grant = registered(app, db, ids)
    anna_grant = db.scalars(
        select(ProxyGrant.id).where(ProxyGrant.proxy_id == ids["proxy-anna"])
    ).one()
    maja = signed_in(app, "patient-maja")
    token = csrf_token(maja, "/ombud")
    refused = maja.post(f"/ombud/{anna_grant}/invandning", data={"csrf_token": token, "text": "x"})
    assert refused.status_code == 404
    for persona in ("proxy-anna", "patient-per", "staff-karin"):
        other = signed_in(app, persona)
        answer = other.post(
            f"/ombud/{grant.id}/invandning",
            data={"csrf_token": csrf_token(other, "/sessioner"), "text": "x"},
        )
        assert answer.status_code == 404, persona
    assert db.scalars(select(RepresentativeObjection)).all() == []


# --- ending, and the log of every step ----------------------------------------------------------


def test_any_of_the_care_team_ends_it_and_access_stops_at_once(app, db, ids):
    grant = confirmed(app, db, ids)
    plan = f"/plan/{plan_id(db, SELF_CARE)}"
    per = signed_in(app, "patient-per")
    assert per.get(plan).status_code == 200
    lena = signed_in(app, "staff-lena")
    url = f"/patient/{ids['patient-maja']}/foretradare"
    end = f"{url}/{grant.id}/avsluta"
    blank = lena.post(end, data={"csrf_token": csrf_token(lena, url), "reason": " "})
    assert blank.status_code == 400
    assert "Skriv varför registreringen avslutas." in visible_text(blank)
    jonas = signed_in(app, "staff-jonas")
    token = csrf_token(jonas, "/sessioner")
    assert jonas.post(end, data={"csrf_token": token, "reason": "x"}).status_code == 404
    reason = "Tingsrätten har upphävt förvaltarskapet."
    assert (
        lena.post(end, data={"csrf_token": csrf_token(lena, url), "reason": reason}).status_code
        == 303
    )
    assert per.get(plan).status_code == 404
    db.refresh(grant)
    assert grant.revoked_at is not None
    assert grant.revoked_reason == reason
    staff_page = visible_text(lena.get(url))
    assert f"av Lena Holm: {reason}" in staff_page
    assert reason in visible_text(signed_in(app, "patient-maja").get("/ombud"))
    ended_notice = db.scalar(
        select(OutboxItem.recipient_person_id).where(OutboxItem.template == "representative_ended")
    )
    assert ended_notice == ids["patient-maja"]
    # A proxy the patient invited is hers to end, not care's.
    anna_grant = db.scalars(
        select(ProxyGrant.id).where(ProxyGrant.proxy_id == ids["proxy-anna"])
    ).one()
    proxy_end = f"{url}/{anna_grant}/avsluta"
    assert (
        lena.post(proxy_end, data={"csrf_token": csrf_token(lena, url), "reason": "x"}).status_code
        == 404
    )


def test_a_registration_nobody_confirmed_can_be_ended_too(app, db, ids):
    grant = registered(app, db, ids)
    erik = signed_in(app, "staff-erik")
    url = f"/patient/{ids['patient-maja']}/foretradare"
    answer = erik.post(
        f"{url}/{grant.id}/avsluta",
        data={"csrf_token": csrf_token(erik, url), "reason": "Beslutet finns inte."},
    )
    assert answer.status_code == 303
    again = erik.post(f"{url}/{grant.id}/bekrafta", data={"csrf_token": csrf_token(erik, url)})
    assert again.status_code == 303
    db.refresh(grant)
    assert grant.valid_from is None  # ended before it was confirmed: it never comes into force
    per = signed_in(app, "patient-per")
    assert per.get(f"/plan/{plan_id(db, SELF_CARE)}").status_code == 404


def test_every_step_is_logged(app, db, ids):
    grant = confirmed(app, db, ids)
    maja = signed_in(app, "patient-maja")
    maja.post(
        f"/ombud/{grant.id}/invandning",
        data={"csrf_token": csrf_token(maja, "/ombud"), "text": "Det här stämmer inte."},
    )
    karin = signed_in(app, "staff-karin")
    url = f"/patient/{ids['patient-maja']}/foretradare"
    karin.post(
        f"{url}/{grant.id}/avsluta",
        data={"csrf_token": csrf_token(karin, url), "reason": "Maja invände."},
    )
    assert logged(db, grant) == [
        "register",
        "notify",
        "confirm",
        "notify",
        "object",
        "end",
        "notify",
    ]
    who = dict(
        db.execute(
            select(AccessLogEntry.action, AccessLogEntry.actor_practitioner_id).where(
                AccessLogEntry.object_type == "proxy_grant",
                AccessLogEntry.object_id == grant.id,
                AccessLogEntry.action.in_(["register", "confirm", "end"]),
            )
        ).all()
    )
    assert who == {
        "register": ids["staff-karin"],
        "confirm": ids["staff-erik"],
        "end": ids["staff-karin"],
    }
    patient_log = visible_text(maja.get("/vem-har-tittat"))
    assert "registrerade en legal företrädare för dig" in patient_log


def test_care_reads_what_a_representative_may_do_about_the_patient_not_as_mine(app, db, ids):
    """The patient reads "Se mina planer"; care, on the same registration, "Se patientens
    planer" (the form's choices too)."""
    karin = signed_in(app, "staff-karin")
    page = visible_text(karin.get(f"/patient/{ids['patient-maja']}/foretradare"))
    assert "Se patientens planer" in page
    assert "Läsa patientens meddelanden" in page
    assert "Se mina planer" not in page
    assert "Se mina planer" in visible_text(signed_in(app, "patient-maja").get("/ombud"))
