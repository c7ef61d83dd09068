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
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, func, select

from app.accounts.models import Person
from app.appointments.models import Appointment, AppointmentMode, AppointmentStatus
from app.db import database
from app.goals.models import Activity, Goal, GoalStatus, ProposedBy
from app.messages.models import Message, Thread, ThreadStatus
from app.plans.models import CarePlan, PlanKind
from app.whatmatters.models import WhatMatters

# Run as a script, Python puts benchmarks/ on sys.path but not the repository: put it first, so
# that the shared code imports as benchmarks.common here and under python -m benchmarks.pages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common
from benchmarks.common import Numbers, World

DEFAULT_URL = f"sqlite:///{common.OUT / 'bench.db'}"
PREFIX = "bench-"
RANDOM_SEED = 20250101

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
SUBJECTS = ("Fråga om provsvaren", "Fråga om läkemedlen")
MESSAGES_PER_THREAD = 10


@dataclass(frozen=True)
class Patient:
    key: str
    name: str
    plan_ids: tuple[int, ...]


# --- Database ---------------------------------------------------------------------------------


def counts(engine: Engine) -> dict[str, int]:
    """Patients (people with a plan), plans and messages in the whole database."""
    with engine.connect() as conn:
        return {
            "patients": conn.scalar(select(func.count(CarePlan.patient_id.distinct()))) or 0,
            "plans": conn.scalar(select(func.count(CarePlan.id))) or 0,
            "messages": conn.scalar(select(func.count(Message.id))) or 0,
        }


# --- Seeding ----------------------------------------------------------------------------------


def seed_batch(conn: Connection, world: World, numbers: Numbers, indexes: range) -> None:
    """One transaction: persons, then their plans, then everything hanging off the plans."""
    person_ids = common.insert_people(conn, world, PREFIX, numbers, indexes)
    plan_rows = [nth_plan_row(world, pid, n) for pid in person_ids for n in range(len(PLANS))]
    plan_ids = common.insert_plans(conn, world, plan_rows)
    goal_ids = seed_goals(conn, world, plan_ids)
    activities = [common.activity_row(world, p, goal_ids[p], n) for p in plan_ids for n in range(5)]
    common.insert_rows(conn, Activity, activities)
    owners = list(zip(indexes, person_ids, plan_ids[0::2], plan_ids[1::2], strict=True))
    seed_messages(conn, world, [(pid, first, second) for _, pid, first, second in owners])
    common.insert_rows(conn, WhatMatters, [what_matters_row(world, pid) for pid in person_ids])
    visits = [appointment_row(world, pid, first, i) for i, pid, first, _ in owners]
    common.insert_rows(conn, Appointment, visits)


def nth_plan_row(world: World, patient_id: int, number: int) -> dict[str, Any]:
    """Plan `number` of PLANS, made a month after the one before; the SIP with recorded consent."""
    kind, title, summary = PLANS[number]
    created = world.now - timedelta(days=120 - number * 30)
    sip = kind == PlanKind.SIP
    return common.plan_row(world, patient_id, kind, title, summary, created) | {
        "consent_given_on": created.date() if sip else None,
        "consent_how": "Muntligt vid SIP-möte" if sip else None,
        "consent_recorded_by_id": world.karin_id if sip else None,
    }


def seed_goals(conn: Connection, world: World, plan_ids: list[int]) -> dict[int, list[int]]:
    """Three goals a plan: two main goals, then a sub-goal under the first; ids by plan."""
    mains = [goal_row(world, p, n, None) for p in plan_ids for n in (0, 2)]
    main_ids = common.insert_ids(conn, Goal, mains)
    subs = [goal_row(world, p, 1, main_ids[2 * k]) for k, p in enumerate(plan_ids)]
    sub_ids = common.insert_ids(conn, Goal, subs)
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


def message_times(world: World, thread_no: int) -> list[datetime]:
    start = world.now - timedelta(days=60 - 25 * thread_no)
    return [start + timedelta(hours=26 * n) for n in range(MESSAGES_PER_THREAD)]


def seed_messages(conn: Connection, world: World, patients: list[tuple[int, int, int]]) -> None:
    """Two answered threads a patient, one a plan, of ten messages each, patient and Karin taking
    turns; Karin's last answer in the second thread is unread."""
    threads = [thread_row(world, pid, plans[t], t) for pid, *plans in patients for t in (0, 1)]
    thread_ids = common.insert_ids(conn, Thread, threads)
    rows = [
        message_row(world, thread_id, row["patient_id"], k % 2, n)
        for k, (thread_id, row) in enumerate(zip(thread_ids, threads, strict=True))
        for n in range(MESSAGES_PER_THREAD)
    ]
    common.insert_rows(conn, Message, rows)


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
    starts = datetime.combine(day, clock(8 + index % 8, 0), tzinfo=common.STOCKHOLM)
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


def timed_get(client: FlaskClient, path: str, needles: Sequence[str]) -> float:
    """GET a page, in milliseconds; stop the whole run if it is not the page expected."""
    elapsed, response = common.timed(lambda: client.get(path))
    html = response.get_data(as_text=True)
    missing = [needle for needle in needles if needle not in html]
    if response.status_code != 200 or missing:
        sys.exit(f"GET {path} answered {response.status_code}; missing from the page: {missing}")
    return elapsed


def visit(app: Flask, patient: Patient, rng: random.Random) -> tuple[float, float]:
    """Sign in as the patient; time their start page and one of their plans."""
    client = app.test_client()
    common.sign_in(client, patient.key)
    links = [f'href="/plan/{plan_id}"' for plan_id in patient.plan_ids]
    start = timed_get(client, "/", [patient.name, *links])
    plan = timed_get(client, f"/plan/{rng.choice(patient.plan_ids)}", [patient.name])
    return start, plan


def measure(app: Flask, patients: list[Patient], requests: int) -> dict[str, list[float]]:
    """R visits by randomly chosen patients (fixed seed) after WARM_UP uncounted ones."""
    rng = random.Random(RANDOM_SEED)
    wanted = common.WARM_UP + requests
    chosen = (
        rng.sample(patients, wanted) if wanted <= len(patients) else rng.choices(patients, k=wanted)
    )
    timings: dict[str, list[float]] = {"GET /": [], "GET /plan/<id>": []}
    for number, patient in enumerate(chosen):
        start, plan = visit(app, patient, rng)
        if number >= common.WARM_UP:
            timings["GET /"].append(start)
            timings["GET /plan/<id>"].append(plan)
    return timings


# --- Reporting --------------------------------------------------------------------------------


def report(
    engine: Engine, timings: dict[str, list[float]], seeding: float | None
) -> dict[str, Any]:
    return {
        **common.environment(engine),
        **counts(engine),
        **common.run_details(len(timings["GET /"]), seeding),
        "pages": {page: common.summarise(values) for page, values in timings.items()},
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| Backend | Python | Date | Patients | Plans | Messages | Page | Median (ms) | p95 (ms) |",
        "|---|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for page, stats in result["pages"].items():
        lines.append(
            f"| {result['backend_version']} | {result['python']} | {result['date']} "
            f"| {common.thousands(result['patients'])} | {common.thousands(result['plans'])} "
            f"| {common.thousands(result['messages'])} | `{page}` "
            f"| {stats['median_ms']:.1f} | {stats['p95_ms']:.1f} |"
        )
    return "\n".join(lines)


# --- Main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--patients", type=int, default=10_000, help="bench patients to seed")
    common.add_database_url(parser, DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    common.add_reset(parser)
    args = parser.parse_args(argv)
    if args.patients < 1 or args.requests < 1:
        parser.error("--patients and --requests must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    app = common.setup(args.database_url, empty=args.reset)
    seeding = common.seed_if_needed(app, PREFIX, args.patients, seed_batch)
    engine = database(app).engine
    common.log(f"Measuring {args.requests} visits (+{common.WARM_UP} warm-up) ...")
    timings = measure(app, bench_patients(engine), args.requests)
    result = report(engine, timings, seeding)
    common.publish("pages", result, markdown(result), args.patients, seeding)


if __name__ == "__main__":
    main()
