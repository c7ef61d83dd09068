"""Messages: the patient's threads and compose page, one thread, and the care inbox."""

from __future__ import annotations

import hashlib
import uuid

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.access import subject
from app.access.actor import Actor, current_actor
from app.access.policy import Action, may, plan_clause
from app.accounts.models import Person, Practitioner
from app.clock import now, zone
from app.db import get_session
from app.extensions import limit_writes
from app.messages import queries, services
from app.messages.text import MAX_LENGTH, message_html
from app.plans.models import CarePlan, CareTeamMember, PlanStatus
from app.plans.queries import unread_for_patient
from app.web.converters import number
from app.web.templating import render

bp = limit_writes(Blueprint("messages", __name__))

ERRORS = {
    "empty": _l("Skriv ditt meddelande innan du skickar."),
    "too_long": _l("Meddelandet är för långt. Det får vara högst %(max)d tecken.", max=MAX_LENGTH),
    "empty_subject": _l("Skriv vad meddelandet gäller."),
    "subject_too_long": _l("Ämnet är för långt. Det får vara högst 200 tecken."),
    "recipient": _l("Välj vem du vill skriva till."),
    "self": _l("Välj en kollega, inte dig själv."),
    "note_too_long": _l("Anteckningen är för lång. Den får vara högst 1 000 tecken."),
}


def _key() -> str:
    return uuid.uuid4().hex


def _recipients(actor: Actor, patient_id: int) -> list[tuple[CarePlan, list[CareTeamMember]]]:
    """The patient's active plans with the practitioners one can write to; coordinator first."""
    moment = now()
    plans = (
        get_session()
        .scalars(
            select(CarePlan)
            .where(
                CarePlan.patient_id == patient_id,
                CarePlan.status == PlanStatus.ACTIVE,
                plan_clause(actor, Action.READ_PLANS, moment),
            )
            .options(joinedload(CarePlan.team).joinedload(CareTeamMember.practitioner))
            .order_by(CarePlan.id)
        )
        .unique()
    )
    today = moment.astimezone(zone()).date()
    result = []
    for plan in plans:
        members = [m for m in plan.current_team(today) if m.practitioner is not None]
        members.sort(key=lambda m: not m.is_coordinator)
        if members:
            result.append((plan, members))
    return result


@bp.get("/meddelanden")
@login_required
def thread_list() -> Response:
    actor = current_actor()
    if actor.is_staff:
        return redirect(url_for("messages.inbox"))
    db, moment = get_session(), now()
    patient_id = subject.subject_id(actor)
    patient = db.get(Person, patient_id)
    if patient is None or not may(db, actor, Action.READ_MESSAGES, patient_id, moment):
        abort(404)
    rows = queries.threads_for_patient(db, actor, patient_id, moment)
    db.commit()
    own = patient_id == actor.person.id  # type: ignore[union-attr]
    return render(
        "messages/list.html",
        rows=rows,
        patient=patient,
        own=own,
        acting_for=None if own else patient,
        can_write=may(db, actor, Action.WRITE_MESSAGES, patient_id, moment),
    )


def _compose_page(
    actor: Actor, patient: Person, form: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    own = patient.id == actor.person.id  # type: ignore[union-attr]
    response = render(
        "messages/compose.html",
        patient=patient,
        own=own,
        acting_for=None if own else patient,
        form=form,
        errors=errors,
        choices=_recipients(actor, patient.id),
        max_length=MAX_LENGTH,
    )
    response.status_code = status
    return response


@bp.get("/meddelanden/nytt")
@login_required
def compose() -> Response:
    actor = current_actor()
    if actor.is_staff:
        abort(404)
    db = get_session()
    patient = db.get(Person, subject.subject_id(actor))
    if patient is None or not may(db, actor, Action.WRITE_MESSAGES, patient.id, now()):
        abort(404)
    to = f"{request.args.get('plan', '')}:{request.args.get('till', '')}"
    if to.endswith(":"):  # a plan without a person: its coordinator
        to = next(
            (
                f"{plan.id}:{members[0].practitioner_id}"
                for plan, members in _recipients(actor, patient.id)
                if str(plan.id) == request.args.get("plan")
            ),
            to,
        )
    form = {"to": to, "key": _key(), "subject": request.args.get("amne", "")[:200]}
    return _compose_page(actor, patient, form, {})


@bp.post("/meddelanden/nytt")
@login_required
def send_new() -> Response:
    actor = current_actor()
    if actor.is_staff:
        abort(404)
    db, moment = get_session(), now()
    form = {name: request.form.get(name, "") for name in ("to", "subject", "body", "key")}
    form["key"] = form["key"][:64] or _key()
    plan_part, _, practitioner_part = form["to"].partition(":")
    patient = db.get(Person, subject.subject_id(actor))
    if patient is None:
        abort(404)
    choice = next(
        (
            (plan, member.practitioner)
            for plan, members in _recipients(actor, patient.id)
            for member in members
            if str(plan.id) == plan_part and str(member.practitioner_id) == practitioner_part
        ),
        None,
    )
    if choice is None:
        if plan_part or not may(db, actor, Action.WRITE_MESSAGES, patient.id, moment):
            abort(404)  # a plan or person that is not among one's own choices
        return _compose_page(actor, patient, form, {"to": str(ERRORS["recipient"])}, 400)
    plan, practitioner = choice
    try:
        thread = services.start_thread(
            db, actor, plan, practitioner, form["subject"], form["body"], form["key"], moment
        )
    except services.NotAllowed:
        abort(404)
    except services.MessageError as error:
        db.rollback()
        return _compose_page(actor, patient, form, {error.field: str(ERRORS[error.code])}, 400)
    db.commit()
    return redirect(url_for("messages.thread", thread_id=thread.id), code=303)


def _thread_or_404(thread_id: int):  # noqa: ANN202 - (session, actor, moment, thread)
    actor, db, moment = current_actor(), get_session(), now()
    thread = queries.thread_for(db, actor, thread_id, moment)
    if thread is None:
        abort(404)
    return db, actor, moment, thread


def _thread_page(
    thread_id: int,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    db, actor, moment, thread = _thread_or_404(thread_id)
    services.mark_read(db, actor, thread, moment)
    db.commit()
    today = moment.astimezone(zone()).date()
    own = actor.person is not None and actor.person.id == thread.patient_id
    response = render(
        "messages/thread.html",
        thread=thread,
        own=own,
        acting_for=None if (own or actor.is_staff) else thread.patient,
        due=queries.answer_due(thread, zone()),
        today=today,
        can_write=may(db, actor, Action.WRITE_MESSAGES, thread.patient_id, moment),
        colleagues=queries.colleagues_on_team(db, thread, today) if actor.is_staff else [],
        form=form or {"key": _key()},
        errors=errors or {},
        html=message_html,
        max_length=MAX_LENGTH,
    )
    response.status_code = status
    return response


@bp.get("/meddelanden/<int:thread_id>")
@login_required
def thread(thread_id: int) -> Response:
    return _thread_page(thread_id)


@bp.get("/meddelanden/<int:thread_id>/nytt-i-traden")
@login_required
def thread_updates(thread_id: int) -> Response:
    """The conversation, polled by htmx: 304 until a message or a read receipt changes it."""
    db, actor, moment, thread = _thread_or_404(thread_id)
    state = ":".join(f"{m.id}-{m.read_by_care_at is not None}" for m in thread.messages)
    etag = hashlib.sha256(state.encode()).hexdigest()[:16]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        services.mark_read(db, actor, thread, moment)
        db.commit()
        response = render(
            "messages/thread.html", block="conversation", thread=thread, html=message_html
        )
    response.set_etag(etag)
    return response


@bp.post("/meddelanden/<int:thread_id>/svar")
@login_required
def reply(thread_id: int) -> Response:
    db, actor, moment, thread = _thread_or_404(thread_id)
    form = {"body": request.form.get("body", ""), "key": request.form.get("key", "")[:64]}
    try:
        services.reply(db, actor, thread, form["body"], form["key"] or _key(), moment)
    except services.NotAllowed:
        abort(404)
    except services.MessageError as error:
        db.rollback()
        return _thread_page(thread_id, form, {error.field: str(ERRORS[error.code])}, 400)
    db.commit()
    return redirect(url_for("messages.thread", thread_id=thread_id), code=303)


def _staff_action(thread_id: int, action, to_inbox: bool) -> Response:  # noqa: ANN001
    """Run a care-side action on a thread the actor may read; 404 if they may not do it."""
    db, actor, moment, thread = _thread_or_404(thread_id)
    try:
        action(db, actor, thread, moment)
    except services.NotAllowed:
        abort(404)
    db.commit()
    if to_inbox:
        return redirect(url_for("messages.inbox"), code=303)
    return redirect(url_for("messages.thread", thread_id=thread_id), code=303)


@bp.post("/meddelanden/<int:thread_id>/hanterad")
@login_required
def mark_handled(thread_id: int) -> Response:
    return _staff_action(thread_id, services.mark_handled, to_inbox=True)


@bp.post("/meddelanden/<int:thread_id>/lamna")
@login_required
def offer(thread_id: int) -> Response:
    db, actor, moment, thread = _thread_or_404(thread_id)
    today = moment.astimezone(zone()).date()
    colleague = next(
        (
            c
            for c in queries.colleagues_on_team(db, thread, today)
            if str(c.id) == request.form.get("colleague_id")
        ),
        None,
    )
    form = {"note": request.form.get("note", ""), "key": _key()}
    if colleague is None:
        if not actor.is_staff:
            abort(404)
        return _thread_page(thread_id, form, {"colleague": str(ERRORS["recipient"])}, 400)
    try:
        services.offer(db, actor, thread, colleague, form["note"], moment)
    except services.NotAllowed:
        abort(404)
    except services.MessageError as error:
        db.rollback()
        return _thread_page(thread_id, form, {error.field: str(ERRORS[error.code])}, 400)
    db.commit()
    return redirect(url_for("messages.thread", thread_id=thread_id), code=303)


@bp.post("/meddelanden/<int:thread_id>/ta")
@login_required
def take(thread_id: int) -> Response:
    return _staff_action(thread_id, services.take, to_inbox=False)


@bp.get("/inkorg")
@login_required
def inbox() -> Response:
    actor = current_actor()
    if not actor.is_staff:
        abort(404)
    tab = request.args.get("flik", "mina")
    if tab not in ("mina", "enheten"):
        abort(404)
    page = number(request.args.get("sida", "1"))
    if page is None or page < 1:
        abort(404)
    db, moment = get_session(), now()
    rows, total = queries.inbox(db, actor, moment, mine=tab == "mina", page=page)
    pages = max(1, -(-total // queries.INBOX_PAGE_SIZE))
    if page > pages:
        abort(404)
    dues = {row.thread.id: queries.answer_due(row.thread, zone()) for row in rows}
    return render(
        "messages/inbox.html",
        block="threads",
        rows=rows,
        tab=tab,
        dues=dues,
        today=moment.astimezone(zone()).date(),
        page=page,
        pages=pages,
        total=total,
    )


@bp.get("/meddelanden/olasta")
@login_required
def unread_badge() -> Response:
    """The unread count, polled by htmx; 304 (and no swap) when nothing changed since the ETag
    that static/js/poll.js sends back. Polling does not count as activity for the idle timeout."""
    actor = current_actor()
    if actor.is_staff:
        abort(404)
    db, moment = get_session(), now()
    patient_id = subject.subject_id(actor)
    if not may(db, actor, Action.READ_MESSAGES, patient_id, moment):
        abort(404)
    count = db.scalar(unread_for_patient(patient_id)) or 0
    etag = hashlib.sha256(f"{patient_id}:{count}".encode()).hexdigest()[:16]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = render("messages/_unread.html", count=count)
    response.set_etag(etag)
    return response


def practitioner_name(practitioner: Practitioner) -> str:
    return f"{practitioner.full_name}, {practitioner.unit.name}"
