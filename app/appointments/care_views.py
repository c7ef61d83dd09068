"""Care's side of times: offer one or several from a plan, see a time with the patient's
answer, change it, cancel it, mark the answer handled. Staff on the plan's team only (the
gate's EDIT_PLANS); everyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from werkzeug.wrappers import Response

from app.access.actor import current_actor
from app.access.gate import Target, gate
from app.access.policy import Action
from app.appointments import care, queries
from app.appointments.forms import (
    ERRORS,
    MODE_LABELS,
    CareCancelForm,
    ChangeForm,
    HandledForm,
    OfferForm,
    moment_in,
)
from app.appointments.models import AppointmentMode
from app.appointments.services import AppointmentError, NotAllowed
from app.clock import local_date, now, zone
from app.db import get_session
from app.extensions import limit_writes
from app.plans import presenting
from app.plans.models import PlanStatus
from app.web.converters import identifier
from app.web.forms import Form
from app.web.templating import render

bp = limit_writes(Blueprint("appointment_care", __name__))
EDIT = Action.EDIT_PLANS
RECENT = timedelta(days=30)


def _details(form: Any) -> care.Details:
    return care.Details(
        mode=form.mode.data,
        duration_minutes=form.duration.data,
        purpose=form.purpose.data,
        location=form.location.data,
        meeting_url=form.meeting_url.data,
        attendees=form.attendees.data,
        interpreter_booked=bool(form.interpreter.data),
        preparation=form.preparation.data,
    )


def _offer_page(
    target: Target,
    form: OfferForm,
    errors: dict[str, str] | None = None,
    replaces: queries.AppointmentView | None = None,
) -> Response:
    header = queries.plan_line(get_session(), target.plan_id or 0)
    values = form.values()
    values.pop("slots", None)
    response = render(
        "appointments/offer.html",
        plan=header,
        form=values,
        slots=form.slot_values(),
        errors=errors or {},
        modes=MODE_LABELS,
        replaces=replaces,
    )
    if errors:
        response.status_code = 400
    return response


def _answered(target: Target, replaces_id: int | None) -> queries.AppointmentView | None:
    """The time whose answer an offer handles: on this plan, or nothing."""
    if replaces_id is None:
        return None
    found = queries.maybe(get_session(), replaces_id)
    if found is None or found.plan_id != target.plan_id:
        abort(404)
    return found


@bp.get("/plan/<int:plan_id>/tider")
@gate(EDIT, on="care_plan", shows="appointments")
def plan_times(plan_id: int, target: Target) -> Response:
    """The plan's times for care: the coming ones and the last month's, with the answers."""
    db = get_session()
    return render(
        "appointments/plan_times.html",
        plan=queries.plan_line(db, plan_id),
        appointments=queries.of_plan(db, plan_id, now() - RECENT),
        active=target.plan_status == PlanStatus.ACTIVE,
    )


@bp.get("/plan/<int:plan_id>/tider/ny")
@gate(EDIT, on="care_plan")
def offer_form(plan_id: int, target: Target) -> Response:
    form = OfferForm(formdata=None)
    replaces = _answered(target, identifier(request.args.get("ersatter")))
    if replaces is not None:
        form.replaces.data = replaces.id
        form.purpose.data = replaces.purpose
        form.mode.data = AppointmentMode(replaces.mode)
        form.duration.data = replaces.duration_minutes
        form.location.data = replaces.location
        form.meeting_url.data = replaces.meeting_url
        form.attendees.data = replaces.attendees
        form.interpreter.data = replaces.interpreter_booked
        form.preparation.data = replaces.preparation
    else:
        form.mode.data = AppointmentMode.VISIT
    return _offer_page(target, form, replaces=replaces)


@bp.post("/plan/<int:plan_id>/tider/ny")
@gate(EDIT, on="care_plan")
def offer(plan_id: int, target: Target) -> Response:
    form = OfferForm()
    replaces = _answered(target, form.replaces.data)
    form.validate()
    starts, errors = form.moments(zone())
    if errors:
        return _offer_page(target, form, errors, replaces)
    try:
        made = care.offer(
            get_session(),
            current_actor(),
            plan_id,
            _details(form),
            starts,
            now(),
            replaces.id if replaces else None,
        )
    except NotAllowed:
        abort(404)
    except AppointmentError as error:
        return _offer_page(target, form, {error.field: str(ERRORS[error.code])}, replaces)
    return redirect(
        url_for("appointments.detail", appointment_id=made[0].id, klart="tid-erbjuden"), code=303
    )


def care_page(
    target: Target, forms: dict[str, Form] | None = None, errors: dict[str, str] | None = None
) -> Response:
    """A time as care sees it: what was offered, the patient's answer and what to do next."""
    db, moment = get_session(), now()
    appointment = queries.appointment(db, target.object_id or 0)
    header = queries.plan_line(db, appointment.plan_id) if appointment.plan_id else None
    values: dict[str, Any] = {}
    for form in (forms or {}).values():
        values.update(form.values())
    response = render(
        "appointments/care.html",
        appointment=appointment,
        alternatives=queries.alternatives(db, appointment, moment),
        plan=header,
        status=presenting.APPOINTMENT_STATUS_FOR_CARE[appointment.status],
        open=appointment.is_open(moment),
        may_edit=target.may(EDIT),
        overdue=appointment.due_on is not None and appointment.due_on < local_date(moment),
        form=values,
        errors=errors or {},
    )
    if errors:
        response.status_code = 400
    return response


def _change_page(target: Target, form: ChangeForm, errors: dict[str, str]) -> Response:
    appointment = queries.appointment(get_session(), target.object_id or 0)
    response = render(
        "appointments/change.html",
        appointment=appointment,
        form=form.values(),
        errors=errors,
        modes=MODE_LABELS,
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/tider/<int:appointment_id>/andra")
@gate(EDIT, on="appointment")
def change_form(appointment_id: int, target: Target) -> Response:
    appointment = queries.appointment(get_session(), appointment_id)
    if not appointment.is_open(now()):
        abort(404)  # nothing left to change: the page would offer nothing
    form = ChangeForm(formdata=None)
    local = appointment.starts_at.astimezone(zone())
    form.day.data = local.date()
    form.clock.data = local.time()
    form.mode.data = AppointmentMode(appointment.mode)
    form.duration.data = appointment.duration_minutes
    form.purpose.data = appointment.purpose
    form.location.data = appointment.location
    form.meeting_url.data = appointment.meeting_url
    form.attendees.data = appointment.attendees
    form.interpreter.data = appointment.interpreter_booked
    form.preparation.data = appointment.preparation
    form.note.data = appointment.care_note
    return _change_page(target, form, {})


@bp.post("/tider/<int:appointment_id>/andra")
@gate(EDIT, on="appointment")
def change(appointment_id: int, target: Target) -> Response:
    form = ChangeForm()
    if not form.validate():
        return _change_page(target, form, form.messages())
    found = moment_in(zone(), form.day.data, form.clock.data)
    if found is None or isinstance(found, str):
        return _change_page(target, form, {"day": str(ERRORS[found or "slot_half"])})
    try:
        care.change(
            get_session(),
            current_actor(),
            appointment_id,
            _details(form),
            found,
            form.note.data,
            now(),
        )
    except NotAllowed:
        abort(404)
    except AppointmentError as error:
        field = "day" if error.field.startswith("slots") else error.field
        return _change_page(target, form, {field: str(ERRORS[error.code])})
    return redirect(
        url_for("appointments.detail", appointment_id=appointment_id, klart="tid-andrad"), code=303
    )


def _act(target: Target, form: Form, work: Callable[[], Any], done: str) -> Response:
    if not form.validate():
        return care_page(target, {"form": form}, form.messages())
    try:
        work()
    except NotAllowed:
        abort(404)
    except AppointmentError as error:
        return care_page(target, {"form": form}, {error.field: str(ERRORS[error.code])})
    return redirect(
        url_for("appointments.detail", appointment_id=target.object_id, klart=done), code=303
    )


@bp.post("/tider/<int:appointment_id>/vard-avbokar")
@gate(EDIT, on="appointment")
def cancel(appointment_id: int, target: Target) -> Response:
    form = CareCancelForm()
    return _act(
        target,
        form,
        lambda: care.cancel(
            get_session(), current_actor(), appointment_id, form.reason.data, now()
        ),
        "tid-avbokad-av-varden",
    )


@bp.post("/tider/<int:appointment_id>/hanterad")
@gate(EDIT, on="appointment")
def handled(appointment_id: int, target: Target) -> Response:
    return _act(
        target,
        HandledForm(),
        lambda: care.handle(get_session(), current_actor(), appointment_id, now()),
        "tid-hanterad",
    )
