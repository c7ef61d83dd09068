"""Messages between the patient (or proxy) and care, as each persona sees them."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.accounts.models import CareUnit
from app.audit.models import AccessLogEntry
from app.clock import local_date
from app.messages.models import Message, Thread, ThreadStatus, Wait
from app.messages.workdays import add_working_days
from app.notifications.models import OutboxItem
from app.proxies.models import ProxyGrant
from tests.conftest import Auth, csrf_token
from tests.helpers import plan_id, thread_id, visible_text


def compose_form(client) -> dict[str, str]:  # noqa: ANN001
    body = client.get("/meddelanden/nytt").get_data(as_text=True)
    return {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', body).group(1),
        "key": re.search(r'name="key" value="([^"]+)"', body).group(1),
        "to": re.search(
            r'<option value="([^"]+)" selected|<option value="([^"]+)"',
            body.split('name="to"', 1)[1],
        )
        .group(0)
        .split('"')[1],
    }


def test_maja_writes_to_karin_and_karin_answers(app, auth, client, db, ids) -> None:
    auth.sign_in("patient-maja")
    form = compose_form(client)
    assert form["to"] == f"{plan_id(db, 'trygg hemma')}:{ids['staff-karin']}"  # coordinator
    response = client.post(
        "/meddelanden/nytt",
        data={**form, "subject": "Svullna ben", "body": "Hej Karin!\nBenen är svullna."},
    )
    assert response.status_code == 303
    page = visible_text(client.get(response.headers["Location"]))
    assert "Svullna ben" in page
    assert "Benen är svullna." in page
    assert "Du får svar inom 2 arbetsdagar." in page
    assert "ring 112" in page
    assert "Inte läst av vården ännu" in page
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Högst 4\xa0000 tecken." in html  # the limit, and a live count of what is left
    assert 'id="body-count" data-count-for="body" data-max="4000"' in html
    thread = db.scalars(select(Thread).where(Thread.subject == "Svullna ben")).one()
    assert thread.status == ThreadStatus.WAITING_FOR_CARE
    assert (
        db.scalar(
            select(func.count(OutboxItem.id)).where(
                OutboxItem.recipient_practitioner_id == ids["staff-karin"],
                OutboxItem.template == "new_patient_message",
            )
        )
        >= 1
    )

    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    inbox = visible_text(karin.get("/inkorg"))
    assert "Svullna ben" in inbox
    assert "Maja Lind" in inbox
    thread_page = karin.get(f"/meddelanden/{thread.id}").get_data(as_text=True)
    assert "Skriv inte här om det är akut" not in thread_page  # the patient's box
    assert "Enheten lovar svar inom 2 arbetsdagar." in thread_page
    key = re.search(r'name="key" value="([^"]+)"', thread_page).group(1)
    token = csrf_token(karin, f"/meddelanden/{thread.id}")
    answer = karin.post(
        f"/meddelanden/{thread.id}/svar",
        data={"csrf_token": token, "key": key, "body": "Väg dig i morgon."},
    )
    assert answer.status_code == 303
    db.refresh(thread)
    assert thread.status == ThreadStatus.ANSWERED
    assert thread.waiting_since is None

    page = visible_text(client.get(f"/meddelanden/{thread.id}"))
    assert "Väg dig i morgon." in page
    assert "Läst av Karin Berg" in page
    assert "Vården svarade " in page  # the promise of an answer is kept, so no longer made
    assert "Du får svar inom" not in page
    assert (
        db.scalar(
            select(func.count(OutboxItem.id)).where(
                OutboxItem.recipient_person_id == ids["patient-maja"],
                OutboxItem.template == "new_reply",
            )
        )
        >= 1
    )


def test_a_proxy_message_shows_on_whose_behalf(app, auth, client, db, ids) -> None:
    auth.sign_in("proxy-anna")
    client.get("/", follow_redirects=True)
    form = compose_form(client)
    response = client.post(
        "/meddelanden/nytt", data={**form, "subject": "Från Anna", "body": "Mamma undrar om tiden."}
    )
    assert response.status_code == 303
    assert "Anna Lind för Maja Lind" in visible_text(client.get(response.headers["Location"]))
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    tid = thread_id(db, "Från Anna")
    assert "Anna Lind för Maja Lind" in visible_text(karin.get(f"/meddelanden/{tid}"))
    # The inbox says who wrote, with the patient's personal number, one row a thread.
    inbox = karin.get("/inkorg?flik=enheten").get_data(as_text=True)
    row = next(part for part in inbox.split("<tr") if "Från Anna" in part)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    assert "Anna Lind för Maja Lind" in text
    assert re.search(r"\d{8}-\d{4}", text)


def test_a_proxy_without_the_write_scope_cannot_send(auth, client, db, ids) -> None:
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    grant.scopes = "read_plans read_messages"
    db.flush()
    auth.sign_in("proxy-anna")
    start = visible_text(client.get("/", follow_redirects=True))
    assert "Skriv till vården" not in start
    assert "Läs meddelanden" in start
    assert client.get("/meddelanden/nytt").status_code == 403  # says why, not a bare 404
    tid = thread_id(db, "Min vikt")
    page = client.get(f"/meddelanden/{tid}")
    assert page.status_code == 200
    assert 'action="/meddelanden/' not in page.get_data(as_text=True).split("conversation")[-1]
    before = db.scalar(select(func.count(Message.id)))
    response = client.post(
        f"/meddelanden/{tid}/svar",
        data={"csrf_token": csrf_token(client, f"/meddelanden/{tid}"), "body": "Hej", "key": "x1"},
    )
    assert response.status_code == 404
    assert db.scalar(select(func.count(Message.id))) == before


def test_a_proxy_without_any_message_scope_sees_no_messages(auth, client, db, ids) -> None:
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    grant.scopes = "read_plans"
    db.flush()
    auth.sign_in("proxy-anna")
    start = visible_text(client.get("/", follow_redirects=True))
    assert "Meddelanden" not in start.split("Hoppa till innehållet")[-1].split("Akut hjälp")[0]
    assert client.get(f"/meddelanden/{thread_id(db, 'Min vikt')}").status_code == 404
    # The list page she may partly use is explained, not a bare 404, and logged for Maja.
    listing = client.get("/meddelanden")
    assert listing.status_code == 403
    text = visible_text(listing)
    assert "Maja Lind har inte gett dig behörighet att läsa sina meddelanden." in text
    assert "”Läsa mina meddelanden” under Ombud och närstående" in text
    assert "Min vikt" not in text
    refused = db.scalars(
        select(AccessLogEntry).where(
            AccessLogEntry.patient_id == ids["patient-maja"],
            AccessLogEntry.allowed.is_(False),
            AccessLogEntry.object_type == "threads",
        )
    ).all()
    assert len(refused) == 1
    assert client.get("/tider").status_code == 403
    assert "se och svara på sina tider" in visible_text(client.get("/tider"))


def test_bad_input_keeps_the_text_and_changes_nothing(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    before = db.scalar(select(func.count(Message.id)))
    form = compose_form(client)
    for body, message in (("   \n  ", "Skriv ditt meddelande"), ("x" * 4001, "högst 4000 tecken")):
        response = client.post(
            "/meddelanden/nytt", data={**form, "subject": "Ämne kvar", "body": body}
        )
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert message in visible_text(response)
        assert 'value="Ämne kvar"' in text
        assert 'aria-invalid="true"' in text
    long_text = "Mitt långa meddelande " * 200
    response = client.post("/meddelanden/nytt", data={**form, "subject": "A", "body": long_text})
    assert response.status_code == 400
    assert long_text.strip() in response.get_data(as_text=True)
    assert db.scalar(select(func.count(Message.id))) == before


def test_the_same_form_sent_twice_is_stored_once(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    form = {**compose_form(client), "subject": "Dubbel", "body": "En gång"}
    first = client.post("/meddelanden/nytt", data=form)
    second = client.post("/meddelanden/nytt", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.scalar(select(func.count(Thread.id)).where(Thread.subject == "Dubbel")) == 1
    tid = thread_id(db, "Dubbel")
    page = client.get(f"/meddelanden/{tid}").get_data(as_text=True)
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    token = csrf_token(client, f"/meddelanden/{tid}")
    for _ in range(3):
        client.post(
            f"/meddelanden/{tid}/svar",
            data={"csrf_token": token, "key": key, "body": "Svar en gång"},
        )
    assert db.scalar(select(func.count(Message.id)).where(Message.thread_id == tid)) == 2


def test_someone_elses_key_is_not_a_way_in(app, auth, client, db) -> None:
    auth.sign_in("patient-maja")
    form = {**compose_form(client), "subject": "Min nyckel", "body": "Hej"}
    client.post("/meddelanden/nytt", data=form)
    per = app.test_client()
    Auth(per).sign_in("patient-per")
    stolen = {**compose_form(per), "key": form["key"], "subject": "x", "body": "y"}
    assert per.post("/meddelanden/nytt", data=stolen).status_code == 404


def test_handover_stays_with_the_sender_until_taken(app, auth, client, db, ids) -> None:
    tid = thread_id(db, "Fråga om hembesöket")
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    token = csrf_token(karin, f"/meddelanden/{tid}")
    response = karin.post(
        f"/meddelanden/{tid}/lamna",
        data={"csrf_token": token, "colleague_id": ids["staff-lena"], "note": "Gäller hembesöket"},
    )
    assert response.status_code == 303
    auth.sign_in("patient-maja")
    page = visible_text(client.get(f"/meddelanden/{tid}"))
    assert "Karin Berg på Hälsocentralen Kvarnen har ärendet." in page
    assert "Det lämnas över till Lena Holm (väntar på att tas emot)." in page

    lena = app.test_client()
    Auth(lena).sign_in("staff-lena")
    assert "Fråga om hembesöket" in visible_text(lena.get("/inkorg?flik=mina"))
    assert "Gäller hembesöket" in visible_text(lena.get(f"/meddelanden/{tid}"))
    token = csrf_token(lena, f"/meddelanden/{tid}")
    assert lena.post(f"/meddelanden/{tid}/ta", data={"csrf_token": token}).status_code == 303
    page = visible_text(client.get(f"/meddelanden/{tid}"))
    assert "Lena Holm på Hemsjukvården Luleå har ärendet." in page
    assert "väntar på att tas emot" not in page


def test_marked_handled_then_reopened_by_the_patient(app, auth, client, db) -> None:
    tid = thread_id(db, "Min vikt")
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    token = csrf_token(karin, f"/meddelanden/{tid}")
    assert karin.post(f"/meddelanden/{tid}/hanterad", data={"csrf_token": token}).status_code == 303
    assert "Min vikt" not in visible_text(karin.get("/inkorg?flik=mina"))
    auth.sign_in("patient-maja")
    page = client.get(f"/meddelanden/{tid}").get_data(as_text=True)
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    client.post(
        f"/meddelanden/{tid}/svar",
        data={
            "csrf_token": csrf_token(client, f"/meddelanden/{tid}"),
            "key": key,
            "body": "En sak till",
        },
    )
    assert db.get(Thread, tid).status == ThreadStatus.WAITING_FOR_CARE
    assert "Min vikt" in visible_text(karin.get("/inkorg?flik=mina"))
    # For follow-up: marking it handled ended Maja's wait; her new message began another, due
    # by the unit's promise from today.
    waits = db.scalars(select(Wait).where(Wait.thread_id == tid).order_by(Wait.id)).all()
    assert waits[-2].ended_at is not None
    assert waits[-2].working_days is not None
    assert waits[-1].ended_at is None
    promise = db.get(CareUnit, waits[-1].unit_id).response_working_days
    assert waits[-1].due_on == add_working_days(local_date(waits[-1].started_at), promise)


def test_inbox_marks_broken_promises_longest_waiting_first(
    app, client, db, ids, monkeypatch
) -> None:
    from datetime import timedelta

    from app.db import utcnow

    anna_thread = db.get(Thread, thread_id(db, "Fråga om hembesöket"))
    anna_thread.waiting_since = utcnow() - timedelta(days=10)
    db.flush()
    Auth(client).sign_in("staff-karin")
    text = visible_text(client.get("/inkorg?flik=enheten"))
    assert "Försenat: svar utlovat senast" in text
    assert (
        text.index("Fråga om hembesöket") < text.index("Besvarat") if "Besvarat" in text else True
    )


def test_unread_badge_answers_304_when_unchanged(auth, client) -> None:
    auth.sign_in("patient-maja")
    first = client.get("/meddelanden/olasta")
    assert first.status_code == 200
    assert "1 oläst" in visible_text(first)
    again = client.get("/meddelanden/olasta", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_reading_a_thread_is_logged(app, db, ids) -> None:
    from app.audit.models import AccessLogEntry

    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    tid = thread_id(db, "Min vikt")
    karin.get(f"/meddelanden/{tid}")
    entry = db.scalars(
        select(AccessLogEntry).where(
            AccessLogEntry.object_type == "thread",
            AccessLogEntry.object_id == tid,
            AccessLogEntry.actor_practitioner_id == ids["staff-karin"],
        )
    ).one()
    assert entry.patient_id == ids["patient-maja"]


def test_an_open_thread_refreshes_only_when_something_changed(app, auth, client, db) -> None:
    tid = thread_id(db, "Min vikt")
    auth.sign_in("patient-maja")
    url = f"/meddelanden/{tid}/nytt-i-traden"
    first = client.get(url, headers={"HX-Request": "true", "X-Samplan-Passive": "1"})
    assert first.status_code == 200
    assert first.get_data(as_text=True).lstrip().startswith('<ol class="conversation"')
    etag = first.headers["ETag"]
    same = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    assert same.status_code == 304
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    page = karin.get(f"/meddelanden/{tid}").get_data(as_text=True)
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    karin.post(
        f"/meddelanden/{tid}/svar",
        data={
            "csrf_token": csrf_token(karin, f"/meddelanden/{tid}"),
            "key": key,
            "body": "Nytt svar",
        },
    )
    changed = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    assert changed.status_code == 200
    assert "Nytt svar" in changed.get_data(as_text=True)
