"""The forms of messages: write to care, reply, and care's handling of a thread."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length

from app.messages.text import MAX_LENGTH, normalise
from app.web.converters import number
from app.web.forms import Form, IdField, TextField

SUBJECT_MAX = 200
NOTE_MAX = 1000

ERRORS = {
    "empty": _l("Skriv ditt meddelande innan du skickar."),
    "too_long": _l("Meddelandet är för långt. Det får vara högst %(max)d tecken.", max=MAX_LENGTH),
    "empty_subject": _l("Skriv vad meddelandet gäller."),
    "subject_too_long": _l("Ämnet är för långt. Det får vara högst 200 tecken."),
    "recipient": _l("Välj vem du vill skriva till."),
    "self": _l("Välj en kollega, inte dig själv."),
    "note_too_long": _l("Anteckningen är för lång. Den får vara högst 1 000 tecken."),
}


def new_key() -> str:
    """A one-time key for a compose form: the same form sent twice stores one message."""
    return uuid.uuid4().hex


class KeyField(TextField):
    """The form's one-time key (at most 64 characters); a missing one gets a fresh key."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.data = (self.data or "")[:64] or new_key()


def _normalised(text: str | None) -> str:
    return normalise(text or "")


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _body() -> TextField:
    return TextField(
        filters=[_normalised],
        validators=[
            DataRequired(message=ERRORS["empty"]),
            Length(max=MAX_LENGTH, message=ERRORS["too_long"]),
        ],
    )


class ComposeForm(Form):
    """A new thread: to whom ("plan id:practitioner id"), what about, and the message."""

    to = TextField()
    subject = TextField(
        filters=[_one_line],
        validators=[
            DataRequired(message=ERRORS["empty_subject"]),
            Length(max=SUBJECT_MAX, message=ERRORS["subject_too_long"]),
        ],
    )
    body = _body()
    key = KeyField()

    def recipient(self) -> tuple[str, str]:
        """The chosen plan and practitioner, as sent (the service checks them)."""
        plan, _, practitioner = (self.to.data or "").partition(":")
        return plan, practitioner


class ComposeChoiceForm(Form):
    """The compose page's query string: a plan (and a person on it), and a subject to start."""

    plan = TextField()
    till = TextField()
    amne = TextField(filters=[lambda text: (text or "")[:SUBJECT_MAX]])


class ReplyForm(Form):
    body = _body()
    key = KeyField()


class HandledForm(Form):
    """Care closes the matter for now (nothing to fill in)."""


class TakeForm(Form):
    """The colleague takes an offered thread (nothing to fill in)."""


class OfferForm(Form):
    """Pass a thread to a colleague on the patient's team, with a note."""

    colleague_id = IdField()
    note = TextField(
        filters=[_normalised],
        validators=[Length(max=NOTE_MAX, message=ERRORS["note_too_long"])],
    )


class InboxForm(Form):
    """The inbox's query string: which tab, which page."""

    flik = TextField(default="mina")
    sida = TextField(default="1")

    def tab(self) -> str | None:
        """ "mina" or "enheten"; None for anything else (a 404)."""
        tab = self.flik.data or "mina"
        return tab if tab in ("mina", "enheten") else None

    def page(self) -> int | None:
        """The page asked for, 1 or more; None for anything else (a 404)."""
        page = number(self.sida.data or "1")
        return page if page is not None and page >= 1 else None
