"""An invitation form sent again, and tries at invitation codes (issue #15).

The form's one-time key makes a form sent twice one invitation with one code. The same key with
other choices (a page gone back to and changed) is refused: it must not show the first code,
whose invitation still opens what it was made for. Tries at codes count per person, so signing
in again gives no new tries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.extensions import limiter
from app.proxies.models import ProxyInvitation
from tests.conftest import Auth, csrf_token
from tests.helpers import plan_id, visible_text
from tests.web.test_proxies import new_relative, use_code

CODE = re.compile(r'<p class="code"[^>]*>([0-9A-Z]{5}-[0-9A-Z]{5})</p>')
KEY = re.compile(r'name="key" value="([0-9a-f]{32})"')
CHANGED = "Du har redan skapat en inbjudan med det här formuläret, med andra val."


def _send(client, form: dict) -> tuple[int, str]:  # noqa: ANN001
    """Post the invitation form; the status and the page that follows (or the answer)."""
    token = csrf_token(client, "/sessioner")
    response = client.post("/ombud/bjud-in", data={**form, "csrf_token": token})
    if response.status_code == 303:
        return 303, client.get("/ombud").get_data(as_text=True)
    return response.status_code, response.get_data(as_text=True)


def _invitations(db, ids) -> list[ProxyInvitation]:  # noqa: ANN001
    db.expire_all()
    query = select(ProxyInvitation).where(ProxyInvitation.patient_id == ids["patient-maja"])
    return list(db.scalars(query.order_by(ProxyInvitation.id)))


@pytest.fixture
def first(auth, client, db, ids) -> dict:  # noqa: ANN001
    """Maja's first invitation: her brother may read plans and messages and write, for a year."""
    auth.sign_in("patient-maja")
    key = KEY.search(client.get("/ombud").get_data(as_text=True)).group(1)
    form = {
        "key": key,
        "scopes": ["read_plans", "read_messages", "write_messages"],
        "months": "12",
        "relation_label": "Bror",
    }
    status, page = _send(client, form)
    assert status == 303
    return {"form": form, "code": CODE.search(page).group(1)}


@pytest.mark.parametrize(
    "change",
    [
        {"scopes": ["read_plans"]},
        {"months": "1"},
        {"relation_label": "Granne"},
        {"private": "PRIVATE"},
    ],
    ids=["narrower scopes", "shorter", "another name", "a private plan"],
)
def test_the_same_form_with_other_choices_does_not_show_the_first_code(
    client, db, ids, first, change
) -> None:
    if change.get("private"):
        change = {"private": str(plan_id(db, "Egenvård vid hjärtsvikt"))}
    stored = [(i.id, i.scopes, i.grant_until, i.private_plan_ids) for i in _invitations(db, ids)]
    status, page = _send(client, {**first["form"], **change})
    assert status == 409
    assert CHANGED in page
    assert first["code"] not in page
    assert not CODE.search(page)
    assert [
        (i.id, i.scopes, i.grant_until, i.private_plan_ids) for i in _invitations(db, ids)
    ] == stored  # the first invitation is as it was, and there is no other
    # The page came back with a key of its own and the new choices: sent as it is, it makes
    # a new invitation with a new code.
    again = {**first["form"], **change, "key": KEY.search(page).group(1)}
    assert again["key"] != first["form"]["key"]
    status, page = _send(client, again)
    assert status == 303
    code = CODE.search(page).group(1)
    assert code != first["code"]
    invitations = _invitations(db, ids)
    assert len(invitations) == 2
    assert invitations[0].scopes == "read_plans read_messages write_messages"


def test_the_same_form_with_the_same_choices_shows_the_same_code(client, db, ids, first):  # noqa: ANN001, ANN201
    status, page = _send(client, first["form"])
    assert status == 303
    assert CODE.search(page).group(1) == first["code"]
    assert len(_invitations(db, ids)) == 1


def test_the_same_form_after_its_invitation_ended_is_a_new_invitation(client, db, ids, first):  # noqa: ANN001, ANN201
    (invitation,) = _invitations(db, ids)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.flush()
    status, page = _send(client, first["form"])
    assert status == 303
    assert CODE.search(page).group(1) != first["code"]  # the expired code stays expired
    assert len(_invitations(db, ids)) == 2


def test_tries_at_codes_count_per_person_not_per_sign_in(app, idp, db, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_INVITATION_CODE", "3 per 15 minutes")
    limiter.reset()
    try:
        phone = new_relative(app, idp, db)
        assert [use_code(phone, f"AAAAA-AAAA{n}").status_code for n in range(2)] == [400, 400]
        laptop = new_relative(app, idp, db)  # the same person, signed in again
        assert use_code(laptop, "AAAAA-AAAA2").status_code == 400
        assert use_code(laptop, "AAAAA-AAAA3").status_code == 429
        assert use_code(phone, "AAAAA-AAAA4").status_code == 429
        anna = app.test_client()
        Auth(anna).sign_in("proxy-anna")  # someone else: tries of her own
        assert use_code(anna, "AAAAA-AAAA5").status_code == 400
    finally:
        limiter.reset()


def test_the_limit_is_kept_by_person_id_not_by_session_token(app, idp, db) -> None:
    from app.proxies.views import _code_key

    new_relative(app, idp, db)
    with app.test_request_context():
        from flask_login import login_user

        from app.access.actor import Actor
        from app.accounts.models import Person

        greta = db.scalars(
            select(Person).where(Person.given_name == "Greta").order_by(Person.id.desc())
        ).first()
        login_user(Actor.of(greta, token="secret-session-token"))
        assert _code_key() == f"code:person:{greta.id}"


# A number in the form that is no number is refused: never dropped, never misread.


@pytest.mark.parametrize("value", ["²", "٣", "12345678901234567890"])
def test_a_private_plan_that_is_no_id_is_refused_not_dropped(auth, client, db, ids, value):  # noqa: ANN001, ANN201
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/ombud")
    response = client.post(
        "/ombud/bjud-in",
        data={"scopes": "read_plans", "months": "12", "private": value, "csrf_token": token},
    )
    # Dropped, the plan would not be private: the relative would see it.
    assert response.status_code == 400
    assert "Välj ett av alternativen." in visible_text(response)
    invitations = select(ProxyInvitation).where(ProxyInvitation.patient_id == ids["patient-maja"])
    assert db.scalars(invitations).all() == []


@pytest.mark.parametrize("months", ["３", "٣", "¹²"])
def test_months_in_other_digits_are_refused(auth, client, db, ids, months) -> None:
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/ombud")
    response = client.post(
        "/ombud/bjud-in", data={"scopes": "read_plans", "months": months, "csrf_token": token}
    )
    assert response.status_code == 400
    assert "Välj hur länge, från 1 månad till 3 år." in visible_text(response)
    invitations = select(ProxyInvitation).where(ProxyInvitation.patient_id == ids["patient-maja"])
    assert db.scalars(invitations).all() == []
