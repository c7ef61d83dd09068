"""The region generator (`benchmarks/region.py`) at a tiny size: counts, the rules every
row must keep, and its well-known people signing in to pages with their data.

The generator writes with COPY on PostgreSQL and executemany on SQLite; both run here, inside the
test's transaction, on top of the demo world.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from benchmarks.region import RegionSize, generate_region, seed_region
from tests.conftest import Auth, html

PATIENTS = 40


@pytest.fixture
def region(connection: Connection) -> RegionSize:
    generate_region(connection, PATIENTS, seed=7)
    return RegionSize(PATIENTS)


def scalar(connection: Connection, sql: str) -> int:
    return connection.scalar(text(sql)) or 0


REGION_PLANS = (
    "care_plan p JOIN person pe ON pe.id = p.patient_id AND pe.demo_key LIKE 'region-patient-%'"
)


def test_counts_follow_the_size(connection: Connection, region: RegionSize) -> None:
    region_person = "JOIN person pe ON pe.id = {}.patient_id AND pe.demo_key LIKE 'region-%'"
    counted = {
        "patients": "SELECT count(*) FROM person WHERE demo_key LIKE 'region-patient-%'",
        "staff": "SELECT count(*) FROM practitioner WHERE demo_key LIKE 'staff-region-%'",
        "plans": f"SELECT count(*) FROM {REGION_PLANS}",
        "activities": "SELECT count(*) FROM activity a JOIN care_plan p ON p.id = a.plan_id "
        + region_person.format("p"),
        "threads": "SELECT count(*) FROM thread t " + region_person.format("t"),
        "messages": "SELECT count(*) FROM message m JOIN thread t ON t.id = m.thread_id "
        + region_person.format("t"),
    }
    found = {name: scalar(connection, sql) for name, sql in counted.items()}
    assert found == {
        "patients": PATIENTS,
        "staff": region.staff,
        "plans": 2 * PATIENTS,
        "activities": 10 * PATIENTS,
        "threads": round(1.5 * PATIENTS),
        "messages": 15 * PATIENTS,
    }
    # Most patients have one plan; someone has several.
    per_patient = connection.execute(
        text(f"SELECT count(*) FROM {REGION_PLANS} GROUP BY p.patient_id")
    ).scalars()
    counts = list(per_patient)
    assert counts.count(1) > len(counts) / 2
    assert max(counts) >= 6


def test_every_plan_has_one_coordinator_from_its_unit(
    connection: Connection, region: RegionSize
) -> None:
    wrong = scalar(
        connection,
        f"""SELECT count(*) FROM {REGION_PLANS} WHERE 1 <> (
              SELECT count(*) FROM care_team_member m JOIN practitioner s
                ON s.id = m.practitioner_id AND s.unit_id = p.unit_id
              WHERE m.plan_id = p.id AND m.is_coordinator AND m.valid_until IS NULL)""",
    )
    assert wrong == 0
    sips_without_consent = scalar(
        connection,
        f"SELECT count(*) FROM {REGION_PLANS} WHERE p.kind = 'sip' "
        "AND (p.consent_given_on IS NULL OR p.consent_recorded_by_id IS NULL)",
    )
    assert sips_without_consent == 0


def test_threads_belong_to_the_patients_plans_and_their_teams(
    connection: Connection, region: RegionSize
) -> None:
    region_threads = (
        "thread t JOIN person pe ON pe.id = t.patient_id AND pe.demo_key LIKE 'region-%'"
    )
    strays = scalar(
        connection,
        f"""SELECT count(*) FROM {region_threads} JOIN care_plan p ON p.id = t.plan_id
            WHERE p.patient_id <> t.patient_id OR p.unit_id <> t.unit_id
               OR NOT EXISTS (SELECT 1 FROM care_team_member m
                              WHERE m.plan_id = p.id AND m.practitioner_id = t.assigned_to_id)""",
    )
    assert strays == 0
    # Waiting threads end with the patient's message, answered ones with care's; care's
    # messages are written by the thread's holder.
    misfits = scalar(
        connection,
        f"""SELECT count(*) FROM {region_threads} JOIN message m ON m.thread_id = t.id
            AND m.created_at = t.last_message_at
            WHERE (t.status = 'waiting_for_care' AND m.author_person_id IS NULL)
               OR (t.status = 'answered' AND m.author_practitioner_id IS NULL)""",
    )
    strangers = scalar(
        connection,
        f"""SELECT count(*) FROM {region_threads} JOIN message m ON m.thread_id = t.id
            WHERE m.author_practitioner_id IS NOT NULL
              AND m.author_practitioner_id <> t.assigned_to_id""",
    )
    assert (misfits, strangers) == (0, 0)


def test_a_region_patient_signs_in_and_sees_their_start_page(
    connection: Connection, region: RegionSize, auth: Auth
) -> None:
    person = connection.execute(
        text("SELECT id, given_name, family_name FROM person WHERE demo_key = 'region-patient-1'")
    ).one()
    plan_id = scalar(connection, f"SELECT id FROM care_plan WHERE patient_id = {person.id}")
    auth.sign_in("region-patient-1")
    page = html(auth.client.get("/"))
    assert f"{person.given_name} {person.family_name}" in page
    assert f'href="/plan/{plan_id}"' in page
    threads = html(auth.client.get("/meddelanden"))
    subject = connection.scalar(text(f"SELECT subject FROM thread WHERE patient_id = {person.id}"))
    assert subject in threads


def test_the_busiest_care_contact_sees_their_inbox(
    connection: Connection, region: RegionSize, auth: Auth
) -> None:
    """staff-region-1 coordinates region-patient-1's plan, whose thread is in their inbox."""
    holder = scalar(connection, "SELECT id FROM practitioner WHERE demo_key = 'staff-region-1'")
    patient = connection.execute(
        text("SELECT id, given_name, family_name FROM person WHERE demo_key = 'region-patient-1'")
    ).one()
    assigned = scalar(
        connection,
        f"SELECT count(*) FROM thread WHERE assigned_to_id = {holder} "
        f"AND patient_id = {patient.id} AND status = 'answered'",
    )
    assert assigned == 1
    auth.sign_in("staff-region-1")
    page = html(auth.client.get("/inkorg"))
    assert f"{patient.given_name} {patient.family_name}" in page


def test_the_command_refuses_a_database_not_named_for_benchmarks() -> None:
    with pytest.raises(SystemExit, match="bench"):
        seed_region("postgresql+psycopg://postgres@127.0.0.1:5432/samplan", 10)
