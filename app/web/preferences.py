"""How Samplan looks for this person: language and the simplified view (Enkel vy).
Remembered on the person when signed in, in the session otherwise."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from app.accounts.models import Person
from app.db import get_session
from app.extensions import limit_writes
from app.i18n import LANGUAGE_KEY
from app.web.security import safe_next

bp = limit_writes(Blueprint("preferences", __name__))
SIMPLE_KEY = "simple_view"


def simple_view_on() -> bool:
    """Whether the simplified view is chosen (cached for the request)."""
    if "simple_view" not in g:
        person = getattr(current_user, "person", None) if current_user else None
        g.simple_view = (
            bool(person.simple_view) if person is not None else bool(session.get(SIMPLE_KEY))
        )
    return g.simple_view


def _back() -> Response:
    return redirect(safe_next(request.form.get("next")) or url_for("plans.start"), code=303)


def _signed_in_person() -> Person | None:
    person = getattr(current_user, "person", None)
    return get_session().get(Person, person.id) if person is not None else None


@bp.post("/sprak")
def language() -> Response:
    choice = request.form.get("lang", "")
    if choice in current_app.config["LANGUAGES"]:
        session[LANGUAGE_KEY] = choice
        person = _signed_in_person()
        if person is not None:
            person.preferred_language = choice
            get_session().commit()
    return _back()


@bp.post("/enkel-vy")
def simple_view() -> Response:
    turn_on = request.form.get("on") == "1"
    session[SIMPLE_KEY] = turn_on
    person = _signed_in_person()
    if person is not None:
        person.simple_view = turn_on
        get_session().commit()
    return _back()


@bp.get("/tillganglighet")
def accessibility_statement() -> str:
    return render_template("accessibility.html")


@bp.post("/lasbarhet")
def readability() -> str:
    """LIX of what staff are writing for a patient, with a plain hint above 40 (htmx, as they
    type). Not patient data: the text is measured and forgotten."""
    from flask import abort

    from app.i18n.lix import lix

    if not getattr(current_user, "is_staff", False):
        abort(404)
    text = request.form.get("text", "")[:20000]
    for name in ("body", "text", "reason", "summary"):
        text = text or request.form.get(name, "")[:20000]
    # The plan editor's fields have their own names: measure whichever one was sent.
    for name, value in request.form.items():
        if not text and name != "csrf_token":
            text = value[:20000]
    return render_template(
        "_macros/lix.html", score=lix(text), has_text=bool(text.strip()), text=text.strip()
    )
