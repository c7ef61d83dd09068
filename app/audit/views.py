"""Vem har tittat på mina uppgifter? The patient's own view of the access log."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers.response import Response

from app.access.gate import Target, gate
from app.access.policy import Action
from app.audit.forms import PageForm
from app.audit.queries import access_log_page, by_day, pages_of_log
from app.clock import local_date, now
from app.db import get_session
from app.extensions import limit_writes
from app.messages.queries import patient_name
from app.web.templating import render

bp = limit_writes(Blueprint("audit", __name__))

FILTER_NAMES = {
    "alla": _l("Alla"),
    "varden": _l("Vården"),
    "du": _l("Du själv"),
    "narstaende": _l("Närstående"),
    "stoppade": _l("Stoppade försök"),
}


@bp.get("/vem-har-tittat")
@gate(Action.READ_ACCESS_LOG, on="subject", shows="access_log")
def access_log(target: Target) -> Response:
    """The patient's log (a guardian's of a young child's). A proxy, who may not read the
    patient's log, sees their own; staff get 404."""
    form = PageForm(request.args)
    page, who = form.page(), form.who()
    if page is None or who is None:
        abort(404)
    db = get_session()
    pages = pages_of_log(db, target.patient_id, who)
    if page > pages:
        abort(404)
    rows = access_log_page(db, target.patient_id, page, who)
    return render(
        "audit/access_log.html",
        days=by_day(rows),
        page=page,
        pages=pages,
        who=who,
        filters=FILTER_NAMES,
        today=local_date(now()),
        # a guardian reads a young child's log: the page says whose it is
        acting_for=None if target.own else patient_name(db, target.patient_id),
    )
