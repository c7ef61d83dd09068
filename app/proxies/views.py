"""Ombud och närstående: the patient's grants and invitations, the relative's code, and care's
register of legal representatives and guardian decisions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers.response import Response

from app.access import subject
from app.access.actor import current_actor
from app.access.gate import READS, Target, gate, listing
from app.access.policy import Action, allowed_proxy_scopes
from app.access.refusals import refuse
from app.accounts.models import Person, Practitioner
from app.audit.services import pending_access
from app.clock import local_date, now
from app.db import get_session
from app.extensions import limit_writes, limiter
from app.plans.models import CarePlan
from app.proxies import services
from app.proxies.forms import (
    ERRORS,
    CodeForm,
    GuardianDecisionForm,
    InvitationForm,
    ObjectionForm,
    ReasonForm,
    RepresentativeForm,
    ScopesForm,
)
from app.proxies.models import Guardianship, ProxyGrant, ProxyInvitation
from app.proxies.names import AUTHORITY_NAMES, SCOPE_NAMES, SCOPE_NAMES_FOR_CARE
from app.web.templating import render

bp = limit_writes(Blueprint("proxies", __name__))
NEW_CODE = "new_invitation_code"


def _own(target: Target) -> None:
    """Only the patient manages their proxies: a proxy or guardian acting for them gets 404."""
    if not target.own:
        if target.object_id is None:
            refuse(target.actor)
        refuse(target.actor, target.patient_id, target.object_type, target.object_id, now())


def _shown_again(target: Target, moment: datetime) -> None:
    """A form sent back with its errors shows the grants again: logged as a read, as the gate
    logs the GET of the page."""
    if request.method not in READS:
        pending_access(target.actor, target.patient_id, "read", "proxy_grants", None, moment)


def _grants(patient_id: int) -> Sequence[ProxyGrant]:
    """Every grant on the patient, current first, with who registered, confirmed and ended a
    legal representative and the patient's objections (a fixed number of statements)."""
    return (
        get_session()
        .scalars(
            select(ProxyGrant)
            .where(ProxyGrant.patient_id == patient_id)
            .options(
                joinedload(ProxyGrant.proxy),
                joinedload(ProxyGrant.registered_by).joinedload(Practitioner.unit),
                joinedload(ProxyGrant.confirmed_by),
                joinedload(ProxyGrant.revoked_by),
                selectinload(ProxyGrant.exclusions),
                selectinload(ProxyGrant.objections),
            )
            .order_by(ProxyGrant.revoked_at.is_not(None), ProxyGrant.valid_until.desc())
        )
        .all()
    )


def _own_page(
    target: Target,
    errors: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    db, moment = get_session(), now()
    patient_id = target.patient_id
    grants = _grants(patient_id)
    guardians = db.scalars(
        select(Guardianship)
        .where(Guardianship.child_id == patient_id)
        .options(joinedload(Guardianship.guardian))
    ).all()
    invitations = db.scalars(
        select(ProxyInvitation).where(
            ProxyInvitation.patient_id == patient_id,
            ProxyInvitation.used_at.is_(None),
            ProxyInvitation.cancelled_at.is_(None),
            ProxyInvitation.expires_at > moment,
        )
    ).all()
    plans = db.scalars(
        select(CarePlan).where(CarePlan.patient_id == patient_id, CarePlan.status != "draft")
    ).all()
    _shown_again(target, moment)
    response = render(
        "proxies/own.html",
        grants=grants,
        guardians=guardians,
        invitations=invitations,
        plans=plans,
        now=moment,
        scope_names=SCOPE_NAMES,
        authority_names=AUTHORITY_NAMES,
        allowed=allowed_proxy_scopes(),
        errors=errors or {},
        form={
            "months": services.DEFAULT_MONTHS,
            "scopes": ["read_plans"],
            "private": [],
            "key": uuid.uuid4().hex,
            **(form or {}),
        },
        new_code=session.pop(NEW_CODE, None),
    )
    response.status_code = status
    return response


@bp.get("/ombud")
@gate(Action.READ_OVERVIEW, on="subject", shows="proxy_grants")
def own(target: Target) -> Response:
    _own(target)
    return _own_page(target)


@bp.post("/ombud/bjud-in")
@gate(Action.READ_OVERVIEW, on="subject")
def invite(target: Target) -> Response:
    _own(target)
    form = InvitationForm()
    if not form.validate():
        return _own_page(target, form.messages(), form.shown(), 400)
    try:
        _, code = services.create_invitation(
            get_session(),
            target.actor,
            form.scopes.data,
            form.month_count(),
            form.relation_label.data or "",
            form.private_plans(),
            now(),
            form.key.data or "",
        )
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        shown, status = form.shown(), 400
        if error.code == "changed":
            # The first invitation stays as it was, its code unshown. This page gets a key of
            # its own, so sending it again makes a new invitation with these choices.
            shown["key"], status = uuid.uuid4().hex, 409
        return _own_page(target, {error.field: str(ERRORS[error.code])}, shown, status)
    session[NEW_CODE] = services.format_code(code)
    return redirect(url_for("proxies.own", _anchor="ny-kod"), code=303)


@bp.post("/ombud/<int:grant_id>/behorighet")
@gate(Action.READ_OVERVIEW, on="proxy_grant")
def change(grant_id: int, target: Target) -> Response:
    _own(target)
    form = ScopesForm()
    try:
        services.change_scopes(get_session(), target.actor, grant_id, form.scopes.data, now())
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        return _own_page(target, {f"grant-{grant_id}": str(ERRORS[error.code])}, None, 400)
    return redirect(url_for("proxies.own", klart="behorighet"), code=303)


@bp.post("/ombud/<int:grant_id>/aterkalla")
@gate(Action.READ_OVERVIEW, on="proxy_grant")
def revoke(grant_id: int, target: Target) -> Response:
    _own(target)
    try:
        services.revoke(get_session(), target.actor, grant_id, now())
    except services.NotAllowed:
        abort(404)
    return redirect(url_for("proxies.own", klart="behorighet-borttagen"), code=303)


@bp.post("/ombud/<int:grant_id>/invandning")
@gate(Action.READ_OVERVIEW, on="proxy_grant")
def object_to(grant_id: int, target: Target) -> Response:
    """The patient objects to a legal representative care registered for them."""
    _own(target)
    form = ObjectionForm()
    try:
        services.object_to_representative(
            get_session(), target.actor, grant_id, form.text.data or "", now()
        )
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        errors = {error.field: str(ERRORS[error.code])}
        return _own_page(target, errors, {"objection": form.text.data or ""}, 400)
    return redirect(url_for("proxies.own", klart="invandning"), code=303)


@bp.post("/ombud/inbjudan/<int:invitation_id>/avbryt")
@gate(Action.READ_OVERVIEW, on="proxy_invitation")
def cancel(invitation_id: int, target: Target) -> Response:
    _own(target)
    try:
        services.cancel_invitation(get_session(), target.actor, invitation_id, now())
    except services.NotAllowed:
        abort(404)
    return redirect(url_for("proxies.own", klart="inbjudan-avbruten"), code=303)


def _code_limit() -> str:
    return str(current_app.config["RATELIMIT_INVITATION_CODE"])


def _code_key() -> str:
    """Tries at invitation codes count per person, not per sign-in (signing in again gives no
    new tries), and the key holds an id, never the session's token."""
    actor = current_user
    if actor.is_authenticated and actor.person_id is not None:
        return f"code:person:{actor.person_id}"
    if actor.is_authenticated and actor.practitioner_id is not None:
        return f"code:practitioner:{actor.practitioner_id}"
    return f"code:address:{request.remote_addr}"


@bp.route("/ombud/anvand-kod", methods=["GET", "POST"])
@listing("person", patient_data=False)
@limiter.limit(_code_limit, key_func=_code_key, methods=["POST"])
def use_code() -> Response:
    """A relative enters the code they were given; whose data it opens is the code's to say."""
    form = CodeForm()
    if request.method == "GET":
        return render("proxies/use_code.html", errors={}, code="")
    try:
        grant = services.accept_invitation(
            get_session(), current_actor(), form.code.data or "", now()
        )
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        response = render(
            "proxies/use_code.html",
            errors={"code": str(ERRORS[error.code])},
            code=form.code.data or "",
        )
        response.status_code = 400
        return response
    subject.choose(grant.patient_id)
    return redirect(url_for("plans.start", klart="ombud"), code=303)


def _staff_page(
    target: Target,
    errors: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    db, moment = get_session(), now()
    patient_id = target.patient_id
    patient = db.scalars(select(Person).where(Person.id == patient_id)).one()
    grants = _grants(patient_id)
    guardians = db.scalars(
        select(Guardianship)
        .where(Guardianship.child_id == patient_id)
        .options(joinedload(Guardianship.guardian))
    ).all()
    _shown_again(target, moment)
    response = render(
        "proxies/staff.html",
        patient=patient,
        grants=grants,
        guardians=guardians,
        now=moment,
        today=local_date(moment),
        latest_until=services.latest_end(local_date(moment)),
        adult=services.is_adult(patient, local_date(moment)),
        me=target.actor.practitioner_id,
        scope_names=SCOPE_NAMES_FOR_CARE,
        authority_names=AUTHORITY_NAMES,
        errors=errors or {},
        form=form or {},
    )
    response.status_code = status
    return response


# Care's register: the work of staff with a care relationship, never a patient's or a proxy's.
@bp.get("/patient/<int:patient_id>/foretradare")
@gate(Action.EDIT_PLANS, on="patient", shows="proxy_grants")
def staff_view(patient_id: int, target: Target) -> Response:
    return _staff_page(target)


@bp.post("/patient/<int:patient_id>/foretradare")
@gate(Action.EDIT_PLANS, on="patient")
def register_representative(patient_id: int, target: Target) -> Response:
    form = RepresentativeForm()
    if not form.validate():
        return _staff_page(target, form.messages(), form.shown(), 400)
    try:
        services.register_legal_representative(
            get_session(), target.actor, patient_id, form.decision(), now()
        )
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        return _staff_page(target, {error.field: str(ERRORS[error.code])}, form.shown(), 400)
    return redirect(
        url_for("proxies.staff_view", patient_id=patient_id, klart="foretradare-registrerad"),
        code=303,
    )


@bp.post("/patient/<int:patient_id>/foretradare/<int:grant_id>/bekrafta")
@gate(Action.EDIT_PLANS, on="proxy_grant")
def confirm_representative(patient_id: int, grant_id: int, target: Target) -> Response:
    """A colleague of the one who registered it confirms a legal representative."""
    if target.patient_id != patient_id:
        abort(404)
    try:
        services.confirm_legal_representative(get_session(), target.actor, grant_id, now())
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        return _staff_page(target, {error.field: str(ERRORS[error.code])}, None, 400)
    return redirect(
        url_for("proxies.staff_view", patient_id=patient_id, klart="foretradare-bekraftad"),
        code=303,
    )


@bp.post("/patient/<int:patient_id>/foretradare/<int:grant_id>/avsluta")
@gate(Action.EDIT_PLANS, on="proxy_grant")
def end_representative(patient_id: int, grant_id: int, target: Target) -> Response:
    """Any member of the care team ends a legal representative's registration, with a reason."""
    if target.patient_id != patient_id:
        abort(404)
    form = ReasonForm()
    try:
        services.end_legal_representative(
            get_session(), target.actor, grant_id, form.reason.data or "", now()
        )
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        errors = {error.field: str(ERRORS[error.code])}
        return _staff_page(target, errors, {f"end-{grant_id}": form.reason.data or ""}, 400)
    return redirect(
        url_for("proxies.staff_view", patient_id=patient_id, klart="foretradare-avslutad"),
        code=303,
    )


@bp.post("/patient/<int:patient_id>/vardnadshavare/<int:guardianship_id>")
@gate(Action.EDIT_PLANS, on="guardianship")
def guardian_decision(patient_id: int, guardianship_id: int, target: Target) -> Response:
    if target.patient_id != patient_id:
        abort(404)
    form = GuardianDecisionForm()
    field = f"g{guardianship_id}"
    if not form.validate():
        errors = {f"{field}-{name}": text for name, text in form.messages().items()}
        return _staff_page(target, errors, form.values(), 400)
    try:
        services.record_guardian_decision(
            get_session(),
            target.actor,
            guardianship_id,
            form.until.data,
            form.decision.data or "",
            now(),
        )
    except services.NotAllowed:
        abort(404)
    except services.ProxyError as error:
        errors = {f"{field}-{error.field}": str(ERRORS[error.code])}
        return _staff_page(target, errors, form.values(), 400)
    return redirect(
        url_for("proxies.staff_view", patient_id=patient_id, klart="vardnadshavare"), code=303
    )
