"""Vad är viktigt för mig? A guided form: one question per page, each saved as you go."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers.response import Response

from app.access.gate import Target, gate
from app.access.policy import Action
from app.accounts.models import Person
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.web.templating import render
from app.whatmatters import services
from app.whatmatters.forms import AnswerForm
from app.whatmatters.models import WHAT_MATTERS_FIELDS

bp = limit_writes(Blueprint("whatmatters", __name__))

# The headings of seed 000, each with a plain example.
QUESTIONS = {
    "what_matters": (
        _l("Vad är viktigt för dig?"),
        _l("Till exempel: att få bo kvar hemma, att orka vara med barnbarnen."),
    ),
    "expectations": (
        _l("Vad förväntar du dig av vården?"),
        _l("Till exempel: att någon ringer mig efter provsvaren."),
    ),
    "relatives": (
        _l("Hur vill du att dina närstående är med?"),
        _l("Till exempel: min dotter Anna får gärna vara med på besöken."),
    ),
    "treatment_wishes": (
        _l("Har du önskemål om din behandling?"),
        _l("Till exempel: jag vill helst slippa åka till sjukhuset."),
    ),
    "visit_wishes": (
        _l("När passar det dig att träffa vården?"),
        _l("Till exempel: förmiddagar, inte på tisdagar."),
    ),
    "resources_physical": (
        _l("Vad klarar du bra med kroppen?"),
        _l("Till exempel: jag går en promenad varje dag."),
    ),
    "resources_psychological": (
        _l("Vad ger dig kraft och lugn?"),
        _l("Till exempel: korsord och radio på morgonen."),
    ),
    "resources_existential": (
        _l("Vad ger ditt liv mening?"),
        _l("Till exempel: min tro, naturen, mina minnen."),
    ),
    "resources_social": (
        _l("Vilka människor finns runt dig?"),
        _l("Till exempel: grannen Sven, kören, min dotter."),
    ),
}
ERRORS = {"too_long": _l("Svaret är för långt. Det får vara högst 2 000 tecken.")}


def _patient(target: Target) -> Person:
    return get_session().scalars(select(Person).where(Person.id == target.patient_id)).one()


@bp.get("/viktigt")
@gate(Action.READ_OVERVIEW, on="subject", shows="what_matters")
def overview(target: Target) -> Response:
    patient = _patient(target)
    answers = services.latest(get_session(), patient.id)
    return render(
        "whatmatters/overview.html",
        answers=answers,
        questions=QUESTIONS,
        fields=WHAT_MATTERS_FIELDS,
        patient=patient,
        own=target.own,
        acting_for=None if target.own else patient,
        can_answer=target.may(Action.ANSWER_FOR),
    )


def _answering(target: Target, step: int) -> Person:
    """The patient whose answers these are, if the actor may answer for them (else 404)."""
    if not 0 <= step < len(WHAT_MATTERS_FIELDS) or not target.may(Action.ANSWER_FOR):
        abort(404)
    return _patient(target)


def _step_page(
    target: Target, step: int, form: AnswerForm | None = None, status: int = 200
) -> Response:
    patient = _answering(target, step)
    field = WHAT_MATTERS_FIELDS[step]
    answers = services.latest(get_session(), patient.id)
    error = form.messages().get("answer") if form is not None else None
    response = render(
        "whatmatters/step.html",
        step=step,
        steps=len(WHAT_MATTERS_FIELDS),
        field=field,
        question=QUESTIONS[field],
        text=form.answer.data if form is not None else (getattr(answers, field) if answers else ""),
        error=error,
        patient=patient,
        own=target.own,
        acting_for=None if target.own else patient,
        saved=request.args.get("sparat") == "1",
    )
    response.status_code = status
    return response


# A proxy without the answer-for scope reads the answers but never reaches the questions: the
# gate lets them in as readers and the page refuses them (without sending them to their own).
@bp.get("/viktigt/<int:step>")
@gate(Action.READ_OVERVIEW, on="subject", shows="what_matters")
def step(step: int, target: Target) -> Response:
    return _step_page(target, step)


def _autosaved(form: AnswerForm, status: int) -> Response:
    """What the status line under the answer says after saving while typing."""
    response = render("whatmatters/_saved.html", errors=form.messages(), moment=now())
    response.status_code = status
    return response


@bp.post("/viktigt/<int:step>")
@gate(Action.READ_OVERVIEW, on="subject")
def save(step: int, target: Target) -> Response:
    patient = _answering(target, step)
    form = AnswerForm()
    autosave = bool(request.headers.get("HX-Request") and form.autosave.data)
    if not form.validate():
        return _autosaved(form, 400) if autosave else _step_page(target, step, form, 400)
    try:
        services.save_answer(
            get_session(),
            target.actor,
            patient.id,
            WHAT_MATTERS_FIELDS[step],
            form.answer.data or "",
            now(),
        )
    except services.NotAllowed:
        abort(404)
    except services.AnswerError as error:
        form.fail("answer", ERRORS[error.code])
        return _autosaved(form, 400) if autosave else _step_page(target, step, form, 400)
    if autosave:
        return _autosaved(form, 200)  # saved while typing: stay on the page, and say so
    if form.go.data == "back" and step > 0:
        return redirect(url_for("whatmatters.step", step=step - 1), code=303)
    if step + 1 < len(WHAT_MATTERS_FIELDS):
        return redirect(url_for("whatmatters.step", step=step + 1), code=303)
    return redirect(url_for("whatmatters.overview", sparat=1), code=303)
