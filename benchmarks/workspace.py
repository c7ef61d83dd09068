"""Workspace benchmark: the care team's work list, plan editor and publishing over 2 000 plans.

Seeds 2 000 bench patients in bulk with SQLAlchemy Core. Each gets one active care and treatment
plan at Hälsocentralen Kvarnen with Karin as care contact and coordinator, its published version 1,
three goals (two main goals and a sub-goal) and four activities. The follow-up dates are spread
over the next 140 days, one patient's plan a day in turn, so one plan in ten (200) is due within
the work list's 14 days; every fifth patient has not answered version 1 (400 plans), the others
have agreed to it. It then signs in as Karin through the demo sign-in and times, in-process with
Flask's test client (server time only: queries, access log, notifications, template rendering;
no network, no browser):

* her work list, ``GET /arbetslista``, over all 2 000 plans (it must list the bench patient whose
  follow-up comes first, and the bench plan that has waited longest for an answer);
* the plan editor, ``GET /plan/<id>/redigera``, for randomly chosen bench plans;
* saving a draft, ``POST /plan/<id>/redigera``, with a changed summary and one new goal in the
  editor's blank goal row: the editor is fetched first (untimed) and all its fields posted, as a
  browser would;
* publishing that draft, ``POST /plan/<id>/publicera``: the publish page is fetched first
  (untimed) and must list the new goal; its fields are posted as they are.

Each request kind runs 20 times as warm-up, then ``--requests`` times timed (every editor, save
and publish on a different plan). The SQL statements are those of the last warm-up request of each
kind, seen by a ``before_cursor_execute`` listener: SQLite's explicit ``BEGIN`` is one of them,
PostgreSQL's implicit one is not, and neither backend's COMMIT is. After the writes, every plan
saved and published must have its next version published, no draft left and the new goal.

SQLite (a file under benchmarks/out/, which git ignores)::

    .venv/bin/python benchmarks/workspace.py --reset

PostgreSQL (a database of its own, whose name must contain "bench"; never the test suite's
database ``test``, nor ``samplan_bench`` or ``samplan_msgbench`` of the other benchmarks)::

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE samplan_wsbench'
    .venv/bin/python benchmarks/workspace.py --reset \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/samplan_wsbench

``--reset`` deletes the SQLite file, or drops and recreates the public schema on PostgreSQL.
Without it, a database that already holds bench patients is not seeded again; note that every run
publishes a new version of the plans it writes to (``--requests`` plus the warm-up), which the
patients have not answered, so the unanswered plans grow (the report gives the counts measured).
``DATABASE_URL`` is used when ``--database-url`` is not given. On PostgreSQL the tables are
ANALYZEd after seeding.

The result is printed to stdout as a Markdown table (progress goes to stderr) and written as JSON
to benchmarks/out/workspace-<backend>.json, with the load averages before and after measuring.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, and_, func, make_url, or_, select

from app.accounts.models import Person
from app.agreements.models import Agreement, AgreementAnswer
from app.db import database
from app.goals.models import Activity, Goal, GoalStatus, ProposedBy
from app.planning.worklist import FOLLOW_UP_SOON
from app.plans.models import CarePlan, PlanKind, PlanStatus

# Run as a script, Python puts benchmarks/ on sys.path but not the repository: put it first, so
# that the shared code imports as benchmarks.common here and under python -m benchmarks.workspace.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import common
from benchmarks.common import Numbers, World
from tests.helpers import form_fields

DEFAULT_URL = f"sqlite:///{common.OUT / 'workspace.db'}"
PREFIX = "wsbench-"
N_PATIENTS = 2_000
RANDOM_SEED = 20250103
OTHER_DATABASES = ("samplan_bench", "samplan_msgbench")  # pages.py's and messages.py's
FOLLOW_UP_SPAN = 140  # follow-ups 1 to 140 days ahead: one in ten within FOLLOW_UP_SOON
UNANSWERED_EVERY = 5  # patients 2, 7, 12 ... have not answered version 1
WORK_LIST = "/arbetslista"
PAGES = (
    "GET /arbetslista",
    "GET /plan/<id>/redigera",
    "POST /plan/<id>/redigera",
    "POST /plan/<id>/publicera",
)

PLAN_TITLE = "Vård- och behandlingsplan vid diabetes typ 2"
PLAN_SUMMARY = "Du och hälsocentralen arbetar tillsammans för jämna blodsocker och god ork."
GOALS = (
    "Jag vill orka gå till affären och tillbaka själv.",
    "Jag vill gå en promenad på en halvtimme varje dag.",
    "Jag vill sova bättre på nätterna.",
)
ACTIVITIES_PER_PLAN = 4
NEW_SUMMARY = "Du och hälsocentralen arbetar för jämna blodsocker, god ork och bättre sömn."
NEW_GOAL = "Jag vill kunna cykla till kören på torsdagar."
# The work list's two kinds of line for a plan due for follow-up, and for an unanswered version.
DUE_LINE = re.compile(r"Följs upp senast|Skulle ha följts upp senast")
UNANSWERED_LINE = re.compile(r"Har inte svarat på version|Har frågor om version")


@dataclass(frozen=True)
class Plan:
    id: int
    name: str  # the patient's


@dataclass
class Timings:
    """Milliseconds per request kind, and the SQL statements of one (untimed) request each."""

    ms: dict[str, list[float]]
    statements: dict[str, list[str]]

    def keep(self, page: str, number: int, elapsed: float, statements: list[str]) -> None:
        """Warm-up request `number` WARM_UP - 1 gives the statements; later ones the times."""
        if number == common.WARM_UP - 1:
            self.statements[page] = statements
        elif number >= common.WARM_UP:
            self.ms[page].append(elapsed)


# --- Database ---------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """The benchmark writes: on PostgreSQL, only into a database named for benchmarks and not
    into the other benchmarks' databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    name = parsed.database or ""
    if "bench" not in name or name in OTHER_DATABASES:
        others = " or ".join(OTHER_DATABASES)
        sys.exit(f"Refusing to use {name!r}: its name must contain 'bench' (and not be {others}).")


def unanswered_clause() -> Any:
    """A plan whose published version has no answer, or an answer with questions (as the work
    list counts it); to be used with an outer join of Agreement on that version."""
    return or_(Agreement.id.is_(None), Agreement.answer == AgreementAnswer.QUESTIONS)


def answer_join() -> Any:
    return and_(
        Agreement.plan_id == CarePlan.id, Agreement.plan_version == CarePlan.published_version
    )


def counts(engine: Engine, world: World) -> dict[str, int]:
    """Active plans at the unit; of them, those due within FOLLOW_UP_SOON (or overdue) and those
    published but unanswered."""
    active = and_(CarePlan.unit_id == world.unit_id, CarePlan.status == PlanStatus.ACTIVE)
    due = CarePlan.follow_up_on <= world.today + FOLLOW_UP_SOON
    unanswered = (
        select(func.count(CarePlan.id))
        .outerjoin(Agreement, answer_join())
        .where(active, CarePlan.published_version > 0, unanswered_clause())
    )
    with engine.connect() as conn:
        return {
            "active_plans_in_unit": conn.scalar(select(func.count(CarePlan.id)).where(active)) or 0,
            "due_in_unit": conn.scalar(select(func.count(CarePlan.id)).where(active, due)) or 0,
            "unanswered_in_unit": conn.scalar(unanswered) or 0,
        }


# --- Seeding ----------------------------------------------------------------------------------


def seed_batch(conn: Connection, world: World, numbers: Numbers, indexes: range) -> None:
    """One transaction: persons, their plans with care team and version 1, goals, activities,
    and the answers of those who have answered."""
    person_ids = common.insert_people(conn, world, PREFIX, numbers, indexes)
    plans = [plan_row(world, i, pid) for i, pid in zip(indexes, person_ids, strict=True)]
    plan_ids = common.insert_plans(conn, world, plans)
    goal_ids = seed_goals(conn, world, plan_ids)
    activities = [
        common.activity_row(world, plan_id, goal_ids[plan_id], n)
        for plan_id in plan_ids
        for n in range(ACTIVITIES_PER_PLAN)
    ]
    common.insert_rows(conn, Activity, activities)
    answers = [
        agreement_row(plan, plan_id)
        for i, plan, plan_id in zip(indexes, plans, plan_ids, strict=True)
        if i % UNANSWERED_EVERY != 2
    ]
    common.insert_rows(conn, Agreement, answers)


def follow_up_on(world: World, index: int) -> date:
    """Patient 0 is followed up tomorrow, patient 1 the day after, ... 140 days, then again."""
    return world.today + timedelta(days=1 + index % FOLLOW_UP_SPAN)


def plan_row(world: World, index: int, patient_id: int) -> dict[str, Any]:
    created = world.now - timedelta(days=120)
    row = common.plan_row(
        world, patient_id, PlanKind.CARE_TREATMENT, PLAN_TITLE, PLAN_SUMMARY, created
    )
    return row | {"follow_up_on": follow_up_on(world, index)}


def seed_goals(conn: Connection, world: World, plan_ids: list[int]) -> dict[int, list[int]]:
    """Two main goals a plan, then a sub-goal under the first; the goal ids by plan."""
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
        "status": GoalStatus.ONGOING,
        "proposed_by": ProposedBy.PATIENT if position != 2 else ProposedBy.CARE,
        "decline_reason": None,
        "position": position,
        "created_at": world.now - timedelta(days=120),
    }


def agreement_row(plan: dict[str, Any], plan_id: int) -> dict[str, Any]:
    """The patient agreed to version 1 two days after it was published."""
    return {
        "plan_id": plan_id,
        "plan_version": 1,
        "answer": AgreementAnswer.AGREE,
        "comment": "",
        "answered_by_id": plan["patient_id"],
        "answered_at": plan["created_at"] + timedelta(days=2),
    }


# --- Measuring --------------------------------------------------------------------------------


def bench_plans(engine: Engine) -> list[Plan]:
    """Every bench plan with its patient's name, the earliest follow-up first."""
    query = (
        select(CarePlan.id, Person.given_name, Person.family_name)
        .join(Person, Person.id == CarePlan.patient_id)
        .where(Person.demo_key.like(f"{PREFIX}%"))
        .order_by(CarePlan.follow_up_on, CarePlan.id)
    )
    with engine.connect() as conn:
        return [
            Plan(plan_id, f"{given} {family}") for plan_id, given, family in conn.execute(query)
        ]


def longest_unanswered(engine: Engine) -> Plan:
    """The bench plan that has waited longest for an answer, in the work list's order."""
    query = (
        select(CarePlan.id, Person.given_name, Person.family_name)
        .join(Person, Person.id == CarePlan.patient_id)
        .outerjoin(Agreement, answer_join())
        .where(Person.demo_key.like(f"{PREFIX}%"), unanswered_clause())
        .order_by(CarePlan.updated_at, CarePlan.id)
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        sys.exit("No bench plan is waiting for an answer: reseed with --reset.")
    return Plan(row[0], f"{row[1]} {row[2]}")


def link(plan: Plan) -> str:
    """The work list's link to a plan, with the patient's name before its title."""
    return f'href="/plan/{plan.id}">{plan.name}: {PLAN_TITLE}</a>'


def measure_work_list(
    client: FlaskClient, needles: list[str], requests: int, timings: Timings
) -> dict[str, int]:
    """Karin's work list, R times after WARM_UP, the last warm-up's SQL counted; it must hold
    the needles. Returns how many plans it lists as due and as unanswered."""
    engine = database(client.application).engine
    html = ""
    for number in range(common.WARM_UP + requests):
        with common.counting(engine, number == common.WARM_UP - 1) as statements:
            elapsed, response = common.timed(lambda: client.get(WORK_LIST))
        timings.keep(PAGES[0], number, elapsed, statements)
        html = common.expect(response, 200, f"GET {WORK_LIST}")
        if missing := [needle for needle in needles if needle not in html]:
            sys.exit(f"GET {WORK_LIST}: missing from the page: {missing}")
    return {
        "due_listed": len(DUE_LINE.findall(html)),
        "unanswered_listed": len(UNANSWERED_LINE.findall(html)),
    }


def measure_editor(client: FlaskClient, plans: list[Plan], requests: int, timings: Timings) -> None:
    """The editor for each plan (WARM_UP, then R timed); it must be that patient's plan, with
    its goals, in a form that saves it."""
    engine = database(client.application).engine
    for number, plan in enumerate(plans):
        path = f"/plan/{plan.id}/redigera"
        with common.counting(engine, number == common.WARM_UP - 1) as statements:
            elapsed, response = common.timed(partial(client.get, path))
        timings.keep(PAGES[1], number, elapsed, statements)
        html = common.expect(response, 200, f"GET {path}")
        needles = [f"Patient: {plan.name}", f'action="{path}"', *GOALS]
        if missing := [needle for needle in needles if needle not in html]:
            sys.exit(f"GET {path}: missing from the page: {missing}")


def timed_post(
    client: FlaskClient, path: str, data: dict[str, str], count_sql: bool, location: str
) -> tuple[float, list[str]]:
    """POST a form: milliseconds and the SQL statements (if count_sql); it must redirect (303)
    to `location`."""
    engine = database(client.application).engine
    with common.counting(engine, count_sql) as statements:
        elapsed, response = common.timed(lambda: client.post(path, data=data))
    common.expect(response, 303, f"POST {path}")
    if response.headers.get("Location", "") != location:
        sys.exit(f"POST {path} redirected to {response.headers.get('Location')!r}, not {location}.")
    return elapsed, statements


def save_draft(client: FlaskClient, plan: Plan, count_sql: bool) -> tuple[float, list[str]]:
    """Open the editor (untimed); post all its fields with a new summary and a new goal in the
    blank goal row."""
    path = f"/plan/{plan.id}/redigera"
    page = client.get(path)
    common.expect(page, 200, f"GET {path}")
    fields = form_fields(page, path)
    blank = f"goal-{int(fields.get('goal-count', '0')) - 1}-text"
    if fields.get(blank) != "":
        sys.exit(f"GET {path}: no blank goal row ({blank}) in the form.")
    data = fields | {"summary": NEW_SUMMARY, blank: NEW_GOAL}
    return timed_post(client, path, data, count_sql, f"{path}?sparat=1")


def publish_draft(client: FlaskClient, plan: Plan, count_sql: bool) -> tuple[float, list[str]]:
    """Open the publish page (untimed), which must list the new goal; post its fields."""
    path = f"/plan/{plan.id}/publicera"
    page = client.get(path)
    html = common.expect(page, 200, f"GET {path}")
    if f"Nytt mål: {NEW_GOAL}" not in html:
        sys.exit(f"GET {path}: the new goal is not among the changes.")
    fields = form_fields(page, path)
    return timed_post(client, path, fields, count_sql, f"/plan/{plan.id}?publicerad=1")


def published_versions(engine: Engine, plans: list[Plan]) -> dict[int, int]:
    query = select(CarePlan.id, CarePlan.published_version).where(
        CarePlan.id.in_([plan.id for plan in plans])
    )
    with engine.connect() as conn:
        return {row.id: row.published_version for row in conn.execute(query)}


def check_published(engine: Engine, plans: list[Plan], before: dict[int, int]) -> None:
    """Every plan written to has its next version published, no draft, and the new goal."""
    ids = [plan.id for plan in plans]
    with engine.connect() as conn:
        # Read as the app reads it: a draft taken away may be stored as JSON null.
        left = conn.scalars(select(CarePlan.draft).where(CarePlan.id.in_(ids)))
        drafts = sum(1 for draft in left if draft is not None)
        with_goal = conn.scalar(
            select(func.count(Goal.plan_id.distinct())).where(
                Goal.plan_id.in_(ids), Goal.text == NEW_GOAL
            )
        )
    after = published_versions(engine, plans)
    behind = [plan_id for plan_id in ids if after[plan_id] != before[plan_id] + 1]
    if behind or drafts or with_goal != len(ids):
        sys.exit(
            f"After publishing: {len(behind)} plans without their next version, {drafts} with a "
            f"draft left, {with_goal} of {len(ids)} with the new goal."
        )


def measure_writes(client: FlaskClient, plans: list[Plan], requests: int, timings: Timings) -> None:
    """Save a draft of each plan and publish it (WARM_UP, then R timed), then check the data."""
    engine = database(client.application).engine
    before = published_versions(engine, plans)
    for number, plan in enumerate(plans):
        count_sql = number == common.WARM_UP - 1
        saved, save_sql = save_draft(client, plan, count_sql)
        timings.keep(PAGES[2], number, saved, save_sql)
        published, publish_sql = publish_draft(client, plan, count_sql)
        timings.keep(PAGES[3], number, published, publish_sql)
    check_published(engine, plans, before)


# --- Reporting --------------------------------------------------------------------------------


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages, as uptime shows them."""
    return [round(value, 2) for value in os.getloadavg()]


def report(
    engine: Engine,
    before: dict[str, int],
    listed: dict[str, int],
    timings: Timings,
    seeding: float | None,
    load: dict[str, list[float]],
) -> dict[str, Any]:
    return {
        **common.environment(engine),
        "bench_patients": common.bench_count(engine, PREFIX),
        **before,
        **listed,
        **common.run_details(len(timings.ms[PAGES[0]]), seeding),
        "load_average": load,
        "requests_timed": common.requests_timed(timings.ms, timings.statements),
        "sql": timings.statements,
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| Backend | Python | Date | Active plans in unit | Request | SQL statements "
        "| Median (ms) | p95 (ms) |",
        "|---|---|---|---:|---|---:|---:|---:|",
    ]
    for page, stats in result["requests_timed"].items():
        lines.append(
            f"| {result['backend_version']} | {result['python']} | {result['date']} "
            f"| {common.thousands(result['active_plans_in_unit'])} | `{page}` "
            f"| {stats['sql_statements']} | {stats['median_ms']:.1f} | {stats['p95_ms']:.1f} |"
        )
    load = result["load_average"]
    lines.append(
        f"\nThe work list listed {result['due_listed']} of the unit's "
        f"{common.thousands(result['due_in_unit'])} plans due for follow-up within "
        f"{FOLLOW_UP_SOON.days} days and {result['unanswered_listed']} of its "
        f"{common.thousands(result['unanswered_in_unit'])} unanswered plans; "
        f"{result['requests']} timed requests each after {result['warm_up']} warm-up; "
        f"load average {' '.join(f'{v:.2f}' for v in load['before'])} before measuring, "
        f"{' '.join(f'{v:.2f}' for v in load['after'])} after."
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
    """Measure the work list, the editor, then the writes (which publish new versions); the
    result to report."""
    engine = database(app).engine
    before = counts(engine, common.load_world(app, karin_in_unit=True))
    plans = bench_plans(engine)
    if len(plans) < common.WARM_UP + requests:
        sys.exit(f"--requests {requests} needs {common.WARM_UP + requests} bench plans.")
    needles = [link(plans[0]), link(longest_unanswered(engine))]
    rng = random.Random(RANDOM_SEED)
    timings = Timings({page: [] for page in PAGES}, {})
    client = app.test_client()
    common.sign_in(client, "staff-karin")
    load = {"before": load_average()}
    common.log(f"Measuring {requests} work lists (+{common.WARM_UP} warm-up) ...")
    listed = measure_work_list(client, needles, requests, timings)
    common.log(f"Measuring {requests} editors (+{common.WARM_UP} warm-up) ...")
    measure_editor(client, rng.sample(plans, common.WARM_UP + requests), requests, timings)
    common.log(f"Measuring {requests} saves and publications (+{common.WARM_UP} warm-up) ...")
    measure_writes(client, rng.sample(plans, common.WARM_UP + requests), requests, timings)
    load["after"] = load_average()
    return report(engine, before, listed, timings, seeding, load)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    check_url(args.database_url)
    app = common.setup(args.database_url, empty=args.reset)
    world = common.load_world(app, karin_in_unit=True)
    what = " with a published plan each"
    seeding = common.seed_if_needed(app, PREFIX, N_PATIENTS, seed_batch, world=world, what=what)
    result = run(app, args.requests, seeding)
    common.publish("workspace", result, markdown(result), N_PATIENTS, seeding)


if __name__ == "__main__":
    main()
