"""Bad input found by the form fuzzer (test_fuzz_forms.py), each kept as a plain test."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_a_huge_id_in_the_path_is_not_found(auth, client, number) -> None:
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sessioner")
    response = client.post(f"/sessioner/{number}/avsluta", data={"csrf_token": token})
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)
    assert client.get(f"/plan/{number}").status_code == 404
    assert client.get("/sessioner").status_code == 200  # still signed in


@pytest.mark.parametrize("value", ["9" * 40, "²", "١٢", "-1", "1e3"])
def test_a_bad_number_in_a_form_is_refused_plainly(auth, client, db, ids, value) -> None:
    from sqlalchemy import select

    from app.proxies.models import ProxyInvitation

    auth.sign_in("proxy-anna")
    token = csrf_token(client, "/vem")
    assert client.post("/vem", data={"patient_id": value, "csrf_token": token}).status_code == 404
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/ombud")
    response = client.post(
        "/ombud/bjud-in",
        data={"scopes": "read_plans", "months": value, "private": value, "csrf_token": token},
    )
    assert response.status_code == 400
    assert "Välj hur länge, från 1 månad till 3 år." in response.get_data(as_text=True)
    invitations = select(ProxyInvitation).where(ProxyInvitation.patient_id == ids["patient-maja"])
    assert db.scalars(invitations).all() == []


@pytest.mark.parametrize("value", ["9" * 40, "²"])
def test_a_bad_page_number_is_not_found(auth, client, value) -> None:
    auth.sign_in("patient-maja")
    assert client.get(f"/vem-har-tittat?sida={value}").status_code == 404
    auth.sign_in("staff-karin")
    assert client.get(f"/inkorg?sida={value}").status_code == 404
    assert client.get(f"/?sida={value}").status_code == 404


def test_a_nul_character_is_refused_and_nothing_stored(auth, client, db, ids) -> None:
    from sqlalchemy import func, select

    from app.messages.models import Message

    auth.sign_in("patient-maja")
    token = csrf_token(client, "/meddelanden/nytt")
    to = client.get("/meddelanden/nytt").get_data(as_text=True).split('<option value="')[1]
    before = db.scalar(select(func.count(Message.id)))
    response = client.post(
        "/meddelanden/nytt",
        data={
            "to": to.split('"')[0],
            "subject": "Hej",
            "body": "Hej\x00då",
            "key": "nul-key",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert "Något gick fel" in response.get_data(as_text=True)
    assert db.scalar(select(func.count(Message.id))) == before
    assert client.post("/demo", data={"persona": "\x00", "csrf_token": token}).status_code == 400
    auth.sign_in("staff-karin")
    assert client.get("/?q=%00").status_code == 400


def test_a_body_too_large_to_read_is_refused_in_swedish(auth, client, db) -> None:
    from sqlalchemy import func, select

    from app.messages.models import Message
    from tests.helpers import visible_text

    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sessioner")
    count = db.scalar(select(func.count(Message.id)))
    response = client.post(
        "/meddelanden/nytt",
        data={"subject": "Hej", "body": "x" * 3_000_000, "key": "big", "csrf_token": token},
    )
    assert response.status_code == 413
    assert "Det som skickades är för stort." in visible_text(response)
    assert db.scalar(select(func.count(Message.id))) == count
