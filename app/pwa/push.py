"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291), via pywebpush.

The payload says only that there is something new and where to look: never health content.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from flask import Flask
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from app.pwa import endpoints
from app.pwa.models import PushSubscription

# The push service no longer knows this subscription: remove it (RFC 8030 §7.3).
GONE = {404, 410}
# How long a push service keeps a push for a phone that is off. A device whose push service has
# failed for that long is retired: by then the news is stale anyway.
TTL = timedelta(hours=24)


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


def http_session() -> requests.Session:
    """The HTTP session pushes go out on. It follows no redirect: a push service answers a push
    itself, and a redirect could point anywhere, past the checks on the endpoint."""
    session = requests.Session()
    session.max_redirects = 0  # a redirect is an error (TooManyRedirects), tried again later
    return session


class Gone(Exception):
    """The device will never get a push at this endpoint: retire it."""


@dataclass
class PushChannel:
    """Sends a notification to one device (the outbox has a row for each)."""

    vapid: Vapid
    subject: str
    hosts: tuple[str, ...]
    http: requests.Session
    timeout: float = 10.0

    def send(self, device: PushSubscription, title: str, body: str, url: str) -> None:
        """Push to `device`. Raises Gone when the push service says the subscription is gone
        (RFC 8030 §7.3) or its endpoint is not one Samplan calls; any other error to be tried
        again later. The endpoint's host is resolved and checked again first: it may resolve
        elsewhere now than when the browser subscribed."""
        try:
            endpoints.check(device.endpoint, self.hosts)
        except endpoints.RefusedEndpoint as refused:
            if refused.lasting:
                raise Gone(str(refused)) from None
            raise
        try:
            webpush(
                subscription_info={
                    "endpoint": device.endpoint,
                    "keys": {"p256dh": device.p256dh, "auth": device.auth},
                },
                data=json.dumps({"title": title, "body": body, "url": url}),
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.subject},
                ttl=int(TTL.total_seconds()),
                timeout=self.timeout,
                requests_session=self.http,
            )
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            if status in GONE:
                raise Gone(f"the push service answered {status}") from None
            raise


def push_channel_for(app: Flask) -> PushChannel | None:
    """The push channel if VAPID is configured, else None (push is off)."""
    setting = app.config.get("VAPID_PRIVATE_KEY")
    if not setting:
        return None
    return PushChannel(
        load_vapid(setting),
        app.config["VAPID_SUBJECT"],
        tuple(app.config["PUSH_SERVICE_HOSTS"]),
        http_session(),
    )


def application_server_key(app: Flask) -> str | None:
    """The public key browsers subscribe with, or None when push is off (read once)."""
    setting = app.config.get("VAPID_PRIVATE_KEY")
    if not setting:
        return None
    cache = app.extensions.setdefault("samplan_vapid_public", {})
    if setting not in cache:
        cache[setting] = public_key(load_vapid(setting))
    return cache[setting]
