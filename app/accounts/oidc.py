"""Sign-in with OpenID Connect (Authlib): eID for patients and relatives, the staff IdP for staff.

Follows the Swedish OIDC profile where it applies: authorization code flow with PKCE (S256 only),
a fresh `state` and `nonce` of 256 bits each, `prompt=login`, the personal identity number in
`https://id.oidc.se/claim/personalIdentityNumber`, and LoA 3 as the lowest accepted assurance.
Everything about a provider comes from its discovery document and the environment.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.identity import (
    InvalidPersonalNumber,
    birth_date_of,
    normalise_personal_number,
)
from app.accounts.models import Person, Practitioner
from app.db import utcnow

PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"
# Assurance levels from lowest to highest; a level satisfies every level at or below it.
LOA_ORDER = (
    "http://id.elegnamnden.se/loa/1.0/loa1",
    "http://id.elegnamnden.se/loa/1.0/loa2",
    LOA3,
    LOA4,
)
PROVIDERS = ("eid", "staff")


def _oauth() -> OAuth:
    """This app's registry of providers (one per app: apps in one process never share clients)."""
    return current_app.extensions["samplan_oauth"]  # type: ignore[no-any-return]


class SignInRefused(Exception):
    """The provider's answer is not good enough to sign anyone in. Nothing was created."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ProviderSettings:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    identity_claim: str
    minimum_acr: str

    @classmethod
    def from_env(cls, name: str, env: dict[str, str]) -> ProviderSettings | None:
        prefix = f"SAMPLAN_OIDC_{name.upper()}_"
        issuer = env.get(prefix + "ISSUER")
        if not issuer:
            return None
        default_claim = PNR_CLAIM if name == "eid" else "hsa_id"
        return cls(
            name=name,
            issuer=issuer.rstrip("/"),
            client_id=env.get(prefix + "CLIENT_ID", ""),
            client_secret=env.get(prefix + "CLIENT_SECRET", ""),
            scopes=env.get(prefix + "SCOPES", "openid profile"),
            identity_claim=env.get(prefix + "IDENTITY_CLAIM", default_claim),
            minimum_acr=env.get(prefix + "MIN_ACR", LOA3),
        )


def settings_from_env(env: dict[str, str] | None = None) -> dict[str, ProviderSettings]:
    source = dict(os.environ if env is None else env)
    found = (ProviderSettings.from_env(name, source) for name in PROVIDERS)
    return {s.name: s for s in found if s is not None}


def init_app(app: Flask) -> None:
    """Register each configured provider with Authlib; nothing is fetched until first use."""
    oauth = OAuth(app)
    app.extensions["samplan_oauth"] = oauth
    providers: dict[str, ProviderSettings] = app.config["OIDC_PROVIDERS"]
    for settings in providers.values():
        oauth.register(
            settings.name,
            overwrite=True,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256"},
        )


def authorize_redirect(settings: ProviderSettings, redirect_uri: str) -> Any:
    """Redirect to the provider; Authlib keeps state, nonce and the PKCE verifier in the session."""
    return (
        _oauth()
        .create_client(settings.name)
        .authorize_redirect(
            redirect_uri,
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            prompt="login",
            acr_values=settings.minimum_acr,
        )
    )


def verified_claims(settings: ProviderSettings, now: datetime) -> tuple[dict[str, Any], str]:
    """Exchange the code and validate the ID token; return its claims and the raw token.

    Authlib checks state (once only), the PKCE verifier, signature, issuer, audience, nonce and
    expiry; here we also check expiry against Samplan's clock and the assurance level.
    """
    client = _oauth().create_client(settings.name)
    try:
        token = client.authorize_access_token(leeway=60)
    except (OAuthError, JoseError, ValueError, KeyError) as error:
        raise SignInRefused(type(error).__name__) from error
    claims = token.get("userinfo")
    if not claims or "id_token" not in token:
        raise SignInRefused("no_id_token")
    if int(claims["exp"]) < now.timestamp() - 60:
        raise SignInRefused("expired")
    acr = claims.get("acr")
    if acr not in LOA_ORDER or LOA_ORDER.index(acr) < LOA_ORDER.index(settings.minimum_acr):
        raise SignInRefused("assurance_too_low")
    return dict(claims), token["id_token"]


def person_for(db: Session, settings: ProviderSettings, claims: dict[str, Any]) -> Person:
    """The Person with this personal identity number, created on their first sign-in."""
    try:
        number = normalise_personal_number(str(claims.get(settings.identity_claim, "")))
    except InvalidPersonalNumber as error:
        raise SignInRefused("bad_personal_number") from error
    person = db.scalars(select(Person).where(Person.personal_number == number)).first()
    given = str(claims.get("given_name", "")).strip()[:100]
    family = str(claims.get("family_name", "")).strip()[:100]
    if person is None:
        person = Person(
            personal_number=number,
            given_name=given,
            family_name=family,
            birth_date=birth_date_of(number),
        )
        db.add(person)
    if given and family:
        # The e-legitimation's name is the person's own: it confirms (or corrects) the name
        # care wrote when they registered the person before their first sign-in.
        person.given_name, person.family_name = given, family
        person.name_confirmed_at = utcnow()
    db.flush()
    return person


def practitioner_for(
    db: Session, settings: ProviderSettings, claims: dict[str, Any]
) -> Practitioner:
    """The Practitioner with this HSA-id; staff are never created by signing in."""
    hsa_id = str(claims.get(settings.identity_claim, ""))
    practitioner = db.scalars(select(Practitioner).where(Practitioner.hsa_id == hsa_id)).first()
    if not hsa_id or practitioner is None:
        raise SignInRefused("unknown_staff")
    if practitioner.deactivated_at is not None:
        raise SignInRefused("deactivated_staff")
    return practitioner


def logout_url(settings: ProviderSettings, id_token: str, return_to: str) -> str | None:
    """The provider's end-session URL, if it has one (RP-initiated logout)."""
    client = _oauth().create_client(settings.name)
    try:
        metadata = client.load_server_metadata()
    except (OAuthError, OSError, ValueError):
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    from urllib.parse import urlencode

    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": return_to,
            "client_id": settings.client_id,
        }
    )
    return f"{endpoint}?{query}"
