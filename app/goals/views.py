"""Propose a goal, say how it is going, and (care) decide on a proposed goal."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, redirect, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers.response import Response

from app.access.gate import Target, gate
from app.access.policy import Action
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.goals import services
from app.goals.forms import DecideForm, ProgressForm, ProposeForm
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


def _plan(target: Target) -> CarePlan:
    """The plan the gate let the actor into."""
    return get_session().scalars(select(CarePlan).where(CarePlan.id == target.plan_id)).one()


def _item(kind: str, item_id: int) -> Goal | Activity:
    """The goal or activity the gate let the actor into."""
    db = get_session()
    if kind == "mal":
        return db.scalars(select(Goal).where(Goal.id == item_id)).one()
    return db.scalars(select(Activity).where(Activity.id == item_id)).one()


def _propose_page(target: Target, form: ProposeForm, status: int = 200) -> Response:
    response = render(
        "goals/propose.html", plan=_plan(target), form=form.values(), errors=form.messages()
    )
    response.status_code = status
    return response


@bp.get("/plan/<int:plan_id>/mal")
@gate(Action.ANSWER_FOR, on="care_plan")
def propose_form(plan_id: int, target: Target) -> Response:
    return _propose_page(target, ProposeForm(formdata=None))


@bp.post("/plan/<int:plan_id>/mal")
@gate(Action.ANSWER_FOR, on="care_plan")
def propose(plan_id: int, target: Target) -> Response:
    form = ProposeForm()
    if not form.validate():
        return _propose_page(target, form, 400)
    try:
        services.propose_goal(
            get_session(), target.actor, plan_id, form.goal.data or "", form.target.data, now()
        )
    except services.NotAllowed:
        abort(404)
    except services.GoalError as error:
        form.fail(error.field, ERRORS[error.code])
        return _propose_page(target, form, 400)
    return redirect(url_for("plans.plan", plan_id=plan_id, klart="mal-forslag"), code=303)


def _progress_page(
    kind: str,
    item: Goal | Activity,
    form: Mapping[str, object],
    errors: dict[str, str],
    status: int,
) -> Response:
    response = render(
        "goals/progress.html", kind=kind, item=item, form=form, errors=errors, states=STATES
    )
    response.status_code = status
    return response


@bp.get("/<any(mal, insats):kind>/<int:item_id>/lage")
@gate(Action.ANSWER_FOR, on="item")
def progress_form(kind: str, item_id: int, target: Target) -> Response:
    item = _item(kind, item_id)
    shown = {"state": item.progress_state or "", "note": item.progress_note or ""}
    return _progress_page(kind, item, shown, {}, 200)


@bp.post("/<any(mal, insats):kind>/<int:item_id>/lage")
@gate(Action.ANSWER_FOR, on="item")
def progress(kind: str, item_id: int, target: Target) -> Response:
    form = ProgressForm()
    try:
        item = services.report_progress(
            get_session(),
            target.actor,
            "goal" if kind == "mal" else "activity",
            item_id,
            form.state.data or "",
            form.note.data or "",
            now(),
        )
    except services.NotAllowed:
        abort(404)
    except services.GoalError as error:
        errors = {error.field: str(ERRORS[error.code])}
        return _progress_page(kind, _item(kind, item_id), form.values(), errors, 400)
    return redirect(url_for("plans.plan", plan_id=item.plan_id, klart="lage"), code=303)


@bp.post("/mal/<int:goal_id>/beslut")
@gate(Action.EDIT_PLANS, on="goal")
def decide(goal_id: int, target: Target) -> Response:
    form = DecideForm()
    try:
        goal = services.decide_goal(
            get_session(),
            target.actor,
            goal_id,
            form.decision.data or "",
            form.text.data or "",
            form.reason.data or "",
            now(),
        )
    except services.NotAllowed:
        abort(404)
    except services.GoalError as error:
        response = render(
            "goals/decide.html",
            goal=_item("mal", goal_id),
            form=form.values(),
            errors={error.field: str(ERRORS[error.code])},
        )
        response.status_code = 400
        return response
    return redirect(url_for("plans.plan", plan_id=goal.plan_id, klart="mal-beslut"), code=303)
