"""Ombud och närstående: the patient's grants and invitations, the relative's code, and care's
register of legal representatives and guardian decisions."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, Response, abort, current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.access import subject
from app.access.actor import Actor, current_actor
from app.access.policy import Action, allowed_proxy_scopes, may
from app.accounts.models import Person
from app.audit.services import record_access, record_refusal
from app.clock import now, zone
from app.db import get_session
from app.extensions import limit_writes, limiter
from app.plans.models import CarePlan
from app.proxies import services
from app.proxies.models import Guardianship, ProxyGrant, ProxyInvitation
from app.proxies.names import SCOPE_NAMES
from app.web.converters import number
from app.web.templating import render

bp = limit_writes(Blueprint("proxies", __name__))
NEW_CODE = "new_invitation_code"

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
    "kind": _l("Välj god man eller förvaltare."),
    "decision_reference": _l("Skriv beslutets diarienummer eller referens."),
    "until": _l("Skriv ett slutdatum som ligger framåt i tiden."),
    "guardian_until": _l("Datumet måste ligga framåt i tiden och före barnets 16-årsdag."),
    "too_young": _l("Beslut behövs först när barnet närmar sig 13 år."),
    "decision": _l("Skriv beslutet och att barnet har samtyckt."),
    "name": _l("Skriv personens för- och efternamn."),
}


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _own_page(
    errors: dict[str, str] | None = None, form: dict[str, object] | None = None, status: int = 200
) -> Response:
    actor = current_actor()
    if actor.person is None or subject.subject_id(actor) != actor.person.id:
        abort(404)  # a proxy never manages someone else's proxies
    db, moment = get_session(), now()
    patient = actor.person
    grants = db.scalars(
        select(ProxyGrant)
        .where(ProxyGrant.patient_id == patient.id)
        .options(joinedload(ProxyGrant.proxy), selectinload(ProxyGrant.exclusions))
        .order_by(ProxyGrant.revoked_at.is_not(None), ProxyGrant.valid_until.desc())
    ).all()
    guardians = db.scalars(
        select(Guardianship)
        .where(Guardianship.child_id == patient.id)
        .options(joinedload(Guardianship.guardian))
    ).all()
    invitations = db.scalars(
        select(ProxyInvitation).where(
            ProxyInvitation.patient_id == patient.id,
            ProxyInvitation.used_at.is_(None),
            ProxyInvitation.cancelled_at.is_(None),
            ProxyInvitation.expires_at > moment,
        )
    ).all()
    plans = db.scalars(
        select(CarePlan).where(CarePlan.patient_id == patient.id, CarePlan.status != "draft")
    ).all()
    record_access(db, actor, patient.id, "read", "proxy_grants", None, moment)
    db.commit()
    response = render(
        "proxies/own.html",
        grants=grants,
        guardians=guardians,
        invitations=invitations,
        plans=plans,
        now=moment,
        scope_names=SCOPE_NAMES,
        allowed=allowed_proxy_scopes(),
        errors=errors or {},
        form=form
        or {"months": services.DEFAULT_MONTHS, "scopes": ["read_plans"], "key": uuid.uuid4().hex},
        new_code=session.pop(NEW_CODE, None),
    )
    response.status_code = status
    return response


@bp.get("/ombud")
@login_required
def own() -> Response:
    return _own_page()


@bp.post("/ombud/bjud-in")
@login_required
def invite() -> Response:
    actor = current_actor()
    if actor.person is None or subject.subject_id(actor) != actor.person.id:
        abort(404)
    db = get_session()
    form: dict[str, object] = {
        "scopes": request.form.getlist("scopes"),
        "months": request.form.get("months", ""),
        "relation_label": request.form.get("relation_label", ""),
        "private": request.form.getlist("private"),
        "key": request.form.get("key", "")[:64],
    }
    months = str(form["months"])
    private = [n for p in form["private"] if (n := number(str(p))) is not None]  # type: ignore[union-attr]
    try:
        _, code = services.create_invitation(
            db,
            actor,
            form["scopes"],
            number(months) or 0,  # type: ignore[arg-type]
            str(form["relation_label"]),
            private,
            now(),
            str(form["key"]),
        )
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        db.rollback()
        return _own_page({error.field: str(ERRORS[error.code])}, form, 400)
    db.commit()
    session[NEW_CODE] = services.format_code(code)
    return redirect(url_for("proxies.own", _anchor="ny-kod"), code=303)


@bp.post("/ombud/<int:grant_id>/behorighet")
@login_required
def change(grant_id: int) -> Response:
    db = get_session()
    try:
        services.change_scopes(db, current_actor(), grant_id, request.form.getlist("scopes"), now())
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        db.rollback()
        return _own_page({f"grant-{grant_id}": str(ERRORS[error.code])}, None, 400)
    db.commit()
    return redirect(url_for("proxies.own"), code=303)


@bp.post("/ombud/<int:grant_id>/aterkalla")
@login_required
def revoke(grant_id: int) -> Response:
    db = get_session()
    try:
        services.revoke(db, current_actor(), grant_id, now())
    except services.NotAllowed:
        abort(404)
    db.commit()
    return redirect(url_for("proxies.own"), code=303)


@bp.post("/ombud/inbjudan/<int:invitation_id>/avbryt")
@login_required
def cancel(invitation_id: int) -> Response:
    db = get_session()
    try:
        services.cancel_invitation(db, current_actor(), invitation_id, now())
    except services.NotAllowed:
        abort(404)
    db.commit()
    return redirect(url_for("proxies.own"), code=303)


def _code_limit() -> str:
    return current_app.config["RATELIMIT_INVITATION_CODE"]


def _code_key() -> str:
    actor = current_user
    return f"code:{actor.get_id() if actor.is_authenticated else request.remote_addr}"


@bp.route("/ombud/anvand-kod", methods=["GET", "POST"])
@login_required
@limiter.limit(_code_limit, key_func=_code_key, methods=["POST"])
def use_code() -> Response:
    actor = current_actor()
    if actor.person is None:
        abort(404)
    if request.method == "GET":
        return render("proxies/use_code.html", errors={}, code="")
    db, moment = get_session(), now()
    raw = request.form.get("code", "")[:40]
    try:
        grant = services.accept_invitation(db, actor, raw, moment)
    except services.ProxyError as error:
        db.rollback()
        response = render(
            "proxies/use_code.html", errors={"code": str(ERRORS[error.code])}, code=raw
        )
        response.status_code = 400
        return response
    db.commit()
    subject.choose(grant.patient_id)
    return redirect(url_for("plans.start"), code=303)


def _staff_patient(patient_id: int) -> tuple[Person, Actor]:
    actor, db, moment = current_actor(), get_session(), now()
    patient = db.get(Person, patient_id)
    if (
        patient is None
        or not actor.is_staff
        or not may(db, actor, Action.READ_OVERVIEW, patient_id, moment)
    ):
        if patient is not None:
            record_refusal(db, actor, patient_id, "representatives", None, moment)
            db.commit()
        abort(404)
    return patient, actor


def _staff_page(
    patient_id: int,
    errors: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    patient, actor = _staff_patient(patient_id)
    db, moment = get_session(), now()
    grants = db.scalars(
        select(ProxyGrant)
        .where(ProxyGrant.patient_id == patient_id)
        .options(joinedload(ProxyGrant.proxy))
        .order_by(ProxyGrant.valid_until.desc())
    ).all()
    guardians = db.scalars(
        select(Guardianship)
        .where(Guardianship.child_id == patient_id)
        .options(joinedload(Guardianship.guardian))
    ).all()
    record_access(db, actor, patient_id, "read", "proxy_grants", None, moment)
    db.commit()
    response = render(
        "proxies/staff.html",
        patient=patient,
        grants=grants,
        guardians=guardians,
        now=moment,
        today=moment.astimezone(zone()).date(),
        scope_names=SCOPE_NAMES,
        errors=errors or {},
        form=form or {},
    )
    response.status_code = status
    return response


@bp.get("/patient/<int:patient_id>/foretradare")
@login_required
def staff_view(patient_id: int) -> Response:
    return _staff_page(patient_id)


@bp.post("/patient/<int:patient_id>/foretradare")
@login_required
def register_representative(patient_id: int) -> Response:
    _staff_patient(patient_id)
    db = get_session()
    form: dict[str, object] = {
        name: request.form.get(name, "")
        for name in (
            "personal_number",
            "given_name",
            "family_name",
            "kind",
            "decision_reference",
            "until",
        )
    }
    form["scopes"] = request.form.getlist("scopes")
    try:
        services.register_legal_representative(
            db,
            current_actor(),
            patient_id,
            str(form["personal_number"]),
            str(form["given_name"]),
            str(form["family_name"]),
            str(form["kind"]),
            str(form["decision_reference"]),
            form["scopes"],
            _date(str(form["until"])),
            now(),
        )  # type: ignore[arg-type]
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        db.rollback()
        return _staff_page(patient_id, {error.field: str(ERRORS[error.code])}, form, 400)
    db.commit()
    return redirect(url_for("proxies.staff_view", patient_id=patient_id), code=303)


@bp.post("/patient/<int:patient_id>/vardnadshavare/<int:guardianship_id>")
@login_required
def guardian_decision(patient_id: int, guardianship_id: int) -> Response:
    _staff_patient(patient_id)
    db = get_session()
    guardianship = db.get(Guardianship, guardianship_id)
    if guardianship is None or guardianship.child_id != patient_id:
        abort(404)
    form = {"until": request.form.get("until", ""), "decision": request.form.get("decision", "")}
    try:
        services.record_guardian_decision(
            db, current_actor(), guardianship_id, _date(form["until"]), form["decision"], now()
        )
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        db.rollback()
        return _staff_page(
            patient_id, {f"g{guardianship_id}-{error.field}": str(ERRORS[error.code])}, form, 400
        )
    db.commit()
    return redirect(url_for("proxies.staff_view", patient_id=patient_id), code=303)
