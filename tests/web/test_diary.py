"""The self-care diary: recording, plausible ranges, the plan's rules and their instructions,
the work list, care's definitions, who recorded, and the page's cost with a year of values."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.diary.models import Entry, Measure, RuleHit
from tests.conftest import Auth, csrf_token
from tests.helpers import plan_id, visible_text


def post(client, path: str, data: dict):  # noqa: ANN001, ANN201
    return client.post(path, data={"csrf_token": csrf_token(client, "/sessioner"), **data})


def signed_in(app: Flask, persona: str):  # noqa: ANN201
    client = app.test_client()
    Auth(client).sign_in(persona)
    return client


def weight(db: Session) -> Measure:
    plan = plan_id(db, "Egenvård vid hjärtsvikt")
    return db.scalars(select(Measure).where(Measure.plan_id == plan)).one()


def glucose(db: Session, ids: dict[str, int]) -> Measure:
    return db.scalars(select(Measure).where(Measure.label == "Blodsocker")).one()


def entries(db: Session, measure: Measure) -> int:
    db.expire_all()
    return db.scalar(select(func.count(Entry.id)).where(Entry.measure_id == measure.id))


def test_a_rising_weight_over_three_mornings_shows_the_plans_instruction_and_care_sees_it(
    app, db, ids, monkeypatch
) -> None:
    measure = weight(db)
    path = f"/dagbok/{measure.id}"
    start = utcnow()
    readings = [(0, "72,0", False), (1, "72,6", False), (2, "73,5", True)]
    for days, kilos, met in readings:
        moment = start + timedelta(days=days)
        monkeypatch.setitem(app.config, "NOW_FUNC", lambda moment=moment: moment)
        maja = signed_in(app, "patient-maja")
        saved = post(maja, path, {"value": kilos, "key": f"morning-{days}"})
        assert saved.status_code == 303, visible_text(saved)
        page = visible_text(maja.get(saved.headers["Location"]))
        assert ("Gör så här nu" in page) is met, (days, page)
        if met:
            assert "Ta en extra tablett furosemid i dag och ring Karin" in page
            assert "Vården ser det här också." in page
        else:
            assert "Sparat. Tack!" in page
    db.expire_all()
    (hit,) = db.scalars(select(RuleHit).where(RuleHit.patient_id == ids["patient-maja"])).all()
    karin = signed_in(app, "staff-karin")
    worklist = visible_text(karin.get("/arbetslista"))
    assert "Dagbok: planens regler uppfyllda" in worklist
    assert "Maja Lind: Vikt" in worklist
    handled = post(karin, f"/dagbok/traff/{hit.id}/hanterad", {})
    assert handled.status_code == 303
    assert "Maja Lind: Vikt" not in visible_text(karin.get("/arbetslista"))
    # Care reads the values too (and the one that met the rule is marked).
    history = visible_text(karin.get(path))
    assert "73,5 kg" in history
    assert "Gör så här:" in history


def test_an_unusual_value_is_asked_about_before_it_is_kept(app, db, ids) -> None:
    measure = weight(db)
    maja = signed_in(app, "patient-maja")
    before = entries(db, measure)
    asked = post(maja, f"/dagbok/{measure.id}", {"value": "120", "key": "unusual"})
    assert asked.status_code == 200
    assert "Stämmer det?" in visible_text(asked)
    assert asked.headers["X-Samplan-Refused"] == "1"  # a value sent on from the phone: ask again
    assert 'name="confirmed" value="1"' in asked.get_data(as_text=True)
    assert 'value="120"' in asked.get_data(as_text=True)
    assert entries(db, measure) == before
    kept = post(maja, f"/dagbok/{measure.id}", {"value": "120", "key": "unusual", "confirmed": "1"})
    assert kept.status_code == 303
    assert "X-Samplan-Refused" not in kept.headers
    assert entries(db, measure) == before + 1


def test_bad_values_get_a_swedish_message_and_store_nothing(app, db, ids) -> None:
    measure = weight(db)
    maja = signed_in(app, "patient-maja")
    before = entries(db, measure)
    long_ago = (utcnow() - timedelta(days=10)).date().isoformat()
    for data, message in (
        ({"value": "sjuttio"}, "Skriv värdet med siffror"),
        ({"value": "７１"}, "Skriv värdet med siffror"),
        ({"value": ""}, "Skriv värdet."),
        ({"value": "401"}, "Skriv vikten i kilo, från 1 till 400."),
        ({"value": "0,5"}, "Skriv vikten i kilo, från 1 till 400."),
        ({"value": "71", "day": long_ago}, "de senaste sju dagarna"),
        ({"value": "71", "day": "3000-01-01"}, "de senaste sju dagarna"),
    ):
        response = post(maja, f"/dagbok/{measure.id}", {**data, "key": "bad"})
        assert response.status_code == 400, data
        assert message in visible_text(response), data
        assert response.headers["X-Samplan-Refused"] == "1", data
    assert entries(db, measure) == before


def test_the_same_value_sent_twice_is_kept_once(app, db, ids) -> None:
    measure = weight(db)
    maja = signed_in(app, "patient-maja")
    before = entries(db, measure)
    for _ in range(2):
        assert (
            post(maja, f"/dagbok/{measure.id}", {"value": "71,5", "key": "once"}).status_code == 303
        )
    assert entries(db, measure) == before + 1


def test_a_value_kept_on_the_phone_is_sent_on_only_from_its_recorders_pages(app, db, ids) -> None:
    """Each person's pages carry their own opaque tag (static/js/waiting.js sends a value that
    waited on the phone only from the pages of the person who recorded it); staff's carry none."""

    def tag(persona: str) -> str | None:
        page = signed_in(app, persona).get("/", follow_redirects=True).get_data(as_text=True)
        found = re.search(r'data-waiting-owner="([0-9a-f]*)"', page)
        return found.group(1) if found else None

    maja, anna, karin = tag("patient-maja"), tag("proxy-anna"), tag("staff-karin")
    assert maja
    assert anna
    assert maja != anna
    assert maja == tag("patient-maja")  # the same on every page and sign-in
    assert karin is None
    assert str(ids["patient-maja"]) not in maja
    assert "data-waiting-owner" not in app.test_client().get("/demo").get_data(as_text=True)


def test_a_value_for_a_forgotten_morning(app, db, ids) -> None:
    measure = weight(db)
    maja = signed_in(app, "patient-maja")
    day = (utcnow() - timedelta(days=3)).date()
    saved = post(maja, f"/dagbok/{measure.id}", {"value": "71,7", "day": day.isoformat(),
                                                 "clock": "07:15", "key": "forgotten"})  # fmt: skip
    assert saved.status_code == 303
    db.expire_all()
    entry = db.scalars(select(Entry).where(Entry.client_key == "forgotten")).one()
    assert entry.value == Decimal("71.7")
    local = entry.recorded_for.astimezone(ZoneInfo("Europe/Stockholm"))
    assert (local.date(), local.hour, local.minute) == (day, 7, 15)


def test_a_guardian_records_for_a_child_and_is_shown_as_who_did(app, db, ids) -> None:
    measure = glucose(db, ids)
    sara = signed_in(app, "guardian-sara")
    saved = post(sara, f"/dagbok/{measure.id}", {"value": "3,9", "key": "sara-1"})
    assert saved.status_code == 303
    page = visible_text(sara.get(saved.headers["Location"]))
    assert "Ät eller drick något sött direkt" in page
    assert "Sara Svensson" in page
    not_low = post(sara, f"/dagbok/{measure.id}", {"value": "4,0", "key": "sara-2"})
    assert "Gör så här nu" not in visible_text(sara.get(not_low.headers["Location"]))
    amir = visible_text(signed_in(app, "staff-amir").get(f"/dagbok/{measure.id}"))
    assert "Sara Svensson" in amir


def test_a_relative_who_may_only_read_sees_the_diary_but_cannot_record(app, db, ids) -> None:
    measure = weight(db)
    anna = signed_in(app, "proxy-anna")
    page = visible_text(anna.get(f"/dagbok/{measure.id}"))
    assert "71,3 kg" in page
    assert "Spara" not in page
    assert post(anna, f"/dagbok/{measure.id}", {"value": "71", "key": "anna"}).status_code == 404


def test_the_history_is_a_chart_with_the_same_numbers_in_a_table(app, db, ids) -> None:
    measure = weight(db)
    maja = signed_in(app, "patient-maja")
    week = maja.get(f"/dagbok/{measure.id}").get_data(as_text=True)
    assert "<svg" in week
    assert 'role="img"' in week
    assert "Alla värden står i tabellen nedan." in week
    text = visible_text(maja.get(f"/dagbok/{measure.id}?visa=manad"))
    for kilos in ("71,2 kg", "71,0 kg", "71,4 kg", "71,1 kg", "71,3 kg"):
        assert kilos in text


def test_care_says_what_an_activity_records_and_its_rules(app, db, ids) -> None:
    from app.diary.models import Rule
    from app.goals.models import Activity

    karin = signed_in(app, "staff-karin")
    plan = plan_id(db, "Egenvård vid hjärtsvikt")
    activity = db.scalars(
        select(Activity).where(Activity.plan_id == plan, Activity.text.startswith("Titta på"))
    ).one()
    path = f"/dagbok/insats/{activity.id}"
    assert "Vad skrivs in?" in visible_text(karin.get(path))
    form = {"kind": "symptom", "label": "Andfåddhet", "every_days": "1", "time_of_day": "19:00"}
    bad = post(karin, path, {**form, "rules-0-kind": "above", "rules-0-instruction": "Ring 112"})
    assert bad.status_code == 400
    assert "Skriv gränsen med siffror." in visible_text(bad)
    swapped = post(karin, path, {**form, "low": "8", "high": "2"})
    assert swapped.status_code == 400
    assert "måste vara lägre" in visible_text(swapped)
    saved = post(
        karin,
        path,
        {**form, "rules-0-kind": "above", "rules-0-threshold": "7",
         "rules-0-instruction": "Ring 112 om du är andfådd i vila.", "rules-0-urgent": "1"},
    )  # fmt: skip
    assert saved.status_code == 303, visible_text(saved)
    db.expire_all()
    measure = db.scalars(select(Measure).where(Measure.activity_id == activity.id)).one()
    (rule,) = db.scalars(select(Rule).where(Rule.measure_id == measure.id)).all()
    assert rule.urgent
    maja = signed_in(app, "patient-maja")
    met = post(maja, f"/dagbok/{measure.id}", {"value": "8", "key": "breath"})
    page = visible_text(maja.get(met.headers["Location"]))
    assert "Ring 112 om du är andfådd i vila." in page
    assert "Vid akut fara: ring 112." in page


def test_the_diary_page_costs_the_same_with_a_year_of_values(app, db, ids, count_queries) -> None:
    measure = weight(db)
    maja = signed_in(app, "patient-maja")
    path = f"/dagbok/{measure.id}?visa=manad"
    maja.get(path)
    count_queries()
    assert maja.get(path).status_code == 200
    few = count_queries()
    now = utcnow()
    db.add_all(
        Entry(
            measure_id=measure.id,
            patient_id=ids["patient-maja"],
            value=Decimal("70") + Decimal(day % 20) / 10,
            recorded_for=now - timedelta(days=day, hours=1),
            recorded_by_id=ids["patient-maja"],
            client_key=f"year-{day}",
        )
        for day in range(7, 372)
    )
    db.flush()
    count_queries()
    assert maja.get(path).status_code == 200
    many = count_queries()
    assert len(many) == len(few)
    assert len(many) <= 7, "\n\n".join(many)


def test_a_missed_morning_is_shown_as_missed(app, db, ids) -> None:
    measure = weight(db)
    maja = signed_in(app, "patient-maja")
    text = visible_text(maja.get(f"/dagbok/{measure.id}"))
    # The demo's Maja skipped the morning three days ago (and nothing is invented for it).
    assert text.count("Inget inskrivet") >= 1


def test_maja_chooses_a_reminder_time_and_is_reminded_once_unless_she_has_written_in(
    app, db, ids
) -> None:
    from zoneinfo import ZoneInfo

    from app.accounts.models import Person
    from app.diary.reminders import queue_day
    from app.notifications.models import OutboxItem
    from app.notifications.worker import deliver_one

    stockholm = ZoneInfo("Europe/Stockholm")
    db.get(Person, ids["patient-maja"]).notify_channels = "email"
    measure = weight(db)
    maja = signed_in(app, "patient-maja")
    chosen = post(maja, f"/dagbok/{measure.id}/paminnelse", {"remind_at": "07:45"})
    assert chosen.status_code == 303
    assert "Du får en påminnelse kl. 07:45" in visible_text(maja.get(chosen.headers["Location"]))
    bad = post(maja, f"/dagbok/{measure.id}/paminnelse", {"remind_at": "25:00"})
    assert bad.status_code == 400
    tomorrow = (utcnow() + timedelta(days=1)).astimezone(stockholm).date()
    db.expire_all()
    with app.app_context():
        assert queue_day(db, tomorrow, stockholm) >= 1
        assert queue_day(db, tomorrow, stockholm) >= 1  # running twice queues nothing more
    db.flush()
    items = db.scalars(select(OutboxItem).where(OutboxItem.template == "diary_reminder")).all()
    assert len(items) == 1
    (item,) = items
    local = item.next_attempt_at.astimezone(stockholm)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 7, 45)
    sent: list = []

    class Recorder:
        def send(self, message) -> None:  # noqa: ANN001
            sent.append(message)

    while deliver_one(app, Recorder(), lambda: item.next_attempt_at):
        pass
    subjects = [m["Subject"] for m in sent]
    assert subjects.count("Dags att skriva i dagboken i Samplan") == 1
    assert "71" not in sent[-1].get_content()  # no values in the mail

    # The day after, a value written in before the time means no reminder.
    later = tomorrow + timedelta(days=1)
    with app.app_context():
        queue_day(db, later, stockholm)
    db.flush()
    (next_one,) = db.scalars(
        select(OutboxItem).where(OutboxItem.dedupe_key == f"diary_reminder:{measure.id}:{later}")
    ).all()
    from datetime import datetime, time

    db.add(
        Entry(
            measure_id=measure.id,
            patient_id=ids["patient-maja"],
            value=Decimal("71.2"),
            recorded_for=datetime.combine(later, time(6, 50), stockholm),
            recorded_by_id=ids["patient-maja"],
            client_key="early-bird",
        )
    )
    db.flush()
    count = len(sent)
    while deliver_one(app, Recorder(), lambda: next_one.next_attempt_at):
        pass
    assert len(sent) == count
    db.expire_all()
    assert db.get(OutboxItem, next_one.id).last_error == "no longer due"
    off = post(maja, f"/dagbok/{measure.id}/paminnelse", {"remind_at": ""})
    assert "Du får ingen påminnelse nu." in visible_text(maja.get(off.headers["Location"]))


def test_care_sees_the_last_weeks_values_and_rules_met_on_the_plans_diary(app, db, ids) -> None:
    measure = weight(db)
    maja = signed_in(app, "patient-maja")
    post(maja, f"/dagbok/{measure.id}", {"value": "74,0", "key": "jump"})  # 2.9 kg over 71.1
    karin = signed_in(app, "staff-karin")
    page = visible_text(karin.get(f"/plan/{measure.plan_id}/dagbok"))
    assert "Senaste veckan: 74,0 kg" in page
    assert "71,3 kg" in page
    assert "Regel uppfylld" in page
    assert "Ta en extra tablett furosemid" in page


def test_the_patient_reads_in_her_log_that_care_read_her_diary(app, db, ids) -> None:
    measure = weight(db)
    karin = signed_in(app, "staff-karin")
    assert karin.get(f"/dagbok/{measure.id}").status_code == 200
    maja = signed_in(app, "patient-maja")
    log = visible_text(maja.get("/vem-har-tittat"))
    assert "Karin Berg" in log
    assert "läste din dagbok" in log
