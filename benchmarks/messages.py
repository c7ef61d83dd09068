"""Message benchmark: sending a message, and the staff inbox with 2 000 open threads in the unit.

Seeds 2 000 bench patients in bulk with SQLAlchemy Core. Each gets one active plan at
Hälsocentralen Kvarnen with Karin as coordinator and care contact, and one open thread at
Karin's unit, assigned to her and waiting for care (waiting since a moment in the last ten days),
of three messages: patient, care, patient. It then times, in-process with Flask's test client
(server time only: queries, access log, notifications, template rendering; no network, no
browser):

* Karin's unit inbox, ``GET /inkorg?flik=enheten``, and how many SQL statements one request runs;
* a new message, ``POST /meddelanden/nytt``, each by a different, randomly chosen bench patient;
* a reply in the patient's open thread, ``POST /meddelanden/<id>/svar``.

Every patient signs in through the demo sign-in and fetches the form first (untimed), as a browser
would; only the POST itself is timed. The SQL statements are those of the last warm-up request of
each kind, seen by a ``before_cursor_execute`` listener: SQLite's explicit ``BEGIN`` is one of them,
PostgreSQL's implicit one is not, and neither backend's COMMIT is.

SQLite (a file under benchmarks/out/, which git ignores)::

    .venv/bin/python benchmarks/messages.py --reset

PostgreSQL (a database of its own, whose name must contain "bench"; never the test suite's
database ``test``, nor ``samplan_bench`` of the page benchmark)::

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE samplan_msgbench'
    .venv/bin/python benchmarks/messages.py --reset \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/samplan_msgbench

``--reset`` deletes the SQLite file, or drops and recreates the public schema on PostgreSQL.
Without it, a database that already holds bench patients is not seeded again; note that every
run adds the threads and messages it sends, so the unit's open threads grow by ``--requests`` plus
the warm-up each run (the report gives the count measured). ``DATABASE_URL`` is used when
``--database-url`` is not given. On PostgreSQL the tables are ANALYZEd after seeding.

The result is printed to stdout as a Markdown table (progress goes to stderr) and written as JSON
to benchmarks/out/messages-<backend>.json.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, func, make_url, select
from werkzeug.test import TestResponse

from app.accounts.models import Person
from app.db import database
from app.messages.models import Message, Thread, ThreadStatus
from app.plans.models import PlanKind

# Run as a script, Python puts benchmarks/ on sys.path but not the repository: put it first, so
# that the shared code imports as benchmarks.common here and under python -m benchmarks.messages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common
from benchmarks.common import Numbers, World

DEFAULT_URL = f"sqlite:///{common.OUT / 'messages.db'}"
PREFIX = "msgbench-"
N_PATIENTS = 2_000
RANDOM_SEED = 20250102
WAIT_SPAN = timedelta(days=10)  # the open threads started waiting over the last ten days
INBOX = "/inkorg?flik=enheten"
KEY = re.compile(r'name="key" value="([^"]+)"')
# The first option of the compose form's recipient list (the page's layout has other selects).
FIRST_OPTION = re.compile(r'<select[^>]*\bname="to"[^>]*>.*?<option value="([^"]+)"', re.DOTALL)
THREAD_LINK = re.compile(r'href="/meddelanden/\d+"')

PLAN_TITLE = "Vård- och behandlingsplan vid diabetes typ 2"
PLAN_SUMMARY = "Du och hälsocentralen arbetar tillsammans för jämna blodsocker och god ork."
SUBJECT = "Fråga om läkemedlen"
BODIES = (
    "Hej Karin. Jag har fått nya tabletter och undrar om jag ska ta dem till maten. Hälsningar",
    "Hej! Ja, ta dem till frukosten. Hör av dig om du mår illa. Hälsningar Karin",
    "Tack. Jag har mått lite illa i två dagar nu. Ska jag fortsätta? Hälsningar",
)
NEW_SUBJECT = "Fråga om provsvaren"
NEW_BODY = "Hej Karin. Jag undrar över provsvaren från förra veckan. Hälsningar"
REPLY_BODY = "Hej igen. Jag glömde fråga: behöver jag fasta inför nästa prov?"
PAGES = ("GET /inkorg?flik=enheten", "POST /meddelanden/nytt", "POST /meddelanden/<id>/svar")


@dataclass(frozen=True)
class Patient:
    key: str
    name: str
    thread_id: int


@dataclass
class Timings:
    """Milliseconds per request kind, and the SQL statements of one (untimed) request each."""

    ms: dict[str, list[float]]
    statements: dict[str, list[str]]


Timed = tuple[float, TestResponse, list[str]]  # milliseconds, the response, its SQL statements


# --- Database ---------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """The benchmark writes: on PostgreSQL, only into a database named for benchmarks."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    name = parsed.database or ""
    if "bench" not in name or name == "samplan_bench":
        sys.exit(f"Refusing to use {name!r}: its name must contain 'bench' (not samplan_bench).")


def counts(engine: Engine, unit_id: int) -> dict[str, int]:
    """Open threads at the unit, and threads and messages in the whole database."""
    open_at_unit = select(func.count(Thread.id)).where(
        Thread.unit_id == unit_id, Thread.status != ThreadStatus.HANDLED
    )
    with engine.connect() as conn:
        return {
            "open_threads_in_unit": conn.scalar(open_at_unit) or 0,
            "threads": conn.scalar(select(func.count(Thread.id))) or 0,
            "messages": conn.scalar(select(func.count(Message.id))) or 0,
        }


# --- Seeding ----------------------------------------------------------------------------------


def seed_batch(conn: Connection, world: World, numbers: Numbers, indexes: range) -> None:
    """One transaction: persons, their plans and care teams, then a thread each."""
    person_ids = common.insert_people(conn, world, PREFIX, numbers, indexes)
    created = world.now - timedelta(days=120)
    plans = [
        common.plan_row(world, pid, PlanKind.CARE_TREATMENT, PLAN_TITLE, PLAN_SUMMARY, created)
        for pid in person_ids
    ]
    plan_ids = common.insert_plans(conn, world, plans)
    owners = zip(indexes, person_ids, plan_ids, strict=True)
    threads = [thread_row(world, i, pid, plan_id) for i, pid, plan_id in owners]
    thread_ids = common.insert_ids(conn, Thread, threads)
    messages = [
        message_row(world, thread_id, row, n)
        for thread_id, row in zip(thread_ids, threads, strict=True)
        for n in range(len(BODIES))
    ]
    common.insert_rows(conn, Message, messages)


def waiting_since(world: World, index: int) -> datetime:
    """Patient 0 has waited longest (ten days), the last one a few minutes."""
    return world.now - WAIT_SPAN * (N_PATIENTS - index % N_PATIENTS) / N_PATIENTS


def thread_row(world: World, index: int, patient_id: int, plan_id: int) -> dict[str, Any]:
    """Open and waiting for care since the patient's second message."""
    waiting = waiting_since(world, index)
    return {
        "patient_id": patient_id,
        "plan_id": plan_id,
        "unit_id": world.unit_id,
        "assigned_to_id": world.karin_id,
        "subject": SUBJECT,
        "status": ThreadStatus.WAITING_FOR_CARE,
        "waiting_since": waiting,
        "last_message_at": waiting,
        "created_at": waiting - timedelta(days=len(BODIES) - 1),
    }


def message_row(world: World, thread_id: int, thread: dict[str, Any], n: int) -> dict[str, Any]:
    """Message n (0 patient, 1 Karin, 2 patient) a day apart; the last is unread by care."""
    at = thread["created_at"] + timedelta(days=n)
    by_care = n % 2 == 1
    last = n == len(BODIES) - 1
    return {
        "thread_id": thread_id,
        "author_person_id": None if by_care else thread["patient_id"],
        "author_practitioner_id": world.karin_id if by_care else None,
        "on_behalf_of_id": None,
        "body": BODIES[n],
        "idempotency_key": f"{PREFIX}{thread_id}-{n}",
        "created_at": at,
        "read_by_care_at": None if last else at + timedelta(hours=0 if by_care else 2),
        "read_by_care_id": None if last else world.karin_id,
        "read_by_patient_at": at + timedelta(hours=3 if by_care else 0),
    }


# --- Measuring --------------------------------------------------------------------------------


def bench_patients(engine: Engine) -> list[Patient]:
    """Every bench patient with their seeded thread, the longest-waiting first."""
    query = (
        select(Person.demo_key, Person.given_name, Person.family_name, Thread.id)
        .join(Thread, Thread.patient_id == Person.id)
        .where(Person.demo_key.like(f"{PREFIX}%"), Thread.subject == SUBJECT)
        .order_by(Thread.waiting_since, Thread.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [Patient(str(key), f"{given} {family}", tid) for key, given, family, tid in rows]


def form_fields(html: str, what: str, *, recipient: bool = False) -> dict[str, str]:
    """The hidden fields of a compose form (and its first recipient), as a browser sends them."""
    patterns = {"csrf_token": common.CSRF, "key": KEY} | ({"to": FIRST_OPTION} if recipient else {})
    found = {name: pattern.search(html) for name, pattern in patterns.items()}
    missing = [name for name, match in found.items() if match is None]
    if missing:
        sys.exit(f"{what} has no {', '.join(missing)}.")
    return {name: match.group(1) for name, match in found.items() if match is not None}


def measure_inbox(app: Flask, oldest: Patient, requests: int, timings: Timings) -> int:
    """Karin's unit inbox, R times after WARM_UP, the last warm-up's SQL counted; it must list
    the longest-waiting bench thread. Returns how many threads the page lists."""
    client = app.test_client()
    common.sign_in(client, "staff-karin")
    needles = [oldest.name, f'href="/meddelanden/{oldest.thread_id}"']
    html = ""
    for number in range(common.WARM_UP + requests):
        with common.counting(database(app).engine, number == common.WARM_UP - 1) as statements:
            elapsed, response = common.timed(lambda: client.get(INBOX))
        if number == common.WARM_UP - 1:
            timings.statements[PAGES[0]] = statements
        elif number >= common.WARM_UP:
            timings.ms[PAGES[0]].append(elapsed)
        html = common.expect(response, 200, f"GET {INBOX}")
        if missing := [needle for needle in needles if needle not in html]:
            sys.exit(f"GET {INBOX}: missing from the page: {missing}")
    return len(THREAD_LINK.findall(html))


def timed_post(client: FlaskClient, path: str, data: dict[str, str], count_sql: bool) -> Timed:
    """POST a form: milliseconds, the response, and its SQL statements if count_sql."""
    engine = database(cast(Flask, client.application)).engine
    with common.counting(engine, count_sql) as statements:
        elapsed, response = common.timed(lambda: client.post(path, data=data))
    common.expect(response, 303, f"POST {path}")
    return elapsed, response, statements


def send_new(client: FlaskClient, count_sql: bool) -> Timed:
    """Open the compose page (untimed), then send to its first recipient, the coordinator."""
    html = common.expect(client.get("/meddelanden/nytt"), 200, "GET /meddelanden/nytt")
    form = form_fields(html, "GET /meddelanden/nytt", recipient=True)
    data = form | {"subject": NEW_SUBJECT, "body": NEW_BODY}
    return timed_post(client, "/meddelanden/nytt", data, count_sql)


def send_reply(client: FlaskClient, thread_id: int, count_sql: bool) -> Timed:
    """Open the thread (untimed), then reply in it."""
    path = f"/meddelanden/{thread_id}"
    form = form_fields(common.expect(client.get(path), 200, f"GET {path}"), f"GET {path}")
    return timed_post(client, f"{path}/svar", form | {"body": REPLY_BODY}, count_sql)


def write_as(
    app: Flask, patient: Patient, count_sql: bool
) -> tuple[float, float, dict[str, list[str]]]:
    """Sign in as the patient, write a new message and a reply: the two POSTs' times, and their
    SQL statements if count_sql (then the times are not meant to be kept)."""
    client = app.test_client()
    common.sign_in(client, patient.key)
    sent, _, sent_sql = send_new(client, count_sql)
    replied, _, reply_sql = send_reply(client, patient.thread_id, count_sql)
    return sent, replied, {PAGES[1]: sent_sql, PAGES[2]: reply_sql} if count_sql else {}


def measure_writes(app: Flask, patients: list[Patient], requests: int, timings: Timings) -> None:
    """R different patients (random, fixed seed) after WARM_UP uncounted ones."""
    rng = random.Random(RANDOM_SEED)
    wanted = common.WARM_UP + requests
    if wanted > len(patients):
        sys.exit(f"--requests {requests} needs {wanted} bench patients; there are {len(patients)}.")
    for number, patient in enumerate(rng.sample(patients, wanted)):
        sent, replied, statements = write_as(app, patient, number == common.WARM_UP - 1)
        timings.statements.update(statements)
        if number >= common.WARM_UP:
            timings.ms[PAGES[1]].append(sent)
            timings.ms[PAGES[2]].append(replied)


# --- Reporting --------------------------------------------------------------------------------


def report(
    engine: Engine,
    before: dict[str, int],
    listed: int,
    timings: Timings,
    seeding: float | None,
) -> dict[str, Any]:
    return {
        **common.environment(engine),
        "bench_patients": common.bench_count(engine, PREFIX),
        **before,
        "inbox_threads_listed": listed,
        **common.run_details(len(timings.ms[PAGES[0]]), seeding),
        "requests_timed": common.requests_timed(timings.ms, timings.statements),
        "sql": timings.statements,
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| Backend | Python | Date | Open threads in unit | Request | SQL statements "
        "| Median (ms) | p95 (ms) |",
        "|---|---|---|---:|---|---:|---:|---:|",
    ]
    for page, stats in result["requests_timed"].items():
        lines.append(
            f"| {result['backend_version']} | {result['python']} | {result['date']} "
            f"| {common.thousands(result['open_threads_in_unit'])} | `{page}` "
            f"| {stats['sql_statements']} | {stats['median_ms']:.1f} | {stats['p95_ms']:.1f} |"
        )
    lines.append(
        f"\nThe inbox listed {result['inbox_threads_listed']} of the unit's "
        f"{common.thousands(result['open_threads_in_unit'])} open threads; "
        f"{result['requests']} timed requests each after {result['warm_up']} warm-up; "
        f"{common.thousands(result['threads'])} threads and "
        f"{common.thousands(result['messages'])} messages in all."
    )
    return "\n".join(lines)


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    common.add_database_url(parser, DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind")
    common.add_reset(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= N_PATIENTS - common.WARM_UP:
        parser.error(f"--requests must be from 1 to {N_PATIENTS - common.WARM_UP}")
    return args


def run(app: Flask, requests: int, seeding: float | None) -> dict[str, Any]:
    """Measure the inbox, then the writes (which add threads); the result to report."""
    engine = database(app).engine
    before = counts(engine, common.load_world(app, karin_in_unit=True).unit_id)
    patients = bench_patients(engine)
    timings = Timings({page: [] for page in PAGES}, {})
    common.log(f"Measuring {requests} inbox requests (+{common.WARM_UP} warm-up) ...")
    listed = measure_inbox(app, patients[0], requests, timings)
    common.log(f"Measuring {requests} new messages and replies (+{common.WARM_UP} warm-up) ...")
    measure_writes(app, patients, requests, timings)
    return report(engine, before, listed, timings, seeding)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    check_url(args.database_url)
    app = common.setup(args.database_url, empty=args.reset)
    world = common.load_world(app, karin_in_unit=True)
    what = " with an open thread each"
    seeding = common.seed_if_needed(app, PREFIX, N_PATIENTS, seed_batch, world=world, what=what)
    result = run(app, args.requests, seeding)
    common.publish("messages", result, markdown(result), N_PATIENTS, seeding)


if __name__ == "__main__":
    main()
