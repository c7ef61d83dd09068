"""What the benchmarks share: the database, the bulk seeding, the sign-in, timing and reporting.

``benchmarks/pages.py``, ``benchmarks/messages.py`` and ``benchmarks/workspace.py`` each seed
their own bench patients on top of the demo world and time a few requests in-process with Flask's
test client. Everything that does not depend on what they seed or measure lives here:

* the database: ``reset`` (only a database named for benchmarks on PostgreSQL), migrations, the
  demo world and an app with the per-address rate limits lifted (``setup``);
* the seeding: ``World`` (Karin, her unit and the moment), distinct test-series personal numbers,
  executemany inserts in transactions of ``BATCH`` patients (``seed_if_needed``), and the person,
  plan, care-team and plan-version rows both benchmarks give their patients;
* the measuring: the demo sign-in with the form's CSRF token, ``timed`` and ``summarise`` (median
  and nearest-rank 95th percentile);
* the reporting: the JSON report's common fields, number formatting, the JSON file under
  benchmarks/out/ and the Markdown table on stdout (progress goes to stderr).

The benchmarks are run as scripts (``python benchmarks/pages.py``), so they put the repository on
``sys.path`` before importing this module as ``benchmarks.common``; see their imports.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast
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
from app.goals.models import ActivityStatus, Responsible
from app.plans.models import CarePlan, CareTeamMember, PlanKind, PlanStatus, PlanVersion, TeamRole

OUT = Path(__file__).resolve().parent / "out"
BATCH = 500  # patients per transaction
WARM_UP = 20
STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_BIRTH = date(1935, 1, 1)
BIRTH_SPAN_DAYS = 25_000  # birth dates spread over about 68 years
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# The benchmarks sign in hundreds of times from one address: lift the per-address limits.
UNLIMITED = "1000000 per minute"

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

T = TypeVar("T")


@dataclass(frozen=True)
class World:
    """What every seeded row refers to, and the moment the seeding runs."""

    unit_id: int
    karin_id: int
    now: datetime
    today: date


Numbers = Sequence[tuple[date, str]]  # (birth date, personal number) a bench patient
SeedBatch = Callable[[Connection, World, Numbers, range], None]  # one transaction of patients


# --- Command line -----------------------------------------------------------------------------


def add_database_url(parser: argparse.ArgumentParser, default_url: str) -> None:
    """``--database-url``, from ``DATABASE_URL`` when not given, else the benchmark's own file."""
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", default_url), help="database"
    )


def add_reset(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reset", action="store_true", help="start from an empty database")


# --- Database ---------------------------------------------------------------------------------


def reset(url: str) -> None:
    """Delete the SQLite file, or empty the PostgreSQL database's public schema (only in a
    database whose name contains "bench")."""
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
    app = create_app(
        {
            "DEMO_MODE": True,
            "DATABASE_URL": url,
            "RATELIMIT_WRITE": UNLIMITED,
            "RATELIMIT_SIGN_IN": UNLIMITED,
        }
    )
    with session_scope(app) as session:
        if karin(session) is None:
            seed_demo(session)
    return app


def setup(url: str, *, empty: bool) -> Flask:
    """Make benchmarks/out/, empty the database first if asked (``--reset``), then prepare it."""
    OUT.mkdir(parents=True, exist_ok=True)
    if empty:
        reset(url)
    return prepare(url)


def karin(session: Session) -> Practitioner | None:
    """The demo world's coordinator, to whom the bench patients' plans and threads belong."""
    query = select(Practitioner).where(Practitioner.demo_key == "staff-karin")
    return session.scalars(query).first()


def load_world(app: Flask, *, karin_in_unit: bool = False) -> World:
    """Karin, Hälsocentralen Kvarnen and now; stop the run if the demo world lacks them (or, with
    karin_in_unit, if Karin does not work at that unit)."""
    with session_scope(app) as session:
        coordinator = karin(session)
        unit_id = session.scalar(
            select(CareUnit.id).where(CareUnit.name == "Hälsocentralen Kvarnen")
        )
    if karin_in_unit:
        if coordinator is None or unit_id is None or coordinator.unit_id != unit_id:
            sys.exit("The demo world is missing Karin at Hälsocentralen Kvarnen.")
    elif coordinator is None or unit_id is None:
        sys.exit("The demo world is missing Karin or Hälsocentralen Kvarnen.")
    now = datetime.now(UTC)
    return World(unit_id, coordinator.id, now, now.astimezone(STOCKHOLM).date())


def bench_count(engine: Engine, prefix: str) -> int:
    """How many people carry a demo key starting with the benchmark's prefix."""
    with engine.connect() as conn:
        query = select(func.count(Person.id)).where(Person.demo_key.like(f"{prefix}%"))
        return conn.scalar(query) or 0


# --- Seeding ----------------------------------------------------------------------------------


def seed_if_needed(
    app: Flask,
    prefix: str,
    count: int,
    seed_batch: SeedBatch,
    *,
    world: World | None = None,
    what: str = "",
) -> float | None:
    """Seed `count` bench patients unless some are there already; the seconds it took, or None.
    The world is loaded when seeding starts unless given; `what` ends the progress line."""
    engine = database(app).engine
    existing = bench_count(engine, prefix)
    if existing:
        log(f"{existing} bench patients already there: not seeding (use --reset to reseed).")
        return None
    log(f"Seeding {count} bench patients{what} ...")
    seconds = seed_patients(
        engine, world if world is not None else load_world(app), count, seed_batch
    )
    log(f"Seeded in {seconds:.1f} s.")
    return seconds


def seed_patients(engine: Engine, world: World, count: int, seed_batch: SeedBatch) -> float:
    """Insert `count` bench patients, BATCH to a transaction, each batch by `seed_batch`; ANALYZE
    on PostgreSQL, as autovacuum would soon do. Returns the seconds it took."""
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
    """Insert many rows in one executemany."""
    conn.execute(insert(cast(Table, model.__table__)), rows)


def insert_people(
    conn: Connection, world: World, prefix: str, numbers: Numbers, indexes: range
) -> list[int]:
    """The batch's bench patients (person_row); their ids in the order of `indexes`."""
    people = [person_row(world, prefix, i, *numbers[i]) for i in indexes]
    return insert_ids(conn, Person, people)


def insert_plans(conn: Connection, world: World, plans: list[dict[str, Any]]) -> list[int]:
    """Plans (from plan_row), each with Karin on its care team (team_row) and its first version
    (version_row); their ids in the order given."""
    plan_ids = insert_ids(conn, CarePlan, plans)
    insert_rows(conn, CareTeamMember, [team_row(world, plan_id) for plan_id in plan_ids])
    versions = zip(plan_ids, plans, strict=True)
    insert_rows(conn, PlanVersion, [version_row(world, p, row) for p, row in versions])
    return plan_ids


def person_row(world: World, prefix: str, index: int, birth: date, number: str) -> dict[str, Any]:
    """Bench patient `index`: demo key `prefix` + index, e-mail the prefix without its dash."""
    return {
        "personal_number": number,
        "given_name": GIVEN_NAMES[index % len(GIVEN_NAMES)],
        "family_name": FAMILY_NAMES[(index // len(GIVEN_NAMES)) % len(FAMILY_NAMES)],
        "birth_date": birth,
        "protected_identity": False,
        "phone": None,
        "email": f"{prefix.removesuffix('-')}{index}@example.org",
        "preferred_language": "sv",
        "simple_view": False,
        "demo_key": f"{prefix}{index}",
        "created_at": world.now - timedelta(days=400),
    }


def plan_row(
    world: World, patient_id: int, kind: PlanKind, title: str, summary: str, created: datetime
) -> dict[str, Any]:
    """An active, published plan at Karin's unit, followed up at a visit within three months."""
    return {
        "patient_id": patient_id,
        "kind": kind,
        "title": title,
        "summary": summary,
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
    """Karin on the plan's care team, as care contact and coordinator."""
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
    """The plan's first version, published by Karin when the plan (a plan_row) was made."""
    return {
        "plan_id": plan_id,
        "number": 1,
        "published_at": plan["created_at"],
        "published_by_id": world.karin_id,
        "change_summary": "Ny plan upprättad.",
        "snapshot": {"title": plan["title"], "summary": plan["summary"]},
    }


# --- Measuring --------------------------------------------------------------------------------


def sign_in(client: FlaskClient, key: str) -> None:
    """Through the demo sign-in page, as a person would: the form's token, then POST."""
    match = CSRF.search(client.get("/demo").get_data(as_text=True))
    if match is None:
        sys.exit("No CSRF token on GET /demo: is DEMO_MODE on?")
    response = client.post("/demo", data={"persona": key, "csrf_token": match.group(1)})
    if response.status_code != 303:
        sys.exit(f"Demo sign-in as {key} answered {response.status_code}, not 303.")


def timed(call: Callable[[], T]) -> tuple[float, T]:
    """Call, in milliseconds, and what it returned."""
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


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


def requests_timed(
    ms: dict[str, list[float]], statements: dict[str, list[str]]
) -> dict[str, dict[str, float]]:
    """Median and p95 per request kind, with the SQL statements one request of it ran."""
    return {
        page: summarise(values) | {"sql_statements": len(statements[page])}
        for page, values in ms.items()
    }


def backend_label(engine: Engine) -> str:
    """The backend's name and server version, such as "SQLite 3.40.1"."""
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    version = ".".join(str(part) for part in engine.dialect.server_version_info or ())
    return f"{names.get(engine.dialect.name, engine.dialect.name)} {version}".strip()


def environment(engine: Engine) -> dict[str, Any]:
    """The report's first fields: backend, its version, Python, SQLAlchemy and today's date."""
    return {
        "backend": engine.dialect.name,
        "backend_version": backend_label(engine),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "date": date.today().isoformat(),
    }


def run_details(requests: int, seeding: float | None) -> dict[str, Any]:
    """The report's fields on the run: timed requests, warm-up, and seconds spent seeding."""
    return {
        "requests": requests,
        "warm_up": WARM_UP,
        "seeding_seconds": None if seeding is None else round(seeding, 1),
    }


def thousands(value: int) -> str:
    """A whole number with a space between thousands, as in Swedish: 10 000."""
    return f"{value:,}".replace(",", " ")


def publish(
    name: str, result: dict[str, Any], table: str, patients: int, seeding: float | None
) -> None:
    """Write the result to benchmarks/out/<name>-<backend>.json; print the seeding time (if it
    seeded) and the Markdown table to stdout."""
    path = OUT / f"{name}-{result['backend']}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if seeding is not None:
        print(f"Seeded {patients} patients in {seeding:.1f} s.\n")
    print(table)
    log(f"Written to {path}.")


def log(line: str) -> None:
    """Progress, to stderr (stdout is for the report)."""
    print(line, file=sys.stderr, flush=True)


# Activities every bench plan gets: even ones the patient's, odd ones the unit's.
ACTIVITIES = (
    "Gå en promenad efter lunch",
    "Kontroll av blodtryck och blodsocker på hälsocentralen",
    "Skriva upp blodsockret morgon och kväll",
    "Genomgång av läkemedlen",
    "Ta tabletterna enligt dosetten",
)


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


def expect(response: TestResponse, status: int, what: str) -> str:
    """The response's HTML; stop the whole run if the status is not the one expected."""
    if response.status_code != status:
        sys.exit(f"{what} answered {response.status_code}, not {status}.")
    return response.get_data(as_text=True)
