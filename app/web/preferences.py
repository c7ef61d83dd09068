"""How Samplan looks for this person: language and the simplified view (Enkel vy).
Remembered on the person when signed in, in the session otherwise."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers.response import Response

from app.accounts.models import Person
from app.db import get_session
from app.extensions import limit_writes
from app.i18n import LANGUAGE_KEY
from app.web.forms import Form, TextField
from app.web.security import safe_next

bp = limit_writes(Blueprint("preferences", __name__))
SIMPLE_KEY = "simple_view"
MEASURED = 20000


def _clip(length: int) -> Any:
    return lambda text: (text or "")[:length]


class LanguageForm(Form):
    lang = TextField(filters=[_clip(10)])
    next = TextField(filters=[_clip(2000)])


class SimpleViewForm(Form):
    on = TextField(filters=[_clip(10)])
    next = TextField(filters=[_clip(2000)])


class ReadabilityForm(Form):
    """What staff are writing: `text`, or whichever field the plan editor sent."""

    text = TextField(filters=[_clip(MEASURED)])

    def process(
        self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any
    ) -> None:
        formdata = self.meta.wrap_formdata(self, formdata)
        super().process(formdata, obj, data, **kwargs)
        self.sent = [
            str(value)[:MEASURED]
            for name in ("text", "body", "reason", "summary")
            for value in (formdata.getlist(name) if formdata else [])[:1]
        ]
        # The plan editor's fields have their own names: measure whichever one was sent.
        self.sent += [
            str(value)[:MEASURED]
            for name, value in (formdata.items() if formdata else [])
            if name != "csrf_token"
        ]

    def measured(self) -> str:
        return next((text for text in self.sent if text), "")


def simple_view_on() -> bool:
    """Whether the simplified view is chosen (cached for the request)."""
    if "simple_view" not in g:
        if getattr(current_user, "person_id", None) is not None:
            g.simple_view = current_user.simple_view
        else:
            g.simple_view = bool(session.get(SIMPLE_KEY))
    return bool(g.simple_view)


def _back(next_page: str | None) -> Response:
    return redirect(safe_next(next_page) or url_for("plans.start"), code=303)


def _signed_in_person() -> Person | None:
    person = getattr(current_user, "person", None)
    if person is None:
        return None
    return get_session().scalars(select(Person).where(Person.id == person.id)).first()


@bp.post("/sprak")
def language() -> Response:
    form = LanguageForm()
    choice = form.lang.data or ""
    if choice in current_app.config["LANGUAGES"]:
        session[LANGUAGE_KEY] = choice
        person = _signed_in_person()
        if person is not None:
            person.preferred_language = choice
    return _back(form.next.data)


@bp.post("/enkel-vy")
def simple_view() -> Response:
    form = SimpleViewForm()
    turn_on = form.on.data == "1"
    session[SIMPLE_KEY] = turn_on
    person = _signed_in_person()
    if person is not None:
        person.simple_view = turn_on
    return _back(form.next.data)


@bp.get("/tillganglighet")
def accessibility_statement() -> str:
    return render_template("accessibility.html")


@bp.post("/lasbarhet")
def readability() -> str:
    """LIX of what staff are writing for a patient, with a plain hint above 40 (htmx, as they
    type). Not patient data: the text is measured and forgotten."""
    from app.i18n.lix import lix

    if not getattr(current_user, "is_staff", False):
        abort(404)
    text = ReadabilityForm().measured()
    return render_template(
        "_macros/lix.html", score=lix(text), has_text=bool(text.strip()), text=text.strip()
    )
