"""The forms of care's workspace: a new plan, the editor, publishing, discarding a draft,
handovers, closing a plan and recording a death.

The editor's rows (goals, activities, team, external actors) are numbered fields whose parsing
lives in `drafts.DraftForm`; `EditorForm` carries the fixed fields and hands everything that was
sent to it, then adds the date range every date of a care plan must keep to."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field
from wtforms.validators import AnyOf, InputRequired, ValidationError

from app.planning import drafts, handovers, services
from app.plans.models import CarePlan, CloseReason, HandoverRole, PlanKind
from app.web.converters import number
from app.web.forms import EARLIEST, LATEST, DayField, Form, TextField

CLOSE_CHOICES = (CloseReason.GOALS_MET, CloseReason.NO_LONGER_NEEDED, CloseReason.CONSENT_WITHDRAWN)


class VersionField(Field):
    """The plan version the form was opened on; anything but a number (ASCII digits, within
    an INTEGER column) is -1 (never current), so a tampered or missing version is a conflict,
    not a silent overwrite."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        version = number(str(valuelist[0])) if valuelist else None
        self.data = -1 if version is None else version

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class VersionedForm(Form):
    version = VersionField(default=-1)

    def seen_version(self) -> int:
        return self.version.data if isinstance(self.version.data, int) else -1


class NewPlanForm(Form):
    kind = TextField(
        validators=[
            InputRequired(message=services.ERRORS["kind"]),
            AnyOf([kind.value for kind in PlanKind], message=services.ERRORS["kind"]),
        ]
    )


class EditorForm(VersionedForm):
    """The editor: the version it was opened on, where to go after saving, and the plan's
    document as `drafts.DraftForm` reads it from every field that was sent."""

    next = TextField()
    _sent: Any = None

    def process(
        self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any
    ) -> None:
        formdata = self.meta.wrap_formdata(self, formdata)
        self._sent = formdata if formdata is not None else MultiDict()
        super().process(formdata, obj, data, **kwargs)

    @property
    def goes_to_publish(self) -> bool:
        return self.next.data == "publish"

    def document(
        self, session: Session, plan: CarePlan, today: date
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The document as written, and a Swedish message for every field that needs one."""
        doc, errors = services.read_form(session, plan, self._sent, today)
        for name, value in _dates(doc):
            if value and not _sane(value):
                errors.setdefault(name, str(drafts.ERRORS["date"]))
        self.validate()
        for name, message in self.messages().items():
            errors.setdefault(name, message)
        return doc, errors


def _dates(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """Every date in the document with the name of the field it came from."""
    found = [
        ("follow_up_on", doc["follow_up_on"]),
        ("next_on", doc["next_step"]["on"]),
        ("consent_on", doc["consent"]["given_on"]),
    ]
    found += [(f"goal-{i}-target", goal["target"]) for i, goal in enumerate(doc["goals"])]
    found += [(f"act-{i}-due", act["due"]) for i, act in enumerate(doc["activities"])]
    return found


def _sane(value: str) -> bool:
    try:
        return EARLIEST <= date.fromisoformat(value) <= LATEST
    except ValueError:
        return True  # DraftForm has already said it is malformed


class DiscardForm(VersionedForm):
    pass


class PublishForm(VersionedForm):
    summary = TextField()
    uppf = BooleanField(false_values=("", "0", "false"))


class HandoverForm(Form):
    """Offer a role: to someone on the plan ("member:<id>") or by HSA-id ("hsa" and the id)."""

    role = TextField(
        validators=[AnyOf([role.value for role in HandoverRole], message=handovers.ERRORS["role"])]
    )
    receiver = TextField(validators=[InputRequired(message=handovers.ERRORS["receiver"])])
    hsa = TextField()
    note = TextField()

    def validate_receiver(self, field: Field) -> None:
        if field.data == "hsa" and not self.hsa.data:
            raise ValidationError(str(handovers.ERRORS["receiver"]))

    def validate_note(self, field: Field) -> None:
        if len(field.data or "") > handovers.MAX_NOTE:
            raise ValidationError(str(handovers.ERRORS["too_long"]))

    def receiver_id(self) -> str:
        """ "member:<id>" or an HSA-id, as `handovers.offer` takes it."""
        return (self.hsa.data or "") if self.receiver.data == "hsa" else (self.receiver.data or "")


class HandoverAnswerForm(Form):
    """Acknowledging or withdrawing a handover: nothing but the button (and the CSRF token)."""


class CloseForm(VersionedForm):
    reason = TextField(
        validators=[
            InputRequired(message=services.ERRORS["reason"]),
            AnyOf([choice.value for choice in CLOSE_CHOICES], message=services.ERRORS["reason"]),
        ]
    )


class DeathForm(Form):
    day = DayField(
        message=services.ERRORS["death_date"],
        validators=[InputRequired(message=services.ERRORS["death_date"])],
    )
    confirm = BooleanField(
        false_values=("", "0", "false"),
        validators=[InputRequired(message=services.ERRORS["confirm"])],
    )
