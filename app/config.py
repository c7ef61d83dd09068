"""Configuration, read from the environment in one place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The browsers' own push services: Chrome and the other Chromium browsers (Firebase Cloud
# Messaging), Firefox (Mozilla autopush), Safari (Apple) and Edge on Windows (WNS, one host per
# region). push.services.mozilla.com is the browser's own WebSocket, never an endpoint.
BROWSER_PUSH_SERVICES = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    "*.notify.windows.com",
)


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """The configuration is not safe to start with."""


class Config:
    """Every setting Samplan reads, with its environment variable."""

    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        env = os.environ
        self.DEMO_MODE: bool = _flag("SAMPLAN_DEMO")
        self.TESTING: bool = False
        self.SECRET_KEY: str | None = env.get("SECRET_KEY")
        self.DATABASE_URL: str = env.get(
            "DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'samplan.db'}"
        )
        self.REDIS_URL: str | None = env.get("REDIS_URL")
        self.TIMEZONE: str = env.get("SAMPLAN_TIMEZONE", "Europe/Stockholm")
        self.BABEL_DEFAULT_LOCALE: str = "sv"
        self.BABEL_DEFAULT_TIMEZONE: str = self.TIMEZONE
        self.BABEL_TRANSLATION_DIRECTORIES: str = str(ROOT / "translations")
        self.LANGUAGES: tuple[str, ...] = ("sv", "en", "ar", "fi", "so")
        self.SQL_ECHO: bool = _flag("SAMPLAN_SQL_ECHO")
        self.WTF_CSRF_TIME_LIMIT: int | None = None
        # A request body larger than this is refused (413) before it is read: no form of Samplan
        # comes near it, and a larger one would only fill the server's memory.
        self.MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
        self.SESSION_IDLE_MINUTES: int = int(env.get("SAMPLAN_SESSION_IDLE_MINUTES", "15"))
        self.SESSION_ABSOLUTE_HOURS: int = int(env.get("SAMPLAN_SESSION_ABSOLUTE_HOURS", "12"))
        self.RATELIMIT_ENABLED: bool = not _flag("SAMPLAN_RATELIMIT_OFF")
        self.RATELIMIT_STORAGE_URI: str = self.REDIS_URL or "memory://"
        # Keeps the counts apart when several deployments share one Redis.
        self.RATELIMIT_KEY_PREFIX: str = env.get("SAMPLAN_RATELIMIT_KEY_PREFIX", "samplan")
        self.RATELIMIT_SIGN_IN: str = env.get("SAMPLAN_RATELIMIT_SIGN_IN", "10 per minute")
        # SIP meetings' deadlines (app/sip/deadlines.py: seed 003's unless the region decides).
        self.SIP_CALL_WORKING_DAYS: int = int(env.get("SAMPLAN_SIP_CALL_WORKING_DAYS", "3"))
        self.SIP_MEETING_WITHIN_DAYS: int = int(env.get("SAMPLAN_SIP_MEETING_WITHIN_DAYS", "21"))
        self.SIP_DOCUMENTED_DAYS: int = int(env.get("SAMPLAN_SIP_DOCUMENTED_DAYS", "3"))
        self.RATELIMIT_WRITE: str = env.get("SAMPLAN_RATELIMIT_WRITE", "30 per minute")
        self.RATELIMIT_INVITATION_CODE: str = env.get(
            "SAMPLAN_RATELIMIT_INVITATION_CODE", "5 per 15 minutes"
        )
        # One-time codes a person may ask for, per kind of address (app/contact).
        self.RATELIMIT_CONTACT_CODE: str = env.get("SAMPLAN_RATELIMIT_CONTACT_CODE", "5 per hour")
        # Refused attempts (404s from the gate) per signed-in person or practitioner; past it,
        # 429 and no more refusals in the patients' access logs (app.access.refusals).
        self.RATELIMIT_REFUSALS: str = env.get("SAMPLAN_RATELIMIT_REFUSALS", "20 per 10 minutes")
        # Which scopes relatives may be granted here (HFD 2017:67: regions read the law
        # differently). Space-separated Scope values; the default allows all.
        self.PROXY_ALLOWED_SCOPES: frozenset[str] = frozenset(
            env.get(
                "SAMPLAN_PROXY_SCOPES",
                "read_plans read_messages write_messages answer_for appointments",
            ).split()
        )
        self.BASE_URL: str = env.get("SAMPLAN_BASE_URL", "http://127.0.0.1:5000")
        self.SMTP_HOST: str | None = env.get("SAMPLAN_SMTP_HOST")
        self.SMTP_PORT: int = int(env.get("SAMPLAN_SMTP_PORT", "25"))
        self.SMTP_USERNAME: str | None = env.get("SAMPLAN_SMTP_USERNAME")
        self.SMTP_PASSWORD: str | None = env.get("SAMPLAN_SMTP_PASSWORD")
        self.SMTP_STARTTLS: bool = _flag("SAMPLAN_SMTP_STARTTLS")
        self.MAIL_FROM: str = env.get("SAMPLAN_MAIL_FROM", "Samplan <noreply@samplan.invalid>")
        self.MAIL_FOLDER: str = env.get("SAMPLAN_MAIL_FOLDER", str(ROOT / "instance" / "mail"))
        # Text messages: an SMS gateway speaking 46elks' protocol (a form POST of from, to and
        # message with HTTP basic auth), e.g. https://api.46elks.com/a1/sms. Unset: in demo and
        # test mode they are written to SMS_FOLDER; elsewhere mobile numbers are not offered.
        self.SMS_URL: str | None = env.get("SAMPLAN_SMS_URL")
        self.SMS_USERNAME: str = env.get("SAMPLAN_SMS_USERNAME", "")
        self.SMS_PASSWORD: str = env.get("SAMPLAN_SMS_PASSWORD", "")
        # The sender shown: an E.164 number or up to 11 letters and digits.
        self.SMS_FROM: str = env.get("SAMPLAN_SMS_FROM", "Samplan")
        # Unset: a folder "sms" beside MAIL_FOLDER.
        self.SMS_FOLDER: str | None = env.get("SAMPLAN_SMS_FOLDER")
        # Web Push (VAPID): a P-256 private key, as a PEM file's path or its base64url text.
        # Unset: push notifications are off and not offered.
        self.VAPID_PRIVATE_KEY: str | None = env.get("SAMPLAN_VAPID_PRIVATE_KEY")
        self.VAPID_SUBJECT: str = env.get("SAMPLAN_VAPID_SUBJECT", "mailto:noreply@samplan.invalid")
        # The push services Samplan sends to: a browser's subscription names one of these hosts,
        # or it is refused ("*." matches any subdomain). Nothing else is ever called, so a
        # subscription cannot make Samplan's servers call into their own network.
        self.PUSH_SERVICE_HOSTS: tuple[str, ...] = tuple(
            env.get("SAMPLAN_PUSH_HOSTS", " ".join(BROWSER_PUSH_SERVICES)).lower().split()
        )
        from app.accounts.oidc import settings_from_env

        self.OIDC_PROVIDERS = settings_from_env()
        self.SESSION_COOKIE_HTTPONLY: bool = True
        self.SESSION_COOKIE_SAMESITE: str = "Lax"
        for key, value in (overrides or {}).items():
            setattr(self, key, value)
        if self.DEMO_MODE or self.TESTING:
            self.SECRET_KEY = self.SECRET_KEY or "samplan-demo-not-secret"
            self.SESSION_COOKIE_SECURE = False
            self.SESSION_COOKIE_NAME = "samplan"
        else:
            # __Host- cookies are Secure, host-only and path=/, so no subdomain can set them.
            self.SESSION_COOKIE_SECURE = True
            self.SESSION_COOKIE_NAME = "__Host-samplan"

    def validate(self) -> None:
        """Refuse to start outside demo and test mode without the settings that keep data safe."""
        if self.DEMO_MODE or self.TESTING:
            return
        if not self.SECRET_KEY or len(self.SECRET_KEY) < 32:
            raise ConfigError("SECRET_KEY must be set to at least 32 characters outside demo mode.")
        if self.DATABASE_URL.startswith("sqlite"):
            raise ConfigError("DATABASE_URL must point at PostgreSQL outside demo mode.")
        if not self.REDIS_URL:
            # gunicorn's workers are processes, and hosts are more: limits kept in memory would
            # be counted apart in each one.
            raise ConfigError("REDIS_URL must be set outside demo mode (shared rate limits).")
        for name in ("eid", "staff"):
            settings = self.OIDC_PROVIDERS.get(name)
            if settings is None or not settings.client_id or not settings.client_secret:
                raise ConfigError(
                    f"SAMPLAN_OIDC_{name.upper()}_ISSUER, _CLIENT_ID and _CLIENT_SECRET "
                    "must be set "
                    "outside demo mode."
                )

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if key.isupper()}
