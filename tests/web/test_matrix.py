"""Every persona against every route, derived from the app's URL map.

A new route fails `test_every_route_is_classified` until it is added here, with who may use it.
Allowed routes answer as listed; everyone else gets 404 (or the sign-in page when signed out).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.helpers import PERSONAS, plan_id, representative_form, thread_id

PATIENTS = {"patient-maja", "patient-per", "patient-elias", "patient-ali", "patient-greta"}
PEOPLE = PATIENTS | {"proxy-anna", "guardian-sara"}
WITH_PLANS = PATIENTS - {"patient-greta"}
ONE_ANSWER = {"next_step": "yes", "key": "matrix"}
STAFF = set(PERSONAS) - PEOPLE
# Staff who care for patients (the administrators keep the directory and care for nobody).
CARE_STAFF = {persona for persona in STAFF if persona.startswith("staff-")}

# Routes with no patient data: who may reach them does not depend on a care relationship.
PUBLIC = {
    "static", "health.healthz", "demo.choose", "demo.sign_in_as", "accounts.sign_in_page",
    "accounts.start_sign_in", "accounts.finish_sign_in", "accounts.sign_out_view",
    "accounts.sessions_page", "accounts.end_session_view", "accounts.stay_signed_in",
    "accounts.settings", "preferences.accessibility_statement", "preferences.language",
    "preferences.simple_view", "preferences.readability",
    # The installable app's public parts: the same for everyone, never patient data.
    "pwa.manifest", "pwa.service_worker", "pwa.offline_page",
}  # fmt: skip


def _plan(title: str) -> Callable[[Session, dict[str, int]], str]:
    return lambda db, ids: f"/plan/{plan_id(db, title)}"


def _thread(subject: str) -> Callable[[Session, dict[str, int]], str]:
    return lambda db, ids: f"/meddelanden/{thread_id(db, subject)}"


def anna_grant(db: Session, ids: dict[str, int]) -> int:
    from sqlalchemy import select

    from app.proxies.models import ProxyGrant

    return db.scalars(select(ProxyGrant.id).where(ProxyGrant.proxy_id == ids["proxy-anna"])).one()


def guardianship(db: Session, ids: dict[str, int]) -> int:
    from sqlalchemy import select

    from app.proxies.models import Guardianship

    return db.scalars(
        select(Guardianship.id).where(Guardianship.child_id == ids["patient-elias"])
    ).one()


def invitation(db: Session, ids: dict[str, int]) -> int:
    from datetime import timedelta

    from app.db import utcnow
    from app.proxies.models import ProxyInvitation

    row = ProxyInvitation(
        patient_id=ids["patient-maja"],
        code_hash=f"matrix-{utcnow()}",
        scopes="read_plans",
        grant_until=utcnow() + timedelta(days=30),
        expires_at=utcnow() + timedelta(days=7),
    )
    db.add(row)
    db.flush()
    return row.id


def representative(db: Session, ids: dict[str, int]) -> int:
    """Gun Man, registered as Ali's god man by someone no longer on his team (Amir; the one who
    registers may not confirm), waiting for a colleague's confirmation."""
    from datetime import date, timedelta

    from app.accounts.identity import make_test_number
    from app.accounts.models import Person
    from app.db import utcnow
    from app.proxies.models import GrantRelation, ProxyGrant

    gun = Person(
        personal_number=make_test_number(date(1970, 1, 1), 997),
        given_name="Gun",
        family_name="Man",
        birth_date=date(1970, 1, 1),
    )
    db.add(gun)
    db.flush()
    row = ProxyGrant(
        patient_id=ids["patient-ali"],
        proxy_id=gun.id,
        relation=GrantRelation.LEGAL_REPRESENTATIVE,
        relation_label="god man",
        scopes="read_plans",
        valid_until=utcnow() + timedelta(days=300),
        granted_by_practitioner_id=ids["staff-amir"],
        decision_reference="ÖF 2026-12",
        decision_date=date.today() - timedelta(days=10),
        reason="Godmanskap enligt beslutet.",
    )
    db.add(row)
    db.flush()
    return row.id


# Who may answer for a patient: the patient, and guardians (Anna's grant lacks answer_for).
ANSWER = PATIENTS | {"guardian-sara"}


def patient_activity(db: Session, title: str) -> int:
    from sqlalchemy import select

    from app.goals.models import Activity

    return db.scalars(
        select(Activity.id).where(
            Activity.plan_id == plan_id(db, title), Activity.responsible == "patient"
        )
    ).first()


def first_goal(db: Session, title: str) -> int:
    from sqlalchemy import select

    from app.goals.models import Goal

    return db.scalars(
        select(Goal.id).where(Goal.plan_id == plan_id(db, title)).order_by(Goal.id)
    ).first()


# Elias's own pages, which his guardian Sara may also use while he is under 13.
ELIAS = {"patient-elias", "guardian-sara"}


def proposed_goal(db: Session, ids: dict[str, int]) -> int:
    from app.goals.models import Goal, GoalStatus, ProposedBy

    goal = Goal(
        plan_id=plan_id(db, "trygg hemma"),
        text="Matrisförslag",
        status=GoalStatus.PROPOSED,
        proposed_by=ProposedBy.PATIENT,
    )
    db.add(goal)
    db.flush()
    return goal.id


def push_device(db: Session, ids: dict[str, int]) -> int:
    from app.pwa.models import PushSubscription

    row = PushSubscription(
        person_id=ids["patient-maja"],
        endpoint="https://push.example.invalid/matrix",
        p256dh="key",
        auth="secret",
    )
    db.add(row)
    db.flush()
    return row.id


def published(db: Session, title: str) -> str:
    from app.plans.models import CarePlan

    return str(db.get(CarePlan, plan_id(db, title)).published_version)


def appointment(db: Session, ids: dict[str, int], persona: str) -> int:
    from sqlalchemy import select

    from app.appointments.models import Appointment

    return db.scalars(
        select(Appointment.id)
        .where(Appointment.patient_id == ids[persona])
        .order_by(Appointment.starts_at)
    ).first()


MAJA_THREAD = {"patient-maja", "proxy-anna", "staff-karin", "staff-erik"}
# Maja's self-care plan's team.
SELF_CARE = {"staff-karin", "staff-erik"}


def self_care(db: Session) -> int:
    return plan_id(db, "Egenvård vid hjärtsvikt")


def weight(db: Session) -> int:
    from sqlalchemy import select

    from app.diary.models import Measure

    return db.scalars(select(Measure.id).where(Measure.plan_id == self_care(db))).one()


def weighing(db: Session) -> int:
    from sqlalchemy import select

    from app.diary.models import Measure

    return db.scalars(select(Measure.activity_id).where(Measure.id == weight(db))).one()


def rule_hit(db: Session, ids: dict[str, int]) -> int:
    """A rule met by a value Maja recorded: 2.5 kg more than yesterday."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from app.diary.models import Entry, Rule, RuleHit

    measure = weight(db)
    entry = Entry(
        measure_id=measure,
        patient_id=ids["patient-maja"],
        value=74,
        recorded_for=datetime.now(UTC),
        recorded_by_id=ids["patient-maja"],
        client_key=f"matrix-hit-{datetime.now(UTC).timestamp()}",
    )
    db.add(entry)
    db.flush()
    rule = db.scalars(select(Rule.id).where(Rule.measure_id == measure)).first()
    hit = RuleHit(rule_id=rule, entry_id=entry.id, patient_id=ids["patient-maja"],
                  plan_id=self_care(db))  # fmt: skip
    db.add(hit)
    db.flush()
    return hit.id


# A time care offers or changes to: forty days from now, in the morning.
TIME_DETAILS = {"mode": "visit", "duration": "30", "purpose": "Matrisbesök"}
A_SLOT = {"slots-0-day": (date.today() + timedelta(days=40)).isoformat(), "slots-0-clock": "09:30"}
# Care with a relationship to Maja's SIP: they may work on it. Nobody else sees it exists.
MAJA_CARE = {"staff-karin", "staff-erik", "staff-lena"}


def _sip(db: Session) -> int:
    return plan_id(db, "trygg hemma")


def _sip_version(db: Session) -> str:
    from app.plans.models import CarePlan

    return str(db.get(CarePlan, _sip(db)).version)


ALI_CARE = {"staff-karin", "staff-erik", "staff-lena"}


def _ali_meeting(db: Session, held: bool = False) -> int:
    """The demo's called SIP meeting on Ali's SIP (held first, if asked)."""
    from app.sip.models import MeetingStatus, SipMeeting

    meeting = db.scalars(select(SipMeeting).where(SipMeeting.client_key == "demo-sip-ali")).one()
    if held:
        meeting.status = MeetingStatus.HELD
        db.flush()
    return meeting.id


def _ali_sip(db: Session) -> int:
    return plan_id(db, "efter stroke")


def handover(db: Session, ids: dict[str, int]) -> int:
    """Karin offers the coordination of Maja's SIP to Erik; it waits for him."""
    from app.plans.models import Handover, HandoverRole

    row = Handover(
        plan_id=_sip(db),
        role=HandoverRole.COORDINATION,
        from_practitioner_id=ids["staff-karin"],
        to_practitioner_id=ids["staff-erik"],
    )
    db.add(row)
    db.flush()
    return row.id


PLANNING_ROUTES: dict[str, list[tuple[str, Callable, set[str], int]]] = {
    "planning.worklist": [("GET", lambda db, ids: "/arbetslista", STAFF, 200)],
    "planning.new_plan_form": [
        ("GET", lambda db, ids: f"/patient/{ids['patient-maja']}/ny-plan", MAJA_CARE, 200)
    ],
    "planning.create_plan": [
        (
            "POST",
            lambda db, ids: (f"/patient/{ids['patient-maja']}/ny-plan", {"kind": "sip"}),
            MAJA_CARE,
            303,
        )
    ],
    "planning.edit": [("GET", lambda db, ids: f"/plan/{_sip(db)}/redigera", MAJA_CARE, 200)],
    # A patient's first plan: staff who care for patients state a care relationship (app/patients).
    "patients.new_patient_form": [("GET", lambda db, ids: "/patienter/ny", CARE_STAFF, 200)],
    "patients.state_relationship": [
        (
            "POST",
            lambda db, ids: (
                "/patienter/ny",
                {
                    "personal_number": "19700101-9806",
                    "given_name": "Gun",
                    "family_name": "Man",
                    "reason": "visit",
                    "attest": "y",
                },
            ),
            CARE_STAFF,
            303,
        )
    ],
    "planning.save": [
        (
            "POST",
            lambda db, ids: (f"/plan/{_sip(db)}/redigera", {"version": _sip_version(db)}),
            MAJA_CARE,
            400,  # the form without its fields: refused with messages, nothing saved
        )
    ],
    "planning.discard": [
        (
            "POST",
            lambda db, ids: (f"/plan/{_sip(db)}/utkast/kasta", {"version": _sip_version(db)}),
            MAJA_CARE,
            303,
        )
    ],
    "planning.publish_form": [
        ("GET", lambda db, ids: f"/plan/{_sip(db)}/publicera", MAJA_CARE, 200)
    ],
    "planning.publish": [
        (
            "POST",
            lambda db, ids: (
                f"/plan/{_sip(db)}/publicera",
                {"version": _sip_version(db), "summary": "Inget"},
            ),
            MAJA_CARE,
            400,  # no draft to publish
        )
    ],
    "planning.handover_form": [
        ("GET", lambda db, ids: f"/plan/{_sip(db)}/overlamning", MAJA_CARE, 200)
    ],
    "planning.offer_handover": [
        ("POST", lambda db, ids: (f"/plan/{_sip(db)}/overlamning", {"role": ""}), MAJA_CARE, 400)
    ],
    "planning.acknowledge": [
        (
            "POST",
            lambda db, ids: (f"/overlamning/{handover(db, ids)}/bekrafta", {}),
            {"staff-erik"},
            303,
        )
    ],
    "planning.cancel_handover": [
        (
            "POST",
            lambda db, ids: (f"/overlamning/{handover(db, ids)}/aterkalla", {}),
            {"staff-karin"},
            303,
        )
    ],
    "planning.close_form": [("GET", lambda db, ids: f"/plan/{_sip(db)}/avsluta", MAJA_CARE, 200)],
    "planning.close": [
        (
            "POST",
            lambda db, ids: (
                f"/plan/{_sip(db)}/avsluta",
                {"version": _sip_version(db), "reason": ""},
            ),
            MAJA_CARE,
            400,  # no reason given (and only Karin coordinates)
        )
    ],
    "planning.death_form": [
        ("GET", lambda db, ids: f"/patient/{ids['patient-maja']}/dodsfall", MAJA_CARE, 200)
    ],
    "planning.record_death": [
        (
            "POST",
            lambda db, ids: (f"/patient/{ids['patient-maja']}/dodsfall", {"day": ""}),
            MAJA_CARE,
            400,
        )
    ],
}

# endpoint -> list of (method, url builder, personas allowed, status when allowed)
PATIENT_ROUTES: dict[str, list[tuple[str, Callable, set[str], int]]] = {
    "plans.start": [("GET", lambda db, ids: "/", set(PERSONAS), 200)],
    "plans.choose_person": [("GET", lambda db, ids: "/vem", PEOPLE, 200)],
    "plans.act_for": [
        (
            "POST",
            lambda db, ids: ("/vem", {"patient_id": ids["patient-maja"]}),
            {"proxy-anna"},
            303,
        ),
        (
            "POST",
            lambda db, ids: ("/vem", {"patient_id": ids["patient-elias"]}),
            {"guardian-sara"},
            303,
        ),
    ],
    "plans.plan": [
        (
            "GET",
            _plan("trygg hemma"),
            {"patient-maja", "proxy-anna", "staff-karin", "staff-erik", "staff-lena"},
            200,
        ),
        (
            "GET",
            _plan("Egenvård vid hjärtsvikt"),
            {"patient-maja", "proxy-anna", "staff-karin", "staff-erik"},
            200,
        ),
        ("GET", _plan("tjocktarmscancer"), {"patient-per", "staff-sofia"}, 200),
        ("GET", _plan("diabetes typ 1"), {"patient-elias", "guardian-sara", "staff-amir"}, 200),
        (
            "GET",
            _plan("efter stroke"),
            {"patient-ali", "staff-karin", "staff-erik", "staff-lena"},
            200,
        ),
    ],
    "audit.access_log": [("GET", lambda db, ids: "/vem-har-tittat", PEOPLE, 200)],
    "messages.thread_list": [("GET", lambda db, ids: "/meddelanden", set(PERSONAS), 200)],
    "messages.compose": [("GET", lambda db, ids: "/meddelanden/nytt", PEOPLE, 200)],
    "messages.unread_badge": [("GET", lambda db, ids: "/meddelanden/olasta", PEOPLE, 200)],
    "messages.inbox": [("GET", lambda db, ids: "/inkorg", STAFF, 200)],
    "messages.send_new": [
        (
            "POST",
            lambda db, ids: (
                "/meddelanden/nytt",
                {
                    "to": f"{plan_id(db, 'trygg hemma')}:{ids['staff-karin']}",
                    "subject": "Fråga",
                    "body": "Hej Karin",
                    "key": "matrix-send",
                },
            ),
            {"patient-maja", "proxy-anna"},
            303,
        ),
    ],
    "messages.thread": [
        ("GET", _thread("Min vikt"), MAJA_THREAD, 200),
        ("GET", _thread("Illamående"), {"patient-per", "staff-sofia"}, 200),
    ],
    "proxies.own": [("GET", lambda db, ids: "/ombud", PATIENTS, 200)],
    "proxies.use_code": [("GET", lambda db, ids: "/ombud/anvand-kod", PEOPLE, 200)],
    "proxies.invite": [
        (
            "POST",
            lambda db, ids: ("/ombud/bjud-in", {"scopes": "read_plans", "months": "12"}),
            PATIENTS,
            303,
        ),
    ],
    "proxies.change": [
        (
            "POST",
            lambda db, ids: (f"/ombud/{anna_grant(db, ids)}/behorighet", {"scopes": "read_plans"}),
            {"patient-maja"},
            303,
        ),
    ],
    "proxies.revoke": [
        (
            "POST",
            lambda db, ids: (f"/ombud/{anna_grant(db, ids)}/aterkalla", {}),
            {"patient-maja"},
            303,
        ),
    ],
    "proxies.cancel": [
        (
            "POST",
            lambda db, ids: (f"/ombud/inbjudan/{invitation(db, ids)}/avbryt", {}),
            {"patient-maja"},
            303,
        ),
    ],
    "proxies.staff_view": [
        (
            "GET",
            lambda db, ids: f"/patient/{ids['patient-maja']}/foretradare",
            {"staff-karin", "staff-erik", "staff-lena"},
            200,
        ),
    ],
    "proxies.register_representative": [
        (
            "POST",
            lambda db, ids: (f"/patient/{ids['patient-ali']}/foretradare", representative_form()),
            {"staff-karin", "staff-erik", "staff-lena"},
            303,
        ),
    ],
    # Gun Man, registered for Ali: anyone on his team confirms it or ends it.
    "proxies.confirm_representative": [
        (
            "POST",
            lambda db, ids: (
                f"/patient/{ids['patient-ali']}/foretradare/{representative(db, ids)}/bekrafta",
                {},
            ),
            {"staff-karin", "staff-erik", "staff-lena"},
            303,
        ),
    ],
    "proxies.end_representative": [
        (
            "POST",
            lambda db, ids: (
                f"/patient/{ids['patient-ali']}/foretradare/{representative(db, ids)}/avsluta",
                {"reason": "Beslutet är upphävt."},
            ),
            {"staff-karin", "staff-erik", "staff-lena"},
            303,
        ),
    ],
    "proxies.object_to": [
        (
            "POST",
            lambda db, ids: (
                f"/ombud/{representative(db, ids)}/invandning",
                {"text": "Jag känner inte Gun."},
            ),
            {"patient-ali"},
            303,
        ),
    ],
    "proxies.guardian_decision": [
        (
            "POST",
            lambda db, ids: (
                f"/patient/{ids['patient-elias']}/vardnadshavare/{guardianship(db, ids)}",
                {"until": "2030-01-01", "decision": "Elias samtycker."},
            ),
            {"staff-amir"},
            400,
        ),
    ],
    # The seven questions: only a patient with a plan, for themself (not for one acted for).
    "followup.seven": [("GET", lambda db, ids: "/sju-fragor", WITH_PLANS, 200)],
    "followup.answer": [
        (
            "POST",
            lambda db, ids: ("/sju-fragor", {"next_step": "yes", "key": "m"}),
            WITH_PLANS,
            303,
        ),
        ("POST", lambda db, ids: ("/sju-fragor", {}), WITH_PLANS, 400),
    ],
    "followup.not_now": [("POST", lambda db, ids: ("/sju-fragor/inte-nu", {}), WITH_PLANS, 303)],
    "followup.share": [
        (
            "POST",
            lambda db, ids: _answered(db, ids, "/sju-fragor/dela", {"share": "1"}),
            WITH_PLANS,
            303,
        )
    ],
    "whatmatters.overview": [("GET", lambda db, ids: "/viktigt", PEOPLE, 200)],
    "whatmatters.step": [("GET", lambda db, ids: "/viktigt/0", ANSWER, 200)],
    "whatmatters.save": [
        ("POST", lambda db, ids: ("/viktigt/0", {"answer": "Stugan"}), ANSWER, 303)
    ],
    "goals.propose_form": [
        ("GET", lambda db, ids: f"/plan/{plan_id(db, 'trygg hemma')}/mal", {"patient-maja"}, 200),
        ("GET", lambda db, ids: f"/plan/{plan_id(db, 'diabetes typ 1')}/mal", ELIAS, 200),
    ],
    "goals.propose": [
        (
            "POST",
            lambda db, ids: (
                f"/plan/{plan_id(db, 'trygg hemma')}/mal",
                {"goal": "Gå till brevlådan"},
            ),
            {"patient-maja"},
            303,
        ),
    ],
    "goals.progress_form": [
        (
            "GET",
            lambda db, ids: f"/insats/{patient_activity(db, 'trygg hemma')}/lage",
            {"patient-maja"},
            200,
        ),
        (
            "GET",
            lambda db, ids: f"/insats/{patient_activity(db, 'diabetes typ 1')}/lage",
            ELIAS,
            200,
        ),
        ("GET", lambda db, ids: f"/mal/{first_goal(db, 'diabetes typ 1')}/lage", ELIAS, 200),
    ],
    "goals.progress": [
        (
            "POST",
            lambda db, ids: (
                f"/insats/{patient_activity(db, 'trygg hemma')}/lage",
                {"state": "done", "note": ""},
            ),
            {"patient-maja"},
            303,
        ),
    ],
    "goals.decide": [
        (
            "POST",
            lambda db, ids: (f"/mal/{proposed_goal(db, ids)}/beslut", {"decision": "accept"}),
            {"staff-karin", "staff-erik", "staff-lena"},
            303,
        ),
    ],
    "agreements.answer": [
        (
            "POST",
            lambda db, ids: (
                f"/plan/{plan_id(db, 'trygg hemma')}/svar",
                {"answer": "agree", "version": published(db, "trygg hemma")},
            ),
            {"patient-maja"},
            303,
        ),
    ],
    "plans.plan_pdf": [
        (
            "GET",
            lambda db, ids: f"/plan/{plan_id(db, 'tjocktarmscancer')}/utskrift.pdf",
            {"patient-per", "staff-sofia"},
            200,
        ),
    ],
    "appointments.listing": [("GET", lambda db, ids: "/tider", ANSWER, 200)],
    "appointments.detail": [
        (
            "GET",
            lambda db, ids: f"/tider/{appointment(db, ids, 'patient-maja')}",
            {"patient-maja"} | MAJA_CARE,
            200,
        ),
        (
            "GET",
            lambda db, ids: f"/tider/{appointment(db, ids, 'patient-elias')}",
            ELIAS | {"staff-amir"},
            200,
        ),
    ],
    # The self-care diary: read with the plans, written by whoever may answer for the patient.
    "diary.overview": [
        ("GET", lambda db, ids: "/dagbok", PATIENTS | {"proxy-anna", "guardian-sara"}, 200)
    ],
    "diary.measure": [
        (
            "GET",
            lambda db, ids: f"/dagbok/{weight(db)}",
            {"patient-maja", "proxy-anna"} | SELF_CARE,
            200,
        ),
    ],
    "diary.record": [
        (
            "POST",
            lambda db, ids: (f"/dagbok/{weight(db)}", {"value": "71,6", "key": "matrix"}),
            {"patient-maja"},
            303,
        ),
    ],
    "diary.reminder": [
        (
            "POST",
            lambda db, ids: (f"/dagbok/{weight(db)}/paminnelse", {"remind_at": "07:30"}),
            {"patient-maja"},
            303,
        ),
    ],
    "diary.plan_diary": [("GET", lambda db, ids: f"/plan/{self_care(db)}/dagbok", SELF_CARE, 200)],
    "diary.define_form": [
        ("GET", lambda db, ids: f"/dagbok/insats/{weighing(db)}", SELF_CARE, 200),
    ],
    "diary.define": [
        (
            "POST",
            lambda db, ids: (
                f"/dagbok/insats/{weighing(db)}",
                {"kind": "weight", "label": "Vikt", "every_days": "1", "time_of_day": "07:30"},
            ),
            SELF_CARE,
            303,
        ),
    ],
    "diary.handle_hit": [
        (
            "POST",
            lambda db, ids: (f"/dagbok/traff/{rule_hit(db, ids)}/hanterad", {}),
            SELF_CARE,
            303,
        ),
    ],
    # Care's side of times: the plan's team (EDIT_PLANS), nobody else.
    # SIP meetings: Ali's care team; Ali himself reads and answers (no relative acts for him).
    "sip.plan_meetings": [
        ("GET", lambda db, ids: f"/plan/{_ali_sip(db)}/sip-moten", ALI_CARE, 200)
    ],
    "sip.call_form": [("GET", lambda db, ids: f"/plan/{_ali_sip(db)}/sip-mote/ny", ALI_CARE, 200)],
    "sip.call": [
        ("POST", lambda db, ids: (f"/plan/{_ali_sip(db)}/sip-mote/ny", {}), ALI_CARE, 400)
    ],
    "sip.meeting": [
        ("GET", lambda db, ids: f"/sip-mote/{_ali_meeting(db)}", ALI_CARE | {"patient-ali"}, 200)
    ],
    "sip.answer": [
        (
            "POST",
            lambda db, ids: (f"/sip-mote/{_ali_meeting(db)}/svar", {"answer": "coming"}),
            {"patient-ali"},
            303,
        )
    ],
    "sip.held": [
        ("POST", lambda db, ids: (f"/sip-mote/{_ali_meeting(db)}/hallet", {}), ALI_CARE, 303)
    ],
    "sip.cancel": [
        ("POST", lambda db, ids: (f"/sip-mote/{_ali_meeting(db)}/installt", {}), ALI_CARE, 303)
    ],
    "sip.documented": [
        (
            "POST",
            lambda db, ids: (f"/sip-mote/{_ali_meeting(db, held=True)}/dokumenterat", {}),
            ALI_CARE,
            303,
        )
    ],
    "appointment_care.plan_times": [
        ("GET", lambda db, ids: f"/plan/{_sip(db)}/tider", MAJA_CARE, 200)
    ],
    "appointment_care.offer_form": [
        ("GET", lambda db, ids: f"/plan/{_sip(db)}/tider/ny", MAJA_CARE, 200)
    ],
    "appointment_care.offer": [
        (
            "POST",
            lambda db, ids: (f"/plan/{_sip(db)}/tider/ny", {**TIME_DETAILS, **A_SLOT}),
            MAJA_CARE,
            303,
        ),
    ],
    "appointment_care.change_form": [
        (
            "GET",
            lambda db, ids: f"/tider/{appointment(db, ids, 'patient-maja')}/andra",
            MAJA_CARE,
            200,
        ),
    ],
    "appointment_care.change": [
        (
            "POST",
            lambda db, ids: (
                f"/tider/{appointment(db, ids, 'patient-maja')}/andra",
                {**TIME_DETAILS, "day": A_SLOT["slots-0-day"], "clock": "11:00"},
            ),
            MAJA_CARE,
            303,
        ),
    ],
    "appointment_care.cancel": [
        (
            "POST",
            lambda db, ids: (
                f"/tider/{appointment(db, ids, 'patient-maja')}/vard-avbokar",
                {"reason": "Sjukdom på mottagningen"},
            ),
            MAJA_CARE,
            303,
        ),
    ],
    "appointment_care.handled": [
        (
            "POST",
            lambda db, ids: (f"/tider/{appointment(db, ids, 'patient-maja')}/hanterad", {}),
            MAJA_CARE,
            303,
        ),
    ],
    "appointments.accept": [
        (
            "POST",
            lambda db, ids: (f"/tider/{appointment(db, ids, 'patient-maja')}/ja", {}),
            {"patient-maja"},
            303,
        ),
    ],
    "appointments.another": [
        (
            "POST",
            lambda db, ids: (
                f"/tider/{appointment(db, ids, 'patient-maja')}/annan-tid",
                {"note": "Hellre fredag"},
            ),
            {"patient-maja"},
            303,
        ),
    ],
    "appointments.cancel": [
        (
            "POST",
            lambda db, ids: (
                f"/tider/{appointment(db, ids, 'patient-maja')}/avboka",
                {"reason": "Sjuk"},
            ),
            {"patient-maja"},
            303,
        ),
    ],
    "appointments.calendar_file": [
        (
            "GET",
            lambda db, ids: f"/tider/{appointment(db, ids, 'patient-per')}.ics",
            {"patient-per"},
            200,
        ),
    ],
    "messages.thread_updates": [
        (
            "GET",
            lambda db, ids: f"/meddelanden/{thread_id(db, 'Min vikt')}/nytt-i-traden",
            MAJA_THREAD,
            200,
        ),
    ],
    "messages.reply": [
        (
            "POST",
            lambda db, ids: (
                f"/meddelanden/{thread_id(db, 'Min vikt')}/svar",
                {"body": "Tack!", "key": "matrix-reply"},
            ),
            MAJA_THREAD,
            303,
        ),
    ],
    "messages.mark_handled": [
        (
            "POST",
            lambda db, ids: (f"/meddelanden/{thread_id(db, 'Min vikt')}/hanterad", {}),
            {"staff-karin", "staff-erik"},
            303,
        ),
    ],
    "messages.offer": [
        (
            "POST",
            lambda db, ids: (
                f"/meddelanden/{thread_id(db, 'Min vikt')}/lamna",
                {"colleague_id": ids["staff-erik"], "note": "Ta du"},
            ),
            {"staff-karin"},
            303,
        ),
    ],
    "pwa.device": [("GET", lambda db, ids: "/den-har-telefonen", PEOPLE, 200)],
    "pwa.set_offline": [
        ("POST", lambda db, ids: ("/den-har-telefonen/offline", {"on": "1"}), PEOPLE, 303)
    ],
    # Push is off in this world (no VAPID key), so nobody may subscribe; tests/web/test_pwa.py
    # covers it with push on.
    "pwa.subscribe": [("POST", lambda db, ids: ("/den-har-telefonen/push", {}), set(), 404)],
    "pwa.remove_device": [
        (
            "POST",
            lambda db, ids: (f"/den-har-telefonen/enheter/{push_device(db, ids)}/ta-bort", {}),
            {"patient-maja"},
            303,
        )
    ],
    "messages.take": [
        ("POST", lambda db, ids: (f"/meddelanden/{thread_id(db, 'Min vikt')}/ta", {}), set(), 303),
    ],
    # Each person's own contact details and choices (never those of someone they act for).
    "contact.settings": [("GET", lambda db, ids: "/installningar/kontakt", PEOPLE, 200)],
    "contact.request_email_code": [
        (
            "POST",
            lambda db, ids: ("/installningar/kontakt/epost", {"email": "matris@example.org"}),
            PEOPLE,
            303,
        )
    ],
    "contact.request_mobile_code": [
        (
            "POST",
            lambda db, ids: ("/installningar/kontakt/mobil", {"mobile": "070-174 06 99"}),
            PEOPLE,
            303,
        )
    ],
    # No code was asked for: every person is told so (400), and staff get 404.
    "contact.confirm": [
        (
            "POST",
            lambda db, ids: (
                "/installningar/kontakt/bekrafta",
                {"kind": "email", "code": "123456"},
            ),
            PEOPLE,
            400,
        )
    ],
    "contact.remove": [
        (
            "POST",
            lambda db, ids: (with_email(db, ids), {"kind": "email"}),
            PEOPLE,
            303,
        )
    ],
    "contact.choices": [
        (
            "POST",
            lambda db, ids: (
                "/installningar/aviseringar",
                {"topics": "reply", "channels": "email"},
            ),
            PEOPLE,
            303,
        )
    ],
}


def _greta_request(db: Session, ids: dict[str, int]) -> int:
    """The demo's open request: Greta (no plan) asked Hälsocentralen Kvarnen for a plan."""
    from sqlalchemy import select

    from app.care_requests.models import CareRequest

    return db.scalars(
        select(CareRequest.id).where(CareRequest.patient_id == ids["patient-greta"])
    ).one()


def _maja_request(db: Session, ids: dict[str, int]) -> int:
    """Maja asks Hälsocentralen Kvarnen for another fast vårdkontakt."""
    from datetime import date

    from app.care_requests.models import CareRequest, RequestKind

    row = CareRequest(
        patient_id=ids["patient-maja"],
        unit_id=_kvarnen(db),
        kind=RequestKind.NEW_CONTACT,
        text="Matrisönskemål",
        made_by_person_id=ids["patient-maja"],
        due_on=date.today(),
    )
    db.add(row)
    db.flush()
    return row.id


def _kvarnen(db: Session) -> int:
    from sqlalchemy import select

    from app.accounts.models import CareUnit

    return db.scalars(select(CareUnit.id).where(CareUnit.name == "Hälsocentralen Kvarnen")).one()


GRETA_REQUEST = {"patient-greta", "staff-karin", "staff-erik"}
REQUEST_ROUTES: dict[str, list[tuple[str, Callable, set[str], int]]] = {
    "care_requests.listing_page": [("GET", lambda db, ids: "/onskemal", PEOPLE, 200)],
    "care_requests.ask_form": [("GET", lambda db, ids: "/onskemal/nytt", PEOPLE, 200)],
    "care_requests.ask": [
        (
            "POST",
            lambda db, ids: (
                "/onskemal/nytt",
                {"kind": "sip", "unit": _kvarnen(db), "text": "Matris"},
            ),
            PEOPLE,
            303,
        )
    ],
    "care_requests.detail": [
        ("GET", lambda db, ids: f"/onskemal/{_greta_request(db, ids)}", GRETA_REQUEST, 200),
        (
            "GET",
            lambda db, ids: f"/onskemal/{_maja_request(db, ids)}",
            {"patient-maja", "proxy-anna", "staff-karin", "staff-erik"},
            200,
        ),
    ],
    "care_requests.withdraw": [
        (
            "POST",
            lambda db, ids: (f"/onskemal/{_greta_request(db, ids)}/ta-tillbaka", {}),
            {"patient-greta"},
            303,
        ),
        (
            "POST",
            lambda db, ids: (f"/onskemal/{_maja_request(db, ids)}/ta-tillbaka", {}),
            {"patient-maja", "proxy-anna"},
            303,
        ),
    ],
    "care_requests.answer": [
        (
            "POST",
            lambda db, ids: (
                f"/onskemal/{_greta_request(db, ids)}/svar",
                {"outcome": "no", "answer": "Vi ringer dig."},
            ),
            {"staff-karin", "staff-erik"},
            303,
        )
    ],
}


def with_email(db: Session, ids: dict[str, int]) -> str:
    """Everyone in the demo world with an e-mail address to remove (Elias and Greta have none)."""
    from app.accounts.models import Person

    for key in PEOPLE:
        person = db.get(Person, ids[key])
        person.email = person.email or f"{key}@example.org"
    db.flush()
    return "/installningar/kontakt/ta-bort"


PATIENT_ROUTES.update(PLANNING_ROUTES)
PATIENT_ROUTES.update(REQUEST_ROUTES)


def _unit_of(persona: str) -> Callable[[Session, dict[str, int]], int]:
    def unit(db: Session, ids: dict[str, int]) -> int:
        from app.accounts.models import Practitioner

        return db.get(Practitioner, ids[persona]).unit_id  # type: ignore[union-attr]

    return unit


_KVARNEN = _unit_of("staff-karin")
_ORTOPEDI = _unit_of("staff-jonas")
ADMINS = {"admin-region", "admin-kommun"}
REGION_ADMIN = {"admin-region"}

# The directory (app/directory): no patient data, so not behind the gate (they are in PUBLIC
# below), but only for an administrator, and only for their own principal's units and staff:
# everyone else gets 404. Kvarnen and Karin are the region's; Olle keeps Luleå kommun's.
DIRECTORY_ROUTES: dict[str, list[tuple[str, Callable, set[str], int]]] = {
    "directory.overview": [("GET", lambda db, ids: "/katalog", ADMINS, 200)],
    "directory.staff_list": [("GET", lambda db, ids: "/katalog/personal?q=a", ADMINS, 200)],
    "directory.new_unit": [
        ("GET", lambda db, ids: "/katalog/enheter/ny", ADMINS, 200),
        ("POST", lambda db, ids: ("/katalog/enheter/ny", {}), ADMINS, 400),
    ],
    "directory.unit": [
        ("GET", lambda db, ids: f"/katalog/enheter/{_KVARNEN(db, ids)}", REGION_ADMIN, 200),
        ("POST", lambda db, ids: (f"/katalog/enheter/{_KVARNEN(db, ids)}", {}), REGION_ADMIN, 400),
    ],
    # Karin and Erik still work at Kvarnen: refused with a message
    "directory.deactivate_unit": [
        (
            "POST",
            lambda db, ids: (f"/katalog/enheter/{_KVARNEN(db, ids)}/avsluta", {}),
            REGION_ADMIN,
            409,
        )
    ],
    "directory.reactivate_unit": [
        (
            "POST",
            lambda db, ids: (f"/katalog/enheter/{_KVARNEN(db, ids)}/aktivera", {}),
            REGION_ADMIN,
            303,
        )
    ],
    "directory.new_staff": [
        ("GET", lambda db, ids: "/katalog/personal/ny", ADMINS, 200),
        ("POST", lambda db, ids: ("/katalog/personal/ny", {}), ADMINS, 400),
    ],
    "directory.person": [
        ("GET", lambda db, ids: f"/katalog/personal/{ids['staff-karin']}", REGION_ADMIN, 200),
        (
            "POST",
            lambda db, ids: (f"/katalog/personal/{ids['staff-karin']}", {}),
            REGION_ADMIN,
            400,
        ),
    ],
    "directory.move": [
        (
            "POST",
            lambda db, ids: (
                f"/katalog/personal/{ids['staff-jonas']}/flytta",
                {"unit_id": _KVARNEN(db, ids)},
            ),
            REGION_ADMIN,
            303,
        )
    ],
    "directory.deactivate": [
        (
            "POST",
            lambda db, ids: (f"/katalog/personal/{ids['staff-jonas']}/avsluta", {}),
            REGION_ADMIN,
            303,
        )
    ],
    "directory.reactivate": [
        (
            "POST",
            lambda db, ids: (f"/katalog/personal/{ids['staff-jonas']}/aktivera", {}),
            REGION_ADMIN,
            303,
        )
    ],
}
# The follow-up figures (counts only, app/followup): only someone with the follow-up role, for
# their own principal; everyone else gets 404.
FOLLOWUP = {"followup-region"}
FOLLOWUP_ROUTES: dict[str, list[tuple[str, Callable, set[str], int]]] = {
    "followup.dashboard": [
        ("GET", lambda db, ids: "/uppfoljning", FOLLOWUP, 200),
        ("GET", lambda db, ids: "/uppfoljning?manad=2019-12", FOLLOWUP, 400),
    ],
    "followup.export": [("GET", lambda db, ids: "/uppfoljning/siffror.csv", FOLLOWUP, 200)],
}
# Routes for a role rather than a care relationship: who may use them, and everyone else 404.
ROLE_ROUTES = {**DIRECTORY_ROUTES, **FOLLOWUP_ROUTES}
PUBLIC.update(ROLE_ROUTES)


def _answered(db, ids, path: str, form: dict) -> tuple[str, dict]:  # noqa: ANN001
    """Every patient with a plan has answered the seven questions once (so has something to
    share)."""
    from app.followup.models import Reply, SevenQuestions

    for persona in sorted(WITH_PLANS):
        key = f"matrix-{persona}"
        if db.scalar(select(SevenQuestions.id).where(SevenQuestions.client_key == key)) is None:
            db.add(SevenQuestions(person_id=ids[persona], next_step=Reply.YES, client_key=key))
    db.flush()
    return path, form


def test_every_route_is_classified(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = endpoints - PUBLIC - set(PATIENT_ROUTES)
    assert not unclassified, f"add these routes to the access matrix: {sorted(unclassified)}"


# A relative's list page that their scopes do not cover says so (403, app/access/scope.py) rather
# than a bare 404: they act for the patient and may use the rest. Anna holds no appointments scope.
EXPLAINED = {("proxy-anna", "appointments.listing"): 403}

CASES = [
    (persona, endpoint, index)
    for endpoint, cases in PATIENT_ROUTES.items()
    for index in range(len(cases))
    for persona in PERSONAS
]


@pytest.mark.parametrize(("persona", "endpoint", "index"), CASES)
def test_access_matrix(auth, client, db, ids, persona, endpoint, index) -> None:
    method, build, allowed, status = PATIENT_ROUTES[endpoint][index]
    auth.sign_in(persona)
    client.get("/", follow_redirects=True)  # as a person would: the start page comes first
    target = build(db, ids)
    if method == "GET":
        response = client.get(target, follow_redirects=True)
    else:
        path, form = target
        response = client.post(path, data={**form, "csrf_token": csrf_token(client, "/sessioner")})
    expected = status if persona in allowed else EXPLAINED.get((persona, endpoint), 404)
    assert response.status_code == expected, (persona, endpoint, target)


@pytest.mark.parametrize("endpoint", sorted(PATIENT_ROUTES))
def test_signed_out_visitors_see_no_patient_data(client, db, ids, endpoint) -> None:
    for method, build, _allowed, _status in PATIENT_ROUTES[endpoint]:
        target = build(db, ids)
        if method == "GET":
            response = client.get(target)
            assert response.status_code == 302
            assert "/logga-in" in response.headers["Location"]
        else:
            path, form = target
            assert client.post(path, data=form).status_code in (400, 302)


def test_every_post_route_needs_the_csrf_token(app: Flask, auth, client, ids) -> None:
    auth.sign_in("patient-maja")
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    assert posts
    for rule in posts:
        path = re.sub(r"<any\((\w+)[^>]*>", r"\1", re.sub(r"<int:\w+>", "1", rule.rule))
        response = client.post(path, data={"persona": "patient-maja", "patient_id": "self"})
        assert response.status_code == 400, rule.rule
        assert "Formuläret hade gått ut" in response.get_data(as_text=True)


def test_csrf_token_is_accepted_as_an_htmx_header(auth, client) -> None:
    auth.sign_in("proxy-anna")
    token = csrf_token(client, "/vem")
    response = client.post(
        "/vem", data={"patient_id": "self"}, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.status_code == 303


def test_security_headers_on_every_get_route(app: Flask, auth, client, db, ids) -> None:
    auth.sign_in("patient-maja")
    paths = [
        "/",
        "/vem-har-tittat",
        "/sessioner",
        "/logga-in",
        "/demo",
        "/healthz",
        f"/plan/{plan_id(db, 'trygg hemma')}",
        "/static/css/samplan.css",
        "/no-such-page",
    ]
    for path in paths:
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        response.close()


DIRECTORY_CASES = [
    (persona, endpoint, index)
    for endpoint, cases in ROLE_ROUTES.items()
    for index in range(len(cases))
    for persona in PERSONAS
]


@pytest.mark.parametrize(("persona", "endpoint", "index"), DIRECTORY_CASES)
def test_directory_matrix(auth, client, db, ids, persona, endpoint, index) -> None:
    """Every directory and follow-up route, as every persona: administrators of the principal
    (and whoever follows up) answer as listed, everyone else (the other principal's
    administrator too) gets 404."""
    method, build, allowed, status = ROLE_ROUTES[endpoint][index]
    auth.sign_in(persona)
    target = build(db, ids)
    if method == "GET":
        response = client.get(target)
    else:
        path, form = target
        response = client.post(path, data={**form, "csrf_token": csrf_token(client, "/sessioner")})
    expected = status if persona in allowed else 404
    assert response.status_code == expected, (persona, endpoint, target)


@pytest.mark.parametrize("endpoint", sorted(ROLE_ROUTES))
def test_signed_out_visitors_never_reach_the_directory(client, db, ids, endpoint) -> None:
    for method, build, _allowed, _status in ROLE_ROUTES[endpoint]:
        target = build(db, ids)
        if method == "GET":
            response = client.get(target)
            assert response.status_code == 302
            assert "/logga-in" in response.headers["Location"]
        else:
            path, form = target
            assert client.post(path, data=form).status_code in (400, 302)
