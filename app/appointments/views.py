"""The patient's agreed and proposed appointments: accept, ask for another time, cancel, .ics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, redirect, url_for
from werkzeug.wrappers import Response

from app.access import subject
from app.access.actor import current_actor
from app.access.gate import Target, authorise, gate, listing
from app.access.policy import Action
from app.access.scope import outside_scope
from app.appointments import queries, services
from app.appointments.care_views import care_page
from app.appointments.forms import ERRORS, AcceptForm, AnotherTimeForm, CancelForm
from app.clock import now, zone
from app.db import get_session
from app.extensions import limit_writes
from app.web.forms import Form
from app.web.templating import render

bp = limit_writes(Blueprint("appointments", __name__))


@bp.get("/tider", endpoint="listing")
@listing("person")
def listing_page() -> Response:
    """The chosen patient's coming times (their own, or those of someone they act for; 404 when
    the choice no longer allows it, rather than another person's page)."""
    actor = current_actor()
    explained = outside_scope(actor, Action.APPOINTMENTS)
    if explained is not None:
        return explained
    target = authorise(
        Action.APPOINTMENTS,
        "patient",
        {"patient_id": subject.subject_id(actor)},
        shows="appointments",
    )
    page = queries.upcoming(get_session(), target.patient_id, now())
    return render(
        "appointments/list.html",
        rows=page.appointments,
        own=target.own,
        acting_for=None if target.own else page.patient,
    )


def _detail(
    target: Target, form: Form | None = None, errors: dict[str, str] | None = None
) -> Response:
    if target.actor.is_staff:
        abort(404)  # staff handle appointments from the care side, not through these answers
    moment, db = now(), get_session()
    appointment = queries.appointment(db, target.object_id or 0)
    response = render(
        "appointments/detail.html",
        appointment=appointment,
        alternatives=queries.alternatives(db, appointment, moment),
        form=form.values() if form else {},
        errors=errors or {},
        open=appointment.is_open(moment),
        own=target.own,
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/tider/<int:appointment_id>")
@gate(Action.APPOINTMENTS, on="appointment")
def detail(appointment_id: int, target: Target) -> Response:
    """The patient's page of a time, to answer; care's page of it, to act on the answer."""
    if target.actor.is_staff:
        return care_page(target)
    return _detail(target)


def _answer(target: Target, form: Form, work: Callable[[], Any], done: str) -> Response:
    """Validate, run the service, and go back to the appointment (or show what was wrong)."""
    if target.actor.is_staff:
        abort(404)
    if not form.validate():
        return _detail(target, form, form.messages())
    try:
        work()
    except services.NotAllowed:
        abort(404)
    except services.AppointmentError as error:
        return _detail(target, form, {**form.messages(), error.field: str(ERRORS[error.code])})
    return redirect(
        url_for("appointments.detail", appointment_id=target.object_id, klart=done), code=303
    )


@bp.post("/tider/<int:appointment_id>/ja")
@gate(Action.APPOINTMENTS, on="appointment")
def accept(appointment_id: int, target: Target) -> Response:
    return _answer(
        target,
        AcceptForm(),
        lambda: services.accept(get_session(), current_actor(), appointment_id, now()),
        "tid-ja",
    )


@bp.post("/tider/<int:appointment_id>/annan-tid")
@gate(Action.APPOINTMENTS, on="appointment")
def another(appointment_id: int, target: Target) -> Response:
    form = AnotherTimeForm()
    return _answer(
        target,
        form,
        lambda: services.ask_for_another(
            get_session(), current_actor(), appointment_id, form.note.data, form.wished.data, now()
        ),
        "annan-tid",
    )


@bp.post("/tider/<int:appointment_id>/avboka")
@gate(Action.APPOINTMENTS, on="appointment")
def cancel(appointment_id: int, target: Target) -> Response:
    form = CancelForm()
    return _answer(
        target,
        form,
        lambda: services.cancel(
            get_session(), current_actor(), appointment_id, form.reason.data, now()
        ),
        "avbokad",
    )


@bp.get("/tider/<int:appointment_id>.ics")
@gate(Action.APPOINTMENTS, on="appointment", log="export")
def calendar_file(appointment_id: int, target: Target) -> Response:
    if target.actor.is_staff:
        abort(404)
    ics = services.calendar_for(get_session(), appointment_id, zone())
    if ics is None:
        abort(404)  # only an agreed time goes into a calendar (and nothing was shown)
    response = Response(ics, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="tid-{appointment_id}.ics"'
    return response
