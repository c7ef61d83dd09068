"""The patient's answer to a plan version: agree, or I have questions."""

from __future__ import annotations

from app.web.converters import number
from app.web.forms import Form, TextField


class AnswerForm(Form):
    """Which published version the patient read, and their answer to it."""

    version = TextField(filters=[lambda text: (text or "")[:20]])
    answer = TextField(filters=[lambda text: (text or "")[:20]])

    def version_number(self) -> int:
        """The version answered; -1 (never a published version) for anything but a number."""
        version = number(self.version.data or "")
        return -1 if version is None else version
