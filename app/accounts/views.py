"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.accounts.sessions import sign_out
from app.clock import now
from app.db import get_session

bp = Blueprint("accounts", __name__)


@bp.get("/logga-in")
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("plans.start"))
    return render_template("accounts/sign_in.html", demo=current_app.config["DEMO_MODE"])


@bp.post("/logga-ut")
@login_required
def sign_out_view() -> Response:
    db = get_session()
    sign_out(db, current_user._get_current_object(), now())
    db.commit()
    response = redirect(url_for("accounts.sign_in"), code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
