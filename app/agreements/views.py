"""Stämmer det här med det vi kom överens om? The patient's answer to a plan version."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.access.actor import current_actor
from app.agreements import services
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.web.converters import number
from app.web.templating import render

bp = limit_writes(Blueprint("agreements", __name__))
ERRORS = {
    "superseded": _l(
        "Planen har ändrats sedan du öppnade sidan. Läs den nya versionen och svara på den."
    ),
    "answered": _l("Du har redan svarat på den här versionen av planen."),
    "choice": _l("Välj ett av svaren."),
}


def _version(text: str) -> int:
    version = number(text)
    return -1 if version is None else version


@bp.post("/plan/<int:plan_id>/svar")
@login_required
def answer(plan_id: int) -> Response:
    actor = current_actor()
    db = get_session()
    version = request.form.get("version", "")
    choice = request.form.get("answer", "")
    try:
        services.answer(db, actor, plan_id, _version(version), choice, now())
    except services.NotAllowed:
        abort(404)
    except services.AgreementError as error:
        db.rollback()
        response = render(
            "agreements/problem.html", plan_id=plan_id, message=str(ERRORS[error.code])
        )
        response.status_code = 400
        return response
    db.commit()
    if choice == "questions":
        subject = _("Frågor om planen, version %(num)s", num=version)
        return redirect(url_for("messages.compose", plan=plan_id, amne=subject), code=303)
    return redirect(url_for("plans.plan", plan_id=plan_id, _anchor="answer-heading"), code=303)
