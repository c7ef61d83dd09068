"""The forms of a patient's requests: ask a unit, withdraw, and care's answer."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length

from app.messages.text import normalise
from app.web.forms import Form, IdField, TextField

# What the patient writes: a few sentences, not a message thread (seed 001: the wish itself).
TEXT_MAX = 1000
# Care's written answer: why, and what happens next.
ANSWER_MAX = 2000

ERRORS = {
    "unit": _l("Välj vilken mottagning du vill fråga."),
    "kind": _l("Välj vad du vill be om."),
    "text_empty": _l("Skriv några ord om varför du vill be om det."),
    "text_too_long": _l("Texten är för lång. Den får vara högst %(max)d tecken.", max=TEXT_MAX),
    "outcome": _l("Välj vad svaret är: ja, nej eller att någon annan ska ta hand om det."),
    "answer_empty": _l("Skriv ett svar till patienten."),
    "answer_too_long": _l(
        "Svaret är för långt. Det får vara högst %(max)d tecken.", max=ANSWER_MAX
    ),
    "answered": _l("Önskemålet är redan besvarat eller tillbakataget."),
}


def _normalised(text: str | None) -> str:
    return normalise(text or "")


def _clip(length: int) -> Any:
    return lambda text: (text or "")[:length]


class AskForm(Form):
    """Ask a unit for a care plan, a SIP or another fast vårdkontakt, in a few words."""

    unit = IdField()
    kind = TextField(filters=[_clip(40)])
    text = TextField(
        filters=[_normalised],
        validators=[
            DataRequired(message=ERRORS["text_empty"]),
            Length(max=TEXT_MAX, message=ERRORS["text_too_long"]),
        ],
    )


class AskChoiceForm(Form):
    """The ask page's query string: what to ask for, and of which unit (both optional)."""

    vad = TextField(filters=[_clip(40)])
    enhet = TextField(filters=[_clip(12)])


class WithdrawForm(Form):
    """The patient takes an open request back (nothing to fill in)."""


class AnswerForm(Form):
    """Care's answer: yes, no, or elsewhere, and a written answer to the patient."""

    outcome = TextField(filters=[_clip(40)])
    answer = TextField(
        filters=[_normalised],
        validators=[
            DataRequired(message=ERRORS["answer_empty"]),
            Length(max=ANSWER_MAX, message=ERRORS["answer_too_long"]),
        ],
    )
