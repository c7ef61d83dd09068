"""A patient's first plan: staff look a person up by personal number, state their care
relationship and why, and start a plan; a new person's name is confirmed at their first sign-in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.access.actor import Actor
from app.access.policy import Action, may
from app.accounts.identity import make_test_number
from app.accounts.models import Person, Practitioner
from app.audit.models import AccessLogEntry
from app.db import utcnow
from app.patients.models import CareRelationship
from app.plans.models import CarePlan, PlanStatus
from tests.conftest import Auth, csrf_token
from tests.helpers import visible_text
from tests.web.test_oidc import sign_in_over_oidc

NEW = make_test_number(date(1958, 4, 14), 988)


def statement(**changes: object) -> dict[str, object]:
    return {
        "personal_number": f"{NEW[:8]}-{NEW[8:]}",
        "given_name": "Rut",
        "family_name": "Berglund",
        "reason": "referral",
        "note": "",
        "attest": "y",
        **changes,
    }


def state(client, **changes: object):  # noqa: ANN001, ANN201
    token = csrf_token(client, "/patienter/ny")
    return client.post("/patienter/ny", data={**statement(**changes), "csrf_token": token})


def counts(db) -> tuple[int, int, int]:  # noqa: ANN001
    return (
        db.scalar(select(func.count(Person.id))),
        db.scalar(select(func.count(CareRelationship.id))),
        db.scalar(select(func.count(AccessLogEntry.id))),
    )


def test_karin_starts_a_plan_for_someone_samplan_does_not_know(auth, client, db, ids) -> None:
    auth.sign_in("staff-karin")
    page = visible_text(client.get("/"))
    assert "Ny patient, med personnummer" in page
    form = visible_text(client.get("/patienter/ny"))
    assert "Jag intygar att jag har en vårdrelation med personen" in form

    response = state(client)
    assert response.status_code == 303
    rut = db.scalars(select(Person).where(Person.personal_number == NEW)).one()
    assert response.headers["Location"] == f"/patient/{rut.id}/ny-plan"
    assert (rut.given_name, rut.family_name, rut.birth_date) == (
        "Rut",
        "Berglund",
        date(1958, 4, 14),
    )
    assert rut.name_confirmed_at is None  # care's spelling until her first sign-in
    stated = db.scalars(select(CareRelationship).where(CareRelationship.patient_id == rut.id)).one()
    assert stated.practitioner_id == ids["staff-karin"]
    assert stated.reason == "referral"
    assert timedelta(days=29) < stated.valid_until - utcnow() <= timedelta(days=30)
    logged = db.execute(
        select(
            AccessLogEntry.action, AccessLogEntry.object_type, AccessLogEntry.actor_practitioner_id
        ).where(AccessLogEntry.patient_id == rut.id)
    ).all()
    assert ("state", "care_relationship", ids["staff-karin"]) in logged

    # She is on Karin's list now, and Karin starts a plan of any kind.
    assert "Rut Berglund" in visible_text(client.get("/"))
    assert "Patient: Rut Berglund" in visible_text(client.get(f"/patient/{rut.id}/ny-plan"))
    token = csrf_token(client, f"/patient/{rut.id}/ny-plan")
    created = client.post(
        f"/patient/{rut.id}/ny-plan", data={"kind": "self_care", "csrf_token": token}
    )
    assert created.status_code == 303
    plan = db.scalars(select(CarePlan).where(CarePlan.patient_id == rut.id)).one()
    assert plan.status == PlanStatus.DRAFT
    assert plan.unit_id == db.get(Practitioner, ids["staff-karin"]).unit_id


def test_nothing_about_a_person_is_shown_before_the_statement(auth, client, db, ids) -> None:
    greta = ids["patient-greta"]
    for persona in ("staff-karin", "staff-jonas", "admin-region"):
        auth.sign_in(persona)
        assert client.get(f"/patient/{greta}/ny-plan").status_code == 404
        assert "Lundqvist" not in visible_text(client.get("/?q=Greta"))
        auth.sign_out()


def test_a_known_patient_keeps_her_name_and_only_the_stating_practitioner_gets_in(
    app, auth, client, db, ids
) -> None:
    greta = db.get(Person, ids["patient-greta"])
    auth.sign_in("staff-karin")
    response = state(
        client,
        personal_number=greta.personal_number,
        given_name="G",
        family_name="L",
        reason="request",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/patient/{greta.id}/ny-plan"
    db.refresh(greta)
    assert (greta.given_name, greta.family_name) == ("Greta", "Lundqvist")
    assert (
        db.scalar(
            select(func.count(Person.id)).where(Person.personal_number == greta.personal_number)
        )
        == 1
    )
    assert "Greta Lundqvist" in visible_text(client.get(f"/patient/{greta.id}/ny-plan"))

    # Erik works at the same unit but stated nothing: until a plan exists, Greta is not his.
    erik = Auth(app.test_client())
    erik.sign_in("staff-erik")
    assert erik.client.get(f"/patient/{greta.id}/ny-plan").status_code == 404

    # Her log tells her.
    herself = Auth(app.test_client())
    herself.sign_in("patient-greta")
    log = visible_text(herself.client.get("/vem-har-tittat"))
    assert "intygade att hen har en vårdrelation med dig" in log
    assert "Karin Berg" in log


def test_a_stated_relationship_ends(auth, client, db, ids) -> None:
    auth.sign_in("staff-karin")
    greta = db.get(Person, ids["patient-greta"])
    assert state(client, personal_number=greta.personal_number).status_code == 303
    karin = Actor.of(db.get(Practitioner, ids["staff-karin"]))
    assert may(db, karin, Action.EDIT_PLANS, greta.id, utcnow())
    later = utcnow() + timedelta(days=31)
    assert not may(db, karin, Action.EDIT_PLANS, greta.id, later)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"personal_number": "19580414-9881"}, "inte ett giltigt personnummer"),
        ({"personal_number": "1958-04-14"}, "inte ett giltigt personnummer"),
        ({"personal_number": ""}, "Skriv personens personnummer"),
        ({"attest": ""}, "Intyga att du har en vårdrelation"),
        ({"reason": "curious"}, "Välj varför du har en vårdrelation"),
        ({"reason": "other", "note": ""}, "när du väljer Annat"),
        ({"given_name": ""}, "Skriv förnamnet"),
        ({"family_name": "x" * 101}, "högst 100 tecken"),
        ({"note": "x" * 301}, "högst 300 tecken"),
    ],
)
def test_bad_input_changes_nothing(auth, client, db, changes, message) -> None:
    auth.sign_in("staff-karin")
    client.get("/patienter/ny")
    before = counts(db)
    response = state(client, **changes)
    assert response.status_code == 400
    assert message in visible_text(response)
    assert counts(db) == before


def test_a_samordningsnummer_is_a_personal_number_too(auth, client, db) -> None:
    coordination = make_test_number(date(1990, 5, 3), 989)
    # Skatteverket adds 60 to the day of birth.
    number = coordination[:6] + f"{int(coordination[6:8]) + 60:02d}" + coordination[8:11]
    from app.accounts.identity import luhn_check_digit

    number += str(luhn_check_digit(number[2:]))
    auth.sign_in("staff-karin")
    assert state(client, personal_number=number).status_code == 303
    person = db.scalars(select(Person).where(Person.personal_number == number)).one()
    assert person.birth_date == date(1990, 5, 3)


def test_administrators_state_nothing(auth, client, db) -> None:
    auth.sign_in("admin-region")
    assert client.get("/patienter/ny").status_code == 404
    assert "Ny patient" not in visible_text(client.get("/"))


def test_the_new_persons_name_is_confirmed_at_first_sign_in(auth, client, app, idp, db) -> None:
    auth.sign_in("staff-karin")
    assert state(client, given_name="Ruth", family_name="Berglund").status_code == 303
    patient = app.test_client()
    _params, response = sign_in_over_oidc(
        patient, idp, "rut", NEW, given_name="Rut", family_name="Berglund-Ek"
    )
    assert response.status_code == 303
    rut = db.scalars(select(Person).where(Person.personal_number == NEW)).one()
    db.refresh(rut)
    assert (rut.given_name, rut.family_name) == ("Rut", "Berglund-Ek")
    assert rut.name_confirmed_at is not None


def test_without_the_care_role_nobody_is_a_patient_of_yours(auth, client, db, ids) -> None:
    """An administrator placed at a health centre still cares for nobody: not the unit's plans,
    not the requests sent to it, not a statement."""
    from app.care_requests.models import CareRequest
    from tests.helpers import plan_id

    karin = db.get(Practitioner, ids["staff-karin"])
    karin.roles = "admin"
    db.flush()
    auth.sign_in("staff-karin")
    assert client.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == 404
    request = db.scalars(
        select(CareRequest.id).where(CareRequest.patient_id == ids["patient-greta"])
    ).first()
    assert client.get(f"/onskemal/{request}").status_code == 404
    assert client.get("/patienter/ny").status_code == 404
    assert "Maja" not in visible_text(client.get("/"))
