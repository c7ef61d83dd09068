"""A patient asks a unit for a care plan, a SIP or another fast vårdkontakt; the unit answers."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.accounts.models import CareUnit
from app.audit.models import AccessLogEntry
from app.care_requests.models import CareRequest, RequestKind, RequestOutcome, RequestStatus
from app.clock import local_date
from app.db import utcnow
from app.messages.workdays import add_working_days
from app.notifications.models import OutboxItem
from app.proxies.models import ProxyGrant
from app.web.templating import local_day
from tests.conftest import csrf_token
from tests.helpers import visible_text


def unit_id(db, name: str) -> int:  # noqa: ANN001
    return db.scalars(select(CareUnit.id).where(CareUnit.name == name)).one()


def kvarnen(db) -> int:  # noqa: ANN001
    return unit_id(db, "Hälsocentralen Kvarnen")


def ask(client, **fields: object):  # noqa: ANN001, ANN201
    token = csrf_token(client, "/onskemal/nytt")
    return client.post("/onskemal/nytt", data={"csrf_token": token, **fields})


def requests_of(db, patient_id: int) -> list[CareRequest]:  # noqa: ANN001
    return list(
        db.scalars(
            select(CareRequest).where(CareRequest.patient_id == patient_id).order_by(CareRequest.id)
        )
    )


def gretas_plan_request(db, ids) -> CareRequest:  # noqa: ANN001
    return db.scalars(
        select(CareRequest).where(
            CareRequest.patient_id == ids["patient-greta"],
            CareRequest.kind == RequestKind.CARE_PLAN,
        )
    ).one()


def test_greta_without_a_plan_is_told_her_rights_and_can_ask_kvarnen(auth, client, db, ids):
    auth.sign_in("patient-greta")
    start = client.get("/", follow_redirects=True)
    text = visible_text(start)
    assert "Det här har du rätt att be om" in text
    assert "En SIP. Det är en gemensam plan när både regionen och kommunen ger hjälp." in text
    assert 'href="/onskemal/nytt?vad=sip"' in start.get_data(as_text=True)
    assert '<details class="card rights" open>' in start.get_data(as_text=True)  # her one way
    page = client.get("/onskemal/nytt?vad=sip")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'value="sip" checked', html)
    assert f'<option value="{kvarnen(db)}">Hälsocentralen Kvarnen</option>' in html
    assert 'data-count-for="text" data-max="1000"' in html  # the project's char count
    # Units are grouped by principal; a directory office with nobody caring there is not one.
    assert 'label="Region Norrbotten"' in html
    assert 'label="Luleå kommun"' in html
    assert "Regionens kansli" not in html


def test_greta_asks_once_karin_sees_it_answers_and_greta_reads_the_answer(
    auth, client, db, ids
) -> None:
    from app.accounts.models import Person

    # Greta has given (and confirmed) an e-mail address: the answer is announced there.
    db.get(Person, ids["patient-greta"]).email = "greta.lundqvist@example.org"
    db.flush()
    auth.sign_in("patient-greta")
    before = len(requests_of(db, ids["patient-greta"]))
    response = ask(client, kind="sip", unit=kvarnen(db), text="Jag får hemtjänst också.")
    assert response.status_code == 303
    again = ask(client, kind="sip", unit=kvarnen(db), text="Jag får hemtjänst också.")
    assert again.status_code == 303
    assert response.headers["Location"].endswith("?klart=onskemal-skickat")
    assert "Ditt önskemål är skickat" in visible_text(client.get(response.headers["Location"]))
    assert again.headers["Location"] == (response.headers["Location"].split("?")[0] + "?redan=1")
    assert "Du har redan bett om detta" in visible_text(client.get(again.headers["Location"]))
    rows = requests_of(db, ids["patient-greta"])
    assert len(rows) == before + 1  # the double submit stored one
    made = rows[-1]
    asked_on = local_date(made.created_at)
    assert made.kind == RequestKind.SIP
    assert made.status == RequestStatus.OPEN
    assert made.due_on == add_working_days(asked_on, 2)  # Kvarnen's promise
    assert made.made_by_person_id == ids["patient-greta"]
    assert db.scalar(
        select(func.count(AccessLogEntry.id)).where(
            AccessLogEntry.object_type == "care_request",
            AccessLogEntry.object_id == made.id,
            AccessLogEntry.action == "create",
        )
    )
    mine = visible_text(client.get("/onskemal"))
    assert "En SIP, en samordnad plan" in mine
    assert "Väntar på svar" in mine
    assert local_day(made.due_on, "long") in mine

    auth.sign_out()
    auth.sign_in("staff-karin")
    worklist = visible_text(client.get("/arbetslista"))
    assert "Önskemål från patienter" in worklist
    assert "Greta Lundqvist: Vill ha en SIP" in worklist
    assert f"Svar senast {local_day(made.due_on, 'long')}" in worklist
    page = client.get(f"/onskemal/{made.id}")
    assert page.status_code == 200
    assert "Jag får hemtjänst också." in visible_text(page)
    token = csrf_token(client, f"/onskemal/{made.id}")
    answered = client.post(
        f"/onskemal/{made.id}/svar",
        data={"csrf_token": token, "outcome": "yes", "answer": "Vi ringer dig på måndag."},
    )
    assert answered.status_code == 303
    db.refresh(made)
    assert made.status == RequestStatus.ANSWERED
    assert made.outcome == RequestOutcome.YES
    assert made.answered_by_practitioner_id == ids["staff-karin"]
    after = client.get(f"/onskemal/{made.id}").get_data(as_text=True)
    assert f'href="/patient/{ids["patient-greta"]}/ny-plan"' in after  # yes: start the plan
    assert "Greta Lundqvist: Vill ha en SIP" not in visible_text(client.get("/arbetslista"))
    outbox = db.scalars(
        select(OutboxItem).where(
            OutboxItem.recipient_person_id == ids["patient-greta"],
            OutboxItem.template == "request_answered",
            OutboxItem.channel == "email",
        )
    ).all()
    assert len(outbox) == 1
    assert outbox[0].payload == {"request_id": made.id}  # a link only, never what was said

    auth.sign_out()
    auth.sign_in("patient-greta")
    seen = visible_text(client.get(f"/onskemal/{made.id}"))
    assert "Vårdens svar: Ja" in seen
    assert "Vi ringer dig på måndag." in seen
    assert "Karin Berg" in seen
    assert "Ta tillbaka" not in seen


def test_the_demo_request_waits_on_kvarnens_work_list(auth, client, db, ids) -> None:
    made = gretas_plan_request(db, ids)
    assert made.status == RequestStatus.OPEN
    for persona in ("staff-karin", "staff-erik"):
        auth.sign_in(persona)
        text = visible_text(client.get("/arbetslista"))
        assert "Greta Lundqvist: Vill ha en vårdplan" in text
        assert f"Svar senast {local_day(made.due_on, 'long')}" in text
        auth.sign_out()
    auth.sign_in("staff-sofia")
    assert "Greta Lundqvist" not in visible_text(client.get("/arbetslista"))


def test_staff_at_another_unit_get_404_and_nothing_changes(auth, client, db, ids) -> None:
    made = gretas_plan_request(db, ids)
    for persona in ("staff-sofia", "staff-lena", "staff-jonas", "admin-region"):
        auth.sign_in(persona)
        assert client.get(f"/onskemal/{made.id}").status_code == 404
        token = csrf_token(client, "/sessioner")
        response = client.post(
            f"/onskemal/{made.id}/svar",
            data={"csrf_token": token, "outcome": "no", "answer": "Nej."},
        )
        assert response.status_code == 404
        auth.sign_out()
    db.refresh(made)
    assert made.status == RequestStatus.OPEN
    assert made.answer is None
    refused = db.scalar(
        select(func.count(AccessLogEntry.id)).where(
            AccessLogEntry.object_type == "care_request",
            AccessLogEntry.object_id == made.id,
            AccessLogEntry.allowed.is_(False),
        )
    )
    assert refused >= 4  # each refusal is in Greta's log
    # Other patients do not see it either; a wrong id is a 404.
    auth.sign_in("patient-maja")
    assert client.get(f"/onskemal/{made.id}").status_code == 404
    assert client.get("/onskemal/999999").status_code == 404


def test_anna_asks_for_maja(auth, client, db, ids) -> None:
    auth.sign_in("proxy-anna")
    client.get("/", follow_redirects=True)  # Anna acts for Maja, the one she represents
    page = visible_text(client.get("/onskemal/nytt"))
    assert "Mottagningar där det finns en plan står först." in page
    html = client.get("/onskemal/nytt").get_data(as_text=True)
    mine = html.split('label="Där du har en plan"', 1)[1].split("</optgroup>", 1)[0]
    assert "Hälsocentralen Kvarnen" in mine
    assert "Hemsjukvården Luleå" in mine
    response = ask(client, kind="new_contact", unit=kvarnen(db), text="Mamma vill byta kontakt.")
    assert response.status_code == 303
    made = requests_of(db, ids["patient-maja"])[-1]
    assert made.made_by_person_id == ids["proxy-anna"]
    assert made.kind == RequestKind.NEW_CONTACT
    assert "Det Maja Lind har bett om" in visible_text(client.get("/onskemal"))
    auth.sign_out()
    auth.sign_in("staff-erik")
    text = visible_text(client.get(f"/onskemal/{made.id}"))
    assert "av Anna Lind, som företräder patienten" in text


def test_a_relative_without_the_write_scope_cannot_ask(auth, client, db, ids) -> None:
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    grant.scopes = "read_plans read_messages"
    db.flush()
    auth.sign_in("proxy-anna")
    start = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "/onskemal/nytt" not in start
    assert client.get("/onskemal/nytt").status_code == 403  # says why
    before = db.scalar(select(func.count(CareRequest.id)))
    token = csrf_token(client, "/sessioner")
    response = client.post(
        "/onskemal/nytt",
        data={"csrf_token": token, "kind": "sip", "unit": kvarnen(db), "text": "För mamma."},
    )
    assert response.status_code == 403
    assert db.scalar(select(func.count(CareRequest.id))) == before
    assert client.get("/onskemal").status_code == 200  # reading what Maja asked is allowed
    grant.scopes = "read_plans"
    db.flush()
    assert client.get("/onskemal").status_code == 403  # without the read scope, not even that


def test_greta_withdraws_her_request(auth, client, db, ids) -> None:
    made = gretas_plan_request(db, ids)
    auth.sign_in("patient-greta")
    token = csrf_token(client, f"/onskemal/{made.id}")
    response = client.post(f"/onskemal/{made.id}/ta-tillbaka", data={"csrf_token": token})
    assert response.status_code == 303
    db.refresh(made)
    assert made.status == RequestStatus.WITHDRAWN
    assert "Tillbakataget" in visible_text(client.get(f"/onskemal/{made.id}"))
    # Staff cannot withdraw it for her, nor answer it now.
    auth.sign_out()
    auth.sign_in("staff-karin")
    assert "Greta Lundqvist" not in visible_text(client.get("/arbetslista"))
    token = csrf_token(client, f"/onskemal/{made.id}")
    response = client.post(
        f"/onskemal/{made.id}/svar",
        data={"csrf_token": token, "outcome": "yes", "answer": "Ja."},
    )
    assert response.status_code == 400
    assert "redan besvarat eller tillbakataget" in visible_text(response)
    assert (
        client.post(f"/onskemal/{made.id}/ta-tillbaka", data={"csrf_token": token}).status_code
        == 404
    )
    # Asking again after withdrawing makes a new request.
    auth.sign_out()
    auth.sign_in("patient-greta")
    again = ask(client, kind="care_plan", unit=kvarnen(db), text="Jag ångrade mig.")
    assert again.status_code == 303
    assert "redan" not in again.headers["Location"]


def test_bad_input_gets_a_swedish_message_and_changes_nothing(auth, client, db, ids) -> None:
    closed = db.get(CareUnit, unit_id(db, "Ortopedkliniken, Sunderby sjukhus"))
    closed.deactivated_at = utcnow()
    db.flush()
    auth.sign_in("patient-greta")
    before = db.scalar(select(func.count(CareRequest.id)))
    cases = [
        ({"kind": "sip", "unit": kvarnen(db), "text": ""}, "Skriv några ord om varför"),
        ({"kind": "sip", "unit": kvarnen(db), "text": "a" * 1001}, "Texten är för lång"),
        ({"kind": "sip", "unit": "99999999", "text": "Hej"}, "Välj vilken mottagning"),
        ({"kind": "sip", "unit": "", "text": "Hej"}, "Välj vilken mottagning"),
        ({"kind": "sip", "unit": "٣", "text": "Hej"}, "Välj vilken mottagning"),
        ({"kind": "massage", "unit": kvarnen(db), "text": "Hej"}, "Välj vad du vill be om"),
        ({"kind": "sip", "unit": closed.id, "text": "Hej"}, "Välj vilken mottagning"),
    ]
    for fields, message in cases:
        response = ask(client, **fields)
        assert response.status_code == 400, fields
        text = visible_text(response)
        assert "Något behöver rättas" in text, fields
        assert message in text, fields
    assert db.scalar(select(func.count(CareRequest.id))) == before
    html = client.get("/onskemal/nytt").get_data(as_text=True)
    assert "Ortopedkliniken" not in html  # a closed unit is not offered

    made = gretas_plan_request(db, ids)
    auth.sign_out()
    auth.sign_in("staff-karin")
    for fields, message in [
        ({"outcome": "yes", "answer": ""}, "Skriv ett svar till patienten"),
        ({"outcome": "yes", "answer": "a" * 2001}, "Svaret är för långt"),
        ({"outcome": "maybe", "answer": "Kanske."}, "Välj vad svaret är"),
    ]:
        token = csrf_token(client, f"/onskemal/{made.id}")
        response = client.post(f"/onskemal/{made.id}/svar", data={"csrf_token": token, **fields})
        assert response.status_code == 400, fields
        assert message in visible_text(response), fields
    db.refresh(made)
    assert made.status == RequestStatus.OPEN
    assert made.answer is None
    assert not db.scalar(
        select(func.count(OutboxItem.id)).where(OutboxItem.template == "request_answered")
    )


def test_the_plan_pages_tell_maja_her_rights(auth, client, db, ids) -> None:
    auth.sign_in("patient-maja")
    start = client.get("/").get_data(as_text=True)
    assert start.count("<details") >= 1
    assert 'href="/onskemal"' in start
    plan = client.get(re.search(r'href="(/plan/\d+)"', start).group(1))
    assert "Be om en annan fast vårdkontakt" in visible_text(plan)
    auth.sign_out()
    auth.sign_in("staff-karin")
    plan = client.get(re.search(r'href="(/plan/\d+)"', start).group(1))
    assert "Be om en annan fast vårdkontakt" not in visible_text(plan)
