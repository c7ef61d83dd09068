"""Session fixation, idle and absolute expiry, one's own sessions, rate limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from app.extensions import limiter
from tests.conftest import Auth, csrf_token
from tests.helpers import visible_text


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):  # noqa: ANN204
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app, monkeypatch) -> Clock:  # noqa: ANN001
    moving = Clock()
    monkeypatch.setitem(app.config, "NOW_FUNC", moving)
    return moving


def test_a_cookie_from_before_sign_in_gives_no_access(app, client) -> None:
    client.get("/demo")  # the visitor (or an attacker who planted it) has a session cookie
    planted = client.get_cookie("samplan").value
    Auth(client).sign_in("patient-maja")
    assert client.get_cookie("samplan").value != planted
    victim_copy = app.test_client()
    victim_copy.set_cookie("samplan", planted)
    assert victim_copy.get("/").status_code == 302


def test_idle_sessions_end_after_fifteen_minutes(client, clock) -> None:
    Auth(client).sign_in("patient-maja")
    clock.advance(minutes=14)
    assert client.get("/").status_code == 200
    clock.advance(minutes=14)  # active 14 minutes ago: still in
    assert client.get("/").status_code == 200
    clock.advance(minutes=16)
    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Du loggades ut eftersom du inte använde Samplan" in visible_text(page)


def test_polling_does_not_keep_a_session_alive(client, clock) -> None:
    Auth(client).sign_in("patient-maja")
    for _ in range(3):
        clock.advance(minutes=6)
        client.get("/", headers={"X-Samplan-Passive": "1"})
    assert client.get("/").status_code == 302


def test_stay_signed_in_counts_as_activity(client, clock) -> None:
    Auth(client).sign_in("patient-maja")
    clock.advance(minutes=13)
    token = csrf_token(client, "/")
    clock.advance(minutes=1)
    assert client.post("/session/forlang", data={"csrf_token": token}).status_code == 303
    clock.advance(minutes=14)
    assert client.get("/").status_code == 200


def test_sessions_end_twelve_hours_after_sign_in_however_active(client, clock) -> None:
    Auth(client).sign_in("patient-maja")
    for _ in range(71):
        clock.advance(minutes=10)
        assert client.get("/").status_code == 200
    clock.advance(minutes=11)
    assert client.get("/").status_code == 302


def test_a_person_sees_and_ends_their_other_sessions(app, client) -> None:
    phone = app.test_client()
    Auth(phone).sign_in("patient-maja")
    Auth(client).sign_in("patient-maja")
    page = client.get("/sessioner")
    text = visible_text(page)
    assert page.get_data(as_text=True).count(">Logga ut där</button>") == 2
    assert "du är här" in text
    import re

    ids = re.findall(r"/sessioner/(\d+)/avsluta", page.get_data(as_text=True))
    own_first = sorted(ids, key=int)  # the phone signed in first
    token = csrf_token(client, "/sessioner")
    response = client.post(f"/sessioner/{own_first[0]}/avsluta", data={"csrf_token": token})
    assert response.status_code == 303
    assert phone.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_ending_someone_elses_session_is_404(app, client) -> None:
    other = app.test_client()
    Auth(other).sign_in("patient-per")
    page = other.get("/sessioner").get_data(as_text=True)
    import re

    [per_session] = re.findall(r"/sessioner/(\d+)/avsluta", page)
    Auth(client).sign_in("patient-maja")
    token = csrf_token(client, "/sessioner")
    response = client.post(f"/sessioner/{per_session}/avsluta", data={"csrf_token": token})
    assert response.status_code == 404
    assert other.get("/").status_code == 200


def test_rate_limits_answer_in_swedish(app, client, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_SIGN_IN", "3 per minute")
    limiter.reset()
    try:
        codes = [client.get("/logga-in/eid").status_code for _ in range(4)]
        assert codes == [302, 302, 302, 429]
        response = client.get("/logga-in/eid")
        assert "För många försök" in visible_text(response)
    finally:
        limiter.reset()


def test_writes_are_rate_limited(app, client, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_WRITE", "2 per minute")
    limiter.reset()
    try:
        codes = [
            client.post(
                "/demo", data={"persona": "patient-maja", "csrf_token": csrf_token(client)}
            ).status_code
            for _ in range(3)
        ]
        assert codes == [303, 303, 429]
    finally:
        limiter.reset()


def test_sessions_name_the_device_not_the_raw_user_agent(app, client) -> None:
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )
    Auth(phone).sign_in("patient-maja")
    client.environ_base["HTTP_USER_AGENT"] = "curl/8.5.0"
    Auth(client).sign_in("patient-maja")
    text = visible_text(client.get("/sessioner"))
    assert "Mobile Safari på iOS, iPhone" in text
    assert "Mozilla/5.0" not in text
    assert "AppleWebKit" not in text
