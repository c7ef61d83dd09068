"""The start page and the plan page run a fixed, small number of SQL statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.goals.models import Activity, Goal, Responsible
from app.plans.models import CarePlan, CareTeamMember, PlanKind, PlanStatus, TeamRole
from tests.helpers import plan_id

# Every statement counts, the session lookup and the access-log entry included.
BUDGET = 6


def grow(db, pid: int, goals: int = 50, activities: int = 50) -> None:
    plan = db.get(CarePlan, pid)
    today = utcnow().date()
    for n in range(goals):
        db.add(
            Goal(
                plan_id=pid,
                text=f"Extra mål {n}",
                target_date=today + timedelta(days=n),
                position=100 + n,
            )
        )
    for n in range(activities):
        db.add(
            Activity(
                plan_id=pid,
                text=f"Extra insats {n}",
                responsible=Responsible.PATIENT,
                due_on=today + timedelta(days=n + 30),
                position=100 + n,
            )
        )
    for n in range(5):
        extra = CarePlan(
            patient_id=plan.patient_id,
            kind=PlanKind.CARE_TREATMENT,
            title=f"Extra plan {n}",
            unit_id=plan.unit_id,
            status=PlanStatus.ACTIVE,
        )
        db.add(extra)
        db.flush()
        coordinator = db.scalars(
            select(CareTeamMember).where(
                CareTeamMember.plan_id == pid, CareTeamMember.is_coordinator.is_(True)
            )
        ).first()
        db.add(
            CareTeamMember(
                plan_id=extra.id,
                role=TeamRole.CARE_CONTACT,
                practitioner_id=coordinator.practitioner_id,
                is_coordinator=True,
                valid_from=today,
            )
        )
    db.flush()


@pytest.mark.parametrize("persona", ["patient-maja", "proxy-anna", "staff-karin"])
def test_plan_page_budget_with_fifty_goals(auth, client, db, count_queries, persona) -> None:
    pid = plan_id(db, "trygg hemma")
    grow(db, pid)
    auth.sign_in(persona)
    count_queries()
    response = client.get(f"/plan/{pid}")
    statements = count_queries()
    assert response.status_code == 200
    assert "Extra mål 49" in response.get_data(as_text=True)
    assert len(statements) <= BUDGET, "\n\n".join(statements)


@pytest.mark.parametrize("persona", ["patient-maja", "proxy-anna"])
def test_start_page_budget_with_many_plans(auth, client, db, count_queries, persona) -> None:
    grow(db, plan_id(db, "trygg hemma"))
    auth.sign_in(persona)
    client.get("/")  # a proxy's first visit picks the person; measure the steady state
    count_queries()
    response = client.get("/")
    statements = count_queries()
    assert response.status_code == 200
    assert "Extra plan 4" in response.get_data(as_text=True)
    assert len(statements) <= BUDGET, "\n\n".join(statements)


def test_inbox_runs_a_fixed_number_of_statements(auth, client, db, ids, count_queries) -> None:
    from app.messages.models import Message, Thread, ThreadStatus

    maja_plan = plan_id(db, "trygg hemma")
    unit = db.get(CarePlan, maja_plan).unit_id
    now = utcnow()
    for n in range(60):
        thread = Thread(
            patient_id=ids["patient-maja"],
            plan_id=maja_plan,
            unit_id=unit,
            assigned_to_id=ids["staff-karin"],
            subject=f"Fråga {n}",
            status=ThreadStatus.WAITING_FOR_CARE,
            waiting_since=now,
            last_message_at=now,
        )
        db.add(thread)
        db.flush()
        db.add(
            Message(
                thread_id=thread.id,
                author_person_id=ids["patient-maja"],
                body="Hej",
                idempotency_key=f"budget-{n}",
                created_at=now,
            )
        )
    db.flush()
    auth.sign_in("staff-karin")
    count_queries()
    response = client.get("/inkorg?flik=enheten")
    statements = count_queries()
    assert response.status_code == 200
    assert "62 öppna ärenden" in response.get_data(as_text=True)
    assert len(statements) <= 4, "\n\n".join(statements)


def _long_thread(db, ids, count: int) -> int:
    from app.messages.models import Message, Thread
    from tests.helpers import thread_id

    tid = thread_id(db, "Min vikt")
    thread = db.get(Thread, tid)
    now = utcnow()
    for n in range(count):
        care = n % 2 == 1
        db.add(
            Message(
                thread_id=thread.id,
                author_person_id=None if care else ids["patient-maja"],
                author_practitioner_id=ids["staff-karin"] if care else None,
                body=f"Meddelande {n}",
                idempotency_key=f"budget-thread-{n}",
                created_at=now,
            )
        )
    db.flush()
    return tid


@pytest.mark.parametrize("persona", ["patient-maja", "proxy-anna", "staff-karin"])
def test_thread_page_budget_does_not_grow_with_messages(
    auth, client, db, ids, count_queries, persona
) -> None:
    tid = _long_thread(db, ids, 60)
    auth.sign_in(persona)
    client.get(f"/meddelanden/{tid}")  # the first visit marks the replies read
    count_queries()
    response = client.get(f"/meddelanden/{tid}")
    statements = count_queries()
    assert response.status_code == 200
    assert "Meddelande 59" in response.get_data(as_text=True)
    assert len(statements) <= BUDGET, "\n\n".join(statements)


@pytest.mark.parametrize("path", ["/meddelanden", "/tider"])
def test_patient_lists_run_a_fixed_number_of_statements(
    auth, client, db, ids, count_queries, path
) -> None:
    _long_thread(db, ids, 30)
    auth.sign_in("patient-maja")
    count_queries()
    response = client.get(path)
    statements = count_queries()
    assert response.status_code == 200
    assert len(statements) <= BUDGET, "\n\n".join(statements)


def test_inbox_budget_does_not_grow_with_messages(auth, client, db, ids, count_queries) -> None:
    _long_thread(db, ids, 60)
    auth.sign_in("staff-karin")
    count_queries()
    response = client.get("/inkorg?flik=mina")
    statements = count_queries()
    assert response.status_code == 200
    assert "Min vikt" in response.get_data(as_text=True)
    assert len(statements) <= 4, "\n\n".join(statements)


def test_access_log_page_runs_a_fixed_number_of_statements(
    auth, client, db, ids, count_queries
) -> None:
    """However long the log, the page reads it with a fixed number of statements."""
    from app.audit.models import AccessLogEntry

    maja, karin = ids["patient-maja"], ids["staff-karin"]
    pid = plan_id(db, "trygg hemma")
    now = utcnow()
    for n in range(120):
        db.add(
            AccessLogEntry(
                at=now - timedelta(minutes=n),
                actor_practitioner_id=karin if n % 3 else None,
                actor_person_id=ids["proxy-anna"] if n % 3 == 0 else None,
                patient_id=maja,
                action="read",
                object_type="care_plan" if n % 2 else "overview",
                object_id=pid if n % 2 else None,
            )
        )
    db.flush()
    auth.sign_in("patient-maja")
    count_queries()
    response = client.get("/vem-har-tittat?sida=2")
    statements = count_queries()
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Anna Lind, ombud" in text
    assert "Karin Berg" in text
    assert len(statements) <= 6, "\n\n".join(statements)
