"""The forms of delegated access: the patient's invitations and grants, the relative's code, and
care's register of legal representatives and guardian decisions."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.validators import ValidationError

from app.proxies.services import MAX_MONTHS, RepresentativeDecision
from app.web.converters import identifier, number
from app.web.forms import DayField, Form, TextField

ERRORS = {
    "no_scopes": _l("Välj minst en sak som personen får göra."),
    "scope_not_allowed": _l("Det valet är inte tillåtet i din region."),
    "months": _l("Välj hur länge, från 1 månad till 3 år."),
    "bad_code": _l(
        "Koden fungerar inte. Den kan vara fel skriven, redan använd eller för gammal. "
        "Be om en ny kod."
    ),
    "personal_number": _l("Skriv ett giltigt personnummer, till exempel 19450823-9821."),
    "self": _l("Patienten kan inte vara sin egen företrädare."),
    "representative_minor": _l("En god man eller förvaltare måste ha fyllt 18 år."),
    "kind": _l("Välj god man eller förvaltare."),
    "adults_only": _l(
        "God man och förvaltare kan bara registreras för patienter som har fyllt 18 år. "
        "För ett barn från 13 år får vårdnadshavaren fortsatt tillgång bara genom ett beslut "
        "med barnets samtycke, under Vårdnadshavare."
    ),
    "decision_reference": _l("Skriv beslutets diarienummer eller referens."),
    "decision_date": _l(
        "Skriv beslutets datum. Det kan inte ligga i framtiden eller före patientens 16-årsdag."
    ),
    "authority": _l("Välj vem som fattade beslutet: tingsrätten eller överförmyndaren."),
    "authority_kind": _l("Förvaltarskap beslutas av tingsrätten. Välj tingsrätten."),
    "representative_until": _l(
        "Skriv ett slutdatum efter i dag och högst tre år fram i tiden. "
        "Registrera beslutet på nytt när det har prövats igen."
    ),
    "reason": _l("Skriv varför företrädaren registreras."),
    "reason_too_long": _l("Texten är för lång. Den får vara högst 2 000 tecken."),
    "confirm_self": _l(
        "En kollega måste bekräfta registreringen. Den som registrerade den kan inte göra det."
    ),
    "confirm_too_late": _l("Registreringens slutdatum har passerat. Registrera beslutet på nytt."),
    "end_reason": _l("Skriv varför registreringen avslutas."),
    "objection_empty": _l("Skriv vad du invänder mot innan du skickar."),
    "objection_too_long": _l("Texten är för lång. Den får vara högst 4 000 tecken."),
    "guardian_until": _l("Datumet måste ligga framåt i tiden och före barnets 16-årsdag."),
    "too_young": _l("Beslut behövs först när barnet närmar sig 13 år."),
    "decision": _l("Skriv beslutet och att barnet har samtyckt."),
    "name": _l("Skriv personens för- och efternamn."),
    "private": _l("Välj ett av alternativen."),
    "changed": _l(
        "Du har redan skapat en inbjudan med det här formuläret, med andra val. Den inbjudan "
        "gäller fortfarande: avbryt den under ”Inbjudningar som inte har använts” om den inte "
        "ska gälla. Skicka formuläret igen för att skapa en ny inbjudan med de här valen."
    ),
}


class ChoicesField(Field):
    """The values of a group of checkboxes with one name: a list of short strings, in order."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(value).strip()[:100] for value in valuelist]

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])


def _clip(length: int) -> Any:
    return lambda text: (text or "")[:length]


class InvitationForm(Form):
    """The patient invites a relative: what they may do, for how long, and what stays private."""

    scopes = ChoicesField()
    months = TextField(filters=[_clip(10)])
    relation_label = TextField(filters=[_clip(200)])
    private = ChoicesField()
    key = TextField(filters=[_clip(64)])

    def month_count(self) -> int:
        """The months chosen; 0 (refused by the service) for anything but a number."""
        return number(self.months.data or "") or 0

    def validate_months(self, field: Field) -> None:
        if not 1 <= self.month_count() <= MAX_MONTHS:
            raise ValidationError(str(ERRORS["months"]))

    def validate_private(self, field: Field) -> None:
        """Each private plan is a plan id: a value that is none ("²", "٣", a 20-digit number)
        is refused, never dropped, since dropping it would show that plan to the relative."""
        if any(identifier(text) is None for text in field.data or []):
            raise ValidationError(str(ERRORS["private"]))

    def private_plans(self) -> list[int]:
        return [n for text in self.private.data or [] if (n := identifier(text)) is not None]

    def shown(self) -> dict[str, object]:
        """What was sent, for the page that comes back with an error."""
        return {**self.values(), "scopes": self.scopes.data, "private": self.private.data}


class ScopesForm(Form):
    """The patient changes what a relative may do."""

    scopes = ChoicesField()


class CodeForm(Form):
    """The relative's invitation code."""

    code = TextField(filters=[_clip(40)])


class RepresentativeForm(Form):
    """Care registers a god man or förvaltare from the decision (the service checks each
    field's range: a date is only parsed here)."""

    personal_number = TextField(filters=[_clip(40)])
    given_name = TextField(filters=[_clip(200)])
    family_name = TextField(filters=[_clip(200)])
    kind = TextField(filters=[_clip(40)])
    decision_reference = TextField(filters=[_clip(400)])
    decision_date = DayField(out_of_range=ERRORS["decision_date"])
    authority = TextField(filters=[_clip(40)])
    scopes = ChoicesField()
    until = DayField(out_of_range=ERRORS["representative_until"])
    reason = TextField(filters=[_clip(4000)])

    def decision(self) -> RepresentativeDecision:
        return RepresentativeDecision(
            personal_number=self.personal_number.data or "",
            given_name=self.given_name.data or "",
            family_name=self.family_name.data or "",
            kind=self.kind.data or "",
            reference=self.decision_reference.data or "",
            decision_date=self.decision_date.data,
            authority=self.authority.data or "",
            scopes=self.scopes.data,
            until=self.until.data,
            reason=self.reason.data or "",
        )

    def shown(self) -> dict[str, object]:
        return {**self.values(), "scopes": self.scopes.data}


class ReasonForm(Form):
    """Care ends a legal representative's registration, saying why."""

    reason = TextField(filters=[_clip(4000)])


class ObjectionForm(Form):
    """The patient objects to a legal representative registered for them."""

    text = TextField(filters=[_clip(8000)])


class GuardianDecisionForm(Form):
    """Care's decision that a guardian keeps access from the child's 13th birthday."""

    until = DayField()
    decision = TextField(filters=[_clip(4000)])
