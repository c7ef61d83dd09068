"""Refused attempts in the patient's access log (issue 15, finding 10): worded as what they are,
never calling a stranger an ombud; limited per actor, so nobody can flood another patient's log;
and shown as one row when one actor tried many times in a row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.accounts.models import Person, Practitioner
from app.audit.models import AccessLogEntry
from app.audit.services import record_access
from app.db import utcnow
from app.extensions import limiter
from app.proxies.models import ProxyGrant
from tests.conftest import Auth
from tests.helpers import plan_id, visible_text

STRANGER = "En person utanför vården som du inte har gett tillgång"
TRIED_ONCE = "försökte öppna något som hen inte har behörighet till. Det stoppades."


def signed_in(app: Flask, persona: str) -> FlaskClient:
    client = app.test_client()
    Auth(client).sign_in(persona)
    return client


def per_plan(db: Session) -> int:
    return plan_id(db, "tjocktarmscancer")


def refusals_on(db: Session, patient_id: int) -> list[AccessLogEntry]:
    return list(
        db.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.patient_id == patient_id, AccessLogEntry.allowed.is_(False))
            .order_by(AccessLogEntry.id)
        )
    )


def log_text(app: Flask, persona: str, page: int = 1) -> str:
    response = signed_in(app, persona).get(f"/vem-har-tittat?sida={page}")
    assert response.status_code == 200
    return visible_text(response)


def test_a_citizen_refused_is_not_called_ombud_nor_named(app, db, ids) -> None:
    """Maja tries to open Per's plan: Per reads that someone outside care, whom he never let
    in, tried and was stopped; not Maja's name, and nobody is called ombud."""
    maja = signed_in(app, "patient-maja")
    assert maja.get(f"/plan/{per_plan(db)}").status_code == 404
    [entry] = refusals_on(db, ids["patient-per"])
    assert entry.actor_person_id == ids["patient-maja"]
    assert (entry.object_type, entry.object_id, entry.action) == ("care_plan", per_plan(db), "read")

    text = log_text(app, "patient-per")
    assert f"{STRANGER} {TRIED_ONCE}" in text
    assert "Vi visar inte namnet på någon som du inte har gett tillgång." in text
    assert "Maja" not in text
    assert "ombud" not in text


def test_someone_the_patient_let_in_is_named_when_refused(app, db, ids) -> None:
    """Anna holds a grant from Maja without answer_for: her refused attempt to propose a goal is
    shown with her name, as a refusal, not as the ombud's reading."""
    anna = signed_in(app, "proxy-anna")
    anna.get("/", follow_redirects=True)
    assert anna.get(f"/plan/{plan_id(db, 'trygg hemma')}/mal").status_code == 404
    assert len(refusals_on(db, ids["patient-maja"])) == 1

    text = log_text(app, "patient-maja")
    assert f"Anna Lind {TRIED_ONCE}" in text
    assert STRANGER not in text
    assert f"Anna Lind, ombud {TRIED_ONCE}" not in text


def test_someone_whose_grant_ended_is_still_named(app, db, ids) -> None:
    grant = db.scalars(select(ProxyGrant).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()
    grant.revoked_at = utcnow() - timedelta(minutes=5)
    db.flush()
    anna = signed_in(app, "proxy-anna")
    assert anna.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == 404
    assert f"Anna Lind {TRIED_ONCE}" in log_text(app, "patient-maja")


def test_a_guardian_is_called_guardian_and_staff_keep_name_and_unit(app, db, ids) -> None:
    sara = signed_in(app, "guardian-sara")
    elias_plan = plan_id(db, "diabetes typ 1")
    assert sara.get(f"/plan/{elias_plan}").status_code == 200
    jonas = signed_in(app, "staff-jonas")
    assert jonas.get(f"/plan/{elias_plan}").status_code == 404
    text = log_text(app, "patient-elias")
    assert "Sara Svensson, vårdnadshavare läste planen" in text
    assert "ombud" not in text
    jonas_row = db.get(Practitioner, ids["staff-jonas"])
    staff = f"Jonas Åberg, {jonas_row.title}, {jonas_row.unit.name} {TRIED_ONCE}"
    assert staff in text


def test_ones_own_refused_attempt_says_you(app, db, ids) -> None:
    """A patient who opens a plan of their own that is still care's draft is refused too."""
    from app.plans.models import CarePlan, PlanStatus

    plan = db.get(CarePlan, plan_id(db, "tjocktarmscancer"))
    plan.status = PlanStatus.DRAFT
    db.flush()
    per = signed_in(app, "patient-per")
    assert per.get(f"/plan/{plan.id}").status_code == 404
    text = visible_text(per.get("/vem-har-tittat"))
    assert "Du försökte öppna något som du inte har tillgång till. Det stoppades." in text


def _yesterday(app: Flask) -> tuple[date, ZoneInfo]:
    here = ZoneInfo(app.config["TIMEZONE"])
    return utcnow().astimezone(here).date() - timedelta(days=1), here


def _burst(db: Session, actor: Actor, patient_id: int, start: datetime, count: int) -> None:
    step = timedelta(minutes=3) / (count - 1)
    for n in range(count):
        record_access(db, actor, patient_id, "read", "care_plan", None, start + n * step, False)


def test_refusals_in_a_row_are_one_row_with_how_many_and_when(app, db, ids) -> None:
    """25 refused tries by Maja on Per's log between 10.02 and 10.05 yesterday, a read by Sofia,
    then 3 more tries: the day's card for the tries says how many and between when, Sofia's
    read is a card of its own. 28 entries stay stored."""
    yesterday, here = _yesterday(app)
    at_1002 = datetime.combine(yesterday, time(10, 2), tzinfo=here)
    maja = Actor.of(db.get(Person, ids["patient-maja"]))
    sofia = Actor.of(db.get(Practitioner, ids["staff-sofia"]))
    _burst(db, maja, ids["patient-per"], at_1002, 25)
    record_access(db, sofia, ids["patient-per"], "read", "overview", None, at_1002.replace(hour=11))
    _burst(db, maja, ids["patient-per"], at_1002.replace(hour=12), 3)
    db.flush()
    assert len(refusals_on(db, ids["patient-per"])) == 28

    text = log_text(app, "patient-per")
    tries = (
        f"{STRANGER} försökte 28 gånger mellan 10:02 och 12:05 öppna något som hen inte har "
        "behörighet till. Alla försök stoppades."
    )
    sofia_read = "Sofia Ek"
    assert tries in text
    assert text.index(tries) < text.index(sofia_read)
    assert text.count(STRANGER) == 1
    assert "Sida 1 av" not in text  # four rows (with Per's own look at the log): one page


def test_grouped_rows_page_the_log(app, db, ids) -> None:
    """Paging counts rows as shown: 60 tries in a row and a page and a half of reads fill two
    pages, not four; and the same read again and again is one line with how many times."""
    from app.audit.queries import PAGE_SIZE

    maja = Actor.of(db.get(Person, ids["patient-maja"]))
    sofia = Actor.of(db.get(Practitioner, ids["staff-sofia"]))
    start = utcnow() - timedelta(days=2)
    _burst(db, maja, ids["patient-per"], start, 60)
    for n in range(PAGE_SIZE):
        later = start + timedelta(hours=1, minutes=n)
        record_access(db, sofia, ids["patient-per"], "read", "overview", None, later)
    db.flush()
    first = log_text(app, "patient-per")
    assert "Sida 1 av 2" in first
    assert (
        "Sofia Ek, Kontaktsjuksköterska, Onkologkliniken, Sunderby sjukhus läste din översikt"
        in first
    )
    assert "försökte 60 gånger" in log_text(app, "patient-per", 2)


def test_tries_over_midnight_say_the_days(app, db, ids) -> None:
    yesterday, here = _yesterday(app)
    start = datetime.combine(yesterday, time(23, 59), tzinfo=here) - timedelta(days=1)
    maja = Actor.of(db.get(Person, ids["patient-maja"]))
    _burst(db, maja, ids["patient-per"], start, 4)
    db.flush()
    text = log_text(app, "patient-per")
    assert "försökte 4 gånger mellan" in text
    assert "kl. 23:59 och" in text
    assert "kl. 00:02 öppna" in text


@pytest.fixture
def refusal_limit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setitem(app.config, "RATELIMIT_REFUSALS", "3 per 10 minutes")
    limiter.reset()
    try:
        yield 3
    finally:
        limiter.reset()


def test_refusals_are_limited_per_actor_and_stop_being_logged(app, db, ids, refusal_limit) -> None:
    maja = signed_in(app, "patient-maja")
    url = f"/plan/{per_plan(db)}"
    codes = [maja.get(url).status_code for _ in range(6)]
    assert codes == [404] * refusal_limit + [429] * 3
    refused = maja.get(url)
    assert refused.status_code == 429
    text = visible_text(refused)
    assert "För många försök" in text
    assert "Du har försökt öppna många sidor som inte finns eller som du inte har tillgång" in text
    assert len(refusals_on(db, ids["patient-per"])) == refusal_limit
    # Maja's own pages still open; and the limit is hers alone: Anna is refused as usual.
    assert maja.get(f"/plan/{plan_id(db, 'trygg hemma')}").status_code == 200
    anna = signed_in(app, "proxy-anna")
    assert anna.get(url).status_code == 404
    assert len(refusals_on(db, ids["patient-per"])) == refusal_limit + 1

    text = log_text(app, "patient-per")
    assert f"{STRANGER} försökte 3 gånger mellan" in text
    assert f"{STRANGER} {TRIED_ONCE}" in text  # Anna: someone Per never let in either


def test_ids_that_name_nothing_count_too(app, db, ids, refusal_limit) -> None:
    """Otherwise a 429 for a real id and a 404 for a made-up one would tell which exist."""
    maja = signed_in(app, "patient-maja")
    codes = [maja.get(f"/plan/{999_000 + n}").status_code for n in range(refusal_limit)]
    assert codes == [404] * refusal_limit
    assert maja.get(f"/plan/{per_plan(db)}").status_code == 429
    assert maja.get("/plan/999999").status_code == 429
    assert refusals_on(db, ids["patient-per"]) == []


def test_staff_refusals_are_limited_too(app, db, ids, refusal_limit) -> None:
    jonas = signed_in(app, "staff-jonas")
    codes = [jonas.get(f"/plan/{per_plan(db)}").status_code for _ in range(refusal_limit + 1)]
    assert codes == [404] * refusal_limit + [429]
    logged = refusals_on(db, ids["patient-per"])
    assert [e.actor_practitioner_id for e in logged] == [ids["staff-jonas"]] * refusal_limit
