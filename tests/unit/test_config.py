"""Outside demo mode Samplan refuses unsafe configuration and hardens its cookies."""

from __future__ import annotations

import pytest

from app.accounts.oidc import LOA3, settings_from_env
from app.config import Config, ConfigError

PG = "postgresql+psycopg://samplan@db/samplan"
KEY = "k" * 40


def env(**extra: str) -> dict[str, str]:
    base = {}
    for name in ("EID", "STAFF"):
        base[f"SAMPLAN_OIDC_{name}_ISSUER"] = f"https://idp.example/{name.lower()}"
        base[f"SAMPLAN_OIDC_{name}_CLIENT_ID"] = "samplan"
        base[f"SAMPLAN_OIDC_{name}_CLIENT_SECRET"] = "s3cret"
    return {**base, **extra}


def production(**overrides: object) -> Config:
    return Config(
        {
            "SECRET_KEY": KEY,
            "DATABASE_URL": PG,
            "REDIS_URL": "redis://cache.example:6379/0",
            "OIDC_PROVIDERS": settings_from_env(env()),
            **overrides,
        }
    )


def test_a_complete_production_config_starts_with_hardened_cookies() -> None:
    config = production()
    config.validate()
    assert config.SESSION_COOKIE_NAME == "__Host-samplan"
    assert config.SESSION_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"


@pytest.mark.parametrize(
    "overrides",
    [
        {"SECRET_KEY": None},
        {"SECRET_KEY": "short"},
        {"DATABASE_URL": "sqlite:///x.db"},
        {"REDIS_URL": None},
        {"OIDC_PROVIDERS": {}},
        {"OIDC_PROVIDERS": settings_from_env(env(SAMPLAN_OIDC_STAFF_CLIENT_SECRET=""))},
    ],
)
def test_unsafe_production_config_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        production(**overrides).validate()


def test_provider_settings_default_to_the_swedish_profile() -> None:
    eid = settings_from_env(env())["eid"]
    assert eid.identity_claim == "https://id.oidc.se/claim/personalIdentityNumber"
    assert eid.minimum_acr == LOA3
    assert eid.scopes == "openid profile"
    assert settings_from_env({}) == {}


def test_hsts_outside_demo_mode(tmp_path) -> None:
    from app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    response = app.test_client().get("/logga-in")
    max_age = int(response.headers["Strict-Transport-Security"].split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 3600


def test_the_worker_refuses_the_mail_folder_outside_demo_mode(tmp_path) -> None:
    from app import create_app
    from app.notifications.worker import FolderChannel, channel_for

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert isinstance(channel_for(app), FolderChannel)  # demo and tests: .eml files
    app.config["TESTING"] = False
    with pytest.raises(ConfigError, match="SAMPLAN_SMTP_HOST"):
        channel_for(app)


def test_push_services_default_to_the_browsers_own_and_are_a_setting(monkeypatch) -> None:
    monkeypatch.delenv("SAMPLAN_PUSH_HOSTS", raising=False)
    assert Config().PUSH_SERVICE_HOSTS == (
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
        "*.notify.windows.com",
    )
    monkeypatch.setenv("SAMPLAN_PUSH_HOSTS", " Push.Region.example  *.push.example ")
    assert Config().PUSH_SERVICE_HOSTS == ("push.region.example", "*.push.example")
