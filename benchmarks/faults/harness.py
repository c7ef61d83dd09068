"""What the fault scripts share: a database of their own, real app servers and workers as
separate processes, a real SMTP server, a browser-like HTTP client, and the verdict.

Each script in this folder runs on its own (``python benchmarks/faults/<name>.py``), prints what
it measured and ``PASS`` or ``FAIL``, and exits 1 on failure. They need PostgreSQL (and Redis for
the rate limits when ``REDIS_URL`` is given); see benchmarks/faults/README.md.
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
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import migrations  # noqa: E402 - after the path is set
from app.db import make_engine  # noqa: E402
from app.demo.seed import seed_demo  # noqa: E402

ADMIN_URL = os.environ.get(
    "SAMPLAN_FAULTS_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "faults-" + "0" * 40  # the servers of one script share it, as hosts behind one balancer
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BIN = Path(sys.executable).parent


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def fresh_database(name: str) -> str:
    """Drop and make `samplan_faults_<name>`, migrate it and seed the demo world; its URL.

    Only databases with `faults` in their name are ever dropped here."""
    database = f"samplan_faults_{name}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    url = make_url(ADMIN_URL).set(database=database).render_as_string(hide_password=False)
    migrations.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
    engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a Samplan process: demo sign-in on the given PostgreSQL database."""
    env = {
        **os.environ,
        "SAMPLAN_DEMO": "1",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "SAMPLAN_RATELIMIT_SIGN_IN": "100000 per minute",
        "SAMPLAN_RATELIMIT_WRITE": "100000 per minute",
    }
    env.update(extra)
    return env


class Server:
    """One Samplan app server (gunicorn), as it would run on a host of its own."""

    def __init__(self, port: int, env: dict[str, str], workers: int = 2) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                str(BIN / "gunicorn"),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "2",
                "--log-level",
                "warning",
                "app:create_app()",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass  # not listening yet, or still starting its workers
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the app server on port {port} did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Browser:
    """A person's browser against one server: cookies, the CSRF token, the demo sign-in."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.token = ""

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.base + path, timeout=kw.pop("timeout", 15), **kw)

    def post(self, path: str, data: dict[str, str], **kw: Any) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        return self.http.post(
            self.base + path,
            data={**data, "csrf_token": self.token},
            timeout=kw.pop("timeout", 15),
            **kw,
        )

    def refresh_token(self, path: str = "/sessioner") -> None:
        match = CSRF.search(self.get(path).text)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        self.token = match.group(1)

    def sign_in(self, persona: str) -> Browser:
        self.refresh_token("/demo")
        response = self.post("/demo", {"persona": persona})
        if response.status_code != 303:
            raise RuntimeError(f"demo sign-in as {persona}: {response.status_code}")
        self.get("/")  # a proxy with one person to act for gets them chosen here
        self.refresh_token()
        return self


class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives."""

    def __init__(self, port: int, delay: float = 0.0) -> None:
        self.port = port
        self.delay = delay
        self.mails: list[bytes] = []
        self.lock = threading.Lock()
        self.controller: Any = None

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        with self.lock:
            self.mails.append(envelope.content)
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(message_from_bytes(m)["Message-ID"] for m in self.mails)


def start_worker(env: dict[str, str], interval: float = 0.2) -> subprocess.Popen[bytes]:
    """`flask --app app outbox-work` as its own process, polling every `interval` seconds."""
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [str(BIN / "flask"), "--app", "app", "outbox-work", "--interval", str(interval)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def postgres(action: str) -> None:
    """Stop or start the machine's PostgreSQL cluster (Debian's pg_ctlcluster)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],  # noqa: S607
        check=True,
    )


def wait_for_postgres(timeout: float = 30) -> float:
    """Seconds until PostgreSQL accepts connections."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0:  # noqa: S603, S607
            return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError("PostgreSQL did not come back")


@contextmanager
def stopping(*things: Any) -> Iterator[None]:
    try:
        yield
    finally:
        for thing in things:
            try:
                thing.stop() if hasattr(thing, "stop") else thing.kill()
            except Exception as error:  # noqa: BLE001 - cleaning up, keep going
                log(f"cleanup: {error}")


def verdict(name: str, checks: list[tuple[str, bool]], figures: dict[str, object]) -> int:
    """Print the figures and each check; PASS (exit 0) only if every check holds."""
    print(f"\n== {name} ==")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    for label, ok in checks:
        print(f"  [{'ok' if ok else 'FAILED'}] {label}")
    passed = all(ok for _, ok in checks)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1
