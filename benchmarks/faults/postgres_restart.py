"""PostgreSQL stops in the middle of the load and comes back a few seconds later.

While it is down every page must answer 503 with the Swedish "try again" page (never a stack
trace, never a 500); within seconds of its return pages answer again by themselves (the pool's
pre-ping replaces the dead connections); and every message whose send got a success response
(303) is in the database afterwards.

It stops the machine's PostgreSQL cluster for --outage seconds (default 3): everyone else using
that server loses their connections too.

    python benchmarks/faults/postgres_restart.py [--port 5301] [--clients 4] [--outage 3]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from sqlalchemy import select  # noqa: E402

TRY_AGAIN = "Samplan är inte tillgängligt just nu"
SENDERS = ["patient-maja", "patient-per", "patient-ali", "patient-elias"]


@dataclass
class Tally:
    """What the clients saw, with the moment of each answer."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: list[tuple[float, str, int, bool, bool]] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # bodies of sends that got 303
    refused: list[str] = field(default_factory=list)  # bodies of sends that got 503

    def add(self, kind: str, status: int, swedish: bool, trace: bool) -> None:
        with self.lock:
            self.answers.append((time.monotonic(), kind, status, swedish, trace))


def recipient(browser: harness.Browser) -> str:
    page = browser.get("/meddelanden/nytt").text
    import re

    match = re.search(r'name="to"[^>]*value="([0-9]+:[0-9]+)"', page) or re.search(
        r'value="([0-9]+:[0-9]+)"', page
    )
    if not match:
        raise RuntimeError("no recipient on the compose page")
    return match.group(1)


def client(server: str, persona: str, tally: Tally, stop: threading.Event) -> None:
    browser = harness.Browser(server).sign_in(persona)
    to = recipient(browser)
    while not stop.is_set():
        body = f"Belastning {uuid.uuid4().hex}"
        try:
            response = browser.post(
                "/meddelanden/nytt",
                {"to": to, "subject": "Under belastning", "body": body, "key": uuid.uuid4().hex},
            )
            text = response.text
            tally.add("send", response.status_code, TRY_AGAIN in text, "Traceback" in text)
            with tally.lock:
                if response.status_code == 303:
                    tally.accepted.append(body)
                elif response.status_code == 503:
                    tally.refused.append(body)
            page = browser.get("/")
            tally.add("start", page.status_code, TRY_AGAIN in page.text, "Traceback" in page.text)
        except Exception as error:  # noqa: BLE001 - a connection error is an answer too
            tally.add(f"error {type(error).__name__}", 0, False, False)
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=5301)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--outage", type=float, default=3.0, help="seconds PostgreSQL is down")
    parser.add_argument("--before", type=float, default=4.0, help="seconds of load before")
    parser.add_argument("--after", type=float, default=10.0, help="seconds of load after")
    args = parser.parse_args()

    url = harness.fresh_database("postgres_restart")
    server = harness.Server(args.port, harness.app_env(url), workers=2)
    tally, stop = Tally(), threading.Event()
    with harness.stopping(server):
        threads = [
            threading.Thread(
                target=client, args=(server.url, SENDERS[n % len(SENDERS)], tally, stop)
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.before)
        harness.log("stopping PostgreSQL")
        down_at = time.monotonic()
        harness.postgres("stop")
        stopped_at = time.monotonic()
        time.sleep(args.outage)
        harness.log("starting PostgreSQL")
        starting_at = time.monotonic()
        harness.postgres("start")
        harness.wait_for_postgres()
        up_at = time.monotonic()
        time.sleep(args.after)
        stop.set()
        for thread in threads:
            thread.join(30)

    answers = sorted(tally.answers)
    during = [a for a in answers if stopped_at < a[0] < starting_at]
    after = [a for a in answers if a[0] >= up_at]
    failures_after = [a for a in after if a[2] not in (200, 303)]
    first_ok = {
        kind: next((a[0] - up_at for a in after if a[1] == kind and a[2] in (200, 303)), None)
        for kind in ("send", "start")
    }
    last_failure = max((a[0] - up_at for a in failures_after), default=0.0)

    from app.db import make_engine
    from app.messages.models import Message

    engine = make_engine(url)
    with engine.connect() as connection:
        stored = set(connection.execute(select(Message.body)).scalars())
    engine.dispose()
    lost = [body for body in tally.accepted if body not in stored]
    refused_but_stored = sum(1 for body in tally.refused if body in stored)
    statuses: dict[str, int] = {}
    for _, kind, status, _, _ in during:
        statuses[f"{kind} {status}"] = statuses.get(f"{kind} {status}", 0) + 1

    figures = {
        "clients": args.clients,
        "stopping PostgreSQL took (s)": round(stopped_at - down_at, 2),
        "PostgreSQL down, from stopped to accepting again (s)": round(up_at - stopped_at, 2),
        "answers while down": statuses,
        "sends accepted (303)": len(tally.accepted),
        "sends refused (503)": len(tally.refused),
        "refused sends stored anyway (allowed: commit raced the stop)": refused_but_stored,
        "accepted sends missing from the database": len(lost),
        "first successful send after return (s)": _round(first_ok["send"]),
        "first successful start page after return (s)": _round(first_ok["start"]),
        "last failed answer after return (s)": round(last_failure, 2),
    }
    checks = [
        ("requests were answered while PostgreSQL was down", bool(during)),
        (
            "every answer while down was 503 with the Swedish try-again page",
            all(a[2] == 503 and a[3] for a in during),
        ),
        ("no stack trace in any answer", not any(a[4] for a in answers)),
        ("no 500 at any time", not any(a[2] == 500 for a in answers)),
        (
            "sends and pages recovered by themselves within 5 s of PostgreSQL's return",
            all(v is not None and v < 5 for v in first_ok.values()) and last_failure < 5,
        ),
        ("every accepted send is in the database", not lost and bool(tally.accepted)),
    ]
    return harness.verdict("PostgreSQL restarted under load", checks, figures)


def _round(value: float | None) -> float | str:
    return "never" if value is None else round(value, 2)


if __name__ == "__main__":
    sys.exit(main())
