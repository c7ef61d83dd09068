"""Delegated access: invitations, scopes, private plans, revocation, expiry, guardians, legal
representatives, and the deployment's allowed scopes."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.identity import make_test_number
from app.accounts.models import Person
from app.db import utcnow
from app.diary.models import Measure
from app.extensions import limiter
from app.proxies.models import Guardianship, ProxyGrant, ProxyInvitation
from tests.conftest import Auth, csrf_token
from tests.helpers import plan_id, thread_id, visible_text
from tests.web.test_oidc import approve, eid_user, start


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):  # noqa: ANN204
        return self.now


@pytest.fixture
def clock(app, monkeypatch) -> Clock:  # noqa: ANN001
    moving = Clock()
    monkeypatch.setitem(app.config, "NOW_FUNC", moving)
    return moving


def invite(client, scopes=("read_plans",), months="12", private=()) -> str:  # noqa: ANN001
    token = csrf_token(client, "/ombud")
    response = client.post(
        "/ombud/bjud-in",
        data={
            "csrf_token": token,
            "scopes": list(scopes),
            "months": months,
            "relation_label": "granne",
            "private": [str(p) for p in private],
        },
    )
    assert response.status_code == 303, visible_text(response)[:400]
    page = client.get("/ombud").get_data(as_text=True)
    code = re.search(r'<p class="code"[^>]*>([0-9A-Z]{5}-[0-9A-Z]{5})</p>', page).group(1)
    assert code not in client.get("/ombud").get_data(as_text=True)  # shown once
    return code


def use_code(client, code: str):  # noqa: ANN001, ANN201
    token = csrf_token(client, "/ombud/anvand-kod")
    return client.post("/ombud/anvand-kod", data={"csrf_token": token, "code": code})


def new_relative(app, idp, db, sub: str = "neighbour") -> object:  # noqa: ANN001
    """A person who signs in with their own eID through the test OIDC provider."""
    number = make_test_number(date(1960, 3, 3), 993)
    eid_user(idp, sub, number, given_name="Greta", family_name="Granne")
    client = app.test_client()
    location, _ = start(client)
    assert client.get(approve(location, sub)).status_code == 303
    return client


def test_maja_invites_a_read_only_relative_who_sees_only_her_plans(app, auth, client, idp, db):
    auth.sign_in("patient-maja")
    code = invite(client, scopes=("read_plans",))
    stored = db.scalars(select(ProxyInvitation)).all()
    assert all(code.replace("-", "") not in row.code_hash for row in stored)
    greta = new_relative(app, idp, db)
    used = use_code(greta, code.lower())
    assert used.status_code == 303
    start_page = visible_text(greta.get(used.headers["Location"], follow_redirects=True))
    assert "Klart! Nu kan du hjälpa personen som bjöd in dig." in start_page
    assert "Du agerar för Maja Lind" in start_page
    assert "Samordnad individuell plan – trygg hemma" in start_page
    assert "Meddelanden" not in start_page.split("Byt person")[-1]
    assert greta.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == 200
    assert greta.get(f"/meddelanden/{thread_id(db, 'Min vikt')}").status_code == 404
    assert greta.get("/meddelanden/nytt").status_code == 403  # explained: not in her scopes
    own_log = visible_text(greta.get("/vem-har-tittat"))  # her own log, never Maja's
    assert "läste planen" not in own_log
    assert "Greta Granne (granne)" in visible_text(client.get("/ombud"))

    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.relation_label == "granne")).one()
    token = csrf_token(client, "/ombud")
    revoked = client.post(f"/ombud/{grant.id}/aterkalla", data={"csrf_token": token})
    assert revoked.status_code == 303
    told = visible_text(client.get(revoked.headers["Location"]))
    assert "Behörigheten är borttagen. Personen kan inte längre se något." in told
    assert "Greta Granne (granne)" not in told
    assert greta.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == 404
    assert "Maja" not in visible_text(greta.get("/", follow_redirects=True))


def test_a_code_works_once_and_never_for_the_patient_themself(app, auth, client, idp, db):
    auth.sign_in("patient-maja")
    code = invite(client)
    assert use_code(client, code).status_code == 400  # one's own code
    greta = new_relative(app, idp, db)
    assert use_code(greta, code).status_code == 303
    other = new_relative(app, idp, db, sub="second")
    response = use_code(other, code)
    assert response.status_code == 400
    assert "Koden fungerar inte" in visible_text(response)


def test_an_expired_or_cancelled_code_is_refused(app, auth, client, idp, db):
    auth.sign_in("patient-maja")
    old = invite(client)
    cancelled = invite(client)
    invitation = db.scalars(select(ProxyInvitation).order_by(ProxyInvitation.id.desc())).first()
    token = csrf_token(client, "/ombud")
    answer = client.post(f"/ombud/inbjudan/{invitation.id}/avbryt", data={"csrf_token": token})
    assert answer.status_code == 303
    told = visible_text(client.get(answer.headers["Location"]))
    assert "Inbjudan är avbruten. Koden går inte att använda längre." in told
    greta = new_relative(app, idp, db)
    assert use_code(greta, cancelled).status_code == 400
    for row in db.scalars(select(ProxyInvitation)):
        row.expires_at = utcnow() - timedelta(minutes=1)  # eight days later
    db.flush()
    assert use_code(greta, old).status_code == 400
    assert (
        db.scalar(select(func.count(ProxyGrant.id)).where(ProxyGrant.relation_label == "granne"))
        == 0
    )


def test_guessing_codes_is_rate_limited(app, idp, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_INVITATION_CODE", "3 per 15 minutes")
    limiter.reset()
    try:
        greta = new_relative(app, idp, db)
        codes = [use_code(greta, f"AAAAA-AAAA{n}").status_code for n in range(4)]
        assert codes == [400, 400, 400, 429]
    finally:
        limiter.reset()


def test_codes_have_fifty_bits_and_compare_by_keyed_hash(app) -> None:
    from app.proxies import services

    with app.app_context():
        codes = {services.new_code() for _ in range(2000)}
        assert len(codes) == 2000
        assert all(len(c) == 10 and set(c) <= set(services.CODE_ALPHABET) for c in codes)
        assert len(services.CODE_ALPHABET) ** services.CODE_LENGTH >= 2**40
        assert services.normalise_code("ab12c-d34ef") == "AB12CD34EF"
        assert services.normalise_code("o0 il") == "0011"
        assert services._hash("X") != services._hash("Y")


def test_private_plans_and_their_threads_stay_private(app, auth, client, idp, db):
    auth.sign_in("patient-maja")
    private_plan = plan_id(db, "Egenvård vid hjärtsvikt")
    code = invite(client, scopes=("read_plans", "read_messages"), private=[private_plan])
    greta = new_relative(app, idp, db)
    assert use_code(greta, code).status_code == 303
    text = visible_text(greta.get("/", follow_redirects=True))
    assert "trygg hemma" in text
    assert "Egenvård vid hjärtsvikt" not in text
    assert greta.get(f"/plan/{private_plan}").status_code == 404
    # "Min vikt har ökat" is about the self-care plan: private too
    assert greta.get(f"/meddelanden/{thread_id(db, 'Min vikt')}").status_code == 404
    assert greta.get(f"/meddelanden/{thread_id(db, 'hembesöket')}").status_code == 200
    # The self-care plan's diary is private with it: neither listed nor readable.
    diary = visible_text(greta.get("/dagbok"))
    assert "Dagbok" in diary
    assert "Vikt" not in diary
    weight = db.scalars(select(Measure.id).where(Measure.plan_id == private_plan)).one()
    assert greta.get(f"/dagbok/{weight}").status_code == 404


@pytest.mark.parametrize(
    ("scopes", "plan", "read", "write"),
    [
        # 403: the page for writing is one she may partly use, so it says why instead of a 404
        ("read_plans", 200, 404, 403),
        ("read_messages", 404, 200, 403),
        ("read_messages write_messages", 404, 200, 200),
        ("read_plans read_messages write_messages", 200, 200, 200),
        ("appointments", 404, 404, 403),
    ],
)
def test_each_scope_opens_exactly_its_routes(auth, client, db, ids, scopes, plan, read, write):
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    grant.scopes = scopes
    db.flush()
    auth.sign_in("proxy-anna")
    token = csrf_token(client, "/sessioner")
    client.post("/vem", data={"csrf_token": token, "patient_id": ids["patient-maja"]})
    assert client.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == plan
    assert client.get(f"/meddelanden/{thread_id(db, 'hembesöket')}").status_code == read
    assert client.get("/meddelanden/nytt").status_code == write


def test_the_deployment_decides_which_scopes_relatives_may_hold(
    app, auth, client, db, ids, monkeypatch
):
    monkeypatch.setitem(
        app.config,
        "PROXY_ALLOWED_SCOPES",
        frozenset({"read_messages", "write_messages", "appointments"}),
    )
    auth.sign_in("patient-maja")
    page = visible_text(client.get("/ombud"))
    assert "Se mina planer: inte tillåtet för närstående i din region." in page
    token = csrf_token(client, "/ombud")
    response = client.post(
        "/ombud/bjud-in", data={"csrf_token": token, "scopes": "read_plans", "months": "12"}
    )
    assert response.status_code == 400
    assert "inte tillåtet i din region" in visible_text(response)
    anna = app.test_client()
    Auth(anna).sign_in("proxy-anna")
    anna.post(
        "/vem",
        data={"csrf_token": csrf_token(anna, "/sessioner"), "patient_id": ids["patient-maja"]},
    )
    assert anna.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == 404
    assert anna.get(f"/meddelanden/{thread_id(db, 'hembesöket')}").status_code == 200


def test_an_expired_grant_stops_on_the_next_request(app, db, ids, clock):
    anna = app.test_client()
    Auth(anna).sign_in("proxy-anna")
    assert anna.get("/", follow_redirects=True).status_code == 200
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    grant.valid_until = clock.now + timedelta(minutes=5)
    db.flush()
    assert anna.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == 200
    clock.now += timedelta(minutes=6)
    assert anna.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == 404
    assert "Maja" not in visible_text(anna.get("/", follow_redirects=True))


def test_sara_sees_elias_at_12_and_loses_him_at_13_unless_care_decides(app, db, ids, clock):
    elias = db.get(Person, ids["patient-elias"])
    elias_plan = plan_id(db, "diabetes typ 1")
    sara = app.test_client()
    Auth(sara).sign_in("guardian-sara")
    thirteen = date(elias.birth_date.year + 13, elias.birth_date.month, elias.birth_date.day)
    from datetime import UTC, datetime

    def at(day: date) -> None:
        clock.now = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        Auth(sara).sign_in("guardian-sara")

    at(thirteen - timedelta(days=1))
    assert sara.get(f"/plan/{elias_plan}").status_code == 200
    at(thirteen)
    assert sara.get(f"/plan/{elias_plan}").status_code == 404
    assert "Elias" not in visible_text(sara.get("/", follow_redirects=True))

    amir = app.test_client()
    Auth(amir).sign_in("staff-amir")
    guardianship = db.scalars(
        select(Guardianship).where(Guardianship.child_id == ids["patient-elias"])
    ).one()
    url = f"/patient/{ids['patient-elias']}/vardnadshavare/{guardianship.id}"
    sixteen = date(elias.birth_date.year + 16, elias.birth_date.month, elias.birth_date.day)
    token = csrf_token(amir, f"/patient/{ids['patient-elias']}/foretradare")
    too_late = amir.post(
        url,
        data={"csrf_token": token, "until": sixteen.isoformat(), "decision": "Elias samtycker."},
    )
    assert too_late.status_code == 400
    assert "före barnets 16-årsdag" in visible_text(too_late)
    ok = amir.post(
        url,
        data={
            "csrf_token": token,
            "until": (thirteen + timedelta(days=365)).isoformat(),
            "decision": "Beslut 2026-11: Elias vill att mamma ser planen.",
        },
    )
    assert ok.status_code == 303
    Auth(sara).sign_in("guardian-sara")
    assert sara.get(f"/plan/{elias_plan}").status_code == 200


def test_a_protected_child_is_hidden_from_guardians(app, db, ids):
    elias = db.get(Person, ids["patient-elias"])
    elias.protected_identity = True
    db.flush()
    sara = app.test_client()
    Auth(sara).sign_in("guardian-sara")
    assert sara.get(f"/plan/{plan_id(db, 'diabetes typ 1')}").status_code == 404


def test_care_registers_a_legal_representative_shown_to_patient_and_staff(
    app, auth, client, db, ids
):
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    url = f"/patient/{ids['patient-ali']}/foretradare"
    token = csrf_token(karin, url)
    form = {
        "csrf_token": token,
        "personal_number": make_test_number(date(1958, 4, 4), 994),
        "given_name": "Bo",
        "family_name": "Förvaltare",
        "kind": "god man",
        "decision_reference": "Överförmyndaren 2026-1234",
        "decision_date": (date.today() - timedelta(days=30)).isoformat(),
        "authority": "overformyndare",
        "scopes": ["read_plans"],
        "until": (date.today() + timedelta(days=400)).isoformat(),
        "reason": "Ali har god man för att bevaka sin rätt i vården.",
    }
    bad = karin.post(url, data={**form, "decision_reference": " "})
    assert bad.status_code == 400
    assert "Beslutets referens" in bad.get_data(as_text=True)
    assert karin.post(url, data=form).status_code == 303
    grant = db.scalars(
        select(ProxyGrant).where(ProxyGrant.decision_reference == "Överförmyndaren 2026-1234")
    ).one()
    erik = app.test_client()
    Auth(erik).sign_in("staff-erik")
    confirm = f"{url}/{grant.id}/bekrafta"
    assert erik.post(confirm, data={"csrf_token": csrf_token(erik, url)}).status_code == 303
    staff_plan = visible_text(karin.get(f"/plan/{plan_id(db, 'efter stroke')}"))
    assert (
        "Bo Förvaltare (god man), beslut Överförmyndaren 2026-1234: Se patientens planer"
        in staff_plan
    )
    auth.sign_in("patient-ali")
    from tests.web.test_pages import use_full_view_in_swedish

    use_full_view_in_swedish(client)
    assert "Legal företrädare enligt beslut Överförmyndaren 2026-1234" in visible_text(
        client.get("/ombud")
    )
    jonas = app.test_client()
    Auth(jonas).sign_in("staff-jonas")
    assert (
        jonas.post(url, data={**form, "csrf_token": csrf_token(jonas, "/sessioner")}).status_code
        == 404
    )


def test_a_proxy_cannot_manage_the_patients_proxies(app, db, ids):
    anna = app.test_client()
    Auth(anna).sign_in("proxy-anna")
    anna.get("/", follow_redirects=True)
    assert anna.get("/ombud").status_code == 404
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    token = csrf_token(anna, "/sessioner")
    assert anna.post(f"/ombud/{grant.id}/aterkalla", data={"csrf_token": token}).status_code == 404
    assert (
        anna.post(
            f"/ombud/{grant.id}/behorighet",
            data={"csrf_token": token, "scopes": ["read_plans", "answer_for"]},
        ).status_code
        == 404
    )


def test_expiry_reminders_go_to_both_once(db, ids):
    from app.notifications.models import OutboxItem
    from app.proxies.services import queue_expiry_reminders

    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    grant.valid_until = utcnow() + timedelta(days=10)
    db.flush()
    assert queue_expiry_reminders(db, utcnow()) == 1
    assert queue_expiry_reminders(db, utcnow()) == 0
    people = set(
        db.scalars(
            select(OutboxItem.recipient_person_id).where(OutboxItem.template == "proxy_expiring")
        )
    )
    assert people == {ids["patient-maja"], ids["proxy-anna"]}


def test_the_patient_sees_when_a_proxy_last_acted(app, auth, client, db, ids):
    anna = app.test_client()
    Auth(anna).sign_in("proxy-anna")
    anna.get("/", follow_redirects=True)
    auth.sign_in("patient-maja")
    assert "Senast använd" in visible_text(client.get("/ombud"))


def test_maja_is_told_that_a_change_of_annas_scopes_is_saved(auth, client, db, ids):
    auth.sign_in("patient-maja")
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    token = csrf_token(client, "/ombud")
    answer = client.post(
        f"/ombud/{grant.id}/behorighet", data={"csrf_token": token, "scopes": ["read_plans"]}
    )
    assert answer.status_code == 303
    assert "Ändringen är sparad. Den gäller från nu." in visible_text(
        client.get(answer.headers["Location"])
    )
    db.expire_all()
    assert db.get(ProxyGrant, grant.id).scope_set == {"read_plans"}
    # an address cannot make the page say anything else
    assert "Ändringen är sparad" not in visible_text(client.get("/ombud?klart=annat"))
