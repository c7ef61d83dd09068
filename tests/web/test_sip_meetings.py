"""SIP meetings (seed 003): Karin calls one on Ali's SIP; Ali reads it, answers and names his
brother, who is invited by mail without health content; a relative Ali objects to is never
invited or told; a relative acting for a patient does not see the meeting; the meeting is held
and each actor documents their part by the seed's day."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.clock import local_date
from app.db import utcnow
from app.notifications.models import OutboxItem
from app.sip.models import InviteeKind, MeetingStatus, PatientAnswer, SipInvitee, SipMeeting
from tests.conftest import Auth, csrf_token
from tests.helpers import plan_id, visible_text

ALI_SIP = "efter stroke"
MAJA_SIP = "trygg hemma"


def _call_form(day_offset: int = 10, **changes: str) -> dict[str, str]:
    day = (local_date(utcnow()) + timedelta(days=day_offset)).isoformat()
    form = {
        "need_known_on": local_date(utcnow()).isoformat(),
        "mode": "in_person",
        "day": day,
        "starts": "13:00",
        "ends": "14:30",
        "place": "Hälsocentralen Kvarnen, rum 12",
        "key": "test-call",
    }
    form.update(changes)
    return form


def _call(client, db, title: str = ALI_SIP, **changes: str):  # noqa: ANN001, ANN202
    plan = plan_id(db, title)
    token = csrf_token(client, f"/plan/{plan}/sip-mote/ny")
    return client.post(
        f"/plan/{plan}/sip-mote/ny", data={"csrf_token": token, **_call_form(**changes)}
    )


def _meeting(db, key: str = "test-call") -> SipMeeting:  # noqa: ANN001
    db.expire_all()
    return db.scalars(select(SipMeeting).where(SipMeeting.client_key == key)).one()


def _answer(client, meeting_id: int, **form: str):  # noqa: ANN001, ANN202
    token = csrf_token(client, f"/sip-mote/{meeting_id}")
    return client.post(f"/sip-mote/{meeting_id}/svar", data={"csrf_token": token, **form})


def test_karin_calls_a_meeting_with_everyone_on_alis_sip(app, auth, client, db, ids) -> None:
    auth.sign_in("staff-karin")
    page = visible_text(client.get(f"/plan/{plan_id(db, ALI_SIP)}/sip-mote/ny"))
    assert "senast 3 arbetsdagar" in page
    for _ in range(2):  # sent twice: called once
        response = _call(client, db)
        assert response.status_code == 303
    meeting = _meeting(db)
    assert (
        db.scalar(select(func.count(SipMeeting.id)).where(SipMeeting.client_key == "test-call"))
        == 1
    )
    today = local_date(utcnow())
    assert meeting.need_known_on == today
    assert meeting.meet_by == today + timedelta(days=21)
    assert meeting.call_due_on > today
    assert {i.name for i in meeting.invitees} == {
        "Karin Berg", "Erik Olsson", "Lena Holm", "Försäkringskassan"
    }  # fmt: skip
    assert {i.kind for i in meeting.invitees} == {InviteeKind.ACTOR}
    told = db.scalars(select(OutboxItem).where(OutboxItem.template.like("sip_meeting%"))).all()
    assert {
        (item.template, item.recipient_person_id) for item in told if item.recipient_person_id
    } >= {("sip_meeting_called", ids["patient-ali"])}
    staff = {
        item.recipient_practitioner_id
        for item in told
        if item.template == "sip_meeting_called_staff"
    }
    assert staff == {ids["staff-erik"], ids["staff-lena"]}
    text = visible_text(client.get(f"/sip-mote/{meeting.id}"))
    assert "Patienten har inte svarat än." in text
    work = visible_text(client.get("/arbetslista"))
    assert "SIP-möten" in work
    assert "Ali Hassan:" in work
    assert "i tid" in text  # called on the day the need became known


def test_only_the_coordinator_calls_and_bad_input_changes_nothing(app, auth, client, db) -> None:
    erik = app.test_client()
    Auth(erik).sign_in("staff-erik")
    refused = _call(erik, db)
    assert refused.status_code == 400
    assert "Bara den som är samordningsansvarig" in visible_text(refused)
    auth.sign_in("staff-karin")
    cases = [
        ({"day_offset": "-1"}, "Mötet måste vara i framtiden"),
        ({"ends": "12:00"}, "Mötet måste sluta efter att det börjar"),
        ({"mode": "video", "place": ""}, "Skriv länken till videomötet"),
        (
            {"mode": "video", "meeting_url": "javascript:alert(1)"},
            "Skriv hela länken till mötet",
        ),
        ({"need_known_on": "2019-01-01"}, "Dagen då behovet blev känt kan inte"),
        ({"starts": "25:00"}, "Skriv klockslaget som TT:MM"),
    ]
    for changes, message in cases:
        offset = int(changes.pop("day_offset", "10"))
        plan = plan_id(db, ALI_SIP)
        token = csrf_token(client, f"/plan/{plan}/sip-mote/ny")
        form = {**_call_form(offset), **changes}
        response = client.post(f"/plan/{plan}/sip-mote/ny", data={"csrf_token": token, **form})
        assert response.status_code == 400, changes
        assert message in visible_text(response), changes
    assert (
        db.scalar(select(func.count(SipMeeting.id)).where(SipMeeting.client_key == "test-call"))
        == 0
    )


def test_ali_sees_the_call_answers_and_names_his_brother(app, auth, client, db, ids) -> None:
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    assert _call(karin, db).status_code == 303
    meeting = _meeting(db)
    auth.sign_in("patient-ali")
    start = client.get("/").get_data(as_text=True)
    assert f"/sip-mote/{meeting.id}" in start
    assert (
        _answer(
            client,
            meeting.id,
            answer="coming",
            topics="Hur jag kommer tillbaka till jobbet.",
            **{"relatives-0-name": "Omar Hassan", "relatives-0-contact": "omar@example.org"},
        ).status_code
        == 303
    )
    meeting = _meeting(db)
    assert meeting.answer == PatientAnswer.COMING
    assert meeting.answered_by_id == ids["patient-ali"]
    brother = next(i for i in meeting.invitees if i.kind == InviteeKind.RELATIVE)
    assert (brother.name, brother.email) == ("Omar Hassan", "omar@example.org")
    guest = db.scalars(select(OutboxItem).where(OutboxItem.template == "sip_meeting_guest")).one()
    assert guest.payload == {"invitee_id": brother.id}
    answered = db.scalars(
        select(OutboxItem).where(OutboxItem.template == "sip_meeting_answered")
    ).one()
    assert answered.recipient_practitioner_id == ids["staff-karin"]
    text = visible_text(karin.get(f"/sip-mote/{meeting.id}"))
    assert "Kan komma" in text
    assert "Hur jag kommer tillbaka till jobbet." in text
    assert "Omar Hassan, närstående (inbjuden av patienten)" in text
    # The invitation itself: when, where, whom to ask; nothing of the plan's content.
    from app.notifications.worker import compose

    with app.app_context():
        mail = compose(app, db, guest)
    assert mail is not None
    assert mail["To"] == "omar@example.org"
    body = mail.get_content()
    assert "Ali Hassan vill att du är med" in body
    assert "13:00" in body
    assert "stroke" not in body.lower()
    assert "Försäkringskassan" not in body


def test_a_relative_ali_objects_to_is_never_invited_or_told(app, auth, client, db) -> None:
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    _call(karin, db)
    meeting = _meeting(db)
    auth.sign_in("patient-ali")
    named = {"relatives-0-name": "Omar Hassan", "relatives-0-contact": "omar@example.org"}
    assert (
        _answer(client, meeting.id, answer="coming", no_relatives="1", **named).status_code == 303
    )
    meeting = _meeting(db)
    assert meeting.relatives_objected
    assert [i for i in meeting.invitees if i.kind == InviteeKind.RELATIVE] == []
    guests = select(func.count(OutboxItem.id)).where(OutboxItem.template == "sip_meeting_guest")
    assert db.scalar(guests) == 0
    # Named once, then objected to: taken off the list (told once, not again).
    _answer(client, meeting.id, answer="coming", **named)
    assert len([i for i in _meeting(db).invitees if i.kind == InviteeKind.RELATIVE]) == 1
    _answer(client, meeting.id, answer="another_time", note="Hellre en tisdag.", no_relatives="1")
    meeting = _meeting(db)
    assert [i for i in meeting.invitees if i.kind == InviteeKind.RELATIVE] == []
    assert meeting.answer == PatientAnswer.ANOTHER_TIME
    assert "Hellre en tisdag." in visible_text(karin.get(f"/sip-mote/{meeting.id}"))


def test_a_relatives_contact_that_reaches_nobody_gets_a_swedish_message(auth, client, db) -> None:
    meeting_id = db.scalar(select(SipMeeting.id).where(SipMeeting.client_key == "demo-sip-ali"))
    auth.sign_in("patient-ali")
    cases = [
        {"relatives-0-name": "Omar", "relatives-0-contact": "ring mig"},
        {"relatives-0-name": "", "relatives-0-contact": "omar@example.org"},
        {"answer": "kanske"},
    ]
    for form in cases:
        response = _answer(client, meeting_id, **{"answer": "coming", **form})
        assert response.status_code == 400, form
    db.expire_all()
    assert db.get(SipMeeting, meeting_id).answer is None
    assert db.scalar(select(func.count(SipInvitee.id)).where(SipInvitee.kind == "relative")) == 0


def test_a_relative_acting_for_maja_does_not_see_her_meeting(app, auth, client, db) -> None:
    karin = app.test_client()
    Auth(karin).sign_in("staff-karin")
    assert _call(karin, db, MAJA_SIP).status_code == 303
    meeting = _meeting(db)
    auth.sign_in("proxy-anna")
    assert client.get(f"/sip-mote/{meeting.id}").status_code == 404
    maja = app.test_client()
    Auth(maja).sign_in("patient-maja")
    assert f"/sip-mote/{meeting.id}" in maja.get("/").get_data(as_text=True)
    assert maja.get(f"/sip-mote/{meeting.id}").status_code == 200


def test_the_meeting_is_held_and_each_actor_documents_their_part(app, auth, client, db) -> None:
    auth.sign_in("staff-karin")
    _call(client, db)
    meeting = _meeting(db)
    token = csrf_token(client, f"/sip-mote/{meeting.id}")
    assert (
        client.post(f"/sip-mote/{meeting.id}/hallet", data={"csrf_token": token}).status_code == 303
    )
    meeting = _meeting(db)
    assert meeting.status == MeetingStatus.HELD
    assert meeting.documented_by == local_date(utcnow()) + timedelta(days=3)
    lena = app.test_client()
    Auth(lena).sign_in("staff-lena")
    assert "inte dokumenterat" in visible_text(lena.get(f"/sip-mote/{meeting.id}"))
    work = visible_text(lena.get("/arbetslista"))
    due = meeting.documented_by
    assert "SIP-möten" in work
    assert "Mötet är hållet. Dokumentera din del senast" in work
    assert f"{due.day} " in work
    token = csrf_token(lena, f"/sip-mote/{meeting.id}")
    done = lena.post(f"/sip-mote/{meeting.id}/dokumenterat", data={"csrf_token": token})
    assert done.status_code == 303
    mine = next(i for i in _meeting(db).invitees if i.name == "Lena Holm")
    assert mine.documented_at is not None
    assert "Dokumentera din del" not in visible_text(lena.get("/arbetslista"))
    ali = app.test_client()
    Auth(ali).sign_in("patient-ali")
    page = ali.get(f"/sip-mote/{meeting.id}")
    assert page.status_code == 200
    assert 'action="/sip-mote/' not in page.get_data(as_text=True)  # nothing left to answer


def test_called_off_the_patient_and_the_staff_called_are_told(app, auth, client, db, ids) -> None:
    auth.sign_in("staff-karin")
    _call(client, db)
    meeting = _meeting(db)
    token = csrf_token(client, f"/sip-mote/{meeting.id}")
    done = client.post(f"/sip-mote/{meeting.id}/installt", data={"csrf_token": token})
    assert done.status_code == 303
    assert _meeting(db).status == MeetingStatus.CANCELLED
    told = db.scalars(
        select(OutboxItem).where(OutboxItem.template.like("sip_meeting_cancelled%"))
    ).all()
    assert {item.recipient_person_id for item in told} - {None} == {ids["patient-ali"]}
    assert {item.recipient_practitioner_id for item in told} - {None} == {
        ids["staff-erik"], ids["staff-lena"]
    }  # fmt: skip
    assert "Mötet är inställt." in visible_text(client.get(f"/sip-mote/{meeting.id}"))
    ali = app.test_client()
    Auth(ali).sign_in("patient-ali")
    assert f"/sip-mote/{meeting.id}" not in ali.get("/").get_data(as_text=True)


def test_an_external_actor_with_an_address_is_called_by_mail(app, auth, client, db) -> None:
    from app.plans.models import CareTeamMember

    fk = db.scalars(
        select(CareTeamMember).where(CareTeamMember.external_name == "Försäkringskassan")
    ).one()
    fk.external_contact = "Handläggare Nina Berg, nina.berg@example.org, tel 0771-524 524"
    db.flush()
    auth.sign_in("staff-karin")
    _call(client, db)
    meeting = _meeting(db)
    invitee = next(i for i in meeting.invitees if i.name == "Försäkringskassan")
    assert invitee.email == "nina.berg@example.org"
    item = db.scalars(select(OutboxItem).where(OutboxItem.template == "sip_meeting_guest")).one()
    from app.notifications.worker import compose

    with app.app_context():
        mail = compose(app, db, item)
    assert mail is not None
    assert mail["To"] == "nina.berg@example.org"
    body = mail.get_content()
    assert "Ni är kallade till ett möte om samordnad individuell plan för Ali Hassan" in body
    assert "stroke" not in body.lower()
