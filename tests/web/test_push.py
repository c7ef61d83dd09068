"""Push notifications through the outbox, to a local stand-in for the push services: the payload
is encrypted for the device (RFC 8291), signed with VAPID (RFC 8292), and says nothing of health;
each device is delivered and retried on its own; and only the browsers' push services are ever
called (no request to an address of Samplan's own network: SSRF)."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import http_ece
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from requests.adapters import HTTPAdapter
from sqlalchemy import select

from app.db import utcnow
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
    """Plays the browsers' push services on 127.0.0.1. Every https push is carried here, as if
    the push service's name had resolved to this address, and recorded with the host it was
    meant for. Each path (one device) may answer with its own status, redirect, or be out of
    reach."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []
        self.tried: list[str] = []  # every path a push was sent to, answered or not
        self.statuses: dict[str, int] = {}
        self.unreachable: set[str] = set()
        self.redirects: dict[str, str] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                service.received.append((headers.pop("x-push-host"), self.path, headers, body))
                if self.path in service.redirects:
                    self.send_response(307)
                    self.send_header("Location", service.redirects[self.path])
                else:
                    self.send_response(service.statuses.get(self.path, 201))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def paths(self) -> list[str]:
        return [path for _host, path, _headers, _body in self.received]


class ToPushService(HTTPAdapter):
    """The transport under Samplan's own push session: takes each push to the local service."""

    def __init__(self, service: PushService) -> None:
        super().__init__()
        self.service = service

    def send(self, request, **kwargs):  # noqa: ANN001, ANN003, ANN201
        parts = urlsplit(request.url)
        self.service.tried.append(parts.path)
        if parts.path in self.service.unreachable:
            raise requests.ConnectionError(f"{parts.hostname} does not answer")
        request.headers["X-Push-Host"] = parts.netloc
        request.url = urlunsplit(("http", self.service.url[7:], parts.path, parts.query, ""))
        return super().send(request, **kwargs)


@pytest.fixture
def push_service(push_on, monkeypatch) -> Iterator[PushService]:  # noqa: ANN001
    from app.pwa import push

    service = PushService()
    thread = threading.Thread(target=service.server.serve_forever, daemon=True)
    thread.start()
    session_without_network = push.http_session

    def session_to_service() -> requests.Session:
        session = session_without_network()  # Samplan's own session, its transport replaced
        session.mount("https://", ToPushService(service))
        return session

    monkeypatch.setattr(push, "http_session", session_to_service)
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


FCM = "https://fcm.googleapis.com/fcm/send"
MOZILLA = "https://updates.push.services.mozilla.com/wpush/v2"
REFUSED = "Aviseringar kunde inte slås på"


def post_subscription(client, body: object):  # noqa: ANN001, ANN201
    """What static/js/push.js sends: the subscription as JSON, with the CSRF header."""
    token = csrf_token(client, "/den-har-telefonen")
    headers = {"X-CSRFToken": token}
    if isinstance(body, bytes):
        return client.post(
            "/den-har-telefonen/push", data=body, content_type="application/json", headers=headers
        )
    return client.post("/den-har-telefonen/push", json=body, headers=headers)


def subscription(endpoint: object, device: Device | None = None) -> dict:
    device = device or Device()
    return {"endpoint": endpoint, "keys": {"p256dh": device.p256dh, "auth": b64(device.auth)}}


def subscribe(client, endpoint: str, device: Device) -> None:  # noqa: ANN001
    response = post_subscription(client, subscription(endpoint, device))
    assert response.status_code == 204, response.get_data(as_text=True)


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


def deliver_all(app, later: timedelta = timedelta(0)) -> Mailbox:  # noqa: ANN001
    """Run the worker until nothing is due, `later` than now."""
    mailbox = Mailbox()
    while deliver_one(app, mailbox, lambda: utcnow() + later):
        pass
    return mailbox


def push_rows(db) -> list[OutboxItem]:  # noqa: ANN001
    db.expire_all()
    query = select(OutboxItem).where(OutboxItem.channel == "push").order_by(OutboxItem.id)
    return list(db.scalars(query))


def devices(db) -> list[str]:  # noqa: ANN001
    db.expire_all()
    return list(db.scalars(select(PushSubscription.endpoint).order_by(PushSubscription.id)))


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
    endpoint = f"{FCM}/maja-phone"
    subscribe(client, endpoint, device)
    body = karin_replies_to_maja(app, db)
    queued = push_rows(db)
    assert [item.template for item in queued] == ["new_reply"]

    mailbox = deliver_all(app)
    assert len(mailbox.sent) == 1  # the mail still goes out, as before
    [(host, path, headers, raw)] = push_service.received
    assert (host, path) == ("fcm.googleapis.com", "/fcm/send/maja-phone")
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) > 0
    claims = verify_vapid(headers, endpoint, push_on)
    assert claims["aud"] == "https://fcm.googleapis.com"
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
    assert all(item.delivered_at is not None for item in push_rows(db))
    assert db.scalars(select(PushSubscription)).one().last_sent_at is not None


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_calls_gone_is_removed(
    app, auth, client, db, push_service, status
) -> None:
    auth.sign_in("patient-maja")
    subscribe(client, f"{FCM}/old-phone", Device())
    push_service.statuses["/fcm/send/old-phone"] = status
    karin_replies_to_maja(app, db)
    deliver_all(app)
    assert push_service.paths() == ["/fcm/send/old-phone"]
    assert devices(db) == []
    [item] = push_rows(db)
    assert item.delivered_at is not None
    assert f"retired: the push service answered {status}" in item.last_error


def test_a_failing_push_service_is_tried_again_later_and_the_mail_is_not_held_up(
    app, auth, client, db, push_service
) -> None:
    auth.sign_in("patient-maja")
    subscribe(client, f"{FCM}/phone", Device())
    push_service.statuses["/fcm/send/phone"] = 503
    karin_replies_to_maja(app, db)
    mailbox = deliver_all(app)
    assert len(mailbox.sent) == 1
    [item] = push_rows(db)
    assert item.delivered_at is None
    assert item.attempts == 1
    assert "503" in item.last_error
    assert devices(db) == [f"{FCM}/phone"]  # kept: not gone, only down


def test_without_a_device_no_push_is_queued(app, auth, client, db) -> None:
    karin_replies_to_maja(app, db)
    assert push_rows(db) == []


@pytest.mark.parametrize("failure", ["unreachable", "503"])
def test_one_failing_device_neither_stops_nor_delays_the_others_and_is_retired_after_a_day(
    app, auth, client, db, push_service, failure
) -> None:
    auth.sign_in("patient-maja")
    broken, phone, laptop = Device(), Device(), Device()
    subscribe(client, f"{FCM}/broken-tablet", broken)  # first: it is tried first
    subscribe(client, f"{FCM}/phone", phone)
    subscribe(client, f"{MOZILLA}/laptop", laptop)
    if failure == "unreachable":
        push_service.unreachable.add("/fcm/send/broken-tablet")
    else:
        push_service.statuses["/fcm/send/broken-tablet"] = 503
    karin_replies_to_maja(app, db)

    deliver_all(app)
    # The phone and the laptop have it at once, whatever the tablet's push service does.
    got = {path: raw for _host, path, _headers, raw in push_service.received}
    assert phone.decrypt(got["/fcm/send/phone"])["body"] == "Du har ett nytt svar i Samplan"
    assert laptop.decrypt(got["/wpush/v2/laptop"])["body"] == "Du har ett nytt svar i Samplan"
    assert push_service.tried.count("/fcm/send/broken-tablet") == 1

    # The tablet is tried again on its own; the others get nothing twice.
    deliver_all(app, later=timedelta(minutes=5))
    assert push_service.tried.count("/fcm/send/broken-tablet") == 2
    assert sorted(p for p in push_service.tried if "broken" not in p) == [
        "/fcm/send/phone",
        "/wpush/v2/laptop",
    ]
    assert len(devices(db)) == 3

    # Still failing a day later (the push's own lifetime): the tablet is retired.
    deliver_all(app, later=timedelta(hours=25))
    assert push_service.tried.count("/fcm/send/broken-tablet") == 3
    assert devices(db) == [f"{FCM}/phone", f"{MOZILLA}/laptop"]
    rows = push_rows(db)  # one row per device, each with its own attempts
    assert [row.attempts for row in rows] == [3, 1, 1]
    assert all(row.delivered_at is not None for row in rows)
    assert "retired" in rows[0].last_error
    deliver_all(app, later=timedelta(days=3))
    assert len(push_service.tried) == 5  # nothing more to anyone


def test_a_row_queued_before_devices_had_their_own_is_sent_to_each_device(
    app, auth, client, db, ids, push_service
) -> None:
    auth.sign_in("patient-maja")
    subscribe(client, f"{FCM}/phone", Device())
    subscribe(client, f"{MOZILLA}/laptop", Device())
    thread = db.scalars(select(Thread).where(Thread.subject.contains("Min vikt"))).one()
    db.add(
        OutboxItem(
            channel="push",
            recipient_person_id=ids["patient-maja"],
            template="new_reply",
            payload={"thread_id": thread.id},
            dedupe_key="push:new_reply:before",
        )
    )
    db.flush()
    deliver_all(app)
    assert sorted(push_service.paths()) == ["/fcm/send/phone", "/wpush/v2/laptop"]
    assert all(row.delivered_at is not None for row in push_rows(db))


# Addresses that are not the push services': every one is a way into Samplan's own network.
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1/x",
        "https://localhost/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/x",
        "https://push.example.invalid/abc",
        "https://fcm.googleapis.com:8443/fcm/send/x",
        "https://fcm.googleapis.com:80/fcm/send/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://user@fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com@127.0.0.1/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://evilfcm.googleapis.com/x",
        "https://notify.windows.com/w/?token=x",
        "https://127.0.0.1.notify.windows.com/w/",
        "https://fcm.googleapis.com/fcm/send/x y",
        "https://fcm.googleapis.com\\@127.0.0.1/x",
        "https://fcm.googleapis.com/fcm/send/x#fragment",
        "https://fcm.googleapis.com/fcm/send/" + "a" * 2000,
        "file:///etc/passwd",
        "",
        12345,
        [f"{FCM}/x"],
        None,
    ],
)
def test_only_the_push_services_own_endpoints_are_accepted(
    auth, client, db, push_dns, push_on, endpoint
) -> None:
    push_dns.answers["127.0.0.1.notify.windows.com"] = ["127.0.0.1"]
    auth.sign_in("patient-per")
    response = post_subscription(client, subscription(endpoint))
    assert response.status_code == 400, endpoint
    assert REFUSED in response.get_data(as_text=True)
    assert devices(db) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        f"{FCM}/abc",
        "https://fcm.googleapis.com/wp/abc",
        f"{MOZILLA}/abc",
        "https://web.push.apple.com/QGx0",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
        "https://FCM.googleapis.com:443/fcm/send/abc",
    ],
)
def test_the_browsers_push_services_are_accepted(auth, client, db, push_on, endpoint) -> None:
    auth.sign_in("patient-per")
    assert post_subscription(client, subscription(endpoint)).status_code == 204
    assert devices(db) == [endpoint]


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.1.2.3"],
        ["172.16.0.1"],
        ["192.168.1.1"],
        ["169.254.169.254"],
        ["100.64.0.1"],
        ["0.0.0.0"],
        ["224.0.0.1"],
        ["240.0.0.1"],
        ["::1"],
        ["::"],
        ["fe80::1%eth0"],
        ["fc00::1"],
        ["ff02::1"],
        ["::ffff:127.0.0.1"],
        ["2002:7f00:1::1"],
        ["142.250.74.42", "10.0.0.1"],  # one inside among public ones is enough
        [],
    ],
)
def test_a_push_service_name_that_resolves_inside_the_network_is_refused(
    auth, client, db, push_dns, push_on, addresses
) -> None:
    push_dns.answers["fcm.googleapis.com"] = addresses
    auth.sign_in("patient-per")
    response = post_subscription(client, subscription(f"{FCM}/x"))
    assert response.status_code == 400, addresses
    assert REFUSED in response.get_data(as_text=True)
    assert devices(db) == []


def test_a_name_that_does_not_resolve_is_refused(auth, client, db, push_on, monkeypatch) -> None:
    import socket

    from app.pwa import endpoints

    def fails(host: str) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(endpoints, "resolve", fails)
    auth.sign_in("patient-per")
    assert post_subscription(client, subscription(f"{FCM}/x")).status_code == 400
    assert devices(db) == []


def test_the_resolver_asks_the_system_for_the_addresses_of_a_name() -> None:
    from app.pwa import endpoints

    assert set(endpoints.resolve("localhost")) & {"127.0.0.1", "::1"}


def test_a_deployment_chooses_its_own_push_services(app, auth, client, db, push_on, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_SERVICE_HOSTS", ("push.region.example", "*.push.example"))
    auth.sign_in("patient-per")
    assert post_subscription(client, subscription(f"{FCM}/x")).status_code == 400
    for endpoint in ("https://push.region.example/a", "https://eu.push.example/b"):
        assert post_subscription(client, subscription(endpoint)).status_code == 204
    assert devices(db) == ["https://push.region.example/a", "https://eu.push.example/b"]


def test_the_name_is_checked_again_before_each_push(app, auth, client, db, push_dns, push_service):
    auth.sign_in("patient-maja")
    subscribe(client, f"{FCM}/phone", Device())
    push_dns.answers["fcm.googleapis.com"] = ["10.0.0.7"]  # DNS changed since
    karin_replies_to_maja(app, db)
    deliver_all(app)
    assert push_service.received == []
    [item] = push_rows(db)
    assert item.delivered_at is None
    assert "10.0.0.7" in item.last_error
    assert devices(db) == [f"{FCM}/phone"]  # an answer that may change back: tried again
    del push_dns.answers["fcm.googleapis.com"]
    deliver_all(app, later=timedelta(minutes=5))
    assert push_service.paths() == ["/fcm/send/phone"]


def test_a_device_stored_with_an_endpoint_samplan_does_not_call_is_retired_unsent(
    app, auth, client, db, ids, push_service
) -> None:
    device = Device()
    for endpoint in ("https://169.254.169.254/latest/meta-data/", "https://127.0.0.1:8443/x"):
        db.add(
            PushSubscription(
                person_id=ids["patient-maja"],
                endpoint=endpoint,
                p256dh=device.p256dh,
                auth=b64(device.auth),
            )
        )
    db.flush()
    karin_replies_to_maja(app, db)
    deliver_all(app)
    assert push_service.received == []
    assert devices(db) == []
    assert all("retired" in row.last_error for row in push_rows(db))


def test_a_redirect_from_a_push_service_is_not_followed(app, auth, client, db, push_service):
    auth.sign_in("patient-maja")
    subscribe(client, f"{FCM}/phone", Device())
    push_service.redirects["/fcm/send/phone"] = "https://169.254.169.254/latest/meta-data/"
    karin_replies_to_maja(app, db)
    deliver_all(app)
    assert push_service.tried == ["/fcm/send/phone"]
    [item] = push_rows(db)
    assert item.delivered_at is None


@pytest.mark.parametrize(
    "key",
    [
        {"p256dh": "BKey"},
        {"p256dh": "B" * 2001},
        {"p256dh": b64(b"\x04" + b"\x01" * 64)},  # not a point on P-256
        {"auth": "secret"},
        {"auth": b64(os.urandom(12))},
        {"auth": "!" * 22},
        {"auth": "a" * 2001},
        {"auth": ""},
    ],
)
def test_a_subscription_with_bad_keys_is_refused(auth, client, db, push_on, key) -> None:
    auth.sign_in("patient-per")
    body = subscription(f"{FCM}/x")
    body["keys"].update(key)
    response = post_subscription(client, body)
    assert response.status_code == 400
    assert REFUSED in response.get_data(as_text=True)
    assert devices(db) == []


def nested(depth: int) -> bytes:
    return b'{"endpoint": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (nested(5000), "Det som skickades gick inte att läsa."),
        (nested(40), "Det som skickades gick inte att läsa."),
        (json.dumps(subscription(f"{FCM}/" + "a" * 100_000)).encode(), "för stort"),
        (b"[" * 100_000, "för stort"),
        (json.dumps(subscription(f"{FCM}/a\x00b")).encode(), "tecken som inte går att spara"),
        (json.dumps({**subscription(f"{FCM}/a"), "x\x00": 1}).encode(), "inte går att spara"),
        (json.dumps(subscription(f"{FCM}/a\ud800")).encode(), "tecken som inte går att spara"),
        (b'{"endpoint": "https://fcm.googleapis.com/a\x00"}', "gick inte att läsa"),
        (b"\xff\xfe{}", "gick inte att läsa"),
        (b"{", "gick inte att läsa"),
    ],
)
def test_bad_json_is_refused_in_swedish_never_a_server_error(
    auth, client, db, push_on, body, message
) -> None:
    auth.sign_in("patient-per")
    response = post_subscription(client, body)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert devices(db) == []
