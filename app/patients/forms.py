"""The form for a patient's first contact with Samplan through care: who, and why."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from app.accounts.identity import InvalidPersonalNumber, normalise_personal_number
from app.patients.models import RelationshipReason
from app.web.forms import Form, TextField

NAME_LENGTH = 100
NOTE_LENGTH = 300


def _clip(length: int):  # noqa: ANN202 - a WTForms filter
    return lambda text: (text or "")[: length + 1]


class StatementForm(Form):
    """A personal number, the name as the journal has it, and the practitioner's statement
    that they have a care relationship with the person, with its reason."""

    personal_number = TextField(
        validators=[InputRequired(message=_l("Skriv personens personnummer."))],
        filters=[_clip(20)],
    )
    given_name = TextField(
        validators=[
            InputRequired(message=_l("Skriv förnamnet som det står i journalen.")),
            Length(max=NAME_LENGTH, message=_l("Förnamnet får vara högst 100 tecken.")),
        ],
        filters=[_clip(NAME_LENGTH)],
    )
    family_name = TextField(
        validators=[
            InputRequired(message=_l("Skriv efternamnet som det står i journalen.")),
            Length(max=NAME_LENGTH, message=_l("Efternamnet får vara högst 100 tecken.")),
        ],
        filters=[_clip(NAME_LENGTH)],
    )
    reason = TextField(
        validators=[
            InputRequired(message=_l("Välj varför du har en vårdrelation med personen.")),
            AnyOf(
                [reason.value for reason in RelationshipReason],
                message=_l("Välj varför du har en vårdrelation med personen."),
            ),
        ]
    )
    note = TextField(
        validators=[
            Length(max=NOTE_LENGTH, message=_l("Beskrivningen får vara högst 300 tecken."))
        ],
        filters=[_clip(NOTE_LENGTH)],
    )
    attest = BooleanField(
        validators=[
            InputRequired(
                message=_l("Intyga att du har en vårdrelation med personen, annars visas inget.")
            )
        ]
    )

    def validate_personal_number(self, field: TextField) -> None:
        try:
            field.data = normalise_personal_number(field.data)
        except InvalidPersonalNumber as error:
            raise ValidationError(
                _l(
                    "Det är inte ett giltigt personnummer eller samordningsnummer. "
                    "Skriv det som ÅÅÅÅMMDD-NNNN."
                )
            ) from error

    def validate_note(self, field: TextField) -> None:
        if self.reason.data == RelationshipReason.OTHER and not field.data:
            raise ValidationError(_l("Skriv med några ord varför, när du väljer Annat."))
