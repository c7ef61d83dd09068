"""The diary's forms: recording a value, and care's definition of what an activity records."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, FieldList, FormField, StringField
from wtforms import Form as SubForm
from wtforms.validators import DataRequired, Length

from app.diary.models import MeasureKind, RuleKind
from app.messages.forms import KeyField
from app.messages.text import normalise
from app.web.converters import number
from app.web.forms import ClockField, DayField, EnumField, Form, TextField

_DECIMAL = re.compile(r"[0-9]{1,4}([.,][0-9]{1,2})?")

ERRORS = {
    "value_empty": _l("Skriv värdet."),
    "not_a_number": _l("Skriv värdet med siffror, till exempel 72,4."),
    f"range_{MeasureKind.WEIGHT}": _l("Skriv vikten i kilo, från 1 till 400."),
    f"range_{MeasureKind.GLUCOSE}": _l("Skriv blodsockret i mmol/l, från 0,5 till 50."),
    f"range_{MeasureKind.BLOOD_PRESSURE}": _l("Skriv det övre trycket, från 40 till 300."),
    f"range_{MeasureKind.SYMPTOM}": _l("Välj en siffra från 0 till 10."),
    "range_diastolic": _l("Skriv det undre trycket, från 20 till 200 och lägre än det övre."),
    "done_empty": _l("Välj om du har gjort det."),
    "when": _l("Du kan skriva in ett värde för i dag eller för de senaste sju dagarna."),
    "plan_not_active": _l("Planen är avslutad. Du kan inte skriva in fler värden."),
    # care's form
    "kind": _l("Välj vad som skrivs in."),
    "label_empty": _l("Skriv vad patienten kallar det, till exempel Vikt."),
    "too_long": _l("Texten är för lång."),
    "every": _l("Välj hur ofta."),
    "low_high": _l("Det lägsta rimliga värdet måste vara lägre än det högsta."),
    "rule_kind": _l("Välj vilken sorts regel."),
    "threshold": _l("Skriv gränsen med siffror."),
    "window": _l("Skriv antalet dagar, från 1 till 14."),
    "instruction_empty": _l("Skriv vad patienten ska göra när det händer."),
    "too_many_rules": _l("Högst tre regler."),
    "no_rules_for_done": _l("En uppgift som bara bockas av har inga gränser."),
}
KIND_LABELS = {
    MeasureKind.WEIGHT: _l("Vikt (kg)"),
    MeasureKind.GLUCOSE: _l("Blodsocker (mmol/l)"),
    MeasureKind.BLOOD_PRESSURE: _l("Blodtryck (mmHg)"),
    MeasureKind.SYMPTOM: _l("Ett symtom, 0 till 10"),
    MeasureKind.DONE: _l("Gjort eller inte gjort"),
}
RULE_LABELS = {
    RuleKind.RISE: _l("Har ökat mer än … på … dagar"),
    RuleKind.BELOW: _l("Under …"),
    RuleKind.ABOVE: _l("Över …"),
}
EVERY = {1: _l("Varje dag"), 2: _l("Varannan dag"), 7: _l("En gång i veckan")}


def decimal_of(text: str | None) -> Decimal | None | str:
    """A number as people type it (72,4 or 72.4; ASCII digits, at most two decimals); None when
    empty, "not_a_number" otherwise."""
    cleaned = (text or "").strip().replace(" ", "")
    if not cleaned:
        return None
    if not _DECIMAL.fullmatch(cleaned):
        return "not_a_number"
    return Decimal(cleaned.replace(",", "."))


class NumberText(StringField):
    """A decimal number as typed; a Swedish message for anything else."""

    data: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        found = decimal_of(valuelist[0] if valuelist else "")
        self.data = None
        if isinstance(found, str):
            raise ValueError(ERRORS[found])
        self.data = found


class RecordForm(Form):
    value = NumberText()
    second_value = NumberText()
    done = StringField()
    # When, if not now: a forgotten morning can be written in afterwards.
    day = DayField(message=ERRORS["when"])
    clock = ClockField()
    confirmed = BooleanField(false_values=("", "0", "false"))
    key = KeyField()

    def done_answer(self) -> bool | None:
        return {"1": True, "0": False}.get(self.done.data or "")


class RuleForm(SubForm):
    kind = EnumField(choices=RuleKind, message=ERRORS["rule_kind"])
    threshold = NumberText()
    window_days = StringField()
    instruction = TextField(filters=[lambda text: normalise(text or "")])
    urgent = BooleanField(false_values=("", "0", "false"))


class MeasureForm(Form):
    kind = EnumField(choices=MeasureKind, message=ERRORS["kind"])
    label = TextField(
        filters=[lambda text: normalise(text or "")],
        validators=[
            DataRequired(message=ERRORS["label_empty"]),
            Length(max=100, message=ERRORS["too_long"]),
        ],
    )
    every_days = StringField(default="1")
    time_of_day = ClockField()
    low = NumberText()
    high = NumberText()
    rules = FieldList(FormField(RuleForm), min_entries=3, max_entries=3)

    def every(self) -> int | None:
        value = number(self.every_days.data or "")
        return value if value in EVERY else None

    def rule_values(self) -> list[dict[str, str]]:
        def typed(field: Field) -> str:
            return str(field.raw_data[0]) if field.raw_data else field._value()

        return [
            {name: typed(getattr(entry.form, name)) for name in ("kind", "threshold",
             "window_days", "instruction", "urgent")}
            for entry in self.rules.entries
        ]  # fmt: skip


class ReminderForm(Form):
    """The time of day the patient wants a reminder on the days a value is due; empty: none."""

    remind_at = ClockField()


class SeenForm(Form):
    """Care has seen to a rule that was met (nothing to fill in)."""
