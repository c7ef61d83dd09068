"""Sign-in over OpenID Connect against a real provider on 127.0.0.1, including every refusal."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import func, select

from app.accounts.identity import make_test_number
from app.accounts.models import Person, UserSession
from app.accounts.oidc import LOA3, PNR_CLAIM
from app.db import utcnow
from tests.helpers import visible_text

LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"


def start(client, provider: str = "eid", next_path: str | None = None):  # noqa: ANN001, ANN201
    query = f"?next={next_path}" if next_path else ""
    response = client.get(f"/logga-in/{provider}{query}")
    assert response.status_code == 302
    location = response.headers["Location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def approve(location: str, sub: str) -> str:
    """Press 'authorize' at the provider as `sub`; return our callback path with code and state."""
    answer = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:300]
    callback = urlsplit(answer.headers["Location"])
    return f"{callback.path}?{callback.query}"


def eid_user(idp, sub: str, number: str, acr: str = LOA3, **extra: str) -> None:  # noqa: ANN001
    idp.set_user(
        sub, {PNR_CLAIM: number, "acr": acr, "given_name": "Test", "family_name": "Person", **extra}
    )


def sign_in_over_oidc(client, idp, sub, number, provider="eid", **kw):  # noqa: ANN001, ANN201
    eid_user(idp, sub, number, **kw)
    location, params = start(client, provider)
    return params, client.get(approve(location, sub))


def maja_number(db, ids) -> str:  # noqa: ANN001
    return db.get(Person, ids["patient-maja"]).personal_number


def people(db) -> int:  # noqa: ANN001
    return db.scalar(select(func.count(Person.id)))


def test_maja_signs_in_with_eid_and_sees_her_start_page(client, idp, db, ids) -> None:
    params, response = sign_in_over_oidc(client, idp, "maja", maja_number(db, ids))
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    text = visible_text(client.get("/"))
    assert "Min överenskommelse" in text
    assert "stugan i Kallax" in text
    row = db.scalars(
        select(UserSession).where(
            UserSession.person_id == ids["patient-maja"], UserSession.method == "eid"
        )
    ).one()
    assert row.id_token


def test_authorization_request_follows_the_swedish_profile(client, idp, db, ids) -> None:
    idp.token_requests.clear()
    params, response = sign_in_over_oidc(client, idp, "maja", maja_number(db, ids))
    assert response.status_code == 303
    assert params["code_challenge_method"] == "S256"
    assert params["prompt"] == "login"
    assert params["acr_values"] == LOA3
    assert params["response_type"] == "code"
    assert len(base64.urlsafe_b64decode(params["state"] + "==")) >= 16  # at least 128 bits
    assert len(params["nonce"]) >= 22
    [token_request] = idp.token_requests
    verifier = token_request["code_verifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == params["code_challenge"]


def test_a_new_person_gets_a_friendly_explanation(client, idp, db) -> None:
    from datetime import date

    number = make_test_number(date(1990, 5, 17), 987)
    before = people(db)
    _, response = sign_in_over_oidc(client, idp, "newcomer", number)
    assert response.status_code == 303
    assert people(db) == before + 1
    text = visible_text(client.get("/"))
    assert "Du har inga planer i Samplan ännu" in text


def test_replayed_state_is_refused_and_creates_nothing(app, idp, db, ids) -> None:
    first = app.test_client()
    eid_user(idp, "maja", maja_number(db, ids))
    location, _ = start(first)
    callback = approve(location, "maja")
    assert first.get(callback).status_code == 303
    sessions = db.scalar(select(func.count(UserSession.id)))
    attacker = app.test_client()
    response = attacker.get(callback)
    assert response.status_code == 400
    assert "Inloggningen misslyckades" in visible_text(response)
    assert db.scalar(select(func.count(UserSession.id))) == sessions


def test_a_wrong_state_is_refused(client, idp, db, ids) -> None:
    eid_user(idp, "maja", maja_number(db, ids))
    location, params = start(client)
    callback = approve(location, "maja").replace(params["state"], "forged-state-value")
    assert client.get(callback).status_code == 400
    assert client.get("/").status_code == 302


def test_a_wrong_nonce_is_refused(client, idp, db) -> None:
    from datetime import date

    number = make_test_number(date(1970, 1, 2), 988)
    before = people(db)
    idp.tamper.update(nonce="someone-elses-nonce")
    try:
        _, response = sign_in_over_oidc(client, idp, "nonce", number)
    finally:
        idp.tamper.clear()
    assert response.status_code == 400
    assert people(db) == before


def test_a_token_for_another_client_is_refused(client, idp, db) -> None:
    from datetime import date

    number = make_test_number(date(1970, 1, 3), 989)
    before = people(db)
    idp.tamper.update(aud="another-client")
    try:
        _, response = sign_in_over_oidc(client, idp, "aud", number)
    finally:
        idp.tamper.clear()
    assert response.status_code == 400
    assert people(db) == before


def test_an_expired_id_token_is_refused(app, client, idp, db, monkeypatch) -> None:
    from datetime import date

    number = make_test_number(date(1970, 1, 4), 990)
    before = people(db)
    eid_user(idp, "late", number)
    location, _ = start(client)
    callback = approve(location, "late")
    later = utcnow() + timedelta(hours=3)
    monkeypatch.setitem(app.config, "NOW_FUNC", lambda: later)
    response = client.get(callback)
    assert response.status_code == 400
    assert "tog för lång tid" in visible_text(response)
    assert people(db) == before


def test_a_low_assurance_level_is_refused(client, idp, db) -> None:
    from datetime import date

    number = make_test_number(date(1970, 1, 5), 991)
    before = people(db)
    _, response = sign_in_over_oidc(client, idp, "loa2", number, acr=LOA2)
    assert response.status_code == 400
    assert "hög säkerhet" in visible_text(response)
    assert people(db) == before


def test_staff_sign_in_by_hsa_id(client, idp, db, ids) -> None:
    from app.accounts.models import Practitioner

    karin = db.get(Practitioner, ids["staff-karin"])
    idp.set_user("karin", {"hsa_id": karin.hsa_id, "acr": LOA3})
    location, _ = start(client, "staff")
    response = client.get(approve(location, "karin"))
    assert response.status_code == 303
    text = visible_text(client.get("/"))
    assert "Mina patienter" in text
    assert "Maja Lind" in text


def test_an_unknown_staff_identity_is_refused(client, idp, db) -> None:
    from app.accounts.models import Practitioner

    idp.set_user("stranger", {"hsa_id": "SE0000000000-NOBODY", "acr": LOA3})
    count = db.scalar(select(func.count(Practitioner.id)))
    location, _ = start(client, "staff")
    response = client.get(approve(location, "stranger"))
    assert response.status_code == 400
    assert "Ditt HSA-id finns inte" in visible_text(response)
    assert db.scalar(select(func.count(Practitioner.id))) == count


def test_next_only_accepts_local_paths(client, idp, db, ids) -> None:
    eid_user(idp, "maja", maja_number(db, ids))
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        location, _ = start(client, next_path=evil)
        response = client.get(approve(location, "maja"))
        assert response.headers["Location"] == "/", evil
    location, _ = start(client, next_path="/vem-har-tittat")
    response = client.get(approve(location, "maja"))
    assert response.headers["Location"] == "/vem-har-tittat"


def test_sign_out_ends_the_provider_session_too(client, idp, db, ids) -> None:
    sign_in_over_oidc(client, idp, "maja", maja_number(db, ids))
    from tests.conftest import csrf_token

    response = client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == idp.url
    assert target.path == "/oauth2/end_session"
    assert "id_token_hint" in parse_qs(target.query)
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/").status_code == 302


def test_the_re_signing_provider_alone_does_not_cause_refusals(client, idp, db, ids) -> None:
    """Control for the nonce and audience tests: a re-signed, otherwise correct token passes."""
    idp.tamper.update(extra_claim="harmless")
    try:
        _, response = sign_in_over_oidc(client, idp, "maja", maja_number(db, ids))
    finally:
        idp.tamper.clear()
    assert response.status_code == 303
