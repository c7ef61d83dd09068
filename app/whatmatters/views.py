"""Vad är viktigt för mig? A guided form: one question per page, each saved as you go."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.access import subject
from app.access.actor import Actor, current_actor
from app.access.policy import Action, may
from app.accounts.models import Person
from app.audit.services import record_access
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.web.templating import render
from app.whatmatters import services
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


def _patient(action: Action) -> tuple[Actor, Person]:
    actor = current_actor()
    if actor.person is None:
        abort(404)
    db = get_session()
    patient = db.get(Person, subject.subject_id(actor))
    if patient is None or not may(db, actor, action, patient.id, now()):
        abort(404)
    return actor, patient


@bp.get("/viktigt")
@login_required
def overview() -> Response:
    actor, patient = _patient(Action.READ_OVERVIEW)
    db = get_session()
    answers = services.latest(db, patient.id)
    record_access(db, actor, patient.id, "read", "what_matters", None, now())
    db.commit()
    own = patient.id == actor.person.id  # type: ignore[union-attr]
    return render(
        "whatmatters/overview.html",
        answers=answers,
        questions=QUESTIONS,
        fields=WHAT_MATTERS_FIELDS,
        patient=patient,
        own=own,
        acting_for=None if own else patient,
        can_answer=may(db, actor, Action.ANSWER_FOR, patient.id, now()),
    )


def _step_page(
    step: int, text: str | None = None, error: str | None = None, status: int = 200
) -> Response:
    actor, patient = _patient(Action.ANSWER_FOR)
    field = WHAT_MATTERS_FIELDS[step]
    answers = services.latest(get_session(), patient.id)
    own = patient.id == actor.person.id  # type: ignore[union-attr]
    response = render(
        "whatmatters/step.html",
        step=step,
        steps=len(WHAT_MATTERS_FIELDS),
        field=field,
        question=QUESTIONS[field],
        text=text if text is not None else (getattr(answers, field) if answers else ""),
        error=error,
        patient=patient,
        own=own,
        acting_for=None if own else patient,
        saved=request.args.get("sparat") == "1",
    )
    response.status_code = status
    return response


@bp.get("/viktigt/<int:step>")
@login_required
def step(step: int) -> Response:
    if not 0 <= step < len(WHAT_MATTERS_FIELDS):
        abort(404)
    return _step_page(step)


@bp.post("/viktigt/<int:step>")
@login_required
def save(step: int) -> Response:
    if not 0 <= step < len(WHAT_MATTERS_FIELDS):
        abort(404)
    actor, patient = _patient(Action.ANSWER_FOR)
    db = get_session()
    text = request.form.get("answer", "")
    try:
        services.save_answer(db, actor, patient.id, WHAT_MATTERS_FIELDS[step], text, now())
    except services.NotAllowed:
        abort(404)
    except services.AnswerError as error:
        db.rollback()
        return _step_page(step, text, str(ERRORS[error.code]), 400)
    db.commit()
    if request.headers.get("HX-Request") and request.form.get("autosave"):
        return Response(status=204)  # saved while typing: stay on the page
    if request.form.get("go") == "back" and step > 0:
        return redirect(url_for("whatmatters.step", step=step - 1), code=303)
    if step + 1 < len(WHAT_MATTERS_FIELDS):
        return redirect(url_for("whatmatters.step", step=step + 1), code=303)
    return redirect(url_for("whatmatters.overview", sparat=1), code=303)
