"""The demo under concurrent use: many people at once on the embedded SQLite default.

Starts the demo as ``sh scripts/demo.sh`` does (``samplan demo`` with ``SAMPLAN_DEMO=1``: gunicorn,
two workers of four threads, SQLite, the demo world, the background notification worker), but in a
temporary directory of its own (database, mail folder, VAPID key), so the developer's
``instance/`` is left alone. The per-address rate limits are lifted, since every connection comes
from 127.0.0.1. Then, with ``--connections`` threads each holding its own ``requests.Session``
signed in as ``patient-maja`` through the demo sign-in, for ``--duration`` seconds each:

* **start**: ``GET /`` as fast as each connection can;
* **messages**: ``POST /meddelanden/<id>/svar`` in one of Maja's existing threads, each with the
  form's CSRF token and a one-time key of its own.

It prints requests, answers other than 2xx/3xx by status, median and p95 per phase, and the load
average at start and end. Then it checks, in the database, that every message answered with 303 is
stored exactly once and that no message is stored that was not answered with 303, and that the
background worker delivered the notification of every stored message. It exits non-zero on any
error answer or failed check.

    .venv/bin/python benchmarks/demo_concurrency.py [--duration 30] [--connections 32]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

# Run as a script, Python puts benchmarks/ on sys.path but not the repository: put it first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
THREAD_LINK = re.compile(r'href="/meddelanden/(\d+)"')
KEY_PREFIX = "demo-concurrency-"
TIMEOUT = 60  # seconds a request may take before it counts as failed


@dataclass
class Phase:
    """What one phase's connections saw: status per request (0: no answer), and timings."""

    name: str
    statuses: Counter[int] = field(default_factory=Counter)
    ms: list[float] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)  # keys of messages answered with 303
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, ms: float, key: str | None = None) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.ms.append(ms)
            if key is not None and status == 303:
                self.accepted.add(key)

    def errors(self) -> dict[int, int]:
        return {s: n for s, n in sorted(self.statuses.items()) if not 200 <= s < 400}

    def summary(self) -> dict[str, Any]:
        return {
            "requests": sum(self.statuses.values()),
            "errors_by_status": self.errors(),
            **(common.summarise(self.ms) if self.ms else {}),
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def start_demo(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """``samplan demo`` on a database, mail folder and VAPID key in `folder`."""
    from app.pwa.push import generate_key_file

    key = folder / "vapid-private.pem"
    generate_key_file(key)
    env = {
        **os.environ,
        "SAMPLAN_DEMO": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'samplan.db'}",
        "SAMPLAN_MAIL_FOLDER": str(folder / "mail"),
        "SAMPLAN_VAPID_PRIVATE_KEY": str(key),
        "SAMPLAN_RATELIMIT_WRITE": common.UNLIMITED,
        "SAMPLAN_RATELIMIT_SIGN_IN": common.UNLIMITED,
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    samplan = Path(sys.executable).parent / "samplan"
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [str(samplan), "demo"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"The demo exited with {server.returncode}; see {folder / 'server.log'}.")
        try:
            if requests.get(f"http://127.0.0.1:{port}/demo", timeout=5).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    server.terminate()
    sys.exit("The demo did not answer GET /demo within two minutes.")


def signed_in(base: str) -> requests.Session:
    """A session signed in as patient-maja through the demo sign-in, as a person would."""
    session = requests.Session()
    for _attempt in range(20):  # before the fix a sign-in could itself meet a locked database
        page = session.get(f"{base}/demo", timeout=TIMEOUT)
        match = common.CSRF.search(page.text)
        if page.status_code == 200 and match:
            answer = session.post(
                f"{base}/demo",
                data={"persona": "patient-maja", "csrf_token": match.group(1)},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            if answer.status_code == 303:
                return session
        time.sleep(0.2)
    sys.exit("Could not sign in as patient-maja through the demo sign-in.")


def drive(sessions: list[requests.Session], seconds: float, one: Any) -> None:
    """Run `one(session)` in a loop on every session at once, for `seconds`."""
    stop = time.monotonic() + seconds
    start = threading.Barrier(len(sessions))

    def loop(session: requests.Session) -> None:
        start.wait()
        while time.monotonic() < stop:
            one(session)

    workers = [threading.Thread(target=loop, args=(s,)) for s in sessions]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def timed_request(phase: Phase, call: Any, key: str | None = None) -> None:
    started = time.perf_counter()
    try:
        status = call().status_code
    except requests.RequestException:
        status = 0  # no answer (connection refused or reset, or timed out)
    phase.record(status, (time.perf_counter() - started) * 1000, key)


def start_page(base: str, sessions: list[requests.Session], seconds: float) -> Phase:
    phase = Phase("start")

    def one(session: requests.Session) -> None:
        timed_request(
            phase, lambda: session.get(f"{base}/", allow_redirects=False, timeout=TIMEOUT)
        )

    drive(sessions, seconds, one)
    return phase


def messages(base: str, sessions: list[requests.Session], seconds: float) -> tuple[Phase, int]:
    """Maja writes in her first thread from every connection: the thread's form, then POSTs."""
    page = get_ok(sessions[0], f"{base}/meddelanden")
    link = THREAD_LINK.search(page.text)
    if link is None:
        sys.exit(f"No thread on GET /meddelanden ({page.status_code}).")
    thread_id = int(link.group(1))
    tokens: dict[int, str] = {}
    for session in sessions:
        form = get_ok(session, f"{base}/meddelanden/{thread_id}")
        match = common.CSRF.search(form.text)
        if match is None:
            sys.exit(f"No CSRF token on the thread page ({form.status_code}).")
        tokens[id(session)] = match.group(1)
    phase = Phase("messages")
    counter = itertools.count(1)

    def one(session: requests.Session) -> None:
        key = f"{KEY_PREFIX}{uuid.uuid4().hex}"
        data = {
            "csrf_token": tokens[id(session)],
            "key": key,
            "body": f"Belastningsprov, meddelande {next(counter)}.",
        }
        url = f"{base}/meddelanden/{thread_id}/svar"
        timed_request(
            phase, lambda: session.post(url, data=data, allow_redirects=False, timeout=TIMEOUT), key
        )

    drive(sessions, seconds, one)
    return phase, thread_id


def stored_keys(database: Path) -> Counter[str]:
    with sqlite3.connect(database, timeout=30) as conn:
        rows = conn.execute(
            "SELECT idempotency_key FROM message WHERE idempotency_key LIKE ?", (KEY_PREFIX + "%",)
        ).fetchall()
    return Counter(key for (key,) in rows)


def undelivered(database: Path) -> tuple[int, int]:
    """Notifications of the benchmark's messages: (queued, not yet delivered)."""
    with sqlite3.connect(database, timeout=30) as conn:
        ids = {
            str(message_id)
            for (message_id,) in conn.execute(
                "SELECT id FROM message WHERE idempotency_key LIKE ?", (KEY_PREFIX + "%",)
            )
        }
        rows = conn.execute(
            "SELECT dedupe_key, delivered_at IS NULL FROM outbox_item"
            " WHERE dedupe_key LIKE 'new_patient_message:%'"
        ).fetchall()
    ours = [waiting for key, waiting in rows if key.split(":")[1] in ids]
    return len(ours), sum(ours)


def get_ok(session: requests.Session, url: str) -> requests.Response:
    """GET until 200 (before the fix a page could meet a locked database)."""
    for _attempt in range(20):
        page = session.get(url, timeout=TIMEOUT)
        if page.status_code == 200:
            return page
        time.sleep(0.2)
    sys.exit(f"GET {url} answered {page.status_code}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument(
        "--drain", type=float, default=60.0, help="seconds to wait for the notifications"
    )
    args = parser.parse_args(argv)
    started_load = load_average()
    print(f"load average at start: {started_load}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="samplan-demo-concurrency-") as tmp:
        folder = Path(tmp)
        database = folder / "samplan.db"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_demo(folder, port)
        try:
            sessions = [signed_in(base) for _ in range(args.connections)]
            print(f"{args.connections} connections signed in; start page…", file=sys.stderr)
            start = start_page(base, sessions, args.duration)
            print("messages…", file=sys.stderr)
            sent, thread_id = messages(base, sessions, args.duration)
            deadline = time.monotonic() + args.drain
            queued, waiting = undelivered(database)
            while waiting and time.monotonic() < deadline:
                time.sleep(1)
                queued, waiting = undelivered(database)
            worker_alive = "Exception in thread" not in (folder / "server.log").read_text()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        stored = stored_keys(database)
        ended_load = load_average()
        server_log = (folder / "server.log").read_text()
    twice = sorted(key for key, count in stored.items() if count > 1)
    missing = sorted(sent.accepted - set(stored))
    unaccepted = sorted(set(stored) - sent.accepted)
    result = {
        "command": "python benchmarks/demo_concurrency.py "
        f"--duration {args.duration:g} --connections {args.connections}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "sqlite": sqlite3.sqlite_version,
        "load_average_start": started_load,
        "load_average_end": ended_load,
        "start_page": start.summary(),
        "messages": sent.summary()
        | {
            "thread_id": thread_id,
            "accepted": len(sent.accepted),
            "stored": sum(stored.values()),
            "stored_twice": len(twice),
            "accepted_not_stored": len(missing),
            "stored_not_accepted": len(unaccepted),
        },
        "notifications": {
            "queued": queued,
            "undelivered": waiting,
            "worker_thread_died": not worker_alive,
        },
    }
    common.OUT.mkdir(exist_ok=True)
    (common.OUT / "demo-concurrency.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print("\n| Phase | Requests | Not 2xx/3xx (by status) | Median (ms) | p95 (ms) |")
    print("|---|---:|---|---:|---:|")
    for name, phase in (("`GET /`", start), ("`POST /meddelanden/<id>/svar`", sent)):
        summary = phase.summary()
        errors = ", ".join(f"{n} × {s or 'no answer'}" for s, n in phase.errors().items())
        print(
            f"| {name} | {common.thousands(summary['requests'])} | {errors or 'none'} "
            f"| {summary.get('median_ms', 0):.0f} | {summary.get('p95_ms', 0):.0f} |"
        )
    problems = []
    if start.errors() or sent.errors():
        problems.append("error answers")
    if twice or missing or unaccepted:
        problems.append("messages stored other than once per accepted key")
    if waiting or not worker_alive:
        problems.append("the notification worker stopped delivering")
    if problems:
        if not worker_alive:
            print(server_log[server_log.index("Exception in thread") :][:3000], file=sys.stderr)
        print("FAIL: " + "; ".join(problems), file=sys.stderr)
        return 1
    print("PASS", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
