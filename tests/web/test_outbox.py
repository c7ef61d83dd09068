"""Notifications through the outbox to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.db import utcnow
from app.messages.models import Message
from app.notifications.models import OutboxItem
from app.notifications.services import queue
from app.notifications.worker import SmtpChannel, deliver_one
from tests.conftest import ROOT


class Inbox:
    def __init__(self) -> None:
        self.mails: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.mails.append(envelope.content)
        return "250 OK"

    def message_ids(self) -> Counter[str]:
        return Counter(message_from_bytes(m)["Message-ID"] for m in self.mails)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, Controller]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller
    try:
        controller.stop()
    except (AssertionError, RuntimeError):
        pass  # already stopped by the test


def pending(db) -> list[OutboxItem]:  # noqa: ANN001
    db.expire_all()
    return list(db.scalars(select(OutboxItem).where(OutboxItem.delivered_at.is_(None))))


def queue_some(db, ids, count: int) -> None:  # noqa: ANN001
    for n in range(count):
        queue(db, "new_reply", f"test:{n}", person_id=ids["patient-maja"], payload={"n": n})
    db.flush()


def test_every_notification_reaches_the_smtp_server_once_without_health_content(
    app, db, ids, smtp
) -> None:
    inbox, controller = smtp
    queue_some(db, ids, 3)
    waiting = len(pending(db))
    channel = SmtpChannel("127.0.0.1", controller.port)
    while deliver_one(app, channel):
        pass
    assert pending(db) == []
    assert len(inbox.mails) == waiting
    assert all(count == 1 for count in inbox.message_ids().values())
    health_words = [m.body for m in db.scalars(select(Message))] + ["vikt", "hjärtsvikt"]
    for raw in inbox.mails:
        text = raw.decode("utf-8", "replace").lower()
        assert "nytt svar i samplan" in text or "samplan" in text
        for words in health_words:
            for word in words.lower().split():
                if len(word) > 5:
                    assert word not in text, word


def test_smtp_down_mid_delivery_then_back_loses_nothing_and_sends_once(
    app, db, ids, smtp, monkeypatch
) -> None:
    inbox, controller = smtp
    queue_some(db, ids, 6)
    total = len(pending(db))
    channel = SmtpChannel("127.0.0.1", controller.port, timeout=2)
    clock = {"now": utcnow()}
    assert deliver_one(app, channel, lambda: clock["now"])
    assert deliver_one(app, channel, lambda: clock["now"])
    controller.stop()
    while deliver_one(app, channel, lambda: clock["now"]):
        pass
    failed = pending(db)
    assert len(failed) == total - 2
    assert all(item.attempts == 1 and item.last_error for item in failed)
    restarted = Controller(inbox, hostname="127.0.0.1", port=controller.port)
    restarted.start()
    try:
        assert not deliver_one(app, channel, lambda: clock["now"])  # backing off
        clock["now"] += timedelta(minutes=5)
        while deliver_one(app, channel, lambda: clock["now"]):
            pass
    finally:
        restarted.stop()
    assert pending(db) == []
    assert len(inbox.mails) == total
    assert set(inbox.message_ids().values()) == {1}


def test_a_worker_killed_mid_batch_loses_nothing(app, db, ids) -> None:
    queue_some(db, ids, 5)
    total = len(pending(db))
    sent: list[str] = []

    class Killed(BaseException):
        pass

    class DiesAfterTwo:
        def send(self, message) -> None:  # noqa: ANN001
            sent.append(message["Message-ID"])
            if len(sent) == 3:
                raise Killed  # the process dies after sending, before recording

    with pytest.raises(Killed):
        _run_with(app, DiesAfterTwo())
    assert len(pending(db)) == total - 2

    class Healthy:
        def send(self, message) -> None:  # noqa: ANN001
            sent.append(message["Message-ID"])

    _run_with(app, Healthy())
    assert pending(db) == []
    delivered = {f"<outbox-{item.id}@samplan>" for item in db.scalars(select(OutboxItem))}
    assert delivered <= set(sent)  # every one delivered at least once
    assert len(sent) == total + 1  # only the one in flight when it died went twice


def _run_with(app, channel) -> None:  # noqa: ANN001
    while deliver_one(app, channel):
        pass


def test_staff_choose_a_daily_summary_instead(app, db, ids) -> None:
    from app.accounts.models import Practitioner
    from app.notifications.services import queue_daily_summaries
    from tests.conftest import Auth, csrf_token
    from tests.helpers import visible_text

    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    token = csrf_token(karin, "/installningar")
    assert (
        karin.post("/installningar", data={"csrf_token": token, "notify": "x"}).status_code == 400
    )
    response = karin.post("/installningar", data={"csrf_token": token, "notify": "daily"})
    assert response.status_code == 303
    assert "Sparat." in visible_text(karin.get(response.headers["Location"]))
    db.expire_all()
    assert db.get(Practitioner, ids["staff-karin"]).notify_each_message is False

    maja = app.test_client()
    Auth(maja).sign_in("patient-maja")
    from tests.web.test_messages import compose_form

    before = len(pending(db))
    maja.post("/meddelanden/nytt", data={**compose_form(maja), "subject": "Hej", "body": "Hej"})
    assert len(pending(db)) == before  # no mail per message
    assert queue_daily_summaries(db, "2026-11-23") >= 1
    assert queue_daily_summaries(db, "2026-11-23") >= 1  # again the same day: no duplicate
    summaries = [i for i in pending(db) if i.template == "daily_summary"]
    assert len(summaries) == 1
    assert summaries[0].recipient_practitioner_id == ids["staff-karin"]


def test_every_queued_template_becomes_a_mail_and_unknown_ones_wait(app, db, ids) -> None:
    import re as regex

    from app.notifications.worker import TEMPLATES

    sources = " ".join(p.read_text() for p in (ROOT / "app").rglob("*.py"))
    queued = set(regex.findall(r'queue\(\s*\w+,\s*"(\w+)"', sources))
    queued |= set(regex.findall(r'"(daily_summary)"', sources))
    assert queued <= set(TEMPLATES), queued - set(TEMPLATES)

    for name in TEMPLATES:
        queue(db, name, f"all:{name}", practitioner_id=ids["staff-karin"])
    queue(db, "no_such_template", "all:unknown", practitioner_id=ids["staff-karin"])
    db.flush()
    sent: list[object] = []

    class Recorder:
        def send(self, message) -> None:  # noqa: ANN001
            sent.append(message)

    while deliver_one(app, Recorder()):
        pass
    assert len(sent) == len(TEMPLATES)
    assert all("Samplan" in str(m["Subject"]) or "Vården" in str(m["Subject"]) for m in sent)
    [unknown] = pending(db)
    assert unknown.template == "no_such_template"
    assert "unknown notification template" in unknown.last_error
