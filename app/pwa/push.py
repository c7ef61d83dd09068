"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291), via pywebpush.

The payload says only that there is something new and where to look: never health content.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from flask import Flask
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.pwa.models import PushSubscription

log = logging.getLogger(__name__)
# The push service no longer knows this subscription: remove it (RFC 8030 §7.3).
GONE = {404, 410}


def load_vapid(setting: str) -> Vapid:
    """The VAPID key from a PEM file's path or from its base64url text."""
    path = Path(setting)
    if path.is_file():
        return Vapid.from_file(str(path))
    return Vapid.from_string(private_key=setting)


def public_key(vapid: Vapid) -> str:
    """The application server key a browser subscribes with (base64url, uncompressed point)."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def generate_key_file(path: Path) -> None:
    """Write a new VAPID private key as PEM (the demo makes one for itself)."""
    vapid = Vapid()
    vapid.generate_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    vapid.save_key(str(path))


def endpoint_allowed(endpoint: str, testing: bool = False) -> bool:
    """Only https push services; a test may play the push service on the loopback address."""
    parts = urlsplit(endpoint)
    if parts.scheme == "https" and parts.hostname:
        return True
    return testing and parts.scheme == "http" and parts.hostname == "127.0.0.1"


@dataclass
class PushChannel:
    """Sends a notification to every device a person has subscribed."""

    vapid: Vapid
    subject: str
    timeout: float = 10.0

    def send(self, session: Session, person_id: int, title: str, body: str, url: str) -> int:
        """Push to each of the person's devices; forget devices the push service calls gone.
        Raises on any other failure, so the outbox tries again later. Returns how many got it."""
        payload = json.dumps({"title": title, "body": body, "url": url})
        rows = session.scalars(
            select(PushSubscription).where(PushSubscription.person_id == person_id)
        ).all()
        sent, failures = 0, []
        for row in rows:
            try:
                webpush(
                    subscription_info={
                        "endpoint": row.endpoint,
                        "keys": {"p256dh": row.p256dh, "auth": row.auth},
                    },
                    data=payload,
                    vapid_private_key=self.vapid,
                    vapid_claims={"sub": self.subject},
                    ttl=24 * 3600,
                    timeout=self.timeout,
                )
            except WebPushException as error:
                status = error.response.status_code if error.response is not None else None
                if status in GONE:
                    session.execute(delete(PushSubscription).where(PushSubscription.id == row.id))
                    continue
                failures.append(f"{status}: {error.message}")
                continue
            row.last_sent_at = utcnow()
            sent += 1
        if failures and not sent:
            raise RuntimeError(("push failed: " + "; ".join(failures))[:500])
        return sent


def push_channel_for(app: Flask) -> PushChannel | None:
    """The push channel if VAPID is configured, else None (push is off)."""
    setting = app.config.get("VAPID_PRIVATE_KEY")
    if not setting:
        return None
    return PushChannel(load_vapid(setting), app.config["VAPID_SUBJECT"])


def application_server_key(app: Flask) -> str | None:
    """The public key browsers subscribe with, or None when push is off (read once)."""
    setting = app.config.get("VAPID_PRIVATE_KEY")
    if not setting:
        return None
    cache = app.extensions.setdefault("samplan_vapid_public", {})
    if setting not in cache:
        cache[setting] = public_key(load_vapid(setting))
    return cache[setting]
