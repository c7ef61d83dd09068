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
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import sqlalchemy
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, Table, event, func, insert, make_url, select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app import create_app, migrations
from app.accounts.identity import TEST_SERIALS, make_test_number
from app.accounts.models import CareUnit, Person, Practitioner
from app.db import Base, database, make_engine, session_scope
from app.demo.seed import seed_demo
from app.messages.models import Message, Thread, ThreadStatus
from app.plans.models import CarePlan, CareTeamMember, PlanKind, PlanStatus, PlanVersion, TeamRole

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_URL = f"sqlite:///{OUT / 'messages.db'}"
PREFIX = "msgbench-"
N_PATIENTS = 2_000
BATCH = 500  # patients per transaction
WARM_UP = 20
RANDOM_SEED = 20250102
STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_BIRTH = date(1935, 1, 1)
BIRTH_SPAN_DAYS = 25_000  # birth dates spread over about 68 years
WAIT_SPAN = timedelta(days=10)  # the open threads started waiting over the last ten days
INBOX = "/inkorg?flik=enheten"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="key" value="([^"]+)"')
FIRST_OPTION = re.compile(r'<option value="([^"]+)"')
THREAD_LINK = re.compile(r'href="/meddelanden/\d+"')

GIVEN_NAMES = (
    "Anders", "Astrid", "Birgitta", "Bo", "Elsa", "Eva", "Gunnar", "Hanna", "Ingrid", "Johan",
    "Karl", "Kerstin", "Lars", "Leila", "Linnea", "Magnus", "Margareta", "Mohammed", "Nils",
    "Olof", "Rut", "Sven", "Tove", "Ulla", "Yusuf",
)  # fmt: skip
FAMILY_NAMES = (
    "Andersson", "Berglund", "Björk", "Dahl", "Ekström", "Forsberg", "Granberg", "Holmgren",
    "Isaksson", "Jonsson", "Karlsson", "Lundberg", "Lundström", "Marklund", "Nordin", "Nyström",
    "Öberg", "Persson", "Sandberg", "Sundqvist", "Wikström",
)  # fmt: skip
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
class World:
    """What every seeded row refers to, and the moment the seeding runs."""

    unit_id: int
    karin_id: int
    now: datetime
    today: date


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


def reset(url: str) -> None:
    """Delete the SQLite file, or empty the PostgreSQL database's public schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-journal", "-wal", "-shm"):
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def prepare(url: str) -> Flask:
    """Migrate to head, seed the demo world if it is missing, and build the app."""
    migrations.upgrade(url)
    # The benchmark signs in hundreds of times from one address: lift the per-address limits.
    unlimited = "1000000 per minute"
    app = create_app(
        {
            "DEMO_MODE": True,
            "DATABASE_URL": url,
            "RATELIMIT_WRITE": unlimited,
            "RATELIMIT_SIGN_IN": unlimited,
        }
    )
    with session_scope(app) as session:
        if _karin(session) is None:
            seed_demo(session)
    return app


def _karin(session: Session) -> Practitioner | None:
    query = select(Practitioner).where(Practitioner.demo_key == "staff-karin")
    return session.scalars(query).first()


def load_world(app: Flask) -> World:
    with session_scope(app) as session:
        karin = _karin(session)
        unit_id = session.scalar(
            select(CareUnit.id).where(CareUnit.name == "Hälsocentralen Kvarnen")
        )
    if karin is None or unit_id is None or karin.unit_id != unit_id:
        sys.exit("The demo world is missing Karin at Hälsocentralen Kvarnen.")
    now = datetime.now(UTC)
    return World(unit_id, karin.id, now, now.astimezone(STOCKHOLM).date())


def bench_count(engine: Engine) -> int:
    with engine.connect() as conn:
        query = select(func.count(Person.id)).where(Person.demo_key.like(f"{PREFIX}%"))
        return conn.scalar(query) or 0


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


def seed_patients(engine: Engine, world: World, count: int) -> float:
    """Insert `count` bench patients with their plan and thread; returns the seconds it took."""
    started = time.perf_counter()
    numbers = personal_numbers(engine, count)
    for first in range(0, count, BATCH):
        with engine.begin() as conn:
            seed_batch(conn, world, numbers, range(first, min(first + BATCH, count)))
        log(f"  seeded {min(first + BATCH, count)}/{count} patients")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def personal_numbers(engine: Engine, count: int) -> list[tuple[date, str]]:
    """Distinct test-series numbers, spread over many birth dates, none already in use."""
    with engine.connect() as conn:
        taken = set(conn.scalars(select(Person.personal_number)))
    serials = len(TEST_SERIALS)
    step = max(1, BIRTH_SPAN_DAYS * serials // max(count, 1))
    numbers: list[tuple[date, str]] = []
    slot = 0
    while len(numbers) < count:
        birth = FIRST_BIRTH + timedelta(days=(slot // serials) * step)
        number = make_test_number(birth, TEST_SERIALS[slot % serials])
        if number not in taken:
            taken.add(number)
            numbers.append((birth, number))
        slot += 1
    return numbers


def insert_ids(conn: Connection, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows in one executemany and return their ids in the order given."""
    table = cast(Table, model.__table__)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(statement, rows).scalars())


def insert_rows(conn: Connection, model: type[Base], rows: list[dict[str, Any]]) -> None:
    conn.execute(insert(cast(Table, model.__table__)), rows)


def seed_batch(
    conn: Connection, world: World, numbers: Sequence[tuple[date, str]], indexes: range
) -> None:
    """One transaction: persons, their plans and care teams, then a thread each."""
    person_ids = insert_ids(conn, Person, [person_row(world, i, *numbers[i]) for i in indexes])
    plan_ids = insert_ids(conn, CarePlan, [plan_row(world, pid) for pid in person_ids])
    insert_rows(conn, CareTeamMember, [team_row(world, plan_id) for plan_id in plan_ids])
    insert_rows(conn, PlanVersion, [version_row(world, plan_id) for plan_id in plan_ids])
    owners = zip(indexes, person_ids, plan_ids, strict=True)
    threads = [thread_row(world, i, pid, plan_id) for i, pid, plan_id in owners]
    thread_ids = insert_ids(conn, Thread, threads)
    messages = [
        message_row(world, thread_id, row, n)
        for thread_id, row in zip(thread_ids, threads, strict=True)
        for n in range(len(BODIES))
    ]
    insert_rows(conn, Message, messages)


def person_row(world: World, index: int, birth: date, number: str) -> dict[str, Any]:
    return {
        "personal_number": number,
        "given_name": GIVEN_NAMES[index % len(GIVEN_NAMES)],
        "family_name": FAMILY_NAMES[(index // len(GIVEN_NAMES)) % len(FAMILY_NAMES)],
        "birth_date": birth,
        "protected_identity": False,
        "phone": None,
        "email": f"msgbench{index}@example.org",
        "preferred_language": "sv",
        "simple_view": False,
        "demo_key": f"{PREFIX}{index}",
        "created_at": world.now - timedelta(days=400),
    }


def plan_row(world: World, patient_id: int) -> dict[str, Any]:
    created = world.now - timedelta(days=120)
    return {
        "patient_id": patient_id,
        "kind": PlanKind.CARE_TREATMENT,
        "title": PLAN_TITLE,
        "summary": PLAN_SUMMARY,
        "unit_id": world.unit_id,
        "status": PlanStatus.ACTIVE,
        "follow_up_on": world.today + timedelta(days=30 + patient_id % 60),
        "follow_up_how": "Besök hos Karin på hälsocentralen.",
        "version": 1,
        "published_version": 1,
        "created_at": created,
        "updated_at": created,
    }


def team_row(world: World, plan_id: int) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "role": TeamRole.CARE_CONTACT,
        "practitioner_id": world.karin_id,
        "unit_id": world.unit_id,
        "is_coordinator": True,
        "responsibility": "Fast vårdkontakt och samordnare.",
        "valid_from": world.today - timedelta(days=120),
        "valid_until": None,
        "position": 0,
    }


def version_row(world: World, plan_id: int) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "number": 1,
        "published_at": world.now - timedelta(days=120),
        "published_by_id": world.karin_id,
        "change_summary": "Ny plan upprättad.",
        "snapshot": {"title": PLAN_TITLE, "summary": PLAN_SUMMARY},
    }


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


@contextmanager
def counting(engine: Engine, enabled: bool = True) -> Iterator[list[str]]:
    """Collect the SQL statements the engine runs inside the block, one line each (if enabled:
    the listener is left off for timed requests)."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split())[:120])

    if not enabled:
        yield statements
        return
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def sign_in(client: FlaskClient, key: str) -> None:
    """Through the demo sign-in page, as a person would: the form's token, then POST."""
    match = CSRF.search(client.get("/demo").get_data(as_text=True))
    if match is None:
        sys.exit("No CSRF token on GET /demo: is DEMO_MODE on?")
    response = client.post("/demo", data={"persona": key, "csrf_token": match.group(1)})
    if response.status_code != 303:
        sys.exit(f"Demo sign-in as {key} answered {response.status_code}, not 303.")


def timed(call: Callable[[], TestResponse]) -> tuple[float, TestResponse]:
    started = time.perf_counter()
    response = call()
    return (time.perf_counter() - started) * 1000, response


def expect(response: TestResponse, status: int, what: str) -> str:
    """The response's HTML; stop the whole run if the status is not the one expected."""
    if response.status_code != status:
        sys.exit(f"{what} answered {response.status_code}, not {status}.")
    return response.get_data(as_text=True)


def form_fields(html: str, what: str, *, recipient: bool = False) -> dict[str, str]:
    """The hidden fields of a compose form (and its first recipient), as a browser sends them."""
    patterns = {"csrf_token": CSRF, "key": KEY} | ({"to": FIRST_OPTION} if recipient else {})
    found = {name: pattern.search(html) for name, pattern in patterns.items()}
    missing = [name for name, match in found.items() if match is None]
    if missing:
        sys.exit(f"{what} has no {', '.join(missing)}.")
    return {name: match.group(1) for name, match in found.items() if match is not None}


def measure_inbox(app: Flask, oldest: Patient, requests: int, timings: Timings) -> int:
    """Karin's unit inbox, R times after WARM_UP, the last warm-up's SQL counted; it must list
    the longest-waiting bench thread. Returns how many threads the page lists."""
    client = app.test_client()
    sign_in(client, "staff-karin")
    needles = [oldest.name, f'href="/meddelanden/{oldest.thread_id}"']
    html = ""
    for number in range(WARM_UP + requests):
        with counting(database(app).engine, number == WARM_UP - 1) as statements:
            elapsed, response = timed(lambda: client.get(INBOX))
        if number == WARM_UP - 1:
            timings.statements[PAGES[0]] = statements
        elif number >= WARM_UP:
            timings.ms[PAGES[0]].append(elapsed)
        html = expect(response, 200, f"GET {INBOX}")
        if missing := [needle for needle in needles if needle not in html]:
            sys.exit(f"GET {INBOX}: missing from the page: {missing}")
    return len(THREAD_LINK.findall(html))


def timed_post(client: FlaskClient, path: str, data: dict[str, str], count_sql: bool) -> Timed:
    """POST a form: milliseconds, the response, and its SQL statements if count_sql."""
    engine = database(cast(Flask, client.application)).engine
    with counting(engine, count_sql) as statements:
        elapsed, response = timed(lambda: client.post(path, data=data))
    expect(response, 303, f"POST {path}")
    return elapsed, response, statements


def send_new(client: FlaskClient, count_sql: bool) -> Timed:
    """Open the compose page (untimed), then send to its first recipient, the coordinator."""
    html = expect(client.get("/meddelanden/nytt"), 200, "GET /meddelanden/nytt")
    form = form_fields(html, "GET /meddelanden/nytt", recipient=True)
    data = form | {"subject": NEW_SUBJECT, "body": NEW_BODY}
    return timed_post(client, "/meddelanden/nytt", data, count_sql)


def send_reply(client: FlaskClient, thread_id: int, count_sql: bool) -> Timed:
    """Open the thread (untimed), then reply in it."""
    path = f"/meddelanden/{thread_id}"
    form = form_fields(expect(client.get(path), 200, f"GET {path}"), f"GET {path}")
    return timed_post(client, f"{path}/svar", form | {"body": REPLY_BODY}, count_sql)


def write_as(
    app: Flask, patient: Patient, count_sql: bool
) -> tuple[float, float, dict[str, list[str]]]:
    """Sign in as the patient, write a new message and a reply: the two POSTs' times, and their
    SQL statements if count_sql (then the times are not meant to be kept)."""
    client = app.test_client()
    sign_in(client, patient.key)
    sent, _, sent_sql = send_new(client, count_sql)
    replied, _, reply_sql = send_reply(client, patient.thread_id, count_sql)
    return sent, replied, {PAGES[1]: sent_sql, PAGES[2]: reply_sql} if count_sql else {}


def measure_writes(app: Flask, patients: list[Patient], requests: int, timings: Timings) -> None:
    """R different patients (random, fixed seed) after WARM_UP uncounted ones."""
    rng = random.Random(RANDOM_SEED)
    wanted = WARM_UP + requests
    if wanted > len(patients):
        sys.exit(f"--requests {requests} needs {wanted} bench patients; there are {len(patients)}.")
    for number, patient in enumerate(rng.sample(patients, wanted)):
        sent, replied, statements = write_as(app, patient, number == WARM_UP - 1)
        timings.statements.update(statements)
        if number >= WARM_UP:
            timings.ms[PAGES[1]].append(sent)
            timings.ms[PAGES[2]].append(replied)


def summarise(milliseconds: list[float]) -> dict[str, float]:
    """Median and nearest-rank 95th percentile, with the extremes for context."""
    ordered = sorted(milliseconds)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[math.ceil(0.95 * len(ordered)) - 1], 2),
        "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2),
    }


# --- Reporting --------------------------------------------------------------------------------


def backend_label(engine: Engine) -> str:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    version = ".".join(str(part) for part in engine.dialect.server_version_info or ())
    return f"{names.get(engine.dialect.name, engine.dialect.name)} {version}".strip()


def report(
    engine: Engine,
    before: dict[str, int],
    listed: int,
    timings: Timings,
    seeding: float | None,
) -> dict[str, Any]:
    return {
        "backend": engine.dialect.name,
        "backend_version": backend_label(engine),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "date": date.today().isoformat(),
        "bench_patients": bench_count(engine),
        **before,
        "inbox_threads_listed": listed,
        "requests": len(timings.ms[PAGES[0]]),
        "warm_up": WARM_UP,
        "seeding_seconds": None if seeding is None else round(seeding, 1),
        "requests_timed": {
            page: summarise(values) | {"sql_statements": len(timings.statements[page])}
            for page, values in timings.ms.items()
        },
        "sql": timings.statements,
    }


def number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| Backend | Python | Date | Open threads in unit | Request | SQL statements "
        "| Median (ms) | p95 (ms) |",
        "|---|---|---|---:|---|---:|---:|---:|",
    ]
    for page, stats in result["requests_timed"].items():
        lines.append(
            f"| {result['backend_version']} | {result['python']} | {result['date']} "
            f"| {number(result['open_threads_in_unit'])} | `{page}` "
            f"| {stats['sql_statements']} | {stats['median_ms']:.1f} | {stats['p95_ms']:.1f} |"
        )
    lines.append(
        f"\nThe inbox listed {result['inbox_threads_listed']} of the unit's "
        f"{number(result['open_threads_in_unit'])} open threads; {result['requests']} timed "
        f"requests each after {result['warm_up']} warm-up; "
        f"{number(result['threads'])} threads and {number(result['messages'])} messages in all."
    )
    return "\n".join(lines)


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL), help="database"
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind")
    parser.add_argument("--reset", action="store_true", help="start from an empty database")
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= N_PATIENTS - WARM_UP:
        parser.error(f"--requests must be from 1 to {N_PATIENTS - WARM_UP}")
    return args


def seed_if_needed(app: Flask, world: World) -> float | None:
    """Seed the bench patients unless some are there already; the seconds it took, or None."""
    engine = database(app).engine
    existing = bench_count(engine)
    if existing:
        log(f"{existing} bench patients already there: not seeding (use --reset to reseed).")
        return None
    log(f"Seeding {N_PATIENTS} bench patients with an open thread each ...")
    seconds = seed_patients(engine, world, N_PATIENTS)
    log(f"Seeded in {seconds:.1f} s.")
    return seconds


def run(app: Flask, requests: int, seeding: float | None) -> dict[str, Any]:
    """Measure the inbox, then the writes (which add threads); the result to report."""
    engine = database(app).engine
    before = counts(engine, load_world(app).unit_id)
    patients = bench_patients(engine)
    timings = Timings({page: [] for page in PAGES}, {})
    log(f"Measuring {requests} inbox requests (+{WARM_UP} warm-up) ...")
    listed = measure_inbox(app, patients[0], requests, timings)
    log(f"Measuring {requests} new messages and replies (+{WARM_UP} warm-up) ...")
    measure_writes(app, patients, requests, timings)
    return report(engine, before, listed, timings, seeding)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    check_url(args.database_url)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.reset:
        reset(args.database_url)
    app = prepare(args.database_url)
    seeding = seed_if_needed(app, load_world(app))
    result = run(app, args.requests, seeding)
    path = OUT / f"messages-{result['backend']}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if seeding is not None:
        print(f"Seeded {N_PATIENTS} patients in {seeding:.1f} s.\n")
    print(markdown(result))
    log(f"Written to {path}.")


if __name__ == "__main__":
    main()
