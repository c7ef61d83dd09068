"""What a person is told, and how: their choices per topic and channel, text messages through the
folder or a gateway speaking 46elks' protocol, and the safety notices that always go."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts.models import Person
from app.notifications.channels import FolderSmsChannel, HttpSmsChannel
from app.notifications.models import OutboxItem
from app.notifications.services import ALWAYS, TOPIC_OF, queue
from app.notifications.worker import CODES, TEMPLATES, deliver_one, sms_channel_for
from app.pwa.models import PushSubscription

# Templates for staff, who are told by mail as app/accounts/views.py settings says.
STAFF_TEMPLATES = {
    "new_patient_message",
    "patient_voice",
    "representative_objection",
    "handover_offered",
    "daily_summary",
    "appointment_answer_overdue",
    "sip_meeting_called_staff",
    "sip_meeting_answered",
    "sip_meeting_cancelled_staff",
}


class Recorder:
    def __init__(self) -> None:
        self.sent: list = []

    def send(self, message) -> None:  # noqa: ANN001
        self.sent.append(message)


def items(db, person_id: int, key: str) -> dict[str, OutboxItem]:  # noqa: ANN001
    db.expire_all()
    rows = db.scalars(
        select(OutboxItem).where(
            OutboxItem.recipient_person_id == person_id, OutboxItem.dedupe_key.contains(key)
        )
    ).all()
    return {row.channel: row for row in rows}


@pytest.fixture
def maja(db, ids) -> Person:  # noqa: ANN001
    """Maja, with a confirmed mail address and mobile number and one phone with push on."""
    person = db.get(Person, ids["patient-maja"])
    person.phone = "+46701740611"
    db.add(
        PushSubscription(
            person_id=person.id, endpoint="https://push.example.invalid/1", p256dh="k", auth="a"
        )
    )
    db.flush()
    return person


def test_every_template_has_a_topic_or_is_for_staff_or_a_code() -> None:
    assert set(TOPIC_OF) | STAFF_TEMPLATES | CODES == set(TEMPLATES)
    assert not set(TOPIC_OF) & STAFF_TEMPLATES
    assert set(TOPIC_OF.values()) <= {"reply", "plan", "appointment", "reminder", "request", ALWAYS}


def test_a_notification_goes_on_each_channel_chosen_for_its_topic(db, maja) -> None:
    queue(db, "new_reply", "t:1", person_id=maja.id, payload={"thread_id": 1})
    assert set(items(db, maja.id, "t:1")) == {"email", "sms", "push"}

    maja.notify_channels = "sms"
    queue(db, "new_reply", "t:2", person_id=maja.id)
    assert set(items(db, maja.id, "t:2")) == {"sms"}

    maja.notify_channels = "email push"
    queue(db, "plan_published", "t:3", person_id=maja.id)
    assert set(items(db, maja.id, "t:3")) == {"email", "push"}

    maja.notify_topics = "reply"  # plans no longer
    queue(db, "plan_published", "t:4", person_id=maja.id)
    queue(db, "new_reply", "t:5", person_id=maja.id)
    queue(db, "goal_decided", "t:6", person_id=maja.id)
    assert items(db, maja.id, "t:4") == {}
    assert set(items(db, maja.id, "t:5")) == {"email", "push"}
    assert items(db, maja.id, "t:6") == {}

    maja.notify_topics = "reply plan appointment reminder request"
    maja.notify_channels = ""
    queue(db, "new_reply", "t:7", person_id=maja.id)
    assert items(db, maja.id, "t:7") == {}


def test_only_confirmed_addresses_are_used(db, ids) -> None:
    greta = db.get(Person, ids["patient-greta"])  # no address, no push device
    queue(db, "new_reply", "g:1", person_id=greta.id)
    assert items(db, greta.id, "g:1") == {}
    greta.email = "greta@example.org"
    queue(db, "new_reply", "g:2", person_id=greta.id)
    assert set(items(db, greta.id, "g:2")) == {"email"}


def test_safety_notices_go_out_whatever_the_choice(db, maja) -> None:
    maja.notify_topics = ""
    maja.notify_channels = ""
    for template in ("proxy_activated", "proxy_expiring", "representative_registered"):
        queue(db, template, f"s:{template}", person_id=maja.id, payload={"grant_id": 1})
        assert set(items(db, maja.id, f"s:{template}")) == {"email", "sms", "push"}, template


def test_an_sms_says_what_is_new_and_links_in_the_recipients_language(
    app, db, ids, maja, tmp_path
) -> None:
    ali = db.get(Person, ids["patient-ali"])  # Arabic
    maja.notify_channels = ali.notify_channels = "sms"
    queue(db, "new_reply", "m:1", person_id=maja.id)
    queue(db, "new_reply", "a:1", person_id=ali.id)
    db.flush()
    folder = tmp_path / "sms"
    while deliver_one(app, Recorder(), sms=FolderSmsChannel(folder)):
        pass
    texts = {p.read_text(encoding="utf-8") for p in folder.glob("*.txt")}
    base = app.config["BASE_URL"]
    assert f"To: +46701740611\n\nDu har ett nytt svar i Samplan: {base}/meddelanden\n" in texts
    with app.test_request_context(), force_locale("ar"):
        subject = str(TEMPLATES["new_reply"][0])
    assert ali.phone == "070-174 06 15"  # the demo's number, as written
    assert f"To: +46701740615\n\n{subject}: {base}/meddelanden\n" in texts
    assert len(texts) == 2


class Gateway(BaseHTTPRequestHandler):
    """A fake SMS gateway on 127.0.0.1: records each request, answers with `status`."""

    status = 200
    requests: list[tuple[str, dict[str, list[str]], str, str]] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        type(self).requests.append(
            (
                self.path,
                parse_qs(body),
                self.headers.get("Authorization", ""),
                self.headers.get("Content-Type", ""),
            )
        )
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "created", "id": "s1"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    Gateway.requests = []
    Gateway.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/a1/sms"
    server.shutdown()
    server.server_close()


def test_the_gateway_gets_from_to_and_message_with_basic_auth(gateway) -> None:
    channel = HttpSmsChannel(gateway, "u123", "secret", "Samplan")
    channel.send("+46701740611", "Du har ett nytt svar i Samplan: https://x/meddelanden")
    [(path, form, authorization, content_type)] = Gateway.requests
    assert path == "/a1/sms"
    assert content_type == "application/x-www-form-urlencoded"
    assert form == {
        "from": ["Samplan"],
        "to": ["+46701740611"],
        "message": ["Du har ett nytt svar i Samplan: https://x/meddelanden"],
    }
    assert authorization == "Basic " + base64.b64encode(b"u123:secret").decode()


def test_the_gateway_is_taken_from_configuration(app, monkeypatch, gateway) -> None:
    monkeypatch.setitem(app.config, "SMS_URL", gateway)
    monkeypatch.setitem(app.config, "SMS_USERNAME", "u1")
    monkeypatch.setitem(app.config, "SMS_PASSWORD", "p1")
    monkeypatch.setitem(app.config, "SMS_FROM", "Region")
    channel = sms_channel_for(app)
    assert isinstance(channel, HttpSmsChannel)
    assert (channel.url, channel.username, channel.password, channel.sender) == (
        gateway,
        "u1",
        "p1",
        "Region",
    )
    monkeypatch.setitem(app.config, "SMS_URL", None)
    monkeypatch.setitem(app.config, "SMS_FOLDER", None)
    folder = sms_channel_for(app)
    assert isinstance(folder, FolderSmsChannel)
    assert folder.folder == Path(app.config["MAIL_FOLDER"]).parent / "sms"
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "DEMO_MODE", False)
    assert sms_channel_for(app) is None  # outside the demo, only a configured gateway


def test_a_gateway_that_refuses_or_is_down_makes_the_outbox_try_again(
    app, db, maja, gateway
) -> None:
    maja.notify_channels = "sms"
    queue(db, "new_reply", "r:1", person_id=maja.id)
    db.flush()
    Gateway.status = 503
    assert deliver_one(app, Recorder(), sms=HttpSmsChannel(gateway, "u", "p", "Samplan"))
    item = items(db, maja.id, "r:1")["sms"]
    assert item.delivered_at is None
    assert item.attempts == 1
    assert "503" in item.last_error
    assert "+4670" not in item.last_error

    closed = HttpSmsChannel("http://127.0.0.1:9/a1/sms", "u", "p", "Samplan", timeout=2)
    item.next_attempt_at = item.created_at
    db.flush()
    assert deliver_one(app, Recorder(), sms=closed)
    item = items(db, maja.id, "r:1")["sms"]
    assert item.delivered_at is None
    assert item.attempts == 2

    Gateway.status = 200
    item.next_attempt_at = item.created_at
    db.flush()
    assert deliver_one(app, Recorder(), sms=HttpSmsChannel(gateway, "u", "p", "Samplan"))
    item = items(db, maja.id, "r:1")["sms"]
    assert item.delivered_at is not None
    assert len(Gateway.requests) == 2  # the refused one, and the one accepted
