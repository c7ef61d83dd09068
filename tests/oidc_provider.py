"""oidc-provider-mock served over real HTTP on 127.0.0.1, with two test-side additions:

- it records the token requests it receives, so tests can check Samplan's PKCE verifier;
- it can re-sign the ID token it issues with a wrong audience or nonce, playing a provider that
  misbehaves, with the provider's own key.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import flask
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from oidc_provider_mock import app as provider_app
from werkzeug.serving import make_server

from app.accounts.oidc import LOA3, PNR_CLAIM, ProviderSettings


@dataclass
class TestProvider:
    url: str
    token_requests: list[dict[str, str]] = field(default_factory=list)
    tamper: dict[str, Any] = field(default_factory=dict)

    def settings(self) -> dict[str, ProviderSettings]:
        def one(name: str, claim: str) -> ProviderSettings:
            return ProviderSettings(
                name=name,
                issuer=self.url,
                client_id=f"samplan-{name}",
                client_secret=f"secret-{name}",
                scopes="openid profile",
                identity_claim=claim,
                minimum_acr=LOA3,
            )

        return {"eid": one("eid", PNR_CLAIM), "staff": one("staff", "hsa_id")}

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()


@contextmanager
def run_provider() -> Iterator[TestProvider]:
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the test provider speaks plain http
    mock = provider_app(require_nonce=True)
    server = make_server("127.0.0.1", 0, mock, threaded=True)
    provider = TestProvider(url=f"http://127.0.0.1:{server.server_port}")
    _instrument(mock, provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)


def _instrument(mock: flask.Flask, provider: TestProvider) -> None:
    @mock.before_request
    def _record() -> None:
        if flask.request.path == "/oauth2/token":
            provider.token_requests.append(flask.request.form.to_dict())

    @mock.after_request
    def _tamper(response: flask.Response) -> flask.Response:
        if flask.request.path != "/oauth2/token" or not provider.tamper:
            return response
        body = response.get_json()
        private = flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True)
        key = RSAKey.import_key(private)
        token = jwt.decode(body["id_token"], key)
        claims = {**token.claims, **provider.tamper}
        body["id_token"] = jwt.encode(token.header, claims, key)
        response.set_data(flask.json.dumps(body))
        return response
