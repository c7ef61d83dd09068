"""A patient asks a unit for a care plan, a SIP or another fast vårdkontakt; care answers.

The person's pages act for the one they have chosen (app.access.subject), like writing to
care: a relative needs the write scope to ask and the read scope to follow what they asked.
Staff read and answer the requests sent to their own unit (the gate's "care_request")."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from app.access import subject
from app.access.actor import Actor, current_actor
from app.access.gate import Target, authorise, gate, listing
from app.access.policy import Action
from app.access.scope import outside_scope
from app.care_requests import queries, services
from app.care_requests.forms import (
    ANSWER_MAX,
    ERRORS,
    TEXT_MAX,
    AnswerForm,
    AskChoiceForm,
    AskForm,
    WithdrawForm,
)
from app.care_requests.models import RequestKind, RequestOutcome, RequestStatus
from app.care_requests.names import (
    KIND_HINTS,
    KIND_NAMES,
    OUTCOME_NAMES,
    STAFF_KIND_NAMES,
    STATUS_NAMES,
)
from app.clock import local_date, now
from app.db import get_session
from app.extensions import limit_writes
from app.messages.queries import patient_name
from app.plans.models import PlanKind
from app.web.templating import render

bp = limit_writes(Blueprint("care_requests", __name__))

ASKED_ALREADY = _l(
    "Du har redan bett om detta hos den mottagningen och väntar på svar. "
    "Vi har inte skickat det en gång till."
)
# The plan kind a yes starts (the staff page links to a new plan of that kind).
PLAN_FOR = {RequestKind.CARE_PLAN: PlanKind.CARE_TREATMENT, RequestKind.SIP: PlanKind.SIP}


def _chosen(actor: Actor, action: Action, shows: str) -> Target:
    """The patient the person has chosen (themself, or someone they act for), if they may do
    `action` for them: a choice that no longer allows it is a logged 404."""
    return authorise(action, "patient", {"patient_id": subject.subject_id(actor)}, shows)


def _names() -> dict[str, Any]:
    return {
        "kind_names": KIND_NAMES,
        "kind_hints": KIND_HINTS,
        "staff_kind_names": STAFF_KIND_NAMES,
        "status_names": STATUS_NAMES,
        "outcome_names": OUTCOME_NAMES,
    }


@bp.get("/onskemal")
@listing("person")
def listing_page() -> Response:
    actor = current_actor()
    explained = outside_scope(actor, Action.READ_MESSAGES)
    if explained is not None:
        return explained
    target = _chosen(actor, Action.READ_MESSAGES, "care_requests")
    db = get_session()
    return render(
        "care_requests/list.html",
        rows=queries.patient_requests(db, target.patient_id),
        own=target.own,
        acting_for=None if target.own else patient_name(db, target.patient_id),
        can_ask=target.may(Action.WRITE_MESSAGES),
        today=local_date(now()),
        **_names(),
    )


def _ask_page(target: Target, form: dict[str, object], errors: dict[str, str]) -> Response:
    db = get_session()
    response = render(
        "care_requests/ask.html",
        groups=queries.unit_groups(db, target.patient_id, local_date(now())),
        own=target.own,
        acting_for=None if target.own else patient_name(db, target.patient_id),
        form=form,
        errors=errors,
        kinds=list(RequestKind),
        max_length=TEXT_MAX,
        **_names(),
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/onskemal/nytt")
@listing("person")
def ask_form() -> Response:
    explained = outside_scope(current_actor(), Action.WRITE_MESSAGES)
    if explained is not None:
        return explained
    target = _chosen(current_actor(), Action.WRITE_MESSAGES, "care_units")
    asked = AskChoiceForm(request.args)
    kind = asked.vad.data if asked.vad.data in set(RequestKind) else ""
    return _ask_page(target, {"kind": kind, "unit": asked.enhet.data or "", "text": ""}, {})


@bp.post("/onskemal/nytt")
@listing("person")
def ask() -> Response:
    actor = current_actor()
    explained = outside_scope(actor, Action.WRITE_MESSAGES)
    if explained is not None:
        return explained
    target = _chosen(actor, Action.WRITE_MESSAGES, "care_units")
    form = AskForm()
    if not form.validate():
        return _ask_page(target, form.values(), form.messages())
    try:
        made, new = services.ask(
            get_session(),
            actor,
            target.patient_id,
            form.unit.data,
            form.kind.data,
            form.text.data,
            now(),
        )
    except services.NotAllowed:
        abort(404)
    except services.RequestError as error:
        return _ask_page(target, form.values(), {error.field: str(ERRORS[error.code])})
    if not new:  # the same wish waits already: its page says so, nothing is stored twice
        return redirect(url_for("care_requests.detail", request_id=made.id, redan=1), code=303)
    return redirect(
        url_for("care_requests.detail", request_id=made.id, klart="onskemal-skickat"), code=303
    )


def _detail_page(
    target: Target, form: dict[str, object] | None = None, errors: dict[str, str] | None = None
) -> Response:
    db = get_session()
    row = queries.one_request(db, target.object_id or 0)
    staff = target.actor.is_staff
    response = render(
        "care_requests/staff_detail.html" if staff else "care_requests/detail.html",
        row=row,
        own=target.own,
        acting_for=None if (target.own or staff) else patient_name(db, row.patient_id),
        can_withdraw=not staff
        and row.status == RequestStatus.OPEN
        and target.may(Action.WRITE_MESSAGES),
        can_answer=staff and row.status == RequestStatus.OPEN,
        plan_kind=PLAN_FOR.get(row.kind) if row.outcome == RequestOutcome.YES else None,
        overdue=row.overdue(local_date(now())),
        form=form or {},
        errors=errors or {},
        outcomes=list(RequestOutcome),
        asked_already=ASKED_ALREADY if request.args.get("redan") == "1" and not staff else None,
        max_length=ANSWER_MAX,
        **_names(),
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/onskemal/<int:request_id>")
@gate(Action.READ_MESSAGES, on="care_request")
def detail(request_id: int, target: Target) -> Response:
    return _detail_page(target)


@bp.post("/onskemal/<int:request_id>/ta-tillbaka")
@gate(Action.WRITE_MESSAGES, on="care_request")
def withdraw(request_id: int, target: Target) -> Response:
    WithdrawForm()
    db = get_session()
    try:
        services.withdraw(db, target.actor, services.load(db, request_id), now())
    except services.NotAllowed:
        abort(404)
    return redirect(
        url_for("care_requests.detail", request_id=request_id, klart="onskemal-tillbaka"),
        code=303,
    )


@bp.post("/onskemal/<int:request_id>/svar")
@gate(Action.WRITE_MESSAGES, on="care_request")
def answer(request_id: int, target: Target) -> Response:
    if not target.actor.is_staff:
        abort(404)
    form = AnswerForm()
    if not form.validate():
        return _detail_page(target, form.values(), form.messages())
    db = get_session()
    try:
        made = services.load(db, request_id)
        services.answer(db, target.actor, made, form.outcome.data, form.answer.data, now())
    except services.NotAllowed:
        abort(404)
    except services.RequestError as error:
        return _detail_page(target, form.values(), {error.field: str(ERRORS[error.code])})
    return redirect(
        url_for("care_requests.detail", request_id=request_id, klart="onskemal-besvarat"),
        code=303,
    )
