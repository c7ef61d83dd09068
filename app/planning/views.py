"""The care team's workspace: new plans, the editor, publishing, handovers, closing, recording a
death, and the work list. Staff only (the gate's EDIT_PLANS; TAKE_OVER for accepting a handover,
which a receiver who is not yet on the team may do); everyone else gets 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers.response import Response

from app.access.actor import current_actor
from app.access.gate import Target, gate, listing
from app.access.policy import Action
from app.accounts.models import Practitioner
from app.audit.services import pending_list
from app.care_requests.names import STAFF_KIND_NAMES as REQUEST_KINDS
from app.clock import now, today_here, zone
from app.db import get_session
from app.extensions import limit_writes
from app.planning import handovers, services
from app.planning.drafts import (
    EDITABLE_ACTIVITY_STATUSES,
    EDITABLE_GOAL_STATUSES,
    TEAM_ROLES,
    compare,
)
from app.planning.forms import (
    CLOSE_CHOICES,
    CloseForm,
    DeathForm,
    DiscardForm,
    EditorForm,
    HandoverAnswerForm,
    HandoverForm,
    NewPlanForm,
    PublishForm,
)
from app.planning.templates import SECTION_HEADINGS
from app.planning.worklist import work_list
from app.plans import presenting
from app.plans.models import CarePlan, CloseReason, HandoverRole, PlanKind, PlanStatus, TeamRole
from app.web.templating import render

bp = limit_writes(Blueprint("planning", __name__))

CONFLICT_ON_PUBLISH = _l(
    "Någon annan har ändrat planen medan du granskade den. Läs ändringarna nedan och försök igen."
)
HANDOVER_ROLES = {
    HandoverRole.CARE_CONTACT: _l("Fast vårdkontakt"),
    HandoverRole.COORDINATION: _l("Samordningen av planen"),
}
EDIT = Action.EDIT_PLANS


def _plan(target: Target) -> CarePlan:
    """The plan the gate let the practitioner in to, with everything the pages show."""
    assert target.plan_id is not None  # noqa: S101 - a care_plan or handover target has one
    try:
        return services.plan_to_edit(get_session(), target.actor, target.plan_id, now())
    except services.NotAllowed:
        abort(404)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    response = render(template, presenting=presenting, **context)
    response.status_code = status
    return response


# --- A new plan ------------------------------------------------------------------------------


def _new_page(target: Target, errors: dict[str, str], status: int = 200) -> Response:
    try:
        patient = services.patient_for_care(get_session(), target.actor, target.patient_id, now())
    except services.NotAllowed:
        abort(404)
    return _page("planning/new.html", status, patient=patient, kinds=list(PlanKind), errors=errors)


@bp.get("/patient/<int:patient_id>/ny-plan")
@gate(EDIT, on="patient")
def new_plan_form(patient_id: int, target: Target) -> Response:
    return _new_page(target, {})


@bp.post("/patient/<int:patient_id>/ny-plan")
@gate(EDIT, on="patient")
def create_plan(patient_id: int, target: Target) -> Response:
    form = NewPlanForm()
    if not form.validate():
        return _new_page(target, form.messages(), 400)
    try:
        plan = services.create_plan(
            get_session(), target.actor, target.patient_id, form.kind.data or "", now()
        )
    except services.NotAllowed:
        abort(404)
    except services.PlanningError as error:
        return _new_page(target, error.errors, 400)
    return redirect(url_for("planning.edit", plan_id=plan.id), code=303)


# --- The editor ------------------------------------------------------------------------------


def _editor(
    plan: CarePlan,
    doc: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    conflict: dict[str, Any] | None = None,
    version: int | None = None,
) -> Response:
    db = get_session()
    actor = current_actor()
    today = today_here()
    candidates = services.team_candidates(db, actor, plan)
    names = {p.id: p for p in candidates}
    for member in plan.team:
        if member.practitioner is not None:
            names[member.practitioner.id] = member.practitioner
    missing = {m["practitioner_id"] for m in doc["team"]} - set(names)
    if missing:
        found = select(Practitioner).where(Practitioner.id.in_(missing))
        for person in db.scalars(found.options(joinedload(Practitioner.unit))):
            names[person.id] = person
    people = {pid: person.full_name for pid, person in names.items()}
    return _page(
        "planning/edit.html",
        status,
        plan=plan,
        patient=plan.patient,
        doc=doc,
        errors=errors,
        conflict=conflict,
        # After bad input the form stays on the version its author started from, so a save
        # by someone else meanwhile is still caught; after a conflict it moves to the newest.
        version=plan.version if version is None else version,
        differences=compare(conflict, doc, people) if conflict is not None else [],
        candidates=candidates,
        people=names,
        units={p.unit_id: p.unit for p in names.values()},
        headings=SECTION_HEADINGS,
        goal_statuses=[(key, presenting.GOAL_STATUS[key]) for key in EDITABLE_GOAL_STATUSES],
        activity_statuses=[
            (key, presenting.ACTIVITY_STATUS[key]) for key in EDITABLE_ACTIVITY_STATUSES
        ],
        team_roles=[(key, presenting.ROLE_NAMES[TeamRole(key)]) for key in TEAM_ROLES],
        responsible_options=[("", _("Välj"))] + list(presenting.RESPONSIBLE_NAMES.items()),
        published=plan.published_version > 0,
        # once published with a coordinator, it changes only by a handover (see DraftForm)
        coordinator_fixed=any(
            m["coordinator"] and m.get("id") for m in services.working_doc(plan, today)["team"]
        ),
        today=today,
    )


@bp.get("/plan/<int:plan_id>/redigera")
@gate(EDIT, on="care_plan")
def edit(plan_id: int, target: Target) -> Response:
    plan = _plan(target)
    return _editor(plan, services.working_doc(plan, today_here()), {})


@bp.post("/plan/<int:plan_id>/redigera")
@gate(EDIT, on="care_plan")
def save(plan_id: int, target: Target) -> Response:
    db, moment = get_session(), now()
    plan = _plan(target)
    form = EditorForm()
    doc, errors = form.document(db, plan, today_here())
    if errors:
        return _editor(plan, doc, errors, 400, version=form.seen_version())
    try:
        with db.begin_nested():
            services.save_draft(db, target.actor, plan, doc, form.seen_version(), moment)
    except (services.Conflict, StaleDataError):
        return _conflict(target, doc)
    if form.goes_to_publish:
        return redirect(url_for("planning.publish_form", plan_id=plan.id), code=303)
    return redirect(url_for("planning.edit", plan_id=plan.id, sparat=1), code=303)


def _conflict(target: Target, mine: dict[str, Any]) -> Response:
    """Someone saved first: show what they saved beside what this person wrote, and keep this
    person's input in the form, now based on the newest version (409: nothing is kept)."""
    get_session().expire_all()
    plan = _plan(target)
    theirs = services.working_doc(plan, today_here())
    return _editor(plan, mine, {}, 409, conflict=theirs)


@bp.post("/plan/<int:plan_id>/utkast/kasta")
@gate(EDIT, on="care_plan")
def discard(plan_id: int, target: Target) -> Response:
    db = get_session()
    plan = _plan(target)
    form = DiscardForm()
    try:
        with db.begin_nested():
            gone = services.discard_draft(db, target.actor, plan, form.seen_version(), now())
    except (services.Conflict, StaleDataError):
        return _conflict(target, services.working_doc(plan, today_here()))
    except services.PlanningError:
        gone = False
    if gone:
        return redirect(url_for("plans.start", klart="utkast-borttaget"), code=303)
    return redirect(url_for("plans.plan", plan_id=plan_id, klart="andringar-borttagna"), code=303)


# --- Publishing ------------------------------------------------------------------------------


def _publish_page(
    plan: CarePlan, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    lines = services.changes(get_session(), plan, today_here())
    return _page(
        "planning/publish.html",
        status,
        plan=plan,
        patient=plan.patient,
        lines=lines,
        form=form,
        errors=errors,
    )


@bp.get("/plan/<int:plan_id>/publicera")
@gate(EDIT, on="care_plan")
def publish_form(plan_id: int, target: Target) -> Response:
    plan = _plan(target)
    summary = "\n".join(services.changes(get_session(), plan, today_here()))
    return _publish_page(plan, {"summary": summary}, {})


@bp.post("/plan/<int:plan_id>/publicera")
@gate(EDIT, on="care_plan")
def publish(plan_id: int, target: Target) -> Response:
    db = get_session()
    plan = _plan(target)
    form = PublishForm()
    if not form.validate():
        return _publish_page(plan, form.values(), form.messages(), 400)
    try:
        with db.begin_nested():
            services.publish(
                db,
                target.actor,
                plan,
                form.seen_version(),
                form.summary.data or "",
                bool(form.uppf.data),
                now(),
            )
    except services.PlanningError as error:
        return _publish_page(plan, form.values(), error.errors, 400)
    except (services.Conflict, StaleDataError):
        db.expire_all()
        errors = {"version": str(CONFLICT_ON_PUBLISH)}
        return _publish_page(_plan(target), form.values(), errors, 409)
    return redirect(url_for("plans.plan", plan_id=plan_id, publicerad=1), code=303)


# --- Handovers -------------------------------------------------------------------------------


def _handover_page(
    plan: CarePlan, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    today = today_here()
    actor = current_actor()
    assert actor.practitioner_id is not None  # noqa: S101 - the gate let only staff in
    return _page(
        "planning/handover.html",
        status,
        plan=plan,
        patient=plan.patient,
        roles=handovers.held_roles(plan, actor.practitioner_id, today),
        team=plan.current_team(today),
        form=form,
        errors=errors,
        role_names=HANDOVER_ROLES,
    )


@bp.get("/plan/<int:plan_id>/overlamning")
@gate(EDIT, on="care_plan")
def handover_form(plan_id: int, target: Target) -> Response:
    plan = _plan(target)
    if plan.status != PlanStatus.ACTIVE:
        abort(404)
    return _handover_page(plan, {}, {})


@bp.post("/plan/<int:plan_id>/overlamning")
@gate(EDIT, on="care_plan")
def offer_handover(plan_id: int, target: Target) -> Response:
    plan = _plan(target)
    form = HandoverForm()
    if plan.status != PlanStatus.ACTIVE:
        abort(404)
    if not form.validate():
        return _handover_page(plan, form.values(), form.messages(), 400)
    try:
        handovers.offer(
            get_session(),
            target.actor,
            plan,
            form.role.data or "",
            form.receiver_id(),
            form.note.data or "",
            now(),
        )
    except services.NotAllowed:
        abort(404)
    except services.PlanningError as error:
        return _handover_page(plan, form.values(), error.errors, 400)
    return redirect(url_for("plans.plan", plan_id=plan_id, klart="overlamning-erbjuden"), code=303)


@bp.post("/overlamning/<int:handover_id>/bekrafta")
@gate(Action.TAKE_OVER, on="handover")
def acknowledge(handover_id: int, target: Target) -> Response:
    HandoverAnswerForm()
    try:
        handover = handovers.acknowledge(get_session(), target.actor, handover_id, now())
    except services.NotAllowed:
        abort(404)
    if handover is None:  # the sender no longer held the role: it is closed, nothing to take
        return redirect(url_for("planning.worklist"), code=303)
    return redirect(
        url_for("plans.plan", plan_id=handover.plan_id, klart="overlamning-bekraftad"), code=303
    )


@bp.post("/overlamning/<int:handover_id>/aterkalla")
@gate(EDIT, on="handover")
def cancel_handover(handover_id: int, target: Target) -> Response:
    HandoverAnswerForm()
    try:
        handover = handovers.cancel(get_session(), target.actor, handover_id, now())
    except services.NotAllowed:
        abort(404)
    return redirect(
        url_for("plans.plan", plan_id=handover.plan_id, klart="overlamning-tillbaka"), code=303
    )


# --- Closing a plan, recording a death ------------------------------------------------------


def _close_page(
    plan: CarePlan, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    coordinator = plan.coordinator(today_here())
    actor = current_actor()
    return _page(
        "planning/close.html",
        status,
        plan=plan,
        patient=plan.patient,
        choices=[
            c for c in CLOSE_CHOICES if c != CloseReason.CONSENT_WITHDRAWN or plan.kind == "sip"
        ],
        is_coordinator=bool(
            coordinator
            and actor.practitioner
            and coordinator.practitioner_id == actor.practitioner_id
        ),
        coordinator=coordinator,
        form=form,
        errors=errors,
    )


@bp.get("/plan/<int:plan_id>/avsluta")
@gate(EDIT, on="care_plan")
def close_form(plan_id: int, target: Target) -> Response:
    return _close_page(_plan(target), {}, {})


@bp.post("/plan/<int:plan_id>/avsluta")
@gate(EDIT, on="care_plan")
def close(plan_id: int, target: Target) -> Response:
    db = get_session()
    plan = _plan(target)
    form = CloseForm()
    if not form.validate():
        return _close_page(plan, form.values(), form.messages(), 400)
    try:
        with db.begin_nested():
            services.close_plan(
                db, target.actor, plan, form.reason.data or "", form.seen_version(), now()
            )
    except services.PlanningError as error:
        return _close_page(plan, form.values(), error.errors, 400)
    except (services.Conflict, StaleDataError):
        db.expire_all()
        errors = {"reason": str(CONFLICT_ON_PUBLISH)}
        return _close_page(_plan(target), form.values(), errors, 409)
    return redirect(url_for("plans.start", klart="plan-avslutad"), code=303)


def _death_page(
    target: Target, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    try:
        patient = services.patient_for_care(get_session(), target.actor, target.patient_id, now())
    except services.NotAllowed:
        abort(404)
    return _page("planning/death.html", status, patient=patient, form=form, errors=errors)


@bp.get("/patient/<int:patient_id>/dodsfall")
@gate(EDIT, on="patient")
def death_form(patient_id: int, target: Target) -> Response:
    return _death_page(target, {}, {})


@bp.post("/patient/<int:patient_id>/dodsfall")
@gate(EDIT, on="patient")
def record_death(patient_id: int, target: Target) -> Response:
    form = DeathForm()
    if not form.validate():
        return _death_page(target, form.values(), form.messages(), 400)
    assert form.day.data is not None  # noqa: S101 - validated
    try:
        services.record_death(get_session(), target.actor, target.patient_id, form.day.data, now())
    except services.NotAllowed:
        abort(404)
    except services.PlanningError as error:
        return _death_page(target, form.values(), error.errors, 400)
    return redirect(url_for("plans.start", klart="dodsfall"), code=303)


# --- The work list ---------------------------------------------------------------------------


@bp.get("/arbetslista")
@listing("staff")
def worklist() -> Response:
    actor, moment = current_actor(), now()
    items = work_list(get_session(), actor, moment, zone(), HANDOVER_ROLES)
    pending_list(actor, items.patient_ids(), "work_list", moment)
    return _page("planning/worklist.html", items=items, request_kinds=REQUEST_KINDS)
