"""Notifications through the outbox to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import logging
import socket
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.accounts.models import Person
from app.db import utcnow
from app.messages.models import Message
from app.notifications import worker
from app.notifications.models import OutboxItem
from app.notifications.services import queue
from app.notifications.worker import SmtpChannel, deliver_one
from tests.conftest import ROOT

IDLE = 60.0  # seconds the worker sleeps when nothing is due, in the tests below


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
    """Replies to Maja, told by mail only here: one item each (SMS: tests/web/test_sms.py)."""
    db.get(Person, ids["patient-maja"]).notify_channels = "email"
    for n in range(count):
        queue(db, "new_reply", f"test:{n}", person_id=ids["patient-maja"], payload={"n": n})
    db.flush()


def deliver_all(app) -> list:  # noqa: ANN001
    """Deliver everything due through a channel that keeps the mails; return them."""
    sent: list = []

    class Recorder:
        def send(self, message) -> None:  # noqa: ANN001
            sent.append(message)

    while deliver_one(app, Recorder()):
        pass
    return sent


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

    from app.notifications.worker import CODES, GUEST, TEMPLATES

    sources = " ".join(p.read_text() for p in (ROOT / "app").rglob("*.py"))
    queued = set(regex.findall(r'queue\(\s*\w+,\s*"(\w+)"', sources))
    queued |= set(regex.findall(r'"(daily_summary)"', sources))
    # A SIP meeting's invitation to a relative without an account is composed on its own
    # (tests/web/test_sip_meetings.py).
    assert queued <= set(TEMPLATES) | {GUEST}, queued - set(TEMPLATES)

    # A reminder names a time that still stands (app/appointments/reminders.py): Per's agreed one,
    # answered and not yet handled.
    from app.appointments.models import Appointment, AppointmentStatus

    agreed = db.scalars(
        select(Appointment).where(
            Appointment.patient_id == ids["patient-per"],
            Appointment.status == AppointmentStatus.ACCEPTED,
        )
    ).first()
    agreed.answered_at = utcnow()
    agreed.handled_at = None
    reminding = {
        "appointment_id": agreed.id,
        "sequence": agreed.sequence,
        "answered": int(agreed.answered_at.timestamp()),
    }
    # A diary reminder names a measure with a reminder time, and a day with nothing written in.
    from app.diary.models import Measure

    measure = db.scalars(select(Measure).where(Measure.label == "Vikt")).one()
    measure.remind_at = "07:30"
    diary = {"measure_id": measure.id, "day": "2099-01-01", "at": "07:30"}
    for name in TEMPLATES:
        payload = reminding if name.startswith("appointment_") else None
        payload = diary if name == "diary_reminder" else payload
        queue(db, name, f"all:{name}", practitioner_id=ids["staff-karin"], payload=payload)
    queue(db, "no_such_template", "all:unknown", practitioner_id=ids["staff-karin"])
    db.flush()
    sent = deliver_all(app)
    # A one-time code goes only to the new address it confirms (tests/web/test_contact.py).
    assert len(sent) == len(TEMPLATES) - len(CODES)
    assert all("Samplan" in str(m["Subject"]) or "Vården" in str(m["Subject"]) for m in sent)
    [unknown] = pending(db)
    assert unknown.template == "no_such_template"
    assert "unknown notification template" in unknown.last_error


def _locked() -> OperationalError:
    """What SQLAlchemy raises when SQLite's write lock stays taken past the busy timeout."""
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))


def test_the_worker_goes_on_after_a_locked_database_and_delivers(
    app, db, ids, monkeypatch, caplog
) -> None:
    queue_some(db, ids, 3)
    waiting = len(pending(db))
    sent: list[str] = []

    class Recorder:
        def send(self, message) -> None:  # noqa: ANN001
            sent.append(message["Message-ID"])

    calls = Counter[str]()

    def locked_now_and_then(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["deliver"] += 1
        if calls["deliver"] in (1, 2, 4):  # twice at the start, once between two deliveries
            raise _locked()
        return deliver_one(*args, **kwargs)

    class Idle(Exception):  # noqa: N818 - not an error: the loop has nothing left to do
        pass

    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if seconds == IDLE:
            raise Idle  # the loop never ends by itself: stop it once everything is sent

    monkeypatch.setattr(worker, "channel_for", lambda _app: Recorder())
    monkeypatch.setattr(worker, "deliver_one", locked_now_and_then)
    monkeypatch.setattr(worker, "sleep", sleep)
    with caplog.at_level(logging.WARNING, logger=worker.__name__), pytest.raises(Idle):
        worker.run(app, interval=IDLE)
    assert pending(db) == []
    assert len(sent) == waiting
    assert waits == [1.0, 2.0, 1.0, IDLE]  # a short, growing wait; back to short after a success
    assert caplog.text.count("database is locked") == 3


def test_a_single_run_gives_up_when_the_database_stays_locked(app, monkeypatch) -> None:
    def always_locked(*_args, **_kwargs) -> bool:  # noqa: ANN002, ANN003
        raise _locked()

    waits: list[float] = []
    monkeypatch.setattr(worker, "deliver_one", always_locked)
    monkeypatch.setattr(worker, "sleep", waits.append)
    with pytest.raises(OperationalError, match="database is locked"):
        worker.run(app, once=True)
    assert waits == [1.0, 2.0, 4.0, 8.0]  # worker.ONCE_ATTEMPTS tries, then a visible failure


def test_mail_is_written_in_the_recipients_language(app, db, ids) -> None:
    from app.accounts.models import Person

    ali = db.get(Person, ids["patient-ali"])
    assert ali.preferred_language == "ar"
    ali.email = ali.email or "ali@example.se"
    queue(db, "new_reply", "lang:ali", person_id=ids["patient-ali"])
    queue(db, "new_reply", "lang:maja", person_id=ids["patient-maja"])
    db.flush()
    sent = deliver_all(app)
    by_language = {str(m["Content-Language"]): m for m in sent}
    assert {"ar", "sv"} <= set(by_language)
    arabic = by_language["ar"].get_content()
    swedish = by_language["sv"].get_content()
    assert "Logga in för att läsa" in swedish
    assert "Logga in för att läsa" not in arabic
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic), arabic
