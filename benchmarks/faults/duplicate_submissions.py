"""Every write form submitted twice in a row and several times at once: no duplicates stored.

A flaky phone resends, an impatient thumb taps twice, two tabs submit together. For each form
that stores something, the same submission (same session, same CSRF token, same fields, same
one-time key where the form has one) is sent --burst times at the same moment through a real
app server with several workers (separate processes, so the transactions really overlap on
PostgreSQL), then twice more one after the other. Afterwards each table may hold no more new
rows than one submission stores (`stores` below), and no answer may be a server error. Forms that
only set a state (mark handled, offer, take, revoke, settings) store nothing new to duplicate.

    python benchmarks/faults/duplicate_submissions.py [--port 5304] [--burst 6]
"""

from __future__ import annotations

import argparse
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import Engine, func, select  # noqa: E402

from app.db import Base, make_engine  # noqa: E402

# Bookkeeping that grows with every request, not data a submission stores.
IGNORED = {"access_log_entry", "user_session"}


@dataclass
class Form:
    """One write form: who submits it, where, with what, and what one submission stores."""

    name: str
    persona: str
    path: Callable[[Engine, dict[str, int]], str]
    data: Callable[[Engine, dict[str, int]], dict[str, str]]
    stores: dict[str, int]  # table -> rows one submission adds


def one(engine: Engine, query) -> int:  # noqa: ANN001
    with engine.connect() as connection:
        return connection.execute(query).scalars().first()


def plan(title: str) -> Callable[[Engine, dict[str, int]], int]:
    from app.plans.models import CarePlan

    return lambda engine, ids: one(
        engine, select(CarePlan.id).where(CarePlan.title.contains(title))
    )


def thread(subject: str) -> Callable[[Engine, dict[str, int]], int]:
    from app.messages.models import Thread

    return lambda engine, ids: one(
        engine, select(Thread.id).where(Thread.subject.contains(subject))
    )


def appointment(persona: str) -> Callable[[Engine, dict[str, int]], int]:
    from app.appointments.models import Appointment, AppointmentStatus

    return lambda engine, ids: one(
        engine,
        select(Appointment.id)
        .where(
            Appointment.patient_id == ids[persona],
            Appointment.status.in_(
                [AppointmentStatus.PROPOSED, AppointmentStatus.CHANGE_REQUESTED]
            ),
        )
        .order_by(Appointment.starts_at),
    )


def patient_activity(engine: Engine, ids: dict[str, int]) -> int:
    from app.goals.models import Activity

    return one(
        engine,
        select(Activity.id).where(
            Activity.plan_id == plan("trygg hemma")(engine, ids), Activity.responsible == "patient"
        ),
    )


def proposed_goal(engine: Engine, ids: dict[str, int]) -> int:
    from app.goals.models import Goal, GoalStatus

    return one(
        engine,
        select(Goal.id).where(
            Goal.plan_id == plan("trygg hemma")(engine, ids), Goal.status == GoalStatus.PROPOSED
        ),
    )


def published(engine: Engine, ids: dict[str, int]) -> str:
    from app.plans.models import CarePlan

    return str(
        one(engine, select(CarePlan.published_version).where(CarePlan.title.contains("stroke")))
    )


def recipient(engine: Engine, ids: dict[str, int]) -> str:
    return f"{plan('trygg hemma')(engine, ids)}:{ids['staff-karin']}"


KEY = uuid.uuid4().hex
FORMS = [
    Form(
        "messages.send_new",
        "patient-maja",
        lambda e, ids: "/meddelanden/nytt",
        lambda e, ids: {
            "to": recipient(e, ids),
            "subject": "Dubbel",
            "body": "En gång",
            "key": KEY,
        },
        {"thread": 1, "message": 1, "outbox_item": 1},
    ),
    Form(
        "messages.reply",
        "patient-maja",
        lambda e, ids: f"/meddelanden/{thread('Min vikt')(e, ids)}/svar",
        lambda e, ids: {"body": "Svar en gång", "key": KEY + "r"},
        {"message": 1, "outbox_item": 1},
    ),
    Form(
        "goals.propose",
        "patient-maja",
        lambda e, ids: f"/plan/{plan('trygg hemma')(e, ids)}/mal",
        lambda e, ids: {"goal": "Promenera till affären", "target": ""},
        {"goal": 1, "outbox_item": 1},
    ),
    Form(
        "goals.progress",
        "patient-maja",
        lambda e, ids: f"/insats/{patient_activity(e, ids)}/lage",
        lambda e, ids: {"state": "done", "note": "Gick bra"},
        {"progress_report": 1, "outbox_item": 1},
    ),
    Form(
        "goals.decide",
        "staff-karin",
        lambda e, ids: f"/mal/{proposed_goal(e, ids)}/beslut",
        lambda e, ids: {"decision": "accept", "text": "", "reason": ""},
        {"outbox_item": 1},
    ),
    Form(
        "whatmatters.save",
        "patient-ali",
        lambda e, ids: "/viktigt/1",
        lambda e, ids: {"answer": "Att kunna gå till moskén"},
        {"what_matters": 1},
    ),
    Form(
        "agreements.answer",
        "patient-ali",
        lambda e, ids: f"/plan/{plan('efter stroke')(e, ids)}/svar",
        lambda e, ids: {"answer": "agree", "version": published(e, ids)},
        {"agreement": 1, "outbox_item": 1},
    ),
    Form(
        "appointments.another",
        "patient-maja",
        lambda e, ids: f"/tider/{appointment('patient-maja')(e, ids)}/annan-tid",
        lambda e, ids: {"note": "Hellre fredag", "wished": ""},
        {"outbox_item": 1},
    ),
    Form(
        "proxies.invite",
        "patient-per",
        lambda e, ids: "/ombud/bjud-in",
        lambda e, ids: {
            "scopes": "read_plans",
            "months": "12",
            "relation_label": "Bror",
            "key": KEY + "i",
        },
        {"proxy_invitation": 1},
    ),
    Form(
        "appointments.cancel",
        "patient-maja",
        lambda e, ids: f"/tider/{appointment('patient-maja')(e, ids)}/avboka",
        lambda e, ids: {"reason": "Jag är sjuk"},
        {"outbox_item": 1},
    ),
    Form(
        "proxies.register_representative",
        "staff-karin",
        lambda e, ids: f"/patient/{ids['patient-ali']}/foretradare",
        lambda e, ids: {
            "personal_number": "19700101-9806",
            "given_name": "Gun",
            "family_name": "Man",
            "kind": "god man",
            "decision_reference": "ÖF 2026-12",
            "decision_date": (date.today() - timedelta(days=10)).isoformat(),
            "authority": "overformyndare",
            "scopes": "read_plans",
            "until": (date.today() + timedelta(days=365)).isoformat(),
            "reason": "Godmanskap enligt beslutet.",
        },
        {"person": 1, "proxy_grant": 1, "outbox_item": 1},
    ),
]


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
            if table.name not in IGNORED
        }


def persona_ids(engine: Engine) -> dict[str, int]:
    from app.accounts.models import Person, Practitioner

    with engine.connect() as connection:
        people = connection.execute(select(Person.demo_key, Person.id)).all()
        staff = connection.execute(select(Practitioner.demo_key, Practitioner.id)).all()
    return {key: id_ for key, id_ in [*people, *staff] if key}


def submit(browser: harness.Browser, path: str, data: dict[str, str], burst: int) -> list[int]:
    """`burst` identical posts released together, then two more one after the other."""
    barrier = threading.Barrier(burst)
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        twin = requests.Session()
        twin.cookies.update(browser.http.cookies)
        barrier.wait()
        response = twin.post(
            browser.base + path,
            data={**data, "csrf_token": browser.token},
            allow_redirects=False,
            timeout=30,
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(burst)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for _ in range(2):
        statuses.append(browser.post(path, data).status_code)
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=5304)
    parser.add_argument("--burst", type=int, default=6)
    args = parser.parse_args()

    url = harness.fresh_database("duplicates")
    engine = make_engine(url)
    ids = persona_ids(engine)
    server = harness.Server(args.port, harness.app_env(url), workers=4)
    results: dict[str, dict[str, object]] = {}
    checks: list[tuple[str, bool]] = []
    with harness.stopping(server):
        for form in FORMS:
            browser = harness.Browser(server.url).sign_in(form.persona)
            path, data = form.path(engine, ids), form.data(engine, ids)
            before = counts(engine)
            statuses = submit(browser, path, data, args.burst)
            after = counts(engine)
            added = {t: after[t] - before[t] for t in after if after[t] != before[t]}
            extra = {t: n for t, n in added.items() if n > form.stores.get(t, 0)}
            stored = any(n > 0 for n in added.values())
            results[form.name] = {"answers": sorted(statuses), "rows added": added}
            checks.append((f"{form.name}: no server error", all(s < 500 for s in statuses)))
            checks.append((f"{form.name}: the submission was stored", stored))
            checks.append((f"{form.name}: no duplicate rows {extra or ''}", not extra))
    engine.dispose()
    return harness.verdict(
        f"Duplicate and concurrent submissions ({args.burst} at once, then 2 more)",
        checks,
        results,
    )


if __name__ == "__main__":
    sys.exit(main())
