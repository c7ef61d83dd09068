"""The care team's workspace: new plans, the editor, publishing, handovers, closing, recording a
death, and the work list. Staff only; everyone else gets 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers.response import Response

from app.access.actor import Actor, current_actor
from app.audit.services import record_accesses
from app.clock import now, zone
from app.db import get_session
from app.extensions import limit_writes
from app.planning import handovers, services
from app.planning.drafts import (
    EDITABLE_ACTIVITY_STATUSES,
    EDITABLE_GOAL_STATUSES,
    TEAM_ROLES,
    compare,
)
from app.planning.templates import SECTION_HEADINGS
from app.planning.worklist import work_list
from app.plans import presenting
from app.plans.models import (
    CarePlan,
    CloseReason,
    HandoverRole,
    PlanKind,
    PlanStatus,
    TeamRole,
)
from app.web.templating import render

bp = limit_writes(Blueprint("planning", __name__))

CONFLICT_ON_PUBLISH = _l(
    "Någon annan har ändrat planen medan du granskade den. Läs ändringarna nedan och försök igen."
)
HANDOVER_ROLES = {
    HandoverRole.CARE_CONTACT: _l("Fast vårdkontakt"),
    HandoverRole.COORDINATION: _l("Samordningen av planen"),
}


def _staff() -> Actor:
    actor = current_actor()
    if not actor.is_staff:
        abort(404)
    return actor


def _plan(plan_id: int) -> CarePlan:
    try:
        return services.plan_to_edit(get_session(), _staff(), plan_id, now())
    except services.NotAllowed:
        abort(404)


def _seen_version() -> int:
    value = request.form.get("version", "")
    return int(value) if value.isdigit() else -1


def _page(template: str, status: int = 200, **context: Any) -> Response:
    response = render(template, presenting=presenting, **context)
    response.status_code = status
    return response


# --- A new plan ------------------------------------------------------------------------------


@bp.get("/patient/<int:patient_id>/ny-plan")
@login_required
def new_plan_form(patient_id: int) -> Response:
    try:
        patient = services.patient_for_care(get_session(), _staff(), patient_id, now())
    except services.NotAllowed:
        abort(404)
    return _page("planning/new.html", patient=patient, kinds=list(PlanKind), errors={})


@bp.post("/patient/<int:patient_id>/ny-plan")
@login_required
def create_plan(patient_id: int) -> Response:
    db, actor = get_session(), _staff()
    try:
        plan = services.create_plan(db, actor, patient_id, request.form.get("kind", ""), now())
    except services.NotAllowed:
        abort(404)
    except services.PlanningError as error:
        db.rollback()
        patient = services.patient_for_care(db, actor, patient_id, now())
        return _page(
            "planning/new.html", 400, patient=patient, kinds=list(PlanKind), errors=error.errors
        )
    db.commit()
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
    today = now().astimezone(zone()).date()
    candidates = services.team_candidates(db, actor, plan)
    names = {p.id: p for p in candidates}
    for member in plan.team:
        if member.practitioner is not None:
            names[member.practitioner.id] = member.practitioner
    missing = {m["practitioner_id"] for m in doc["team"]} - set(names)
    if missing:
        from sqlalchemy import select

        from app.accounts.models import Practitioner

        for person in db.scalars(select(Practitioner).where(Practitioner.id.in_(missing))):
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
@login_required
def edit(plan_id: int) -> Response:
    plan = _plan(plan_id)
    today = now().astimezone(zone()).date()
    return _editor(plan, services.working_doc(plan, today), {})


@bp.post("/plan/<int:plan_id>/redigera")
@login_required
def save(plan_id: int) -> Response:
    db, actor, moment = get_session(), _staff(), now()
    plan = _plan(plan_id)
    today = moment.astimezone(zone()).date()
    doc, errors = services.read_form(db, plan, request.form, today)
    if errors:
        return _editor(plan, doc, errors, 400, version=_seen_version())
    try:
        services.save_draft(db, actor, plan, doc, _seen_version(), moment)
        db.commit()
    except (services.Conflict, StaleDataError):
        return _conflict(plan_id, doc)
    if request.form.get("next") == "publish":
        return redirect(url_for("planning.publish_form", plan_id=plan.id), code=303)
    return redirect(url_for("planning.edit", plan_id=plan.id, sparat=1), code=303)


def _conflict(plan_id: int, mine: dict[str, Any]) -> Response:
    """Someone saved first: show what they saved beside what this person wrote, and keep this
    person's input in the form, now based on the newest version."""
    db = get_session()
    db.rollback()
    plan = _plan(plan_id)
    today = now().astimezone(zone()).date()
    theirs = services.working_doc(plan, today)
    return _editor(plan, mine, {}, 409, conflict=theirs)


@bp.post("/plan/<int:plan_id>/utkast/kasta")
@login_required
def discard(plan_id: int) -> Response:
    db, actor = get_session(), _staff()
    plan = _plan(plan_id)
    try:
        gone = services.discard_draft(db, actor, plan, _seen_version(), now())
        db.commit()
    except (services.Conflict, StaleDataError):
        db.rollback()
        return _conflict(plan_id, services.working_doc(plan, now().astimezone(zone()).date()))
    except services.PlanningError:
        db.rollback()
        gone = False
    if gone:
        return redirect(url_for("plans.start"), code=303)
    return redirect(url_for("plans.plan", plan_id=plan_id), code=303)


# --- Publishing ------------------------------------------------------------------------------


def _publish_page(plan: CarePlan, form: dict[str, str], errors: dict[str, str], status: int = 200):
    today = now().astimezone(zone()).date()
    lines = services.changes(get_session(), plan, today)
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
@login_required
def publish_form(plan_id: int) -> Response:
    plan = _plan(plan_id)
    today = now().astimezone(zone()).date()
    summary = "\n".join(services.changes(get_session(), plan, today))
    return _publish_page(plan, {"summary": summary}, {})


@bp.post("/plan/<int:plan_id>/publicera")
@login_required
def publish(plan_id: int) -> Response:
    db, actor = get_session(), _staff()
    plan = _plan(plan_id)
    form = {"summary": request.form.get("summary", ""), "followed_up": request.form.get("uppf", "")}
    try:
        services.publish(
            db, actor, plan, _seen_version(), form["summary"], bool(form["followed_up"]), now()
        )
        db.commit()
    except services.PlanningError as error:
        db.rollback()
        return _publish_page(_plan(plan_id), form, error.errors, 400)
    except (services.Conflict, StaleDataError):
        db.rollback()
        errors = {"version": str(CONFLICT_ON_PUBLISH)}
        return _publish_page(_plan(plan_id), form, errors, 409)
    return redirect(url_for("plans.plan", plan_id=plan_id, publicerad=1), code=303)


# --- Handovers -------------------------------------------------------------------------------


def _handover_page(plan: CarePlan, form: dict[str, str], errors: dict[str, str], status: int = 200):
    today = now().astimezone(zone()).date()
    actor = current_actor()
    assert actor.practitioner is not None  # noqa: S101 - _staff() checked
    return _page(
        "planning/handover.html",
        status,
        plan=plan,
        patient=plan.patient,
        roles=handovers.held_roles(plan, actor.practitioner.id, today),
        team=plan.current_team(today),
        form=form,
        errors=errors,
        role_names=HANDOVER_ROLES,
    )


@bp.get("/plan/<int:plan_id>/overlamning")
@login_required
def handover_form(plan_id: int) -> Response:
    plan = _plan(plan_id)
    if plan.status != PlanStatus.ACTIVE:
        abort(404)
    return _handover_page(plan, {}, {})


@bp.post("/plan/<int:plan_id>/overlamning")
@login_required
def offer_handover(plan_id: int) -> Response:
    db, actor = get_session(), _staff()
    plan = _plan(plan_id)
    form = {name: request.form.get(name, "") for name in ("role", "receiver", "hsa", "note")}
    receiver = form["hsa"].strip() if form["receiver"] == "hsa" else form["receiver"]
    try:
        handovers.offer(db, actor, plan, form["role"], receiver, form["note"], now())
    except services.NotAllowed:
        abort(404)
    except services.PlanningError as error:
        db.rollback()
        return _handover_page(_plan(plan_id), form, error.errors, 400)
    db.commit()
    return redirect(url_for("plans.plan", plan_id=plan_id, _anchor="team-heading"), code=303)


@bp.post("/overlamning/<int:handover_id>/bekrafta")
@login_required
def acknowledge(handover_id: int) -> Response:
    db = get_session()
    try:
        handover = handovers.acknowledge(db, _staff(), handover_id, now())
    except services.NotAllowed:
        db.commit()  # a handover whose sender no longer holds the role is closed
        abort(404)
    db.commit()
    return redirect(url_for("plans.plan", plan_id=handover.plan_id), code=303)


@bp.post("/overlamning/<int:handover_id>/aterkalla")
@login_required
def cancel_handover(handover_id: int) -> Response:
    db = get_session()
    try:
        handover = handovers.cancel(db, _staff(), handover_id, now())
    except services.NotAllowed:
        abort(404)
    db.commit()
    return redirect(url_for("plans.plan", plan_id=handover.plan_id), code=303)


# --- Closing a plan, recording a death ------------------------------------------------------

CLOSE_CHOICES = (CloseReason.GOALS_MET, CloseReason.NO_LONGER_NEEDED, CloseReason.CONSENT_WITHDRAWN)


def _close_page(plan: CarePlan, form: dict[str, str], errors: dict[str, str], status: int = 200):
    today = now().astimezone(zone()).date()
    coordinator = plan.coordinator(today)
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
            and coordinator.practitioner_id == actor.practitioner.id
        ),
        coordinator=coordinator,
        form=form,
        errors=errors,
    )


@bp.get("/plan/<int:plan_id>/avsluta")
@login_required
def close_form(plan_id: int) -> Response:
    plan = _plan(plan_id)
    return _close_page(plan, {}, {})


@bp.post("/plan/<int:plan_id>/avsluta")
@login_required
def close(plan_id: int) -> Response:
    db, actor = get_session(), _staff()
    plan = _plan(plan_id)
    form = {"reason": request.form.get("reason", "")}
    try:
        services.close_plan(db, actor, plan, form["reason"], _seen_version(), now())
        db.commit()
    except services.PlanningError as error:
        db.rollback()
        return _close_page(_plan(plan_id), form, error.errors, 400)
    except (services.Conflict, StaleDataError):
        db.rollback()
        return _close_page(_plan(plan_id), form, {"reason": str(CONFLICT_ON_PUBLISH)}, 409)
    return redirect(url_for("plans.start"), code=303)


def _death_page(patient: Any, form: dict[str, str], errors: dict[str, str], status: int = 200):
    return _page("planning/death.html", status, patient=patient, form=form, errors=errors)


@bp.get("/patient/<int:patient_id>/dodsfall")
@login_required
def death_form(patient_id: int) -> Response:
    try:
        patient = services.patient_for_care(get_session(), _staff(), patient_id, now())
    except services.NotAllowed:
        abort(404)
    return _death_page(patient, {}, {})


@bp.post("/patient/<int:patient_id>/dodsfall")
@login_required
def record_death(patient_id: int) -> Response:
    db, actor = get_session(), _staff()
    form = {"day": request.form.get("day", ""), "confirm": request.form.get("confirm", "")}
    try:
        services.record_death(db, actor, patient_id, form["day"], bool(form["confirm"]), now())
    except services.NotAllowed:
        abort(404)
    except services.PlanningError as error:
        db.rollback()
        patient = services.patient_for_care(db, actor, patient_id, now())
        return _death_page(patient, form, error.errors, 400)
    db.commit()
    return redirect(url_for("plans.start"), code=303)


# --- The work list ---------------------------------------------------------------------------


@bp.get("/arbetslista")
@login_required
def worklist() -> Response:
    actor = _staff()
    db, moment = get_session(), now()
    items = work_list(db, actor, moment)
    today = moment.astimezone(zone()).date()
    patients = {
        plan.patient_id
        for plan in items.follow_up + items.sip_overdue + items.no_contact + items.drafts
    } | {plan.patient_id for plan, _answer in items.unanswered}
    patients |= {handover.plan.patient_id for handover in items.to_acknowledge + items.sent}
    record_accesses(db, actor, sorted(patients), "read", "work_list", moment)
    db.commit()
    return _page(
        "planning/worklist.html",
        items=items,
        today=today,
        overdue=lambda h: handovers.is_overdue(h, today, zone()),
        role_names=HANDOVER_ROLES,
    )
