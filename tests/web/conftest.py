"""Fixtures for the web tests."""

from __future__ import annotations

import pytest
import requests
from requests.adapters import HTTPAdapter

# What the push services' names resolve to in the tests: a public address. Nothing ever connects
# to it: the tests' transport (below, and the push service in test_push.py) answers instead.
PUBLIC = "142.250.74.42"


class PushDns:
    """Plays DNS for the push services' names (no test looks a name up): every name resolves to
    a public address unless a test says otherwise in `answers`."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}

    def __call__(self, host: str) -> list[str]:
        return self.answers.get(host, [PUBLIC])


class NoNetwork(HTTPAdapter):
    """A push sent where no test push service listens: refused, never sent out."""

    def send(self, request, **kwargs):  # noqa: ANN001, ANN003, ANN201
        raise requests.ConnectionError(f"no network in the tests: {request.url}")


@pytest.fixture
def push_dns(monkeypatch) -> PushDns:  # noqa: ANN001
    from app.pwa import endpoints

    dns = PushDns()
    monkeypatch.setattr(endpoints, "resolve", dns)
    return dns


@pytest.fixture
def push_on(app, monkeypatch, tmp_path, push_dns) -> str:  # noqa: ANN001
    """Push switched on: a fresh VAPID key; returns its application server key. Names resolve
    through `push_dns`, and a push goes nowhere unless a test push service takes it."""
    from app.pwa import push
    from app.pwa.push import application_server_key, generate_key_file

    key = tmp_path / "vapid.pem"
    generate_key_file(key)
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", str(key))
    real_session = push.http_session

    def offline_session() -> requests.Session:
        session = real_session()
        session.mount("https://", NoNetwork())
        session.mount("http://", NoNetwork())
        return session

    monkeypatch.setattr(push, "http_session", offline_session)
    return application_server_key(app)
