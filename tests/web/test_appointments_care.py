"""Times agreed together: care offers, the patient answers, the answer waits on the work list
until care handles it, and every change reaches the patient (and their calendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import force_locale
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import CareUnit, Person
from app.appointments.forms import ERRORS
from app.appointments.models import Appointment, AppointmentStatus
from app.appointments.reminders import reminder_at
from app.db import utcnow
from app.messages.workdays import add_working_days
from app.notifications.models import OutboxItem
from app.plans.models import CarePlan
from tests.conftest import Auth, csrf_token
from tests.helpers import plan_id, visible_text

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def post(client, path: str, data: dict, page: str = "/sessioner"):  # noqa: ANN001, ANN201
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def signed_in(app: Flask, persona: str):  # noqa: ANN201
    client = app.test_client()
    Auth(client).sign_in(persona)
    return client


def day_ahead(days: int) -> date:
    """A weekday `days` or a little more from now."""
    day = (utcnow() + timedelta(days=days)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def slots(*moments: tuple[date, str]) -> dict[str, str]:
    fields = {}
    for index, (day, clock) in enumerate(moments):
        fields[f"slots-{index}-day"] = day.isoformat()
        fields[f"slots-{index}-clock"] = clock
    return fields


VISIT = {
    "mode": "visit",
    "duration": "30",
    "purpose": "Genomgång av vikten och dosen",
    "location": "Hälsocentralen Kvarnen, Storgatan 1",
    "attendees": "Karin Berg och Erik Olsson",
    "preparation": "Ta med din viktdagbok.",
}


def times_of(db: Session, plan: int) -> list[Appointment]:
    db.expire_all()
    return list(
        db.scalars(
            select(Appointment)
            .where(Appointment.plan_id == plan, Appointment.purpose == VISIT["purpose"])
            .order_by(Appointment.starts_at)
        )
    )


def outbox(db: Session, template: str) -> list[OutboxItem]:
    return list(db.scalars(select(OutboxItem).where(OutboxItem.template == template)))


def test_karin_offers_three_maja_asks_for_another_karin_offers_anew_maja_accepts(
    app, db, ids
) -> None:
    karin, maja = signed_in(app, "staff-karin"), signed_in(app, "patient-maja")
    sip = plan_id(db, "trygg hemma")
    day = day_ahead(12)
    form_page = f"/plan/{sip}/tider/ny"
    assert "Erbjud en tid" in visible_text(karin.get(form_page))
    offered = post(
        karin,
        form_page,
        {**VISIT, **slots((day, "09:00"), (day, "13:30"), (day + timedelta(days=1), "10:00"))},
        form_page,
    )
    assert offered.status_code == 303, visible_text(offered)
    three = times_of(db, sip)
    assert [a.status for a in three] == [AppointmentStatus.PROPOSED] * 3
    assert len({a.offer_group for a in three}) == 1
    assert three[0].offer_group
    assert three[0].starts_at == datetime.combine(day, time(9), STOCKHOLM).astimezone(UTC)
    assert len(outbox(db, "appointment_offered")) >= 1
    assert "Tiden är erbjuden" in visible_text(karin.get(offered.headers["Location"]))

    # Maja sees one entry for the three, and chooses among them on its page.
    listing = visible_text(maja.get("/tider"))
    assert listing.count(VISIT["purpose"]) == 1
    coming = visible_text(maja.get("/")).split("Kommande tider", 1)[1]
    assert coming.count(VISIT["purpose"]) == 1
    page = visible_text(maja.get(f"/tider/{three[0].id}"))
    assert "Vården föreslår 3 tider. Välj den som passar." in page
    assert "Ta med din viktdagbok." in page
    assert "Karin Berg och Erik Olsson" in page
    asked = post(
        maja,
        f"/tider/{three[1].id}/annan-tid",
        {"note": "Tisdagar efter lunch passar bäst", "wished": ""},
        f"/tider/{three[1].id}",
    )
    assert asked.status_code == 303
    after = times_of(db, sip)
    assert [a.status for a in after] == [
        AppointmentStatus.DECLINED,
        AppointmentStatus.CHANGE_REQUESTED,
        AppointmentStatus.DECLINED,
    ]
    unit = db.get(CareUnit, after[1].unit_id)
    today = utcnow().astimezone(STOCKHOLM).date()
    assert after[1].due_on == add_working_days(today, unit.response_working_days)
    status = visible_text(maja.get(f"/tider/{three[1].id}"))
    assert "Vården har fått ditt svar och hör av sig senast" in status

    # Karin sees it on her work list, with what Maja wished, and offers a new time.
    worklist = visible_text(karin.get("/arbetslista"))
    assert "Svar om tider" in worklist
    assert "Maja Lind: Patienten vill ha en annan tid" in worklist
    care_page = visible_text(karin.get(f"/tider/{three[1].id}"))
    assert "Tisdagar efter lunch passar bäst" in care_page
    again = f"/plan/{sip}/tider/ny?ersatter={three[1].id}"
    form = visible_text(karin.get(again))
    assert "Patienten bad om en annan tid" in form
    assert "Tisdagar efter lunch" in form
    tuesday = day_ahead(14)
    while tuesday.weekday() != 1:
        tuesday += timedelta(days=1)
    new = post(
        karin,
        f"/plan/{sip}/tider/ny",
        {**VISIT, **slots((tuesday, "13:15")), "replaces": str(three[1].id)},
        again,
    )
    assert new.status_code == 303, visible_text(new)
    now_times = times_of(db, sip)
    replaced = next(a for a in now_times if a.id == three[1].id)
    assert replaced.status == AppointmentStatus.WITHDRAWN
    assert replaced.handled_at is not None
    fresh = next(a for a in now_times if a.status == AppointmentStatus.PROPOSED)
    assert fresh.offer_group is None
    assert "Maja Lind: Patienten vill ha en annan tid" not in visible_text(
        karin.get("/arbetslista")
    )

    # Maja accepts; the reminder waits for its day; Karin confirms; Maja sees it.
    accepted = post(maja, f"/tider/{fresh.id}/ja", {}, f"/tider/{fresh.id}")
    assert accepted.status_code == 303
    db.expire_all()
    assert db.get(Appointment, fresh.id).status == AppointmentStatus.ACCEPTED
    reminders = outbox(db, "appointment_reminder")
    assert reminders, "a reminder is queued"
    due = reminder_at(fresh.starts_at, unit.reminder_working_days, STOCKHOLM)
    assert {item.next_attempt_at for item in reminders} == {due}
    assert "Maja Lind: Patienten har tackat ja" in visible_text(karin.get("/arbetslista"))
    assert "bekräftar senast" in visible_text(maja.get(f"/tider/{fresh.id}"))
    confirmed = post(karin, f"/tider/{fresh.id}/hanterad", {}, f"/tider/{fresh.id}")
    assert confirmed.status_code == 303
    assert "Vården har bekräftat tiden." in visible_text(maja.get(f"/tider/{fresh.id}"))
    assert "Svar om tider" not in visible_text(karin.get("/arbetslista"))
    ics = maja.get(f"/tider/{fresh.id}.ics")
    event = Calendar.from_ical(ics.get_data()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == fresh.starts_at
    assert event.decoded("dtstart").tzinfo.key == "Europe/Stockholm"
    assert str(event["status"]) == "CONFIRMED"
    assert b"BEGIN:VTIMEZONE" in ics.get_data()
    assert b"TZID:Europe/Stockholm" in ics.get_data()


def test_moving_an_agreed_time_asks_again_and_the_calendar_copy_follows(app, db, ids) -> None:
    karin, maja = signed_in(app, "staff-karin"), signed_in(app, "patient-maja")
    sip = plan_id(db, "trygg hemma")
    day = day_ahead(20)
    post(karin, f"/plan/{sip}/tider/ny", {**VISIT, **slots((day, "10:00"))}, f"/plan/{sip}")
    (appointment,) = times_of(db, sip)
    post(maja, f"/tider/{appointment.id}/ja", {}, f"/tider/{appointment.id}")
    first = Calendar.from_ical(maja.get(f"/tider/{appointment.id}.ics").get_data())
    first_sequence = first.walk("VEVENT")[0]["sequence"]
    change_page = f"/tider/{appointment.id}/andra"
    assert karin.get(change_page).status_code == 200
    moved = post(
        karin,
        change_page,
        {
            **VISIT,
            "day": (day + timedelta(days=1)).isoformat(),
            "clock": "11:00",
            "note": "Jag är på kurs.",
        },
        change_page,
    )
    assert moved.status_code == 303, visible_text(moved)
    (after,) = times_of(db, sip)
    assert after.status == AppointmentStatus.PROPOSED
    assert after.sequence > first_sequence
    assert outbox(db, "appointment_changed")
    page = visible_text(maja.get(f"/tider/{appointment.id}"))
    assert "Vården skriver: ”Jag är på kurs.”" in page or "Jag är på kurs." in page
    assert "Ja, tiden passar" in page
    # The old copy in the calendar is replaced by a cancellation (same UID, higher SEQUENCE).
    again = Calendar.from_ical(maja.get(f"/tider/{appointment.id}.ics").get_data())
    event = again.walk("VEVENT")[0]
    assert str(event["uid"]) == f"appointment-{appointment.id}@samplan"
    assert event["sequence"] > first_sequence
    assert str(event["status"]) == "CANCELLED"
    assert str(again["method"]) == "CANCEL"

    cancelled = post(
        karin,
        f"/tider/{appointment.id}/vard-avbokar",
        {"reason": "Mottagningen är stängd den dagen."},
        f"/tider/{appointment.id}",
    )
    assert cancelled.status_code == 303
    (gone,) = times_of(db, sip)
    assert gone.cancelled_by_care
    assert outbox(db, "appointment_cancelled")
    page = visible_text(maja.get(f"/tider/{appointment.id}"))
    assert "Mottagningen är stängd den dagen." in page
    assert "Ja, tiden passar" not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"slots-0-day": "2020-01-07", "slots-0-clock": "10:00"}, "Tiden har redan varit"),
        ({"slots-0-day": "2099-01-07", "slots-0-clock": "10:00"}, "mer än två år fram"),
        ({"slots-0-day": "", "slots-0-clock": "10:00"}, "Skriv både dag och klockslag"),
        ({"slots-0-clock": "25:00"}, "Skriv klockslaget som TT:MM"),
        ({"slots-0-day": "", "slots-0-clock": ""}, "minst en tid"),
        ({"duration": "0"}, "från 5 till 480"),
        ({"duration": "481"}, "från 5 till 480"),
        ({"duration": "３０"}, "från 5 till 480"),
        ({"purpose": " "}, "Skriv vad tiden gäller"),
        ({"mode": "fax"}, "Välj hur ni ska träffas"),
        ({"mode": "video"}, "Ett videosamtal behöver en länk"),
        ({"mode": "video", "meeting_url": "http://video.example/rum"}, "börjar med https://"),
        ({"meeting_url": "javascript:alert(1)"}, "börjar med https://"),
        ({"meeting_url": "https://anna:hemligt@video.example/"}, "börjar med https://"),
        (
            {"slots-1-day": "SAME", "slots-1-clock": "10:00"},
            "Samma tid står två gånger",
        ),
    ],
)
def test_a_bad_offer_gets_a_swedish_message_and_stores_nothing(
    app, db, ids, fields, message
) -> None:
    karin = signed_in(app, "staff-karin")
    sip = plan_id(db, "trygg hemma")
    day = day_ahead(10)
    data = {**VISIT, **slots((day, "10:00")), **fields}
    if data.get("slots-1-day") == "SAME":
        data["slots-1-day"] = day.isoformat()
    before = db.scalar(select(func.count(Appointment.id)))
    response = post(karin, f"/plan/{sip}/tider/ny", data, f"/plan/{sip}")
    assert response.status_code == 400
    assert message in visible_text(response)
    assert VISIT["preparation"] in response.get_data(as_text=True)  # nothing typed is lost
    assert db.scalar(select(func.count(Appointment.id))) == before


def test_an_hour_that_does_not_exist_when_summer_time_begins_is_refused(app, db, ids) -> None:
    karin = signed_in(app, "staff-karin")
    sip = plan_id(db, "trygg hemma")
    year = utcnow().year + 1
    last_sunday = max(date(year, 3, d) for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    response = post(
        karin,
        f"/plan/{sip}/tider/ny",
        {**VISIT, "slots-0-day": last_sunday.isoformat(), "slots-0-clock": "02:30"},
        f"/plan/{sip}",
    )
    assert response.status_code == 400
    assert "när klockan ställs om till sommartid" in visible_text(response)


def test_the_same_offer_sent_twice_is_stored_once(app, db, ids) -> None:
    karin = signed_in(app, "staff-karin")
    sip = plan_id(db, "trygg hemma")
    data = {**VISIT, **slots((day_ahead(9), "08:30"), (day_ahead(9), "15:00"))}
    assert post(karin, f"/plan/{sip}/tider/ny", data, f"/plan/{sip}").status_code == 303
    assert post(karin, f"/plan/{sip}/tider/ny", data, f"/plan/{sip}").status_code == 303
    assert len(times_of(db, sip)) == 2


def test_a_time_care_took_back_cannot_be_chosen(app, db, ids) -> None:
    karin, maja = signed_in(app, "staff-karin"), signed_in(app, "patient-maja")
    sip = plan_id(db, "trygg hemma")
    day = day_ahead(11)
    post(karin, f"/plan/{sip}/tider/ny", {**VISIT, **slots((day, "09:00"), (day, "14:00"))})
    first, second = times_of(db, sip)
    withdrawn = post(karin, f"/tider/{first.id}/vard-avbokar", {"reason": "Läkaren är sjuk."})
    assert withdrawn.status_code == 303
    refused = post(maja, f"/tider/{first.id}/ja", {}, f"/tider/{first.id}")
    assert refused.status_code == 400
    assert "Tiden går inte längre att ändra" in visible_text(refused)
    page = visible_text(maja.get(f"/tider/{first.id}"))
    assert "Vården har tagit tillbaka den här tiden." in page
    assert post(maja, f"/tider/{second.id}/ja", {}).status_code == 303
    statuses = [a.status for a in times_of(db, sip)]
    assert statuses == [AppointmentStatus.WITHDRAWN, AppointmentStatus.ACCEPTED]


def test_one_slot_is_never_agreed_twice(app, db, ids) -> None:
    """Karin offers the same hour to Maja and Ali: whoever takes it first has it."""
    karin = signed_in(app, "staff-karin")
    maja, ali = signed_in(app, "patient-maja"), signed_in(app, "patient-ali")
    day = day_ahead(15)
    for plan in (plan_id(db, "trygg hemma"), plan_id(db, "stroke")):
        assert (
            post(karin, f"/plan/{plan}/tider/ny", {**VISIT, **slots((day, "10:00"))}).status_code
            == 303
        )
    db.expire_all()
    offers = list(db.scalars(select(Appointment).where(Appointment.purpose == VISIT["purpose"])))
    by_patient = {a.patient_id: a for a in offers}
    mine, his = by_patient[ids["patient-maja"]], by_patient[ids["patient-ali"]]
    assert post(maja, f"/tider/{mine.id}/ja", {}).status_code == 303
    taken = post(ali, f"/tider/{his.id}/ja", {}, f"/tider/{his.id}")
    assert taken.status_code == 400
    with app.test_request_context(), force_locale("ar"):  # Ali reads Samplan in Arabic
        assert str(ERRORS["taken"]) in visible_text(taken)
    db.expire_all()
    assert db.get(Appointment, his.id).status == AppointmentStatus.PROPOSED
    # And Karin cannot offer an hour she has already agreed with someone.
    busy = post(
        karin, f"/plan/{plan_id(db, 'stroke')}/tider/ny", {**VISIT, **slots((day, "10:15"))}
    )
    assert busy.status_code == 400
    assert "Du har redan en överenskommen tid då" in visible_text(busy)


def test_the_work_list_orders_answers_by_when_they_are_due(app, db, ids, monkeypatch) -> None:
    karin = signed_in(app, "staff-karin")
    maja, ali = signed_in(app, "patient-maja"), signed_in(app, "patient-ali")
    day = day_ahead(25)
    post(karin, f"/plan/{plan_id(db, 'stroke')}/tider/ny", {**VISIT, **slots((day, "08:00"))})
    post(karin, f"/plan/{plan_id(db, 'trygg hemma')}/tider/ny", {**VISIT, **slots((day, "15:00"))})
    db.expire_all()
    offers = {
        a.patient_id: a
        for a in db.scalars(select(Appointment).where(Appointment.purpose == VISIT["purpose"]))
    }
    # Maja answers first; Ali three days later: Maja's answer is due first and is listed first.
    post(maja, f"/tider/{offers[ids['patient-maja']].id}/avboka", {"reason": "Jag är bortrest."})
    later = utcnow() + timedelta(days=3)
    monkeypatch.setitem(app.config, "NOW_FUNC", lambda: later)
    ali, karin = signed_in(app, "patient-ali"), signed_in(app, "staff-karin")
    assert post(ali, f"/tider/{offers[ids['patient-ali']].id}/ja", {}).status_code == 303
    text = visible_text(karin.get("/arbetslista"))
    section = text.split("Svar om tider", 1)[1]
    assert section.index("Maja Lind: Avbokad") < section.index(
        "Ali Hassan: Patienten har tackat ja"
    )
    # Well past Maja's due day, her answer is marked late.
    much_later = utcnow() + timedelta(days=12)
    monkeypatch.setitem(app.config, "NOW_FUNC", lambda: much_later)
    karin = signed_in(app, "staff-karin")
    assert "Försenat" in visible_text(karin.get("/arbetslista")).split("Svar om tider", 1)[1]


def test_only_the_team_handles_a_time_and_patients_cannot(app, db, ids) -> None:
    karin = signed_in(app, "staff-karin")
    sip = plan_id(db, "trygg hemma")
    post(karin, f"/plan/{sip}/tider/ny", {**VISIT, **slots((day_ahead(8), "10:00"))})
    (appointment,) = times_of(db, sip)
    for persona in ("staff-jonas", "staff-sofia", "patient-maja", "proxy-anna"):
        other = signed_in(app, persona)
        for path in (f"/tider/{appointment.id}/andra", f"/plan/{sip}/tider/ny"):
            assert other.get(path).status_code == 404, (persona, path)
        cancel = post(other, f"/tider/{appointment.id}/vard-avbokar", {"reason": "x"})
        assert cancel.status_code == 404, persona
    assert times_of(db, sip)[0].status == AppointmentStatus.PROPOSED


def test_reminders_wait_for_their_day_and_are_dropped_when_the_time_moves(
    app, db, ids, monkeypatch
) -> None:
    from app.notifications.worker import deliver_one

    db.get(Person, ids["patient-maja"]).notify_channels = "email"
    db.flush()
    karin, maja = signed_in(app, "staff-karin"), signed_in(app, "patient-maja")
    sip = plan_id(db, "trygg hemma")
    day = day_ahead(10)
    post(karin, f"/plan/{sip}/tider/ny", {**VISIT, **slots((day, "10:00"))})
    (appointment,) = times_of(db, sip)
    db.get(CareUnit, appointment.unit_id).reminder_working_days = 3  # the unit's choice
    db.flush()
    post(maja, f"/tider/{appointment.id}/ja", {})
    (reminder,) = outbox(db, "appointment_reminder")
    assert reminder.next_attempt_at == reminder_at(appointment.starts_at, 3, STOCKHOLM)
    sent: list = []

    class Recorder:
        def send(self, message) -> None:  # noqa: ANN001
            sent.append(message)

    def deliver(moment: datetime) -> None:
        while deliver_one(app, Recorder(), lambda: moment):
            pass

    deliver(reminder.next_attempt_at - timedelta(minutes=1))
    assert not [m for m in sent if "Påminnelse om en tid" in m["Subject"]]
    deliver(reminder.next_attempt_at)
    reminders = [m for m in sent if "Påminnelse om en tid" in m["Subject"]]
    assert len(reminders) == 1
    body = reminders[0].get_content()
    assert VISIT["purpose"].split()[0] not in body  # no health content
    assert f"/tider/{appointment.id}" in body
    deliver(reminder.next_attempt_at + timedelta(hours=1))
    assert len([m for m in sent if "Påminnelse om en tid" in m["Subject"]]) == 1  # once

    # A reminder for a time that has since moved says nothing about the old time.
    db.expire_all()
    stale = OutboxItem(
        channel="email",
        recipient_person_id=ids["patient-maja"],
        template="appointment_reminder",
        payload={"appointment_id": appointment.id, "sequence": appointment.sequence - 1},
        dedupe_key="stale-reminder",
        next_attempt_at=utcnow(),
    )
    db.add(stale)
    db.flush()
    count = len(sent)
    deliver(utcnow())
    db.expire_all()
    assert len(sent) == count
    assert db.get(OutboxItem, stale.id).last_error == "no longer due"


def test_care_is_told_once_when_an_answer_waits_too_long(app, db, ids) -> None:
    from app.notifications.worker import deliver_one

    karin, maja = signed_in(app, "staff-karin"), signed_in(app, "patient-maja")
    sip = plan_id(db, "trygg hemma")
    post(karin, f"/plan/{sip}/tider/ny", {**VISIT, **slots((day_ahead(10), "10:00"))})
    (appointment,) = times_of(db, sip)
    post(maja, f"/tider/{appointment.id}/annan-tid", {"note": "Hellre på eftermiddagen"})
    (waiting,) = outbox(db, "appointment_answer_overdue")
    assert waiting.recipient_practitioner_id == ids["staff-karin"]
    db.expire_all()
    due_on = db.get(Appointment, appointment.id).due_on
    assert waiting.next_attempt_at.astimezone(STOCKHOLM).date() == due_on + timedelta(days=1)
    sent: list = []

    class Recorder:
        def send(self, message) -> None:  # noqa: ANN001
            sent.append(message)

    while deliver_one(app, Recorder(), lambda: waiting.next_attempt_at):
        pass
    assert [m["Subject"] for m in sent].count("Ett svar om en tid väntar i Samplan") == 1


def test_care_handling_in_time_means_no_overdue_mail(app, db, ids) -> None:
    from app.notifications.worker import deliver_one

    karin, maja = signed_in(app, "staff-karin"), signed_in(app, "patient-maja")
    sip = plan_id(db, "trygg hemma")
    post(karin, f"/plan/{sip}/tider/ny", {**VISIT, **slots((day_ahead(10), "10:00"))})
    (appointment,) = times_of(db, sip)
    post(maja, f"/tider/{appointment.id}/ja", {})
    post(karin, f"/tider/{appointment.id}/hanterad", {})
    (waiting,) = outbox(db, "appointment_answer_overdue")
    sent: list = []

    class Recorder:
        def send(self, message) -> None:  # noqa: ANN001
            sent.append(message)

    while deliver_one(app, Recorder(), lambda: waiting.next_attempt_at):
        pass
    assert "Ett svar om en tid väntar i Samplan" not in [m["Subject"] for m in sent]
    db.expire_all()
    assert db.get(OutboxItem, waiting.id).last_error == "no longer due"


def test_times_are_offered_only_on_an_active_plan(app, db, ids) -> None:
    from app.plans.models import PlanStatus

    karin = signed_in(app, "staff-karin")
    sip = plan_id(db, "trygg hemma")
    data = {**VISIT, **slots((day_ahead(8), "10:00"))}
    db.get(CarePlan, sip).status = PlanStatus.DRAFT  # the patient cannot see it yet
    db.flush()
    response = post(karin, f"/plan/{sip}/tider/ny", data)
    assert response.status_code == 400
    assert "Planen är inte aktiv" in visible_text(response)
    db.get(CarePlan, sip).status = PlanStatus.CLOSED  # closed plans are read only (the gate)
    db.flush()
    assert post(karin, f"/plan/{sip}/tider/ny", data).status_code == 404
    assert times_of(db, sip) == []


def test_a_guardian_chooses_for_a_child_and_care_sees_who_answered(app, db, ids) -> None:
    amir, sara = signed_in(app, "staff-amir"), signed_in(app, "guardian-sara")
    plan = db.scalars(
        select(CarePlan.id).where(CarePlan.patient_id == ids["patient-elias"])
    ).first()
    day = day_ahead(9)
    offered = post(
        amir, f"/plan/{plan}/tider/ny", {**VISIT, **slots((day, "08:00"), (day, "16:00"))}
    )
    assert offered.status_code == 303
    first, second = times_of(db, plan)
    page = sara.get(f"/tider/{first.id}")
    assert "openstreetmap.org/search?query=" in page.get_data(as_text=True)
    assert post(sara, f"/tider/{second.id}/ja", {}).status_code == 303
    db.expire_all()
    chosen = db.get(Appointment, second.id)
    assert chosen.status == AppointmentStatus.ACCEPTED
    assert chosen.answered_by_id == ids["guardian-sara"]
    care = visible_text(amir.get(f"/tider/{second.id}"))
    assert "Svaret kommer från Sara Svensson, som agerar för patienten." in care


def test_changing_only_what_to_bring_keeps_the_agreement(app, db, ids) -> None:
    karin, maja = signed_in(app, "staff-karin"), signed_in(app, "patient-maja")
    sip = plan_id(db, "trygg hemma")
    day = day_ahead(16)
    post(karin, f"/plan/{sip}/tider/ny", {**VISIT, **slots((day, "10:00"))})
    (appointment,) = times_of(db, sip)
    post(maja, f"/tider/{appointment.id}/ja", {})
    db.expire_all()
    sequence = db.get(Appointment, appointment.id).sequence
    same_time = {**VISIT, "day": day.isoformat(), "clock": "10:00"}
    changed = post(
        karin,
        f"/tider/{appointment.id}/andra",
        {**same_time, "preparation": "Ta med dina glasögon.", "note": ""},
    )
    assert changed.status_code == 303
    db.expire_all()
    after = db.get(Appointment, appointment.id)
    assert after.status == AppointmentStatus.ACCEPTED
    assert after.sequence == sequence  # the calendar entry still holds
    assert "Ta med dina glasögon." in visible_text(maja.get(f"/tider/{appointment.id}"))
    before = len(outbox(db, "appointment_changed"))
    again = post(
        karin,
        f"/tider/{appointment.id}/andra",
        {**same_time, "preparation": "Ta med dina glasögon.", "note": ""},
    )
    assert again.status_code == 303
    assert len(outbox(db, "appointment_changed")) == before  # the same change twice: told once
