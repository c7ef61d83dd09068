"""The SIP meeting's forms: calling it, the patient's answer, and care's steps after."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, FormField
from wtforms.validators import Length

from app.appointments.forms import meeting_link
from app.messages.forms import KeyField
from app.messages.text import normalise
from app.sip.models import MeetingMode, PatientAnswer
from app.web.forms import ClockField, DayField, EnumField, Form, TextField

MAX_TEXT = 2000
MAX_SHORT = 300
MAX_RELATIVES = 3

ERRORS = {
    "mode": _l("Välj hur mötet hålls."),
    "need_day": _l("Skriv dagen då behovet blev känt, som ÅÅÅÅ-MM-DD."),
    "need_range": _l(
        "Dagen då behovet blev känt kan inte vara i framtiden eller mer än ett år sedan."
    ),
    "day": _l("Skriv mötets dag som ÅÅÅÅ-MM-DD."),
    "clock": _l("Skriv när mötet börjar och slutar, som TT:MM."),
    "past": _l("Mötet måste vara i framtiden, inom ett år."),
    "order": _l("Mötet måste sluta efter att det börjar, och vara högst åtta timmar."),
    "no_such_time": _l("Den tiden finns inte den dagen (klockan ställs fram). Välj en annan."),
    "place": _l("Skriv var mötet hålls."),
    "phone": _l("Skriv telefonnummer och möteskod för telefonmötet."),
    "url": _l("Skriv länken till videomötet (https://…)."),
    "too_long": _l("Texten är för lång."),
    "not_coordinator": _l(
        "Bara den som är samordningsansvarig för planen kan kalla till SIP-möte."
    ),
    "not_sip": _l("Bara en SIP med samtycke kan ha ett SIP-möte."),
    "answer": _l("Välj om du kan komma."),
    "relative_name": _l("Skriv namnet på den du vill ha med."),
    "relative_contact": _l(
        "Skriv en e-postadress eller ett mobilnummer till den du vill ha med, så att vi kan "
        "bjuda in."
    ),
    "closed": _l("Mötet är redan hållet eller inställt."),
    "not_invited": _l("Du är inte kallad till det här mötet."),
}


def _normalised(text: str | None) -> str:
    return normalise(text or "")


def _short(message: object = ERRORS["too_long"]) -> list[object]:
    return [Length(max=MAX_SHORT, message=message)]


class CallForm(Form):
    """The coordinator calls the meeting (seed 003: "Välj mötesform, plats, …, datum, starttid
    och sluttid")."""

    need_known_on = DayField(message=ERRORS["need_day"])
    mode = EnumField(choices=MeetingMode, message=ERRORS["mode"], required=True)
    day = DayField(message=ERRORS["day"])
    starts = ClockField()
    ends = ClockField()
    place = TextField(filters=[_normalised], validators=_short())
    meeting_url = TextField(validators=[meeting_link])
    key = KeyField()


class RelativeForm(Form):
    class Meta:
        csrf = False

    name = TextField(filters=[_normalised], validators=_short())
    contact = TextField(filters=[_normalised], validators=_short())


class AnswerForm(Form):
    """The patient's answer: can I come, who else, what I want to talk about."""

    answer = EnumField(choices=PatientAnswer, message=ERRORS["answer"], required=True)
    note = TextField(
        filters=[_normalised], validators=[Length(max=MAX_TEXT, message=ERRORS["too_long"])]
    )
    topics = TextField(
        filters=[_normalised], validators=[Length(max=MAX_TEXT, message=ERRORS["too_long"])]
    )
    no_relatives = BooleanField(false_values=("", "0", "false"))
    relatives = FieldList(
        FormField(RelativeForm), min_entries=MAX_RELATIVES, max_entries=MAX_RELATIVES
    )


class StepForm(Form):
    """The meeting was held, or one's part is documented (nothing to fill in)."""
