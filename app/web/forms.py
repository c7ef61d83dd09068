"""Forms as classes (Flask-WTF): fields, validation and the Swedish messages in one place.

Templates keep printing plain values and one message per field: `form.values()` is what the
person typed (so nothing they wrote is lost when the page comes back with an error) and
`form.messages()` the first error of each field, keyed by field name.
"""

from __future__ import annotations

import enum
import re
from datetime import date, time
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from app.web.converters import identifier

# The dates a person can mean in a care plan: nothing before 1900 or after 2100 is stored.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


class Form(FlaskForm):
    """The base of every Samplan form."""

    class Meta:
        # CSRFProtect checks every POST (the hidden field or htmx's header) before any view runs.
        csrf = False

    def values(self) -> dict[str, Any]:
        """What was sent, as typed (a bad date stays as the person wrote it)."""
        return {name: _raw(field) for name, field in self._fields.items()}

    def messages(self) -> dict[str, str]:
        """The first error of each field that has one, as a string."""
        return {name: str(errors[0]) for name, errors in self.errors.items() if errors}

    def fail(self, field: str, message: object) -> None:
        """Record an error found later (by a service), shown like any validation error."""
        self._fields[field].errors = [*self._fields[field].errors, message]


def _raw(field: Field) -> Any:
    if field.raw_data:
        return field.raw_data[0] if len(field.raw_data) == 1 else list(field.raw_data)
    return "" if field.data is None else field.data


class TextField(StringField):
    """Text with surrounding whitespace removed; NUL refused (no database stores it)."""

    data: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()
        if "\x00" in self.data:
            self.data = ""
            raise ValueError(_l("Texten innehåller tecken som inte går att spara."))


class DayField(StringField):
    """A calendar day as YYYY-MM-DD (the browser's date input), within EARLIEST..LATEST.
    Empty is None; a bad or absurd date is a Swedish error (`out_of_range`, if given, for a
    real date outside the bounds: the field's own tighter rule, which its service checks)."""

    def __init__(
        self, *args: Any, message: object = None, out_of_range: object = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.message = message or _l("Skriv datumet som ÅÅÅÅ-MM-DD.")
        self.out_of_range = out_of_range or self.message

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "") or ""
        self.data = None
        if not text.strip():
            return
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(self.message) from None
        if not EARLIEST <= day <= LATEST:
            raise ValueError(self.out_of_range)
        self.data = day

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, date) else ""


_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


class ClockField(StringField):
    """A time of day as TT:MM (the browser's time input); empty is None."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = ((valuelist[0] if valuelist else "") or "").strip()
        self.data = None
        if not text:
            return
        found = _CLOCK.fullmatch(text)
        if found is None:
            raise ValueError(_l("Skriv klockslaget som TT:MM, till exempel 09:30."))
        self.data = time(int(found[1]), int(found[2]))

    def _value(self) -> str:
        return self.data.strftime("%H:%M") if isinstance(self.data, time) else ""


class EnumField(Field):
    """One member of `choices` (a radio group or a select, by value); anything else is None
    with `message`, which a `required` field also gives when nothing was chosen."""

    data: Any

    def __init__(
        self,
        *args: Any,
        choices: type[enum.Enum],
        message: object,
        required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choices, self.message, self.required = choices, message, required

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "") or ""
        self.data = None
        if not text:
            return
        try:
            self.data = self.choices(text)
        except ValueError:
            raise ValueError(self.message) from None

    def pre_validate(self, form: Any) -> None:
        if self.required and self.data is None:
            raise ValidationError(str(self.message))

    def _value(self) -> str:
        return "" if self.data is None else str(self.data.value)


class IdField(StringField):
    """A database id chosen in a form (a select or a radio): ASCII digits, 1..2**31 - 1 (what an
    INTEGER column holds). Anything else ("²", "٣", "３", a 20-digit number) is None, which the
    service refuses with its own message, as it does an id that names nothing."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = identifier(str(valuelist[0])) if valuelist and valuelist[0] else None


def not_in_past(today: date, message: object) -> Any:
    """A validator: the day is today or later."""

    def check(_form: Form, field: Field) -> None:
        if field.data is not None and field.data < today:
            raise ValidationError(str(message))

    return check
