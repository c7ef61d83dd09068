"""Demo sign-in: pick a persona from the demo world. Registered only in demo mode."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers.response import Response

from app.accounts.models import Person, Practitioner
from app.accounts.sessions import sign_in
from app.clock import now
from app.db import get_session
from app.demo.forms import DemoForm
from app.extensions import limit_writes

bp = limit_writes(Blueprint("demo", __name__))

# One line on who each persona is, in the order DESIGN.md lists them.
PERSONAS: tuple[tuple[str, object], ...] = (
    ("patient-maja", _l("81 år, hjärtsvikt och diabetes typ 2, bor hemma med hemsjukvård.")),
    ("proxy-anna", _l("Majas dotter. Ombud för Maja: läser planer och meddelanden.")),
    ("patient-per", _l("62 år, behandlas för tjocktarmscancer.")),
    ("patient-elias", _l("11 år, diabetes typ 1.")),
    ("guardian-sara", _l("Elias mamma och vårdnadshavare.")),
    ("patient-ali", _l("45 år, efter en stroke. Vill ha enkel vy och arabiska.")),
    (
        "staff-karin",
        _l("Distriktssköterska, Hälsocentralen Kvarnen. Fast vårdkontakt för Maja och Ali."),
    ),
    ("staff-erik", _l("Läkare, Hälsocentralen Kvarnen. Fast läkarkontakt för Maja och Ali.")),
    ("staff-lena", _l("Sjuksköterska i kommunens hemsjukvård. Med i Majas och Alis SIP.")),
    ("staff-sofia", _l("Kontaktsjuksköterska på onkologkliniken, för Per.")),
    ("staff-amir", _l("Diabetessjuksköterska på barnkliniken, för Elias.")),
    ("staff-jonas", _l("Läkare på ortopeden. Har ingen vårdrelation med någon patient i demon.")),
    ("patient-greta", _l("74 år. Har ingen plan än, men har bett vårdcentralen om en.")),
    ("admin-region", _l("Systemförvaltare i Region Norrbotten. Lägger till enheter och personal.")),
    ("admin-kommun", _l("Systemförvaltare i Luleå kommun. Lägger till enheter och personal.")),
    (
        "followup-region",
        _l("Följer upp patientkontraktet i Region Norrbotten. Ser bara antal, aldrig en patient."),
    ),
)
# Personas who are staff (they sign in with SITHS, not with BankID).
STAFF_PREFIXES = ("staff-", "admin-", "followup-")


def _party(key: str) -> Person | Practitioner | None:
    db = get_session()
    if key.startswith(STAFF_PREFIXES):
        return db.scalars(select(Practitioner).where(Practitioner.demo_key == key)).first()
    return db.scalars(select(Person).where(Person.demo_key == key)).first()


def _rows() -> list[tuple[str, Person | Practitioner, object]]:
    db = get_session()
    keys = [key for key, _ in PERSONAS]
    people = {p.demo_key: p for p in db.scalars(select(Person).where(Person.demo_key.in_(keys)))}
    staff = {
        p.demo_key: p
        for p in db.scalars(select(Practitioner).where(Practitioner.demo_key.in_(keys)))
    }
    return [
        (key, people.get(key) or staff[key], line)
        for key, line in PERSONAS
        if key in people or key in staff
    ]


@bp.get("/demo")
def choose() -> str:
    return render_template("demo/choose.html", rows=_rows())


@bp.post("/demo")
def sign_in_as() -> Response | tuple[str, int]:
    party = _party(DemoForm().persona.data or "")
    if party is None:
        abort(404)
    if isinstance(party, Practitioner) and party.deactivated_at is not None:
        message = _(
            "Din behörighet i Samplan har avslutats. Kontakta din verksamhetschef om du "
            "fortfarande arbetar här."
        )
        return render_template("demo/choose.html", rows=_rows(), error=message), 403
    sign_in(get_session(), party, "demo", now())
    return redirect(url_for("plans.start"), code=303)
