"""The patient's answers to a proposed time (accept, ask for another time, cancel), and care's
forms to offer, change and cancel times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, FieldList, FormField, StringField
from wtforms import Form as SubForm
from wtforms.validators import DataRequired, Length, ValidationError

from app.appointments.models import AppointmentMode
from app.messages.text import normalise
from app.web.converters import number
from app.web.forms import ClockField, DayField, EnumField, Form, IdField, TextField

MAX_NOTE = 1000
MAX_PREPARATION = 2000
MAX_URL = 500
SHORTEST, LONGEST = 5, 480  # minutes

ERRORS = {
    "closed": _l("Tiden går inte längre att ändra. Kontakta mottagningen."),
    "taken": _l("Tiden är inte längre ledig. Välj en annan av tiderna, eller be om en annan tid."),
    "note_empty": _l("Skriv vilka tider som passar dig bättre."),
    "reason_empty": _l("Skriv varför du avbokar, så att vården kan hjälpa dig vidare."),
    "too_long": _l("Texten är för lång. Den får vara högst 1 000 tecken."),
    "past": _l("Datumet har redan varit. Välj ett datum framåt i tiden."),
    # care's forms
    "mode": _l("Välj hur ni ska träffas."),
    "purpose_empty": _l("Skriv vad tiden gäller."),
    "short_too_long": _l("Texten är för lång. Den får vara högst 300 tecken."),
    "preparation_too_long": _l("Texten är för lång. Den får vara högst 2 000 tecken."),
    "duration": _l("Skriv hur många minuter tiden varar, från 5 till 480."),
    "bad_url": _l("Skriv hela länken till mötet, som börjar med https://."),
    "link_needed": _l("Ett videosamtal behöver en länk till mötet."),
    "slot_half": _l("Skriv både dag och klockslag."),
    "no_such_time": _l("Den tiden finns inte den dagen, när klockan ställs om till sommartid."),
    "slot_past": _l("Tiden har redan varit. Välj en tid framåt."),
    "too_far": _l("Tiden ligger mer än två år fram. Välj en tid närmare."),
    "busy": _l("Du har redan en överenskommen tid då."),
    "same_twice": _l("Samma tid står två gånger. Ta bort den ena."),
    "how_many": _l("Skriv minst en tid, och högst fem att välja mellan."),
    "plan_not_active": _l("Planen är inte aktiv. Tider erbjuds bara på en aktiv plan."),
    "reason_care_empty": _l("Skriv varför tiden avbokas. Patienten får läsa det."),
}
MODE_LABELS = {
    AppointmentMode.VISIT: _l("Besök på mottagningen"),
    AppointmentMode.HOME: _l("Hembesök"),
    AppointmentMode.VIDEO: _l("Videosamtal"),
    AppointmentMode.PHONE: _l("Telefonsamtal"),
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


# --- care's forms ------------------------------------------------------------------------


class MinutesField(StringField):
    """How long a time lasts: whole minutes, SHORTEST..LONGEST, ASCII digits."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = ((valuelist[0] if valuelist else "") or "").strip()
        value = number(text)
        self.data = None
        if value is None or not SHORTEST <= value <= LONGEST:
            raise ValueError(ERRORS["duration"])
        self.data = value


def meeting_link(_form: Any, field: Field) -> None:
    """A video meeting's address: https with a host, no spaces, no credentials."""
    text = field.data or ""
    if not text:
        return
    if len(text) > MAX_URL or any(character.isspace() for character in text):
        raise ValidationError(str(ERRORS["bad_url"]))
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise ValidationError(str(ERRORS["bad_url"])) from None
    if parts.scheme != "https" or not host or "." not in host or parts.username or parts.password:
        raise ValidationError(str(ERRORS["bad_url"]))


def _short(required: object | None = None) -> list[Any]:
    rules: list[Any] = [Length(max=300, message=ERRORS["short_too_long"])]
    return [DataRequired(message=required), *rules] if required else rules


class _Details(Form):
    """What care says about a time."""

    mode = EnumField(choices=AppointmentMode, message=ERRORS["mode"], required=True)
    duration = MinutesField(default="30")
    purpose = TextField(filters=[_normalised], validators=_short(ERRORS["purpose_empty"]))
    location = TextField(filters=[_normalised], validators=_short())
    meeting_url = TextField(validators=[meeting_link])
    attendees = TextField(filters=[_normalised], validators=_short())
    interpreter = BooleanField(false_values=("", "0", "false"))
    preparation = TextField(
        filters=[_normalised],
        validators=[Length(max=MAX_PREPARATION, message=ERRORS["preparation_too_long"])],
    )


class SlotForm(SubForm):
    """One time on offer: a day and a time of day."""

    day = DayField(message=ERRORS["slot_past"])
    clock = ClockField()


class OfferForm(_Details):
    """One time, or two to five to choose from."""

    slots = FieldList(FormField(SlotForm), min_entries=5, max_entries=5)
    # The time whose answer this offer handles (the patient asked for another time).
    replaces = IdField()

    def moments(self, here: tzinfo) -> tuple[list[datetime], dict[str, str]]:
        """After validate(): the times offered, as moments, and the first error of each field
        (a slot's under slots-<n>), as the page shows them."""
        errors = {
            name: str(messages[0])
            for name, messages in self.errors.items()
            if name != "slots" and messages
        }
        starts: list[datetime] = []
        for index, entry in enumerate(self.slots.entries):
            slot = entry.form
            if slot.errors:
                errors[f"slots-{index}"] = str(next(iter(slot.errors.values()))[0])
                continue
            found = moment_in(here, slot.day.data, slot.clock.data)
            if isinstance(found, str):
                errors[f"slots-{index}"] = str(ERRORS[found])
            elif found is not None:
                starts.append(found)
        if not starts and not any(key.startswith("slots-") for key in errors):
            errors["slots-0"] = str(ERRORS["how_many"])
        return starts, errors

    def slot_values(self) -> list[dict[str, str]]:
        """Each slot's day and clock time as typed (or as prefilled)."""

        def typed(field: Field) -> str:
            return str(field.raw_data[0]) if field.raw_data else field._value()

        return [
            {"day": typed(entry.form.day), "clock": typed(entry.form.clock)}
            for entry in self.slots.entries
        ]


def moment_in(here: tzinfo, day: date | None, clock: time | None) -> datetime | None | str:
    """A day and a clock time where `here` is, as a moment in UTC; None when both are empty;
    an error code (ERRORS) when only one is given, or the clock time does not exist that day
    (the hour skipped when summer time begins)."""
    if day is None and clock is None:
        return None
    if day is None or clock is None:
        return "slot_half"
    local = datetime.combine(day, clock, here)
    moment = local.astimezone(UTC)
    if moment.astimezone(here).replace(tzinfo=None) != local.replace(tzinfo=None):
        return "no_such_time"
    return moment


class ChangeForm(_Details):
    day = DayField(message=ERRORS["slot_past"])
    clock = ClockField()
    note = TextField(
        filters=[_normalised], validators=[Length(max=MAX_NOTE, message=ERRORS["too_long"])]
    )


class CareCancelForm(Form):
    reason = TextField(
        filters=[_normalised],
        validators=[
            DataRequired(message=ERRORS["reason_care_empty"]),
            Length(max=MAX_NOTE, message=ERRORS["too_long"]),
        ],
    )


class HandledForm(Form):
    """Care has seen to the patient's answer (nothing to fill in)."""
