"""The forms of the start page: whom to act for, and staff's search among their patients."""

from __future__ import annotations

from wtforms.validators import Length

from app.web.converters import number
from app.web.forms import Form, TextField


class ActForForm(Form):
    """ "self", or the id of a person one may act for (the gate's context decides)."""

    patient_id = TextField()


class PatientSearchForm(Form):
    """Staff's patient list: a name or personal number, and a page (read from the query)."""

    q = TextField(validators=[Length(max=100)], filters=[lambda text: (text or "")[:100]])
    sida = TextField(default="1")

    def page(self) -> int | None:
        """The page asked for, 1 or more; None for anything else (a 404)."""
        page = number(self.sida.data or "1")
        return page if page is not None and page >= 1 else None
