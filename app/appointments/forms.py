"""The patient's answers to a proposed time: accept, ask for another time, cancel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length

from app.messages.text import normalise
from app.web.forms import DayField, Form, TextField

MAX_NOTE = 1000

ERRORS = {
    "closed": _l("Tiden går inte längre att ändra. Kontakta mottagningen."),
    "note_empty": _l("Skriv vilka tider som passar dig bättre."),
    "reason_empty": _l("Skriv varför du avbokar, så att vården kan hjälpa dig vidare."),
    "too_long": _l("Texten är för lång. Den får vara högst 1 000 tecken."),
    "past": _l("Datumet har redan varit. Välj ett datum framåt i tiden."),
}


def _normalised(text: str | None) -> str:
    return normalise(text or "")


class AcceptForm(Form):
    """Yes, the time suits me (nothing to fill in)."""


class AnotherTimeForm(Form):
    note = TextField(
        filters=[_normalised],
        validators=[
            DataRequired(message=ERRORS["note_empty"]),
            Length(max=MAX_NOTE, message=ERRORS["too_long"]),
        ],
    )
    # Past days are the service's to refuse (it knows the day); a day that is no date is "past".
    wished = DayField(message=ERRORS["past"])


class CancelForm(Form):
    reason = TextField(
        filters=[_normalised],
        validators=[
            DataRequired(message=ERRORS["reason_empty"]),
            Length(max=MAX_NOTE, message=ERRORS["too_long"]),
        ],
    )
