"""Katalogen: an administrator keeps the units and staff of their own principal (region or
municipality). Nobody else sees these pages: they answer 404, counted like every refusal.
No patient data is shown here; deactivating someone hands their open work to their unit
(app/directory/services.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers.response import Response

from app.access.actor import Actor, current_actor
from app.access.refusals import refuse
from app.accounts.models import CareUnit, Practitioner, Principal, StaffRole
from app.clock import local_date, now
from app.db import get_session
from app.directory import queries, services
from app.directory.forms import ConfirmForm, MoveForm, SearchForm, StaffForm, UnitForm
from app.directory.services import ADMIN_SOURCE, DirectoryError
from app.extensions import limit_writes
from app.web.templating import render

bp = limit_writes(Blueprint("directory", __name__))

ACTIONS = {
    "created": _l("Skapad"),
    "updated": _l("Ändrad"),
    "moved": _l("Flyttad"),
    "deactivated": _l("Avslutad"),
    "reactivated": _l("Återaktiverad"),
}
FIELDS = {
    "hsa_id": _l("HSA-id"),
    "name": _l("Namn"),
    "phone": _l("Telefon"),
    "address": _l("Adress"),
    "response_working_days": _l("Svarslöfte (arbetsdagar)"),
    "reminder_working_days": _l("Påminnelse före tid (arbetsdagar)"),
    "given_name": _l("Förnamn"),
    "family_name": _l("Efternamn"),
    "title": _l("Befattning"),
    "email": _l("E-post"),
    "unit_id": _l("Enhet"),
    "roles": _l("Roller"),
    "deactivated_at": _l("Avslutad"),
    "sessions_ended": _l("Inloggningar avslutade"),
    "threads_to_unit": _l("Ärenden till enhetens kö"),
    "handovers_cancelled": _l("Överlämningar avbrutna"),
    "team_roles_ended": _l("Roller i vårdteam avslutade"),
}
ROLES = {
    StaffRole.CARE.value: _l("Vård"),
    StaffRole.ADMIN.value: _l("Administratör"),
    StaffRole.FOLLOW_UP.value: _l("Uppföljning"),
}


@dataclass(frozen=True)
class Admin:
    actor: Actor
    principal: Principal


def _admin() -> Admin:
    """The signed-in administrator and the principal they keep; anyone else gets 404."""
    actor = current_actor()
    practitioner = actor.practitioner
    if practitioner is None or not practitioner.has_role(StaffRole.ADMIN):
        refuse(actor)
    return Admin(actor, services.principal_of(get_session(), practitioner))


def _unit(admin: Admin, unit_id: int) -> CareUnit:
    unit = get_session().get(CareUnit, unit_id)
    if unit is None or unit.principal_id != admin.principal.id:
        refuse(admin.actor)
    return unit


def _person(admin: Admin, practitioner_id: int) -> Practitioner:
    practitioner = get_session().get(Practitioner, practitioner_id)
    if practitioner is None or practitioner.unit.principal_id != admin.principal.id:
        refuse(admin.actor)
    return practitioner


def _search() -> str:
    form = SearchForm(formdata=request.args)
    return form.q.data if form.validate() else ""


def _page(template: str, admin: Admin, status: int = 200, **context: Any) -> Response:
    db = get_session()
    unit_names = {
        row.id: row.name
        for row in db.execute(
            select(CareUnit.id, CareUnit.name).where(CareUnit.principal_id == admin.principal.id)
        )
    }
    response = render(
        f"directory/{template}",
        principal=admin.principal,
        actions=ACTIONS,
        fields=FIELDS,
        role_names=ROLES,
        unit_names=unit_names,
        **context,
    )
    response.status_code = status
    return response


def _active_units(admin: Admin) -> list[queries.UnitRow]:
    return [u for u in queries.units(get_session(), admin.principal.id) if u.active]


@bp.get("/katalog")
@login_required
def overview() -> Response:
    admin = _admin()
    db, search = get_session(), _search()
    return _page(
        "overview.html",
        admin,
        units=queries.units(db, admin.principal.id, search),
        changes=queries.changes(db, admin.principal.id, limit=20),
        q=search,
    )


# --- Units -------------------------------------------------------------------------------------


@bp.route("/katalog/enheter/ny", methods=["GET", "POST"])
@login_required
def new_unit() -> Response:
    admin = _admin()
    form = UnitForm()
    if request.method == "POST":
        try:
            unit = services.create_unit(
                get_session(),
                admin.principal,
                form.unit(),
                admin.actor.practitioner_id,
                ADMIN_SOURCE,
                now(),
            )
        except DirectoryError as error:
            form.fail(error.field, error.message)
            return _page(
                "unit.html", admin, 400, unit=None, form=form.values(), errors=form.messages()
            )
        return redirect(url_for("directory.unit", unit_id=unit.id, sparat=1), code=303)
    return _page(
        "unit.html",
        admin,
        unit=None,
        form={"response_working_days": 2, "reminder_working_days": 1},
        errors={},
    )


@bp.route("/katalog/enheter/<int:unit_id>", methods=["GET", "POST"])
@login_required
def unit(unit_id: int) -> Response:
    admin = _admin()
    row = _unit(admin, unit_id)
    db = get_session()
    form = UnitForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            services.update_unit(
                db, row, form.unit(), admin.actor.practitioner_id, ADMIN_SOURCE, now()
            )
            return redirect(url_for("directory.unit", unit_id=row.id, sparat=1), code=303)
        except DirectoryError as error:
            form.fail(error.field, error.message)
            errors, status = form.messages(), 400
    shown = (
        form.values()
        if errors
        else {
            "hsa_id": row.hsa_id or "",
            "name": row.name,
            "phone": row.phone,
            "address": row.address,
            "response_working_days": row.response_working_days,
            "reminder_working_days": row.reminder_working_days,
        }
    )
    return _page(
        "unit.html",
        admin,
        status,
        unit=row,
        form=shown,
        errors=errors,
        staff=queries.staff(db, admin.principal.id, unit_id=row.id),
        changes=queries.changes(db, admin.principal.id, "unit", row.id),
        saved=request.args.get("sparat") == "1",
    )


def _unit_status(unit_id: int, active: bool) -> Response:
    admin = _admin()
    row = _unit(admin, unit_id)
    ConfirmForm()
    db, moment = get_session(), now()
    try:
        if active:
            services.reactivate_unit(db, row, admin.actor.practitioner_id, ADMIN_SOURCE, moment)
        else:
            services.deactivate_unit(db, row, admin.actor.practitioner_id, ADMIN_SOURCE, moment)
    except DirectoryError as error:
        return _page(
            "unit.html",
            admin,
            409,
            unit=row,
            form={
                "hsa_id": row.hsa_id or "",
                "name": row.name,
                "phone": row.phone,
                "address": row.address,
                "response_working_days": row.response_working_days,
                "reminder_working_days": row.reminder_working_days,
            },
            errors={},
            status_error=str(error.message),
            staff=queries.staff(db, admin.principal.id, unit_id=row.id),
            changes=queries.changes(db, admin.principal.id, "unit", row.id),
        )
    return redirect(url_for("directory.unit", unit_id=row.id, sparat=1), code=303)


@bp.post("/katalog/enheter/<int:unit_id>/avsluta")
@login_required
def deactivate_unit(unit_id: int) -> Response:
    return _unit_status(unit_id, active=False)


@bp.post("/katalog/enheter/<int:unit_id>/aktivera")
@login_required
def reactivate_unit(unit_id: int) -> Response:
    return _unit_status(unit_id, active=True)


# --- Staff -------------------------------------------------------------------------------------


@bp.get("/katalog/personal")
@login_required
def staff_list() -> Response:
    admin = _admin()
    search = _search()
    return _page(
        "staff_list.html",
        admin,
        staff=queries.staff(get_session(), admin.principal.id, search),
        q=search,
    )


@bp.route("/katalog/personal/ny", methods=["GET", "POST"])
@login_required
def new_staff() -> Response:
    admin = _admin()
    form = StaffForm()
    if request.method == "POST":
        try:
            person = services.create_staff(
                get_session(),
                admin.principal,
                form.staff(),
                admin.actor.practitioner_id,
                ADMIN_SOURCE,
                now(),
            )
        except DirectoryError as error:
            form.fail(error.field, error.message)
            return _page(
                "person.html",
                admin,
                400,
                person=None,
                form=form.shown(),
                errors=form.messages(),
                units=_active_units(admin),
            )
        return redirect(url_for("directory.person", practitioner_id=person.id, sparat=1), code=303)
    return _page(
        "person.html",
        admin,
        person=None,
        form={"roles": [StaffRole.CARE.value]},
        errors={},
        units=_active_units(admin),
    )


def _person_form(person: Practitioner) -> dict[str, object]:
    return {
        "hsa_id": person.hsa_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "title": person.title,
        "phone": person.phone or "",
        "email": person.email or "",
        "unit_id": person.unit_id,
        "roles": person.roles.split(),
    }


def _person_page(
    admin: Admin,
    person: Practitioner,
    form: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    status_error: str = "",
) -> Response:
    return _page(
        "person.html",
        admin,
        status,
        person=person,
        form=form or _person_form(person),
        errors=errors or {},
        status_error=status_error,
        yourself=person.id == admin.actor.practitioner_id,
        units=_active_units(admin),
        changes=queries.changes(get_session(), admin.principal.id, "practitioner", person.id),
        saved=request.args.get("sparat") == "1",
        moved=request.args.get("flyttad") == "1",
        handed=request.args.get("avslutad") == "1",
    )


@bp.route("/katalog/personal/<int:practitioner_id>", methods=["GET", "POST"])
@login_required
def person(practitioner_id: int) -> Response:
    admin = _admin()
    row = _person(admin, practitioner_id)
    if request.method == "POST":
        form = StaffForm()
        try:
            services.update_staff(
                get_session(), row, form.staff(), admin.actor.practitioner_id, ADMIN_SOURCE, now()
            )
        except DirectoryError as error:
            form.fail(error.field, error.message)
            return _person_page(admin, row, form.shown(), form.messages(), 400)
        return redirect(url_for("directory.person", practitioner_id=row.id, sparat=1), code=303)
    return _person_page(admin, row)


@bp.post("/katalog/personal/<int:practitioner_id>/flytta")
@login_required
def move(practitioner_id: int) -> Response:
    admin = _admin()
    row = _person(admin, practitioner_id)
    form = MoveForm()
    data = services.StaffData(
        hsa_id=row.hsa_id,
        given_name=row.given_name,
        family_name=row.family_name,
        title=row.title,
        unit_id=form.unit_id.data,
        phone=row.phone or "",
        email=row.email or "",
        roles=tuple(row.roles.split()),
    )
    try:
        services.update_staff(
            get_session(), row, data, admin.actor.practitioner_id, ADMIN_SOURCE, now()
        )
    except DirectoryError as error:
        return _person_page(admin, row, errors={"move_unit_id": str(error.message)}, status=400)
    return redirect(url_for("directory.person", practitioner_id=row.id, flyttad=1), code=303)


@bp.post("/katalog/personal/<int:practitioner_id>/avsluta")
@login_required
def deactivate(practitioner_id: int) -> Response:
    admin = _admin()
    row = _person(admin, practitioner_id)
    ConfirmForm()
    moment = now()
    try:
        services.deactivate_staff(
            get_session(), row, admin.actor, ADMIN_SOURCE, moment, local_date(moment)
        )
    except DirectoryError as error:
        return _person_page(admin, row, status=409, status_error=str(error.message))
    return redirect(url_for("directory.person", practitioner_id=row.id, avslutad=1), code=303)


@bp.post("/katalog/personal/<int:practitioner_id>/aktivera")
@login_required
def reactivate(practitioner_id: int) -> Response:
    admin = _admin()
    row = _person(admin, practitioner_id)
    ConfirmForm()
    try:
        services.reactivate_staff(
            get_session(), row, admin.actor.practitioner_id, ADMIN_SOURCE, now()
        )
    except DirectoryError as error:
        return _person_page(admin, row, status=409, status_error=str(error.message))
    return redirect(url_for("directory.person", practitioner_id=row.id, sparat=1), code=303)
