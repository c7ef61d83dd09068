"""Push notifications through the outbox, to a local stand-in for a push service: the payload is
encrypted for the device (RFC 8291), signed with VAPID (RFC 8292), and says nothing of health."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from app.messages.models import Message, Thread
from app.notifications.models import OutboxItem
from app.notifications.worker import deliver_one
from app.pwa.models import PushSubscription
from tests.conftest import Auth, csrf_token


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """Plays the browser vendor's push service on 127.0.0.1: records what it is sent."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append(
                    (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    thread = threading.Thread(target=service.server.serve_forever, daemon=True)
    thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


class Device:
    """A browser's side of a subscription: its ECDH key pair and auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh = b64(raw)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def subscribe(client, endpoint: str, device: Device) -> None:  # noqa: ANN001
    token = csrf_token(client, "/den-har-telefonen")
    response = client.post(
        "/den-har-telefonen/push",
        json={"endpoint": endpoint, "keys": {"p256dh": device.p256dh, "auth": b64(device.auth)}},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 204


def karin_replies_to_maja(app, db) -> str:  # noqa: ANN001
    thread = db.scalars(select(Thread).where(Thread.subject.contains("Min vikt"))).one()
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    page = karin.get(f"/meddelanden/{thread.id}").get_data(as_text=True)
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    body = "Öka furosemiden till 40 mg i tre dagar och väg dig varje morgon."
    response = karin.post(
        f"/meddelanden/{thread.id}/svar",
        data={
            "csrf_token": csrf_token(karin, f"/meddelanden/{thread.id}"),
            "key": key,
            "body": body,
        },
    )
    assert response.status_code == 303
    return body


class Mailbox:
    def __init__(self) -> None:
        self.sent: list[object] = []

    def send(self, message) -> None:  # noqa: ANN001
        self.sent.append(message)


def deliver_all(app) -> Mailbox:  # noqa: ANN001
    mailbox = Mailbox()
    while deliver_one(app, mailbox):
        pass
    return mailbox


def verify_vapid(headers: dict[str, str], endpoint: str, public_key: str) -> dict:
    match = re.fullmatch(r"vapid t=([\w.-]+), ?k=([\w-]+)", headers["authorization"])
    assert match, headers["authorization"]
    token, key = match.groups()
    assert key == public_key
    head, claims, signature = token.split(".")
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    verifier.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises
    decoded = json.loads(unb64(claims))
    return decoded


def test_a_reply_from_karin_reaches_majas_phone_encrypted_and_without_health_content(
    app,
    auth,
    client,
    db,
    push_on,
    push_service,
) -> None:
    device = Device()
    auth.sign_in("patient-maja")
    endpoint = f"{push_service.url}/send/maja-phone"
    subscribe(client, endpoint, device)
    body = karin_replies_to_maja(app, db)
    queued = db.scalars(select(OutboxItem).where(OutboxItem.channel == "push")).all()
    assert [item.template for item in queued] == ["new_reply"]

    mailbox = deliver_all(app)
    assert len(mailbox.sent) == 1  # the mail still goes out, as before
    [(path, headers, raw)] = push_service.received
    assert path == "/send/maja-phone"
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) > 0
    claims = verify_vapid(headers, endpoint, push_on)
    assert claims["aud"] == push_service.url
    assert claims["sub"] == app.config["VAPID_SUBJECT"]
    assert b"Samplan" not in raw  # encrypted: nothing readable on the way

    payload = device.decrypt(raw)
    assert payload == {
        "title": "Samplan",
        "body": "Du har ett nytt svar i Samplan",
        "url": "/meddelanden",
    }
    text = json.dumps(payload, ensure_ascii=False).lower()
    for words in [body, "furosemid", "Min vikt", *db.scalars(select(Message.body))]:
        assert words.lower() not in text
    db.expire_all()
    assert all(item.delivered_at is not None for item in queued)
    assert db.scalars(select(PushSubscription)).one().last_sent_at is not None


def test_a_subscription_the_push_service_calls_gone_is_removed(
    app,
    auth,
    client,
    db,
    push_on,
    push_service,
) -> None:
    auth.sign_in("patient-maja")
    subscribe(client, f"{push_service.url}/send/old-phone", Device())
    push_service.status = 410
    karin_replies_to_maja(app, db)
    deliver_all(app)
    assert len(push_service.received) == 1
    db.expire_all()
    assert db.scalars(select(PushSubscription)).all() == []
    [item] = db.scalars(select(OutboxItem).where(OutboxItem.channel == "push")).all()
    assert item.delivered_at is not None
    assert item.last_error == "no device"


def test_a_failing_push_service_is_tried_again_later_and_the_mail_is_not_held_up(
    app,
    auth,
    client,
    db,
    push_on,
    push_service,
) -> None:
    auth.sign_in("patient-maja")
    subscribe(client, f"{push_service.url}/send/phone", Device())
    push_service.status = 503
    karin_replies_to_maja(app, db)
    mailbox = deliver_all(app)
    assert len(mailbox.sent) == 1
    db.expire_all()
    [item] = db.scalars(select(OutboxItem).where(OutboxItem.channel == "push")).all()
    assert item.delivered_at is None
    assert item.attempts == 1
    assert "503" in item.last_error
    assert db.scalars(select(PushSubscription)).one() is not None  # kept: not gone, only down


def test_without_a_device_no_push_is_queued(app, auth, client, db) -> None:
    karin_replies_to_maja(app, db)
    assert db.scalars(select(OutboxItem).where(OutboxItem.channel == "push")).all() == []
