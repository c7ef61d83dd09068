"""Two Samplan app servers, as on two hosts behind a load balancer, sharing one PostgreSQL and one
Redis: each is its own gunicorn process on its own port, and the notification workers are
processes of their own too. Nothing may depend on which server or worker a request reaches.

Needs TEST_DATABASE_URL and Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379/0); skipped
without them, except under CI=true, where a missing Redis fails.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app import migrations
from app.db import make_engine
from app.demo.seed import seed_demo
from app.notifications.models import OutboxItem
from app.notifications.services import queue

pytestmark = pytest.mark.postgres_only
URL = os.environ.get("TEST_DATABASE_URL")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE_LIMIT = 4
REFUSAL_LIMIT = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"CI needs Redis at {REDIS} for the two-host test") from error
        pytest.skip(f"needs Redis at {REDIS} (TEST_REDIS_URL): {error}")


@dataclass
class Hosts:
    a: str
    b: str
    env: dict[str, str]
    engine: Engine
    ids: dict[str, int]


def _serve(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # still starting
        time.sleep(0.2)
    raise RuntimeError(f"the app server at {base} did not start")


@pytest.fixture(scope="module")
def hosts() -> Iterator[Hosts]:
    if not URL:
        pytest.skip("needs TEST_DATABASE_URL: several app servers share one PostgreSQL")
    redis_or_skip()
    from tests.conftest import worker_database

    url = worker_database(URL, "hosts")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrations.upgrade(url)
    with Session(engine) as session:
        ids = seed_demo(session)
        session.commit()
    env = {
        **os.environ,
        "SAMPLAN_DEMO": "1",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS,
        # A prefix of this run's own, so runs and other users of the Redis never share counts.
        "SAMPLAN_RATELIMIT_KEY_PREFIX": f"samplan-test-{uuid.uuid4().hex}",
        "SAMPLAN_RATELIMIT_INVITATION_CODE": f"{CODE_LIMIT} per 15 minutes",
        "SAMPLAN_RATELIMIT_REFUSALS": f"{REFUSAL_LIMIT} per 10 minutes",
        "SECRET_KEY": "two-hosts-" + "x" * 40,  # every host of a deployment shares the key
    }
    ports = free_port(), free_port()
    servers = [_serve(port, env) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process in zip(bases, servers, strict=True):
            _wait_until_up(base, process)
        yield Hosts(bases[0], bases[1], env, engine, ids)
    finally:
        for process in servers:
            process.send_signal(signal.SIGTERM)
        for process in servers:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        engine.dispose()


class Browser:
    """One person's browser; `at` sends the next request to the given host (a load balancer)."""

    def __init__(self) -> None:
        self.http = requests.Session()
        self.token = ""

    def get(self, base: str, path: str) -> requests.Response:
        return self.http.get(base + path, timeout=30, allow_redirects=False)

    def post(self, base: str, path: str, data: dict[str, str]) -> requests.Response:
        return self.http.post(
            base + path,
            data={**data, "csrf_token": self.token},
            timeout=30,
            allow_redirects=False,
        )

    def sign_in(self, base: str, persona: str) -> Browser:
        self.token = CSRF.search(self.get(base, "/demo").text).group(1)  # type: ignore[union-attr]
        assert self.post(base, "/demo", {"persona": persona}).status_code == 303
        self.token = CSRF.search(self.get(base, "/sessioner").text).group(1)  # type: ignore[union-attr]
        return self


def test_a_message_sent_through_one_host_shows_on_the_other(hosts: Hosts) -> None:
    maja = Browser().sign_in(hosts.a, "patient-maja")
    compose = maja.get(hosts.a, "/meddelanden/nytt").text
    to = re.search(r'<option value="([0-9]+:[0-9]+)"', compose).group(1)  # type: ignore[union-attr]
    body = f"Vikten i dag, skickat via värd A {uuid.uuid4().hex[:8]}"
    sent = maja.post(
        hosts.a,
        "/meddelanden/nytt",
        {"to": to, "subject": "Två värdar", "body": body, "key": uuid.uuid4().hex},
    )
    assert sent.status_code == 303
    thread = sent.headers["Location"]
    # Maja's next request lands on host B: the same thread, her message in it.
    assert body in maja.get(hosts.b, thread).text
    # Karin, signed in on host B only, has it in her inbox and can read it.
    karin = Browser().sign_in(hosts.b, "staff-karin")
    assert "Två värdar" in karin.get(hosts.b, "/inkorg").text
    assert body in karin.get(hosts.b, thread).text


def test_signing_out_on_one_host_ends_the_session_on_both(hosts: Hosts) -> None:
    per = Browser().sign_in(hosts.a, "patient-per")
    assert per.get(hosts.b, "/").status_code == 200  # the session is valid on both hosts
    assert "Per" in per.get(hosts.b, "/").text
    old_cookies = per.http.cookies.copy()
    assert per.post(hosts.a, "/logga-ut", {}).status_code == 303
    # Even with the old cookie replayed, host B knows the session has ended.
    replay = requests.Session()
    replay.cookies.update(old_cookies)
    response = replay.get(hosts.b + "/", timeout=30, allow_redirects=False)
    assert response.status_code == 302
    assert "/logga-in" in response.headers["Location"]


def test_rate_limits_are_shared_by_the_hosts(hosts: Hosts) -> None:
    """Wrong invitation codes, alternately at A and B: the limit counts them together. With
    counts per process, neither host would have seen more than half of them."""
    elias = Browser().sign_in(hosts.a, "patient-elias")
    answers = [
        elias.post(hosts.a if n % 2 == 0 else hosts.b, "/ombud/anvand-kod", {"code": "FEL"})
        for n in range(CODE_LIMIT + 2)
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [400] * CODE_LIMIT + [429, 429], statuses
    assert "För många försök" in answers[-1].text


def test_refusals_are_counted_by_the_hosts_together(hosts: Hosts) -> None:
    """Ali tries Maja's plan, alternately at A and B: the refusal limit counts the tries together,
    and the tries past it leave nothing in Maja's access log."""
    from app.audit.models import AccessLogEntry
    from app.plans.models import CarePlan

    with Session(hosts.engine) as session:
        plan = session.scalars(
            select(CarePlan.id).where(CarePlan.title.contains("trygg hemma"))
        ).one()
    ali = Browser().sign_in(hosts.a, "patient-ali")
    answers = [
        ali.get(hosts.a if n % 2 == 0 else hosts.b, f"/plan/{plan}")
        for n in range(REFUSAL_LIMIT + 2)
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [404] * REFUSAL_LIMIT + [429, 429], statuses
    with Session(hosts.engine) as session:
        logged = session.scalar(
            select(func.count(AccessLogEntry.id)).where(
                AccessLogEntry.actor_person_id == hosts.ids["patient-ali"],
                AccessLogEntry.patient_id == hosts.ids["patient-maja"],
                AccessLogEntry.allowed.is_(False),
            )
        )
    assert logged == REFUSAL_LIMIT


class Mailbox:
    def __init__(self) -> None:
        self.mails: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        import asyncio

        await asyncio.sleep(0.02)  # a real server takes a moment: the workers overlap
        with self.lock:
            self.mails.append(envelope.content)
        return "250 OK"


def test_two_notification_workers_never_send_the_same_notification(hosts: Hosts) -> None:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    workers: list[subprocess.Popen[bytes]] = []
    try:
        for name in ("a", "b"):
            env = {
                **hosts.env,
                "SAMPLAN_SMTP_HOST": "127.0.0.1",
                "SAMPLAN_SMTP_PORT": str(smtp.port),
                "SAMPLAN_MAIL_FROM": f"Samplan {name} <noreply@samplan.invalid>",
                "PGAPPNAME": f"samplan-test-worker-{name}",
            }
            workers.append(
                subprocess.Popen(
                    [str(BIN / "flask"), "--app", "app", "outbox-work", "--interval", "0.2"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        _wait_for_both_workers(hosts.engine)
        with Session(hosts.engine) as session:
            for n in range(120):
                queue(session, "new_reply", f"hosts:{n}", person_id=hosts.ids["patient-maja"])
            session.commit()
            queued = set(
                session.scalars(select(OutboxItem.id).where(OutboxItem.dedupe_key.like("hosts:%")))
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and _undelivered(hosts.engine):
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(15)
        smtp.stop()
    assert _undelivered(hosts.engine) == 0
    mails = [message_from_bytes(m) for m in mailbox.mails]
    ids = Counter(m["Message-ID"] for m in mails)
    expected = {f"<outbox-{i}@samplan>" for i in queued}
    assert set(ids) >= expected
    sent_twice = {mid: n for mid, n in ids.items() if n > 1}
    assert not sent_twice
    by_worker = Counter(str(m["From"]).split()[1] for m in mails)
    assert by_worker["a"] > 0, by_worker  # the work really was shared
    assert by_worker["b"] > 0, by_worker


def _undelivered(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            select(func.count(OutboxItem.id)).where(OutboxItem.delivered_at.is_(None))
        ).scalar_one()


def _wait_for_both_workers(engine: Engine) -> None:
    """Until both worker processes are connected and polling (they take a while to start)."""
    deadline = time.monotonic() + 90
    query = text(
        "SELECT count(DISTINCT application_name) FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name LIKE 'samplan-test-worker-%'"
    )
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.execute(query).scalar_one() == 2:
                return
        time.sleep(0.2)
    raise RuntimeError("the two notification workers did not start")
