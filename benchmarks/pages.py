"""Page benchmark: the patient's start page and plan page on a large seeded database.

Seeds N bench patients (default 10 000) in bulk with SQLAlchemy Core. Each gets two active plans
(care and treatment, and a SIP) at Hälsocentralen Kvarnen coordinated by Karin, six goals, ten
activities, two answered message threads of ten messages each, their what-matters answers and one
upcoming appointment. It then signs in as randomly chosen bench patients through the demo sign-in
and times ``GET /`` and ``GET /plan/<id>`` in-process with Flask's test client (server time only:
queries, access log, template rendering; no network, no browser).

SQLite (a file under benchmarks/out/, which git ignores)::

    .venv/bin/python benchmarks/pages.py --reset

PostgreSQL (a database of its own; never the test suite's database ``test``)::

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE samplan_bench'
    .venv/bin/python benchmarks/pages.py --reset \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/samplan_bench

``--reset`` deletes the SQLite file, or drops and recreates the public schema on PostgreSQL (only
in a database whose name contains "bench"). Without it, a database that already holds bench
patients is measured as it is, so a second run only measures. ``DATABASE_URL`` is used when
``--database-url`` is not given. On PostgreSQL the tables are ANALYZEd after seeding, as
autovacuum would soon do; SQLite gets no ANALYZE, as in a plain deployment.

The result is printed to stdout as a Markdown table (progress goes to stderr) and written as JSON
to benchmarks/out/pages-<backend>.json.
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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import sqlalchemy
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, Table, func, insert, make_url, select, text
from sqlalchemy.orm import Session

from app import create_app, migrations
from app.accounts.identity import TEST_SERIALS, make_test_number
from app.accounts.models import CareUnit, Person, Practitioner
from app.appointments.models import Appointment, AppointmentMode, AppointmentStatus
from app.db import Base, database, make_engine, session_scope
from app.demo.seed import seed_demo
from app.goals.models import Activity, ActivityStatus, Goal, GoalStatus, ProposedBy, Responsible
from app.messages.models import Message, Thread, ThreadStatus
from app.plans.models import CarePlan, CareTeamMember, PlanKind, PlanStatus, PlanVersion, TeamRole
from app.whatmatters.models import WhatMatters

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_URL = f"sqlite:///{OUT / 'bench.db'}"
PREFIX = "bench-"
BATCH = 500  # patients per transaction
WARM_UP = 20
RANDOM_SEED = 20250101
STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_BIRTH = date(1935, 1, 1)
BIRTH_SPAN_DAYS = 25_000  # birth dates spread over about 68 years
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

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
PLANS = (
    (PlanKind.CARE_TREATMENT, "Vård- och behandlingsplan vid diabetes typ 2",
     "Du och hälsocentralen arbetar tillsammans för jämna blodsocker och god ork."),
    (PlanKind.SIP, "Samordnad individuell plan – trygg hemma",
     "Hälsocentralen och kommunen hjälper dig att bo kvar hemma. Karin samordnar."),
)  # fmt: skip
GOALS = (
    "Jag vill orka gå till affären och tillbaka själv.",
    "Jag vill gå en promenad på en halvtimme varje dag.",
    "Jag vill sova bättre på nätterna.",
)
ACTIVITIES = (
    "Gå en promenad efter lunch",
    "Kontroll av blodtryck och blodsocker på hälsocentralen",
    "Skriva upp blodsockret morgon och kväll",
    "Genomgång av läkemedlen",
    "Ta tabletterna enligt dosetten",
)
SUBJECTS = ("Fråga om provsvaren", "Fråga om läkemedlen")
MESSAGES_PER_THREAD = 10


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
    plan_ids: tuple[int, ...]


# --- Database ---------------------------------------------------------------------------------


def reset(url: str) -> None:
    """Delete the SQLite file, or empty the PostgreSQL database's public schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-journal", "-wal", "-shm"):
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    if "bench" not in (parsed.database or ""):
        sys.exit(f"Refusing to reset {parsed.database!r}: its name must contain 'bench'.")
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
    if karin is None or unit_id is None:
        sys.exit("The demo world is missing Karin or Hälsocentralen Kvarnen.")
    now = datetime.now(UTC)
    return World(unit_id, karin.id, now, now.astimezone(STOCKHOLM).date())


def bench_count(engine: Engine) -> int:
    with engine.connect() as conn:
        query = select(func.count(Person.id)).where(Person.demo_key.like(f"{PREFIX}%"))
        return conn.scalar(query) or 0


def counts(engine: Engine) -> dict[str, int]:
    """Patients (people with a plan), plans and messages in the whole database."""
    with engine.connect() as conn:
        return {
            "patients": conn.scalar(select(func.count(CarePlan.patient_id.distinct()))) or 0,
            "plans": conn.scalar(select(func.count(CarePlan.id))) or 0,
            "messages": conn.scalar(select(func.count(Message.id))) or 0,
        }


# --- Seeding ----------------------------------------------------------------------------------


def seed_patients(engine: Engine, world: World, count: int) -> float:
    """Insert `count` bench patients with everything they have; returns the seconds it took."""
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
    """One transaction: persons, then their plans, then everything hanging off the plans."""
    people = [person_row(world, i, *numbers[i]) for i in indexes]
    person_ids = insert_ids(conn, Person, people)
    plan_rows = [plan_row(world, pid, n) for pid in person_ids for n in range(len(PLANS))]
    plan_ids = insert_ids(conn, CarePlan, plan_rows)
    insert_rows(conn, CareTeamMember, [team_row(world, plan_id) for plan_id in plan_ids])
    versions = zip(plan_ids, plan_rows, strict=True)
    insert_rows(conn, PlanVersion, [version_row(world, p, row) for p, row in versions])
    goal_ids = seed_goals(conn, world, plan_ids)
    activities = [activity_row(world, p, goal_ids[p], n) for p in plan_ids for n in range(5)]
    insert_rows(conn, Activity, activities)
    owners = list(zip(indexes, person_ids, plan_ids[0::2], plan_ids[1::2], strict=True))
    seed_messages(conn, world, [(pid, first, second) for _, pid, first, second in owners])
    insert_rows(conn, WhatMatters, [what_matters_row(world, pid) for pid in person_ids])
    visits = [appointment_row(world, pid, first, i) for i, pid, first, _ in owners]
    insert_rows(conn, Appointment, visits)


def person_row(world: World, index: int, birth: date, number: str) -> dict[str, Any]:
    return {
        "personal_number": number,
        "given_name": GIVEN_NAMES[index % len(GIVEN_NAMES)],
        "family_name": FAMILY_NAMES[(index // len(GIVEN_NAMES)) % len(FAMILY_NAMES)],
        "birth_date": birth,
        "protected_identity": False,
        "phone": None,
        "email": f"bench{index}@example.org",
        "preferred_language": "sv",
        "simple_view": False,
        "demo_key": f"{PREFIX}{index}",
        "created_at": world.now - timedelta(days=400),
    }


def plan_row(world: World, patient_id: int, number: int) -> dict[str, Any]:
    kind, title, summary = PLANS[number]
    created = world.now - timedelta(days=120 - number * 30)
    sip = kind == PlanKind.SIP
    return {
        "patient_id": patient_id,
        "kind": kind,
        "title": title,
        "summary": summary,
        "unit_id": world.unit_id,
        "status": PlanStatus.ACTIVE,
        "follow_up_on": world.today + timedelta(days=30 + patient_id % 60),
        "follow_up_how": "Besök hos Karin på hälsocentralen.",
        "consent_given_on": created.date() if sip else None,
        "consent_how": "Muntligt vid SIP-möte" if sip else None,
        "consent_recorded_by_id": world.karin_id if sip else None,
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


def version_row(world: World, plan_id: int, plan: dict[str, Any]) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "number": 1,
        "published_at": plan["created_at"],
        "published_by_id": world.karin_id,
        "change_summary": "Ny plan upprättad.",
        "snapshot": {"title": plan["title"], "summary": plan["summary"]},
    }


def seed_goals(conn: Connection, world: World, plan_ids: list[int]) -> dict[int, list[int]]:
    """Three goals a plan: two main goals, then a sub-goal under the first; ids by plan."""
    mains = [goal_row(world, p, n, None) for p in plan_ids for n in (0, 2)]
    main_ids = insert_ids(conn, Goal, mains)
    subs = [goal_row(world, p, 1, main_ids[2 * k]) for k, p in enumerate(plan_ids)]
    sub_ids = insert_ids(conn, Goal, subs)
    return {p: [main_ids[2 * k], sub_ids[k], main_ids[2 * k + 1]] for k, p in enumerate(plan_ids)}


def goal_row(world: World, plan_id: int, position: int, parent_id: int | None) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "parent_id": parent_id,
        "text": GOALS[position],
        "target_date": world.today + timedelta(days=60 + 30 * position),
        "status": GoalStatus.REACHED if position == 1 else GoalStatus.ONGOING,
        "proposed_by": ProposedBy.PATIENT if position != 2 else ProposedBy.CARE,
        "decline_reason": None,
        "position": position,
        "created_at": world.now - timedelta(days=90),
    }


def activity_row(world: World, plan_id: int, goals: list[int], n: int) -> dict[str, Any]:
    """Even activities are the patient's, odd ones the unit's, with a due date."""
    by_unit = n % 2 == 1
    return {
        "plan_id": plan_id,
        "goal_id": goals[n % len(goals)],
        "text": ACTIVITIES[n],
        "responsible": Responsible.UNIT if by_unit else Responsible.PATIENT,
        "responsible_unit_id": world.unit_id if by_unit else None,
        "responsible_practitioner_id": None,
        "responsible_name": None,
        "when_text": "Varje vecka" if by_unit else "Varje dag",
        "due_on": world.today + timedelta(days=7 + (plan_id + n) % 40) if by_unit else None,
        "status": ActivityStatus.PLANNED if by_unit else ActivityStatus.ONGOING,
        "position": n,
    }


def message_times(world: World, thread_no: int) -> list[datetime]:
    start = world.now - timedelta(days=60 - 25 * thread_no)
    return [start + timedelta(hours=26 * n) for n in range(MESSAGES_PER_THREAD)]


def seed_messages(conn: Connection, world: World, patients: list[tuple[int, int, int]]) -> None:
    """Two answered threads a patient, one a plan, of ten messages each, patient and Karin taking
    turns; Karin's last answer in the second thread is unread."""
    threads = [thread_row(world, pid, plans[t], t) for pid, *plans in patients for t in (0, 1)]
    thread_ids = insert_ids(conn, Thread, threads)
    rows = [
        message_row(world, thread_id, row["patient_id"], k % 2, n)
        for k, (thread_id, row) in enumerate(zip(thread_ids, threads, strict=True))
        for n in range(MESSAGES_PER_THREAD)
    ]
    insert_rows(conn, Message, rows)


def thread_row(world: World, patient_id: int, plan_id: int, thread_no: int) -> dict[str, Any]:
    times = message_times(world, thread_no)
    return {
        "patient_id": patient_id,
        "plan_id": plan_id,
        "unit_id": world.unit_id,
        "assigned_to_id": world.karin_id,
        "subject": SUBJECTS[thread_no],
        "status": ThreadStatus.ANSWERED,
        "waiting_since": None,
        "last_message_at": times[-1],
        "created_at": times[0],
    }


def message_row(
    world: World, thread_id: int, patient_id: int, thread_no: int, n: int
) -> dict[str, Any]:
    at = message_times(world, thread_no)[n]
    by_care = n % 2 == 1
    unread = by_care and thread_no == 1 and n == MESSAGES_PER_THREAD - 1
    return {
        "thread_id": thread_id,
        "author_person_id": None if by_care else patient_id,
        "author_practitioner_id": world.karin_id if by_care else None,
        "on_behalf_of_id": None,
        "body": "Hej! Tack för ditt meddelande. Vi hörs på torsdag. Hälsningar Karin"
        if by_care
        else "Hej Karin. Jag undrar över provsvaren från förra veckan. Hälsningar",
        "idempotency_key": f"{PREFIX}{thread_id}-{n}",
        "created_at": at,
        "read_by_care_at": at if by_care else at + timedelta(hours=2),
        "read_by_care_id": world.karin_id,
        "read_by_patient_at": None if unread else at + timedelta(hours=3 if by_care else 0),
    }


def what_matters_row(world: World, patient_id: int) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "version": 1,
        "what_matters": "Att få bo kvar hemma och träffa barnbarnen.",
        "expectations": "Att jag vet vem jag ska ringa.",
        "relatives": "Min dotter får gärna vara med på möten.",
        "treatment_wishes": "Så få tabletter som möjligt.",
        "visit_wishes": "Förmiddagar.",
        "resources_physical": "Jag går med rollator.",
        "resources_psychological": "Jag tar en dag i taget.",
        "resources_existential": "Kören på torsdagar.",
        "resources_social": "Grannarna och barnen.",
        "written_by_id": patient_id,
        "created_at": world.now - timedelta(days=100),
    }


def appointment_row(world: World, patient_id: int, plan_id: int, index: int) -> dict[str, Any]:
    day = world.today + timedelta(days=2 + index % 28)
    starts = datetime.combine(day, clock(8 + index % 8, 0), tzinfo=STOCKHOLM)
    return {
        "patient_id": patient_id,
        "plan_id": plan_id,
        "unit_id": world.unit_id,
        "practitioner_id": world.karin_id,
        "starts_at": starts.astimezone(UTC),
        "duration_minutes": 30,
        "mode": AppointmentMode.VISIT,
        "location": "Hälsocentralen Kvarnen, Kvarngatan 7",
        "purpose": "Återbesök: blodtryck, blodsocker och läkemedel",
        "status": AppointmentStatus.ACCEPTED,
        "patient_note": "",
        "created_at": world.now - timedelta(days=3),
    }


# --- Measuring --------------------------------------------------------------------------------


def bench_patients(engine: Engine) -> list[Patient]:
    """Every bench patient with their plan ids, in id order."""
    query = (
        select(Person.demo_key, Person.given_name, Person.family_name, CarePlan.id)
        .join(CarePlan, CarePlan.patient_id == Person.id)
        .where(Person.demo_key.like(f"{PREFIX}%"))
        .order_by(Person.id, CarePlan.id)
    )
    plans: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    with engine.connect() as conn:
        for key, given, family, plan_id in conn.execute(query):
            plans.setdefault(key, []).append(plan_id)
            names[key] = f"{given} {family}"
    return [Patient(key, names[key], tuple(ids)) for key, ids in plans.items()]


def sign_in(client: FlaskClient, key: str) -> None:
    """Through the demo sign-in page, as a person would: the form's token, then POST."""
    match = CSRF.search(client.get("/demo").get_data(as_text=True))
    if match is None:
        sys.exit("No CSRF token on GET /demo: is DEMO_MODE on?")
    response = client.post("/demo", data={"persona": key, "csrf_token": match.group(1)})
    if response.status_code != 303:
        sys.exit(f"Demo sign-in as {key} answered {response.status_code}, not 303.")


def timed_get(client: FlaskClient, path: str, needles: Sequence[str]) -> float:
    """GET a page, in milliseconds; stop the whole run if it is not the page expected."""
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    html = response.get_data(as_text=True)
    missing = [needle for needle in needles if needle not in html]
    if response.status_code != 200 or missing:
        sys.exit(f"GET {path} answered {response.status_code}; missing from the page: {missing}")
    return elapsed


def visit(app: Flask, patient: Patient, rng: random.Random) -> tuple[float, float]:
    """Sign in as the patient; time their start page and one of their plans."""
    client = app.test_client()
    sign_in(client, patient.key)
    links = [f'href="/plan/{plan_id}"' for plan_id in patient.plan_ids]
    start = timed_get(client, "/", [patient.name, *links])
    plan = timed_get(client, f"/plan/{rng.choice(patient.plan_ids)}", [patient.name])
    return start, plan


def measure(app: Flask, patients: list[Patient], requests: int) -> dict[str, list[float]]:
    """R visits by randomly chosen patients (fixed seed) after WARM_UP uncounted ones."""
    rng = random.Random(RANDOM_SEED)
    wanted = WARM_UP + requests
    chosen = (
        rng.sample(patients, wanted) if wanted <= len(patients) else rng.choices(patients, k=wanted)
    )
    timings: dict[str, list[float]] = {"GET /": [], "GET /plan/<id>": []}
    for number, patient in enumerate(chosen):
        start, plan = visit(app, patient, rng)
        if number >= WARM_UP:
            timings["GET /"].append(start)
            timings["GET /plan/<id>"].append(plan)
    return timings


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
    engine: Engine, timings: dict[str, list[float]], seeding: float | None
) -> dict[str, Any]:
    return {
        "backend": engine.dialect.name,
        "backend_version": backend_label(engine),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "date": date.today().isoformat(),
        **counts(engine),
        "requests": len(timings["GET /"]),
        "warm_up": WARM_UP,
        "seeding_seconds": None if seeding is None else round(seeding, 1),
        "pages": {page: summarise(values) for page, values in timings.items()},
    }


def markdown(result: dict[str, Any]) -> str:
    def number(value: int) -> str:
        return f"{value:,}".replace(",", " ")

    lines = [
        "| Backend | Python | Date | Patients | Plans | Messages | Page | Median (ms) | p95 (ms) |",
        "|---|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for page, stats in result["pages"].items():
        lines.append(
            f"| {result['backend_version']} | {result['python']} | {result['date']} "
            f"| {number(result['patients'])} | {number(result['plans'])} "
            f"| {number(result['messages'])} | `{page}` "
            f"| {stats['median_ms']:.1f} | {stats['p95_ms']:.1f} |"
        )
    return "\n".join(lines)


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--patients", type=int, default=10_000, help="bench patients to seed")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL), help="database"
    )
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument("--reset", action="store_true", help="start from an empty database")
    args = parser.parse_args(argv)
    if args.patients < 1 or args.requests < 1:
        parser.error("--patients and --requests must be at least 1")
    return args


def seed_if_needed(app: Flask, patients: int) -> float | None:
    """Seed the bench patients unless some are there already; the seconds it took, or None."""
    engine = database(app).engine
    existing = bench_count(engine)
    if existing:
        log(f"{existing} bench patients already there: not seeding (use --reset to reseed).")
        return None
    log(f"Seeding {patients} bench patients ...")
    seconds = seed_patients(engine, load_world(app), patients)
    log(f"Seeded in {seconds:.1f} s.")
    return seconds


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.reset:
        reset(args.database_url)
    app = prepare(args.database_url)
    seeding = seed_if_needed(app, args.patients)
    engine = database(app).engine
    log(f"Measuring {args.requests} visits (+{WARM_UP} warm-up) ...")
    timings = measure(app, bench_patients(engine), args.requests)
    result = report(engine, timings, seeding)
    path = OUT / f"pages-{result['backend']}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if seeding is not None:
        print(f"Seeded {args.patients} patients in {seeding:.1f} s.\n")
    print(markdown(result))
    log(f"Written to {path}.")


if __name__ == "__main__":
    main()
