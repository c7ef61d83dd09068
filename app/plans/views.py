"""The patient's agreement: the start page, the plan page, and staff's list of patients."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from app.access import subject
from app.access.actor import Actor, current_actor
from app.access.policy import Action, represented_patients
from app.accounts.models import Person
from app.agreements.services import last_answer, unanswered_changes
from app.audit.services import record_access, record_refusal
from app.clock import now, zone
from app.db import get_session
from app.extensions import limit_writes
from app.goals.views import STATES
from app.plans import presenting
from app.plans.models import CarePlan, PlanStatus
from app.plans.nextstep import next_step
from app.plans.queries import (
    acting_for_patient,
    load_patient,
    overview_for,
    plan_page,
    staff_patient_page,
)
from app.proxies.names import SCOPE_NAMES
from app.proxies.services import mark_used
from app.web.converters import number
from app.web.templating import render
from app.whatmatters.services import changed_fields
from app.whatmatters.views import QUESTIONS

bp = limit_writes(Blueprint("plans", __name__))


@bp.get("/")
@login_required
def start() -> Response:
    actor = current_actor()
    if actor.is_staff:
        return _staff_start(actor)
    db, moment = get_session(), now()
    person = actor.person
    assert person is not None  # noqa: S101 - a signed-in non-staff actor is a person
    subject_id = subject.subject_id(actor)
    loaded = load_patient(db, actor, subject_id, Action.READ_OVERVIEW, moment)
    if loaded is None:  # a grant ended since last request: back to one's own page
        subject.choose(None)
        subject_id = person.id
        loaded = load_patient(db, actor, subject_id, Action.READ_OVERVIEW, moment)
    assert loaded is not None  # noqa: S101 - one's own data is always readable
    patient = loaded.patient
    overview = overview_for(db, actor, patient, loaded.what_matters, loaded.unread, moment)
    if subject_id == person.id and not overview.cards:
        represented = list(db.scalars(represented_patients(actor, moment)))
        if len(represented) == 1:
            subject.choose(represented[0].id)
            mark_used(db, actor, represented[0].id, moment)
            db.commit()
            return redirect(url_for("plans.start"), code=303)
        return render("plans/choose_person.html", represented=represented)
    step = next_step(
        [card.plan for card in overview.cards],
        overview.appointments,
        [overview.next_activity] if overview.next_activity else [],
        moment,
        zone(),
    )
    record_access(db, actor, patient.id, "read", "overview", None, moment)
    db.commit()
    return render(
        "plans/start.html",
        overview=overview,
        step=step,
        own=patient.id == person.id,
        today=moment.astimezone(zone()).date(),
        presenting=presenting,
        can_read_messages=loaded.can_read_messages,
        can_write_messages=loaded.can_write_messages,
        can_answer=loaded.can_answer,
        can_handle_appointments=loaded.can_handle_appointments,
    )


@bp.get("/vem")
@login_required
def choose_person() -> Response:
    actor = current_actor()
    if actor.is_staff:
        abort(404)
    represented = list(get_session().scalars(represented_patients(actor, now())))
    return render("plans/choose_person.html", represented=represented)


@bp.post("/vem")
@login_required
def act_for() -> Response:
    """Switch between one's own page and someone one acts for; the policy decides each request."""
    actor = current_actor()
    if actor.is_staff or actor.person is None:
        abort(404)
    choice = request.form.get("patient_id", "")
    if choice == "self":
        subject.choose(None)
        return redirect(url_for("plans.start"), code=303)
    patient_id = number(choice)
    if patient_id is None:
        abort(404)
    allowed = (
        get_session()
        .scalars(represented_patients(actor, now()).where(Person.id == patient_id))
        .first()
    )
    if allowed is None:
        abort(404)
    subject.choose(allowed.id)
    mark_used(get_session(), actor, allowed.id, now())
    get_session().commit()
    return redirect(url_for("plans.start"), code=303)


@bp.get("/plan/<int:plan_id>")
@login_required
def plan(plan_id: int) -> Response:
    actor = current_actor()
    db, moment = get_session(), now()
    found = plan_page(db, actor, plan_id, moment)
    if found is None:
        owner = db.scalar(select(CarePlan.patient_id).where(CarePlan.id == plan_id))
        record_refusal(db, actor, owner, "care_plan", plan_id, moment)
        db.commit()
        abort(404)
    care_plan, what_matters, can_write = found.plan, found.what_matters, found.can_write_messages
    changed = (
        changed_fields(what_matters, found.what_matters_seen)
        if actor.is_staff and found.seen_before
        else []
    )
    representatives = acting_for_patient(db, care_plan.patient_id, moment) if actor.is_staff else []
    record_access(db, actor, care_plan.patient_id, "read", "care_plan", care_plan.id, moment)
    db.commit()
    today = moment.astimezone(zone()).date()
    own = actor.person is not None and actor.person.id == care_plan.patient_id
    return render(
        "plans/plan.html",
        plan=care_plan,
        patient=care_plan.patient,
        what_matters=what_matters,
        team=care_plan.current_team(today),
        coordinator=care_plan.coordinator(today),
        goals=presenting.goal_tree(care_plan.goals),
        activity_groups=presenting.group_activities(
            care_plan.activities, own, care_plan.patient.given_name
        ),
        own=own,
        today=today,
        presenting=presenting,
        representatives=representatives,
        can_answer=found.can_answer
        and not actor.is_staff
        and care_plan.status == PlanStatus.ACTIVE,
        what_matters_changed=changed,
        unanswered=unanswered_changes(care_plan.versions),
        last_answered=last_answer(care_plan.versions),
        questions=QUESTIONS,
        progress_states=STATES,
        scope_names=SCOPE_NAMES,
        can_write_messages=can_write
        and not actor.is_staff
        and care_plan.status == PlanStatus.ACTIVE,
    )


def _staff_start(actor: Actor) -> Response:
    page = number(request.args.get("sida", "1"))
    if page is None or page < 1:
        abort(404)
    search = request.args.get("q", "")[:100]
    rows, pages = staff_patient_page(get_session(), actor, now(), page, search)
    return render(
        "plans/staff_start.html",
        block="patients",
        rows=rows,
        page=page,
        pages=pages,
        search=search,
        presenting=presenting,
        active=PlanStatus.ACTIVE,
    )


@bp.get("/plan/<int:plan_id>/utskrift.pdf")
@login_required
def plan_pdf(plan_id: int) -> Response:
    """The plan as a PDF to keep or print: dated, versioned, readable in black and white."""
    actor = current_actor()
    db, moment = get_session(), now()
    found = plan_page(db, actor, plan_id, moment)
    if found is None:
        abort(404)
    care_plan = found.plan
    today = moment.astimezone(zone()).date()
    html = render_template(
        "plans/pdf.html",
        plan=care_plan,
        patient=care_plan.patient,
        what_matters=found.what_matters,
        team=care_plan.current_team(today),
        goals=presenting.goal_tree(care_plan.goals),
        activity_groups=presenting.group_activities(
            care_plan.activities, False, care_plan.patient.given_name
        ),
        printed_at=moment,
        questions=QUESTIONS,
    )
    record_access(db, actor, care_plan.patient_id, "export", "care_plan", care_plan.id, moment)
    db.commit()
    from app.plans.pdf import to_pdf

    response = Response(to_pdf(html), mimetype="application/pdf")
    name = f"samplan-plan-{care_plan.id}-v{care_plan.published_version}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
