"""Vem har tittat på mina uppgifter? The patient's own view of the access log."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import login_required

from app.access.actor import current_actor
from app.audit.queries import access_log_page
from app.audit.services import record_access
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.web.converters import number
from app.web.templating import render

bp = limit_writes(Blueprint("audit", __name__))


@bp.get("/vem-har-tittat")
@login_required
def access_log() -> Response:
    """Only patients see their own log: a proxy or staff gets 404 here."""
    actor = current_actor()
    if actor.person is None:
        abort(404)
    page = number(request.args.get("sida", "1"))
    if page is None or page < 1:
        abort(404)
    db = get_session()
    rows, pages = access_log_page(db, actor.person.id, page)
    if page > pages:
        abort(404)
    record_access(db, actor, actor.person.id, "read", "access_log", None, now())
    db.commit()
    return render("audit/access_log.html", rows=rows, page=page, pages=pages)
