"""Everything about a patient is logged, by construction (DESIGN.md rule 2).

Derived from the access matrix, which every route of the URL map must be in: every GET case is
requested by a persona of each kind who may see it (a patient, a proxy, a guardian, staff), and
the request must write an access-log entry for the patient whose data the page shows. A route
added with no logging, or a page that forgets to log the patients it lists, fails here. The only
way out is the exemption list below, for routes that show no patient data at all.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.appointments.models import Appointment
from app.audit.models import AccessLogEntry
from app.care_requests.models import CareRequest
from app.goals.models import Activity, Goal
from app.messages.models import Thread
from app.plans.models import CarePlan
from tests.helpers import PERSONAS, STAFF_PREFIXES
from tests.web.test_matrix import PATIENT_ROUTES, PUBLIC

# GET routes that show no patient data, with why. Keep it short: a page that shows anything of
# a patient (a name in a list, a count of their messages) logs it instead.
NO_PATIENT_DATA = {
    # the form where a relative types the code they were given; nobody's data until it is used
    "proxies.use_code",
    # the signed-in person's own settings for this phone and their push devices
    "pwa.device",
    # the form where staff type a personal number: nobody's data until the statement is made
    "patients.new_patient_form",
    # the signed-in person's own e-mail address, mobile number and notification choices
    "contact.settings",
}

# The patients each persona can see in the demo world: their own data, the person they act for,
# and for staff the patients they have a care relationship with.
SEES = {
    "patient-maja": ["patient-maja"],
    "patient-per": ["patient-per"],
    "patient-elias": ["patient-elias"],
    "patient-ali": ["patient-ali"],
    "proxy-anna": ["proxy-anna", "patient-maja"],
    "guardian-sara": ["guardian-sara", "patient-elias"],
    # Greta has no plan: Kvarnen sees her through the request she sent there.
    "staff-karin": ["patient-maja", "patient-ali", "patient-greta"],
    "staff-erik": ["patient-maja", "patient-ali", "patient-greta"],
    "staff-lena": ["patient-maja", "patient-ali"],
    "staff-sofia": ["patient-per"],
    "staff-amir": ["patient-elias"],
    "staff-jonas": [],
    "patient-greta": ["patient-greta"],
    "admin-region": [],
    "admin-kommun": [],
}
KINDS = ("patient-", "proxy-", "guardian-", "staff-")
# Pages that list the people one acts for: empty, so with nothing to log, for a patient who
# acts for nobody.
OTHERS_ONLY = {"plans.choose_person"}


def _actors(endpoint: str, allowed: set[str]) -> list[str]:
    """The first persona of each kind among those allowed (in DESIGN.md's order) for whom the
    page shows someone: staff-jonas sees nobody, so his empty lists have nothing to log."""
    kinds = KINDS[1:3] if endpoint in OTHERS_ONLY else KINDS
    return [
        next(p for p in PERSONAS if p in allowed and p.startswith(kind) and SEES[p])
        for kind in kinds
        if any(p.startswith(kind) and SEES[p] for p in allowed)
    ]


GET_CASES = [
    (endpoint, index)
    for endpoint, cases in sorted(PATIENT_ROUTES.items())
    for index, (method, _build, _allowed, _status) in enumerate(cases)
    if method == "GET" and endpoint not in NO_PATIENT_DATA
]
CASES = [
    pytest.param(endpoint, index, persona, id=f"{endpoint}[{index}]-{persona}")
    for endpoint, index in GET_CASES
    for persona in _actors(endpoint, PATIENT_ROUTES[endpoint][index][2])
]


def _named_patient(db: Session, path: str) -> int | None:
    """The patient a URL names (a plan, thread, appointment, goal, activity, request or
    patient)."""
    found = re.match(r"/(plan|meddelanden|tider|mal|insats|patient|onskemal)/(\d+)", path)
    if found is None:
        return None
    kind, number = found.group(1), int(found.group(2))
    if kind == "patient":
        return number
    if kind in ("mal", "insats"):
        item = db.get(Goal if kind == "mal" else Activity, number)
        number, kind = item.plan_id, "plan"
    model = {
        "plan": CarePlan,
        "meddelanden": Thread,
        "tider": Appointment,
        "onskemal": CareRequest,
    }[kind]
    return db.get(model, number).patient_id


def _last_entry(db: Session) -> int:
    return db.scalar(select(func.max(AccessLogEntry.id))) or 0


def test_every_get_route_with_patient_data_is_checked(app: Flask) -> None:
    """Each GET route outside PUBLIC has a GET case in the matrix with someone who may see it,
    unless it is exempt; and the exemptions name real GET routes."""
    get_routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.endpoint not in PUBLIC
    }
    checked = {endpoint for endpoint, _index, _persona in (case.values for case in CASES)}
    assert sorted(get_routes - NO_PATIENT_DATA - checked) == []
    assert sorted(NO_PATIENT_DATA - get_routes) == []


@pytest.mark.parametrize(("endpoint", "index", "persona"), CASES)
def test_every_page_with_patient_data_logs_whose_it_is(
    auth, client, db, ids, endpoint, index, persona
) -> None:
    _method, build, _allowed, status = PATIENT_ROUTES[endpoint][index]
    auth.sign_in(persona)
    client.get("/", follow_redirects=True)  # as in the matrix: the start page comes first
    path = build(db, ids)
    since = _last_entry(db)
    response = client.get(path, follow_redirects=True)
    assert response.status_code == status, (persona, path)
    by = (
        AccessLogEntry.actor_practitioner_id
        if persona.startswith(STAFF_PREFIXES)
        else AccessLogEntry.actor_person_id
    )
    entries = db.execute(
        select(AccessLogEntry.patient_id, AccessLogEntry.allowed).where(
            AccessLogEntry.id > since, by == ids[persona]
        )
    ).all()
    named = _named_patient(db, path)
    expected = {named} if named is not None else {ids[key] for key in SEES[persona]}
    logged = {patient for patient, allowed in entries if allowed}
    assert logged, f"{persona} opened {path} ({endpoint}) and no access-log entry was written"
    assert logged <= expected, (persona, path, logged, expected)


def test_the_exemptions_are_the_pages_the_code_marks_as_without_patient_data(app: Flask) -> None:
    """`@listing(..., patient_data=False)` and the list above must agree: neither alone can
    exempt a page."""
    marked = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, "patient_data", True) is False
    }
    assert marked == NO_PATIENT_DATA


def _new_entries(db: Session, since: int) -> list[tuple[int, str, str, str | None, bool]]:
    return [
        tuple(row)
        for row in db.execute(
            select(
                AccessLogEntry.patient_id,
                AccessLogEntry.action,
                AccessLogEntry.object_type,
                AccessLogEntry.search_text,
                AccessLogEntry.allowed,
            )
            .where(AccessLogEntry.id > since)
            .order_by(AccessLogEntry.id)
        )
    ]


def test_staff_list_and_search_log_each_patient_shown_and_what_was_searched(
    auth, client, db, ids
) -> None:
    from tests.helpers import visible_text

    auth.sign_in("staff-karin")
    since = _last_entry(db)
    assert client.get("/").status_code == 200
    listed = _new_entries(db, since)
    assert sorted(listed) == sorted(
        [
            (ids["patient-maja"], "read", "patient_list", None, True),
            (ids["patient-ali"], "read", "patient_list", None, True),
        ]
    )
    since = _last_entry(db)
    assert "Maja Lind" in visible_text(client.get("/?q=+lind+"))
    assert _new_entries(db, since) == [
        (ids["patient-maja"], "read", "patient_search", "lind", True)
    ]

    since = _last_entry(db)
    client.get("/?q=" + "x" * 300)  # nobody matches: nobody was shown
    assert _new_entries(db, since) == []

    auth.sign_out()
    auth.sign_in("patient-maja")
    text = visible_text(client.get("/vem-har-tittat"))
    assert "Karin Berg, Distriktssköterska, Hälsocentralen Kvarnen" in text
    assert "sökte efter ”lind” och såg ditt namn bland träffarna" in text
    assert "såg ditt namn i sin lista över patienter" in text
    auth.sign_out()
    auth.sign_in("patient-ali")
    assert "sökte efter" not in visible_text(client.get("/vem-har-tittat"))


def test_the_inbox_logs_the_patients_whose_threads_it_lists(auth, client, db, ids) -> None:
    from tests.helpers import visible_text

    auth.sign_in("staff-karin")
    since = _last_entry(db)
    page = visible_text(client.get("/inkorg?flik=mina"))
    assert "Maja Lind" in page
    entries = _new_entries(db, since)
    assert (ids["patient-maja"], "read", "inbox", None, True) in entries
    assert {entry[2] for entry in entries} == {"inbox"}
    assert len(entries) == len({entry[0] for entry in entries})  # one entry per patient


def test_an_answer_that_shows_nothing_logs_no_read(app, auth, client, db, ids) -> None:
    """A 304 of a poll, a redirect, and a 404 the page itself gives write no read; a refusal
    still writes its refused entry."""
    auth.sign_in("patient-maja")
    badge = client.get("/meddelanden/olasta")
    assert badge.status_code == 200
    since = _last_entry(db)
    again = client.get("/meddelanden/olasta", headers={"If-None-Match": badge.headers["ETag"]})
    assert again.status_code == 304
    assert _new_entries(db, since) == []

    anna = app.test_client()
    from tests.conftest import Auth

    Auth(anna).sign_in("proxy-anna")
    since = _last_entry(db)
    assert anna.get("/").status_code == 303  # she acts for Maja: on to Maja's page
    assert anna.get("/viktigt/0").status_code == 404  # she may read, not answer
    assert _new_entries(db, since) == []


def test_a_listing_that_logs_nothing_fails_instead_of_showing_the_page(app, ids) -> None:
    from flask import g

    from app.access.actor import Actor
    from app.access.gate import listing
    from app.accounts.models import Person
    from app.db import get_session

    @listing("person")
    def forgetful() -> str:
        return "Maja Lind"

    with app.test_request_context("/glomsk"):
        g._login_user = Actor.of(get_session().get(Person, ids["patient-maja"]))
        with pytest.raises(RuntimeError, match="logged none"):
            forgetful()
