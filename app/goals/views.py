"""Propose a goal, say how it is going, and (care) decide on a proposed goal."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from app.access.actor import current_actor
from app.access.policy import Action, plan_clause
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.goals import services
from app.goals.models import Activity, Goal
from app.plans.models import CarePlan
from app.web.templating import render

bp = limit_writes(Blueprint("goals", __name__))

ERRORS = {
    "empty": _l("Skriv målet med dina egna ord."),
    "too_long": _l("Texten är för lång."),
    "past": _l("Datumet har redan varit. Välj ett datum framåt i tiden."),
    "reason": _l("Skriv varför målet inte kommer med, så att patienten förstår."),
    "decision": _l("Välj ett beslut."),
    "state": _l("Välj hur det går."),
}
STATES = {"done": _l("Gjort"), "not_yet": _l("Inte än"), "hard": _l("Svårt")}


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _plan_or_404(plan_id: int, action: Action) -> CarePlan:
    plan = (
        get_session()
        .scalars(
            select(CarePlan).where(
                CarePlan.id == plan_id, plan_clause(current_actor(), action, now())
            )
        )
        .first()
    )
    if plan is None:
        abort(404)
    return plan


def _propose_page(
    plan: CarePlan, form: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    response = render("goals/propose.html", plan=plan, form=form, errors=errors)
    response.status_code = status
    return response


@bp.get("/plan/<int:plan_id>/mal")
@login_required
def propose_form(plan_id: int) -> Response:
    if current_actor().person is None:
        abort(404)
    return _propose_page(_plan_or_404(plan_id, Action.ANSWER_FOR), {}, {})


@bp.post("/plan/<int:plan_id>/mal")
@login_required
def propose(plan_id: int) -> Response:
    db = get_session()
    form = {"goal": request.form.get("goal", ""), "target": request.form.get("target", "")}
    target = _date(form["target"])
    try:
        if form["target"] and target is None:
            raise services.GoalError("target", "past")
        services.propose_goal(db, current_actor(), plan_id, form["goal"], target, now())
    except services.NotAllowed:
        abort(404)
    except services.GoalError as error:
        db.rollback()
        return _propose_page(
            _plan_or_404(plan_id, Action.ANSWER_FOR),
            form,
            {error.field: str(ERRORS[error.code])},
            400,
        )
    db.commit()
    return redirect(url_for("plans.plan", plan_id=plan_id, _anchor="goals-heading"), code=303)


def _item(kind: str, item_id: int) -> Goal | Activity:
    item = get_session().get(Goal if kind == "mal" else Activity, item_id)
    if item is None:
        abort(404)
    _plan_or_404(item.plan_id, Action.ANSWER_FOR)
    return item


def _progress_page(
    kind: str,
    item: Goal | Activity,
    form: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    response = render(
        "goals/progress.html", kind=kind, item=item, form=form, errors=errors, states=STATES
    )
    response.status_code = status
    return response


@bp.get("/<any(mal, insats):kind>/<int:item_id>/lage")
@login_required
def progress_form(kind: str, item_id: int) -> Response:
    if current_actor().person is None:
        abort(404)
    item = _item(kind, item_id)
    return _progress_page(
        kind, item, {"state": item.progress_state or "", "note": item.progress_note or ""}, {}
    )


@bp.post("/<any(mal, insats):kind>/<int:item_id>/lage")
@login_required
def progress(kind: str, item_id: int) -> Response:
    db = get_session()
    form = {"state": request.form.get("state", ""), "note": request.form.get("note", "")}
    try:
        item = services.report_progress(
            db,
            current_actor(),
            "goal" if kind == "mal" else "activity",
            item_id,
            form["state"],
            form["note"],
            now(),
        )
    except services.NotAllowed:
        abort(404)
    except services.GoalError as error:
        db.rollback()
        return _progress_page(
            kind, _item(kind, item_id), form, {error.field: str(ERRORS[error.code])}, 400
        )
    db.commit()
    return redirect(url_for("plans.plan", plan_id=item.plan_id, _anchor="goals-heading"), code=303)


@bp.post("/mal/<int:goal_id>/beslut")
@login_required
def decide(goal_id: int) -> Response:
    db = get_session()
    form = {name: request.form.get(name, "") for name in ("decision", "text", "reason")}
    try:
        goal = services.decide_goal(
            db, current_actor(), goal_id, form["decision"], form["text"], form["reason"], now()
        )
    except services.NotAllowed:
        abort(404)
    except services.GoalError as error:
        db.rollback()
        goal = db.get(Goal, goal_id)
        response = render(
            "goals/decide.html", goal=goal, form=form, errors={error.field: str(ERRORS[error.code])}
        )
        response.status_code = 400
        return response
    db.commit()
    return redirect(url_for("plans.plan", plan_id=goal.plan_id, _anchor="goals-heading"), code=303)
