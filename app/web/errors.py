"""Error pages in Swedish; never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError


def _page(error: HTTPException) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    try:
        return render_template("errors/error.html", code=error.code), error.code or 500
    except (OperationalError, InterfaceError) as down:  # the page itself needed the database
        return _database_down(down)


def _refusals(error: HTTPException) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    try:
        return render_template("errors/error.html", code=429, refusals=True), 429
    except (OperationalError, InterfaceError) as down:
        return _database_down(down)


def _csrf(error: CSRFError) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    try:
        return render_template("errors/error.html", code=400, csrf=True), 400
    except (OperationalError, InterfaceError) as down:
        return _database_down(down)


def _database_down(_error: Exception) -> tuple[str, int, dict[str, str]]:
    """The database is unreachable (restarting, failing over): a Swedish "try again" page. The
    page is drawn as for a signed-out visitor, since finding out who is signed in needs the
    database too; the next request, once it is back, finds the session as it was."""
    from flask import g

    from app.extensions import login_manager

    g._login_user = login_manager.anonymous_user()  # Flask-Login's cache of the current user
    return render_template("errors/error.html", code=503), 503, {"Retry-After": "5"}


def init_app(app: Flask) -> None:
    from app.access.refusals import TooManyRefusals

    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(TooManyRefusals, _refusals)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(InterfaceError, _database_down)
    for code in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(code, _page)
    app.register_error_handler(InternalServerError, _page)
