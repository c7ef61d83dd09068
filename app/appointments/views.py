"""The patient's agreed and proposed appointments: accept, ask for another time, cancel, .ics."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.access import subject
from app.access.actor import current_actor
from app.access.policy import Action, may
from app.accounts.models import Person
from app.appointments import services
from app.appointments.models import AppointmentStatus
from app.audit.services import record_access
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.web.templating import render

bp = limit_writes(Blueprint("appointments", __name__))
ERRORS = {
    "closed": _l("Tiden går inte längre att ändra. Kontakta mottagningen."),
    "note_empty": _l("Skriv vilka tider som passar dig bättre."),
    "reason_empty": _l("Skriv varför du avbokar, så att vården kan hjälpa dig vidare."),
    "too_long": _l("Texten är för lång. Den får vara högst 1 000 tecken."),
    "past": _l("Datumet har redan varit. Välj ett datum framåt i tiden."),
}


@bp.get("/tider")
@login_required
def listing() -> Response:
    actor = current_actor()
    if actor.person is None:
        abort(404)
    db, moment = get_session(), now()
    patient = db.get(Person, subject.subject_id(actor))
    if patient is None or not may(db, actor, Action.APPOINTMENTS, patient.id, moment):
        abort(404)
    rows = services.upcoming(db, actor, patient.id, moment)
    record_access(db, actor, patient.id, "read", "appointments", None, moment)
    db.commit()
    own = patient.id == actor.person.id
    return render("appointments/list.html", rows=rows, own=own, acting_for=None if own else patient)


def _detail(
    appointment_id: int,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    actor, db, moment = current_actor(), get_session(), now()
    try:
        appointment = services.appointment_for(db, actor, appointment_id, moment)
    except services.NotAllowed:
        abort(404)
    own = actor.person is not None and actor.person.id == appointment.patient_id
    response = render(
        "appointments/detail.html",
        appointment=appointment,
        form=form or {},
        errors=errors or {},
        open=appointment.status in services.OPEN and appointment.starts_at >= moment,
        accepted=AppointmentStatus.ACCEPTED,
        own=own,
        today=moment.date(),
    )
    response.status_code = status
    return response


@bp.get("/tider/<int:appointment_id>")
@login_required
def detail(appointment_id: int) -> Response:
    return _detail(appointment_id)


def _act(appointment_id: int, work) -> Response:  # noqa: ANN001 - a service call
    db = get_session()
    form = {name: request.form.get(name, "") for name in ("note", "wished", "reason")}
    try:
        work(db, form)
    except services.NotAllowed:
        abort(404)
    except services.AppointmentError as error:
        db.rollback()
        return _detail(appointment_id, form, {error.field: str(ERRORS[error.code])}, 400)
    db.commit()
    return redirect(url_for("appointments.detail", appointment_id=appointment_id), code=303)


@bp.post("/tider/<int:appointment_id>/ja")
@login_required
def accept(appointment_id: int) -> Response:
    return _act(
        appointment_id, lambda db, form: services.accept(db, current_actor(), appointment_id, now())
    )


@bp.post("/tider/<int:appointment_id>/annan-tid")
@login_required
def another(appointment_id: int) -> Response:
    def work(db, form) -> None:  # noqa: ANN001
        wished = None
        if form["wished"]:
            try:
                wished = date.fromisoformat(form["wished"])
            except ValueError as error:
                raise services.AppointmentError("wished", "past") from error
        services.ask_for_another(db, current_actor(), appointment_id, form["note"], wished, now())

    return _act(appointment_id, work)


@bp.post("/tider/<int:appointment_id>/avboka")
@login_required
def cancel(appointment_id: int) -> Response:
    return _act(
        appointment_id,
        lambda db, form: services.cancel(
            db, current_actor(), appointment_id, form["reason"], now()
        ),
    )


@bp.get("/tider/<int:appointment_id>.ics")
@login_required
def calendar_file(appointment_id: int) -> Response:
    actor, db, moment = current_actor(), get_session(), now()
    try:
        appointment = services.appointment_for(db, actor, appointment_id, moment)
    except services.NotAllowed:
        abort(404)
    if appointment.status != AppointmentStatus.ACCEPTED:
        abort(404)
    record_access(
        db, actor, appointment.patient_id, "export", "appointment", appointment.id, moment
    )
    db.commit()
    response = Response(services.as_ics(appointment, "-//Samplan//SV"), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="tid-{appointment.id}.ics"'
    return response
