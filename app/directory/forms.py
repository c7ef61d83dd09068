"""The administrator's forms: a unit, a member of staff, a move, and the search of the lists.
The services (app/directory/services.py) check each value's range; here it is only read."""

from __future__ import annotations

from typing import Any

from app.directory.services import StaffData, UnitData
from app.proxies.forms import ChoicesField
from app.web.converters import number
from app.web.forms import Form, IdField, TextField


def _clip(length: int) -> Any:
    return lambda text: (text or "")[:length]


class UnitForm(Form):
    hsa_id = TextField(filters=[_clip(60)])
    name = TextField(filters=[_clip(400)])
    phone = TextField(filters=[_clip(80)])
    address = TextField(filters=[_clip(600)])
    response_working_days = TextField(filters=[_clip(10)])
    reminder_working_days = TextField(filters=[_clip(10)])

    def unit(self) -> UnitData:
        return UnitData(
            hsa_id=self.hsa_id.data,
            name=self.name.data,
            phone=self.phone.data,
            address=self.address.data,
            response_working_days=number(self.response_working_days.data),
            reminder_working_days=number(self.reminder_working_days.data),
        )


class StaffForm(Form):
    hsa_id = TextField(filters=[_clip(60)])
    given_name = TextField(filters=[_clip(200)])
    family_name = TextField(filters=[_clip(200)])
    title = TextField(filters=[_clip(200)])
    phone = TextField(filters=[_clip(80)])
    email = TextField(filters=[_clip(400)])
    unit_id = IdField()
    roles = ChoicesField()

    def staff(self) -> StaffData:
        return StaffData(
            hsa_id=self.hsa_id.data,
            given_name=self.given_name.data,
            family_name=self.family_name.data,
            title=self.title.data,
            unit_id=self.unit_id.data,
            phone=self.phone.data,
            email=self.email.data,
            roles=tuple(self.roles.data),
        )

    def shown(self) -> dict[str, object]:
        return {**self.values(), "roles": self.roles.data}


class MoveForm(Form):
    """Move someone to another of the principal's units."""

    unit_id = IdField()


class ConfirmForm(Form):
    """Deactivate or reactivate: the button is the whole form."""


class SearchForm(Form):
    """The search box of the lists (a GET: read from the query string)."""

    q = TextField(filters=[_clip(100)])
