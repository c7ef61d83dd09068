"""The forms of a person's contact details and notification choices."""

from __future__ import annotations

from collections.abc import Callable

from wtforms import SelectMultipleField

from app.web.forms import Form, TextField


def _clip(length: int) -> Callable[[str | None], str]:
    return lambda text: (text or "")[:length]


class EmailForm(Form):
    """A new e-mail address, checked in app/contact/services.py (email-validator)."""

    email = TextField(filters=[_clip(400)])


class MobileForm(Form):
    """A new mobile number, checked in app/contact/services.py (phonenumbers, region SE)."""

    mobile = TextField(filters=[_clip(100)])


class CodeForm(Form):
    """The one-time code sent to the new address, and which kind of address it confirms."""

    kind = TextField(filters=[_clip(10)])
    code = TextField(filters=[_clip(40)])


class RemoveForm(Form):
    """Which address to stop using: "email" or "mobile"."""

    kind = TextField(filters=[_clip(10)])


class ChoicesForm(Form):
    """The topics and channels chosen (checkboxes; unknown values are refused by the service)."""

    topics = SelectMultipleField(choices=[], validate_choice=False)
    channels = SelectMultipleField(choices=[], validate_choice=False)
