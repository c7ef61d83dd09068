"""Vem har tittat? as a patient reads it: day by day, one card per person and day with what they
did, and a filter for care, oneself, relatives and stopped attempts."""

from __future__ import annotations

from datetime import timedelta

from app.access.actor import Actor
from app.accounts.models import Practitioner
from app.audit.services import record_access
from app.db import utcnow
from tests.helpers import visible_text


def _log(client, query: str = "") -> str:  # noqa: ANN001
    response = client.get(f"/vem-har-tittat{query}")
    assert response.status_code == 200
    return visible_text(response)


def test_one_card_per_person_and_day_and_a_filter(auth, client, db, ids) -> None:
    erik = Actor.of(db.get(Practitioner, ids["staff-erik"]))
    jonas = Actor.of(db.get(Practitioner, ids["staff-jonas"]))
    maja = ids["patient-maja"]
    yesterday = utcnow() - timedelta(days=1)
    for minutes in range(5):
        record_access(
            db, erik, maja, "read", "overview", None, yesterday + timedelta(minutes=minutes)
        )
    record_access(db, jonas, maja, "read", "overview", None, utcnow(), allowed=False)
    db.flush()
    auth.sign_in("patient-maja")

    everyone = _log(client)
    assert "I dag" in everyone
    assert "I går" in everyone
    # Five reads in a row by Erik yesterday: one card, one line, how many times.
    assert everyone.count("Erik Olsson, Distriktsläkare") == 1
    assert "läste din översikt 5 gånger, senast" in everyone

    care = _log(client, "?vem=varden")
    assert "Erik Olsson" in care
    assert "Jonas" not in care
    assert "stoppades" not in care

    stopped = _log(client, "?vem=stoppade")
    assert "Jonas Åberg" in stopped
    assert "Det stoppades." in stopped
    assert "Erik Olsson" not in stopped

    relatives = _log(client, "?vem=narstaende")
    assert "Erik Olsson" not in relatives
    assert "Jonas" not in relatives

    assert client.get("/vem-har-tittat?vem=ingen").status_code == 404


def test_a_filter_with_nothing_in_it_says_so(auth, client, db, ids) -> None:
    auth.sign_in("patient-greta")
    assert "Det finns inget sådant i loggen." in _log(client, "?vem=stoppade")


def test_a_guardian_reading_a_young_childs_log_is_told_whose_it_is(auth, client, ids) -> None:
    from tests.conftest import csrf_token

    auth.sign_in("guardian-sara")
    token = csrf_token(client, "/vem")
    client.post("/vem", data={"patient_id": ids["patient-elias"], "csrf_token": token})
    child = _log(client)
    assert "Vem har tittat på uppgifterna om Elias Svensson?" in child
    assert "Där det står ”du” och ”din” nedan menas Elias Svensson." in child
    assert "Vem har tittat på mina uppgifter?" not in child
    client.post("/vem", data={"patient_id": "self", "csrf_token": token})
    own = _log(client)
    assert "Vem har tittat på mina uppgifter?" in own
    assert "Elias" not in own
