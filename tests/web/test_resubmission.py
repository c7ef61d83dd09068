"""A form sent twice (a double tap, a phone that resends) stores one thing.

benchmarks/faults/duplicate_submissions.py sends each write form several times at the same
moment through a real server on PostgreSQL; these are the same cases one after the other."""

from __future__ import annotations

from sqlalchemy import func, select

from app.goals.models import Activity, Goal, ProgressReport
from app.notifications.models import OutboxItem
from app.proxies.models import ProxyGrant
from tests.conftest import csrf_token
from tests.helpers import plan_id, representative_form


def twice(client, path: str, data: dict[str, str]) -> list[int]:  # noqa: ANN001
    token = csrf_token(client, "/sessioner")
    return [client.post(path, data={**data, "csrf_token": token}).status_code for _ in range(2)]


def count(db, query) -> int:  # noqa: ANN001
    db.expire_all()
    return db.scalar(select(func.count()).select_from(query.subquery()))


def test_a_goal_proposed_twice_is_one_proposal(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    plan = plan_id(db, "trygg hemma")
    outbox = count(db, select(OutboxItem))
    assert twice(client, f"/plan/{plan}/mal", {"goal": "Gå till affären"}) == [303, 303]
    goals = select(Goal).where(Goal.plan_id == plan, Goal.text == "Gå till affären")
    assert count(db, goals) == 1
    assert count(db, select(OutboxItem)) - outbox <= 1


def test_a_progress_report_sent_twice_is_one_report(auth, client, db) -> None:
    auth.sign_in("patient-maja")
    activity = db.scalars(
        select(Activity).where(
            Activity.plan_id == plan_id(db, "trygg hemma"), Activity.responsible == "patient"
        )
    ).first()
    path = f"/insats/{activity.id}/lage"
    assert twice(client, path, {"state": "hard", "note": "Vågen är trasig"}) == [303, 303]
    reports = select(ProgressReport).where(ProgressReport.activity_id == activity.id)
    assert count(db, reports) == 1
    # A different report is a new one.
    token = csrf_token(client, "/sessioner")
    client.post(path, data={"state": "done", "note": "", "csrf_token": token})
    assert count(db, reports) == 2


def test_a_representative_registered_twice_is_one_grant(auth, client, db, ids) -> None:
    auth.sign_in("staff-karin")
    form = representative_form()
    assert twice(client, f"/patient/{ids['patient-ali']}/foretradare", form) == [303, 303]
    grants = select(ProxyGrant).where(
        ProxyGrant.patient_id == ids["patient-ali"], ProxyGrant.decision_reference == "ÖF 2026-12"
    )
    assert count(db, grants) == 1


def test_asking_for_another_time_twice_tells_care_once(auth, client, db, ids) -> None:
    from app.appointments.models import Appointment, AppointmentStatus

    auth.sign_in("patient-maja")
    appointment = db.scalars(
        select(Appointment).where(
            Appointment.patient_id == ids["patient-maja"],
            Appointment.status == AppointmentStatus.PROPOSED,
        )
    ).first()
    outbox = count(db, select(OutboxItem))
    path = f"/tider/{appointment.id}/annan-tid"
    assert twice(client, path, {"note": "Hellre fredag", "wished": ""}) == [303, 303]
    # Care hears of it now, and once more if it is still waiting after its due day.
    added = db.scalars(select(OutboxItem.template).order_by(OutboxItem.id).offset(outbox)).all()
    assert sorted(added) == ["appointment_answer_overdue", "patient_voice"]


def test_an_invitation_sent_twice_is_one_invitation_with_one_code(auth, client, db, ids) -> None:
    import re

    from app.proxies.models import ProxyInvitation

    auth.sign_in("patient-per")
    page = client.get("/ombud").get_data(as_text=True)
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)
    form = {"scopes": "read_plans", "months": "12", "relation_label": "Bror", "key": key}
    codes = []
    for status in twice(client, "/ombud/bjud-in", form):
        assert status == 303
    for _ in range(2):
        token = csrf_token(client, "/sessioner")
        client.post("/ombud/bjud-in", data={**form, "csrf_token": token})
        shown = client.get("/ombud").get_data(as_text=True)
        codes.append(re.search(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b", shown).group(0))
    assert codes[0] == codes[1]  # whichever answer the phone shows, its code works
    invitations = select(ProxyInvitation).where(ProxyInvitation.patient_id == ids["patient-per"])
    assert count(db, invitations) == 1
    # A new page's form is a new invitation.
    other = re.search(r'name="key" value="([0-9a-f]{32})"', client.get("/ombud").text).group(1)
    assert other != key
