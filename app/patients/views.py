"""Staff find a patient by personal number, state their care relationship, and start a plan."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from app.access.actor import current_actor
from app.access.gate import listing
from app.access.refusals import refuse
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.patients import services
from app.patients.forms import StatementForm
from app.patients.models import RelationshipReason

bp = limit_writes(Blueprint("patients", __name__))

REASON_NAMES = {
    RelationshipReason.VISIT: _l("Personen har ett besök eller en kontakt hos oss"),
    RelationshipReason.REFERRAL: _l("Vi har fått en remiss"),
    RelationshipReason.ADMISSION: _l("Personen är inskriven hos oss"),
    RelationshipReason.REQUEST: _l("Personen har bett oss om en plan"),
    RelationshipReason.OTHER: _l("Annat"),
}


def _page(form: StatementForm, errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    return render_template(
        "patients/new.html",
        values=form.values(),
        errors=errors,
        reasons=list(RelationshipReason),
        reason_names=REASON_NAMES,
    ), status


@bp.get("/patienter/ny")
@listing("staff", patient_data=False)
def new_patient_form() -> Any:
    if not services.may_state(current_actor()):
        refuse(current_actor())
    return _page(StatementForm(formdata=None), {})


@bp.post("/patienter/ny")
@listing("staff")
def state_relationship() -> Any:
    actor = current_actor()
    if not services.may_state(actor):
        refuse(actor)
    form = StatementForm()
    if not form.validate():
        return _page(form, form.messages(), 400)
    statement = services.Statement(
        personal_number=form.personal_number.data,
        given_name=form.given_name.data,
        family_name=form.family_name.data,
        reason=RelationshipReason(form.reason.data),
        note=form.note.data,
    )
    try:
        patient = services.state_relationship(get_session(), actor, statement, now())
    except services.NotCare:
        abort(404)
    return redirect(url_for("planning.new_plan_form", patient_id=patient.id), code=303)
