"""Error pages in Swedish; never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError


def _page(error: HTTPException) -> tuple[str, int]:
    return render_template("errors/error.html", code=error.code), error.code or 500


def _csrf(_error: CSRFError) -> tuple[str, int]:
    return render_template("errors/error.html", code=400, csrf=True), 400


def _database_down(_error: OperationalError) -> tuple[str, int]:
    return render_template("errors/error.html", code=503), 503


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(OperationalError, _database_down)
    for code in (400, 403, 404, 405, 429, 500, 503):
        app.register_error_handler(code, _page)
    app.register_error_handler(InternalServerError, _page)
