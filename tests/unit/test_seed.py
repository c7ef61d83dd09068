"""Invariants of the demo world."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.identity import is_test_number, normalise_personal_number
from app.accounts.models import Person
from app.db import utcnow
from app.goals.models import Activity, Responsible
from app.plans.models import SELF_CARE_POINTS, CarePlan, PlanKind


def test_every_plan_has_exactly_one_coordinator_on_its_team(db) -> None:
    today = utcnow().date()
    for plan in db.scalars(select(CarePlan)):
        coordinators = [m for m in plan.current_team(today) if m.is_coordinator]
        assert len(coordinators) == 1, plan.title


def test_every_activity_has_a_responsible_party(db) -> None:
    for activity in db.scalars(select(Activity)):
        match activity.responsible:
            case Responsible.UNIT:
                assert activity.responsible_unit_id is not None, activity.text
            case Responsible.PRACTITIONER:
                assert activity.responsible_practitioner_id is not None, activity.text
            case Responsible.RELATIVE | Responsible.EXTERNAL:
                assert activity.responsible_name, activity.text
            case Responsible.PATIENT:
                pass
            case _:
                raise AssertionError(activity.responsible)


def test_every_sip_has_consent_and_self_care_has_seven_points(db) -> None:
    for plan in db.scalars(select(CarePlan)):
        if plan.kind == PlanKind.SIP:
            assert plan.consent_given_on is not None, plan.title
        if plan.kind == PlanKind.SELF_CARE:
            assert all((plan.self_care or {}).get(point) for point in SELF_CARE_POINTS)


def test_personal_numbers_are_valid_test_numbers(db) -> None:
    for person in db.scalars(select(Person)):
        assert normalise_personal_number(person.personal_number) == person.personal_number
        assert is_test_number(person.personal_number), person.full_name


def test_the_persona_facts_of_the_design(db, ids) -> None:
    from app.accounts.identity import age_on

    today = utcnow().date()
    maja = db.get(Person, ids["patient-maja"])
    elias = db.get(Person, ids["patient-elias"])
    assert age_on(maja.birth_date, today) == 81
    assert age_on(elias.birth_date, today) == 11
    assert db.get(Person, ids["patient-ali"]).simple_view is True
