"""The patient's agreement: the start page, the plan page, and staff's list of patients."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.access import subject
from app.access.actor import Actor, current_actor
from app.access.context import access_context
from app.access.gate import Target, authorise, gate, listing
from app.access.policy import Action
from app.accounts.models import Person, StaffRole
from app.agreements.services import last_answer, unanswered_changes
from app.audit.services import pending_list, record_access
from app.clock import local_date, now, zone
from app.db import get_session
from app.extensions import limit_writes
from app.followup import questions as seven_questions
from app.goals.views import STATES
from app.patients.services import may_state
from app.plans import presenting
from app.plans.forms import ActForForm, PatientSearchForm
from app.plans.models import PlanStatus
from app.plans.nextstep import next_step
from app.plans.queries import acting_for_patient, plan_page, staff_patient_page
from app.plans.read import contact_of, handovers_of, plan_items, start_page, what_matters_of
from app.proxies.names import SCOPE_NAMES, SCOPE_NAMES_FOR_CARE
from app.proxies.services import mark_used
from app.web.converters import number
from app.web.templating import render
from app.whatmatters.services import changed_fields
from app.whatmatters.views import QUESTIONS

bp = limit_writes(Blueprint("plans", __name__))


@bp.get("/")
@listing("anyone")
def start() -> Response:
    actor = current_actor()
    if actor.is_staff:
        if not actor.has_role(StaffRole.CARE) and actor.has_role(StaffRole.ADMIN):
            # An administrator has no patients: their work is the directory.
            return redirect(url_for("directory.overview"), code=303)
        if not actor.has_role(StaffRole.CARE) and actor.has_role(StaffRole.FOLLOW_UP):
            # Nor has someone who follows up: theirs is the principal's figures.
            return redirect(url_for("followup.dashboard"), code=303)
        return _staff_start(actor)
    target = authorise(Action.READ_OVERVIEW, "subject", {})
    db, moment = get_session(), now()
    page = start_page(db, target, moment)
    if target.own and not page.plans:
        represented = target.context.represented()
        if len(represented) == 1:
            subject.choose(represented[0])
            mark_used(db, actor, represented[0], moment)
            return redirect(url_for("plans.start"), code=303)
        return _choose_person_page(actor, represented, moment, page.unreachable)
    step = next_step(
        page.plans,
        page.appointments,
        [page.next_activity] if page.next_activity else [],
        moment,
        zone(),
    )
    return render(
        "plans/start.html",
        page=page,
        step=step,
        own=target.own,
        presenting=presenting,
        can_read_messages=target.may(Action.READ_MESSAGES),
        can_write_messages=target.may(Action.WRITE_MESSAGES),
        can_answer=target.may(Action.ANSWER_FOR),
        can_handle_appointments=target.may(Action.APPOINTMENTS),
    )


def _choose_person_page(
    actor: Actor, represented: list[int], moment: datetime, unreachable: bool = False
) -> Response:
    """Whom to act for: the people one represents, each logged as having been listed."""
    query = select(Person).where(Person.id.in_(represented))
    people = get_session().scalars(query.order_by(Person.family_name, Person.given_name)).all()
    pending_list(actor, [person.id for person in people], "represented", moment)
    return render("plans/choose_person.html", represented=people, unreachable=unreachable)


@bp.get("/vem")
@listing("person")
def choose_person() -> Response:
    actor, moment = current_actor(), now()
    context = access_context(actor, get_session(), moment)
    return _choose_person_page(actor, context.represented(), moment)


@bp.post("/vem")
@listing("person")
def act_for() -> Response:
    """Switch between one's own page and someone one acts for; the policy decides each request."""
    actor = current_actor()
    form = ActForForm()
    if form.patient_id.data == "self":
        subject.choose(None)
        return redirect(url_for("plans.start"), code=303)
    patient_id = number(form.patient_id.data or "")
    context = access_context(actor, get_session(), now())
    if patient_id is None or patient_id not in context.represented():
        abort(404)
    subject.choose(patient_id)
    mark_used(get_session(), actor, patient_id, now())
    return redirect(url_for("plans.start"), code=303)


@bp.get("/plan/<int:plan_id>")
@gate(Action.READ_PLANS, on="care_plan")
def plan(plan_id: int, target: Target) -> Response:
    actor = current_actor()
    db, moment = get_session(), now()
    found = plan_page(db, actor, plan_id)
    care_plan, what_matters = found.plan, found.what_matters
    goals, activities = plan_items(db, plan_id)
    changed = (
        changed_fields(what_matters, found.what_matters_seen)
        if actor.is_staff and found.seen_before
        else []
    )
    representatives = acting_for_patient(db, care_plan.patient_id, moment) if actor.is_staff else []
    today = local_date(moment)
    team = care_plan.current_team(today)
    # For staff: the patient's own words on how care works, if they chose to share them.
    shared_seven = found.shared_seven
    if shared_seven is not None:
        record_access(
            db, actor, care_plan.patient_id, "read", "seven_questions", shared_seven.id, moment
        )
    # Answering and writing are the patient's side's; care does neither on the plan page.
    patient_side = not actor.is_staff and care_plan.status == PlanStatus.ACTIVE
    return render(
        "plans/plan.html",
        plan=care_plan,
        patient=care_plan.patient,
        what_matters=what_matters,
        team=team,
        contacts=[contact_of(m, (care_plan.title,) if m.is_coordinator else ()) for m in team],
        handovers=handovers_of(care_plan),
        what_matters_line=what_matters_of(what_matters),
        coordinator=care_plan.coordinator(today),
        goals=presenting.goal_tree(goals),
        proposals=[
            goal
            for goal in goals
            if goal.proposed_by == "patient" and goal.status in ("proposed", "declined")
        ],
        activity_groups=presenting.group_activities(
            activities, target.own, care_plan.patient.given_name
        ),
        own=target.own,
        today=today,
        presenting=presenting,
        representatives=representatives,
        can_answer=patient_side and target.may(Action.ANSWER_FOR),
        what_matters_changed=changed,
        unanswered=unanswered_changes(care_plan.versions),
        last_answered=last_answer(care_plan.versions),
        questions=QUESTIONS,
        progress_states=STATES,
        scope_names=SCOPE_NAMES_FOR_CARE if actor.is_staff else SCOPE_NAMES,
        can_write_messages=patient_side and target.may(Action.WRITE_MESSAGES),
        # Care's tools: not for a receiver of a handover offer who has yet to accept it.
        can_edit=actor.is_staff and target.may(Action.EDIT_PLANS),
        shared_seven=shared_seven,
        seven_wording=seven_questions.WORDING,
        seven_replies=seven_questions.REPLIES,
    )


def _staff_start(actor: Actor) -> Response:
    form = PatientSearchForm(request.args)
    page = form.page()
    if page is None:
        abort(404)
    search = (form.q.data or "").strip()
    moment = now()
    rows, pages = staff_patient_page(get_session(), actor, moment, page, search)
    shown = [patient.id for patient, _plans in rows]
    if search:
        pending_list(actor, shown, "patient_search", moment, search)
    else:
        pending_list(actor, shown, "patient_list", moment)
    return render(
        "plans/staff_start.html",
        block="patients",
        rows=rows,
        page=page,
        pages=pages,
        search=search,
        presenting=presenting,
        active=PlanStatus.ACTIVE,
        may_add_patient=may_state(actor),
    )


@bp.get("/plan/<int:plan_id>/utskrift.pdf")
@gate(Action.READ_PLANS, on="care_plan", log="export")
def plan_pdf(plan_id: int, target: Target) -> Response:
    """The plan as a PDF to keep or print: dated, versioned, readable in black and white."""
    actor = current_actor()
    db, moment = get_session(), now()
    found = plan_page(db, actor, plan_id)
    care_plan = found.plan
    goals, activities = plan_items(db, plan_id)
    today = local_date(moment)
    html = render_template(
        "plans/pdf.html",
        plan=care_plan,
        patient=care_plan.patient,
        what_matters=found.what_matters,
        team=care_plan.current_team(today),
        goals=presenting.goal_tree(goals),
        activity_groups=presenting.group_activities(
            activities, False, care_plan.patient.given_name
        ),
        printed_at=moment,
        questions=QUESTIONS,
    )
    from app.plans.pdf import to_pdf

    response = Response(to_pdf(html), mimetype="application/pdf")
    name = f"samplan-plan-{care_plan.id}-v{care_plan.published_version}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
