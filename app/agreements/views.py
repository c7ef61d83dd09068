"""Stämmer det här med det vi kom överens om? The patient's answer to a plan version."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers.response import Response

from app.access.gate import Target, gate
from app.access.policy import Action
from app.agreements import services
from app.agreements.forms import AnswerForm
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.web.templating import render

bp = limit_writes(Blueprint("agreements", __name__))
ERRORS = {
    "superseded": _l(
        "Planen har ändrats sedan du öppnade sidan. Läs den nya versionen och svara på den."
    ),
    "answered": _l("Du har redan svarat på den här versionen av planen."),
    "choice": _l("Välj ett av svaren."),
}


@bp.post("/plan/<int:plan_id>/svar")
@gate(Action.ANSWER_FOR, on="care_plan")
def answer(plan_id: int, target: Target) -> Response:
    form = AnswerForm()
    version = form.version_number()
    choice = form.answer.data or ""
    try:
        services.answer(get_session(), target.actor, plan_id, version, choice, now())
    except services.NotAllowed:
        abort(404)
    except services.AgreementError as error:
        response = render(
            "agreements/problem.html", plan_id=plan_id, message=str(ERRORS[error.code])
        )
        response.status_code = 400
        return response
    if choice == "questions":
        subject = _("Frågor om planen, version %(num)s", num=version)
        return redirect(url_for("messages.compose", plan=plan_id, amne=subject), code=303)
    return redirect(url_for("plans.plan", plan_id=plan_id, klart="svar"), code=303)
