"""Messages: the patient's threads and compose page, one thread, and the care inbox."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, redirect, request, url_for
from werkzeug.wrappers import Response

from app.access import subject
from app.access.actor import Actor, current_actor
from app.access.gate import Target, authorise, gate, listing
from app.access.policy import Action
from app.access.scope import outside_scope
from app.audit.services import pending_list
from app.clock import local_date, now, zone
from app.db import get_session
from app.extensions import limit_writes
from app.messages import queries, services
from app.messages.forms import (
    ERRORS,
    ComposeChoiceForm,
    ComposeForm,
    HandledForm,
    InboxForm,
    OfferForm,
    ReplyForm,
    TakeForm,
    new_key,
)
from app.messages.text import MAX_LENGTH, message_html
from app.plans.queries import unread_for_patient
from app.web.forms import Form
from app.web.templating import render

bp = limit_writes(Blueprint("messages", __name__))


def _chosen(actor: Actor, action: Action, shows: str) -> Target:
    """The patient the person has chosen (themself, or someone they act for), if they may do
    `action` for them: a choice that no longer allows it is a logged 404, not another page.
    A GET is logged as a read of what the page `shows` of them."""
    return authorise(action, "patient", {"patient_id": subject.subject_id(actor)}, shows)


@bp.get("/meddelanden")
@listing("anyone")
def thread_list() -> Response:
    actor = current_actor()
    if actor.is_staff:
        return redirect(url_for("messages.inbox"))
    explained = outside_scope(actor, Action.READ_MESSAGES)
    if explained is not None:
        return explained
    target = _chosen(actor, Action.READ_MESSAGES, "threads")
    access = target.context.people()[target.patient_id]
    page = queries.thread_list(
        get_session(), target.patient_id, access.private_plans, access.private_threads
    )
    return render(
        "messages/list.html",
        rows=page.rows,
        own=target.own,
        acting_for=None if target.own else page.patient,
        can_write=target.may(Action.WRITE_MESSAGES),
    )


def _compose_page(target: Target, form: dict[str, str], errors: dict[str, str]) -> Response:
    choices = services.recipient_choices(get_session(), target.actor, target.patient_id, now())
    response = render(
        "messages/compose.html",
        own=target.own,
        acting_for=None if target.own else queries.patient_name(get_session(), target.patient_id),
        form=form,
        errors=errors,
        choices=choices,
        max_length=MAX_LENGTH,
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/meddelanden/nytt")
@listing("person")
def compose() -> Response:
    explained = outside_scope(current_actor(), Action.WRITE_MESSAGES)
    if explained is not None:
        return explained
    target = _chosen(current_actor(), Action.WRITE_MESSAGES, "care_contacts")
    asked = ComposeChoiceForm(request.args)
    to = f"{asked.plan.data or ''}:{asked.till.data or ''}"
    if to.endswith(":"):  # a plan without a person: its coordinator
        choices = services.recipient_choices(get_session(), target.actor, target.patient_id, now())
        to = next(
            (
                group.members[0].value
                for group in choices
                if str(group.plan_id) == (asked.plan.data or "")
            ),
            to,
        )
    form = {"to": to, "key": new_key(), "subject": asked.amne.data or ""}
    return _compose_page(target, form, {})


@bp.post("/meddelanden/nytt")
@listing("person")
def send_new() -> Response:
    actor = current_actor()
    target = _chosen(actor, Action.WRITE_MESSAGES, "care_contacts")
    form = ComposeForm()
    if not form.validate():
        return _compose_page(target, form.values(), form.messages())
    try:
        thread = services.start_thread(
            get_session(),
            actor,
            target.patient_id,
            form.recipient(),
            form.subject.data,
            form.body.data,
            form.key.data,
            now(),
        )
    except services.NotAllowed:
        abort(404)
    except services.MessageError as error:
        return _compose_page(target, form.values(), {error.field: str(ERRORS[error.code])})
    return redirect(url_for("messages.thread", thread_id=thread.id), code=303)


def _thread_page(
    target: Target, form: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> Response:
    actor, db, moment = target.actor, get_session(), now()
    staff = actor.is_staff
    page = queries.thread_page(db, target.object_id or 0)
    if page.unread_for(staff):
        services.mark_read(db, actor, page.id, moment)
        page = page.read_now(staff, actor.display_name, moment)
    colleagues = []
    if staff and page.assigned_to_id == actor.practitioner_id:  # only they may pass it on
        colleagues = queries.colleagues(db, page.patient_id, local_date(moment))
    response = render(
        "messages/thread.html",
        thread=page,
        own=target.own,
        acting_for=None if (target.own or staff) else queries.PatientName(page.patient_name),
        due=page.due(zone()),
        can_write=target.may(Action.WRITE_MESSAGES),
        colleagues=colleagues,
        form=form or {"key": new_key()},
        errors=errors or {},
        html=message_html,
        max_length=MAX_LENGTH,
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/meddelanden/<int:thread_id>")
@gate(Action.READ_MESSAGES, on="thread")
def thread(thread_id: int, target: Target) -> Response:
    return _thread_page(target)


@bp.get("/meddelanden/<int:thread_id>/nytt-i-traden")
@gate(Action.READ_MESSAGES, on="thread")
def thread_updates(thread_id: int, target: Target) -> Response:
    """The conversation, polled by htmx: 304 until a message or a read receipt changes it (and
    only a conversation actually shown is logged as read: the log leaves out a 304)."""
    actor, db, moment = target.actor, get_session(), now()
    page = queries.thread_page(db, thread_id)
    etag = hashlib.sha256(page.etag_state().encode()).hexdigest()[:16]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        if page.unread_for(actor.is_staff):
            services.mark_read(db, actor, thread_id, moment)
            page = page.read_now(actor.is_staff, actor.display_name, moment)
        response = render(
            "messages/thread.html", block="conversation", thread=page, html=message_html
        )
    response.set_etag(etag)
    return response


@bp.post("/meddelanden/<int:thread_id>/svar")
@gate(Action.WRITE_MESSAGES, on="thread")
def reply(thread_id: int, target: Target) -> Response:
    form = ReplyForm()
    if not form.validate():
        return _thread_page(target, form.values(), form.messages())
    db = get_session()
    try:
        thread = services.load(db, thread_id)
        services.reply(db, target.actor, thread, form.body.data, form.key.data, now())
    except services.NotAllowed:
        abort(404)
    except services.MessageError as error:
        return _thread_page(target, form.values(), {error.field: str(ERRORS[error.code])})
    return redirect(url_for("messages.thread", thread_id=thread_id), code=303)


def _handle(target: Target, form: Form, work: str) -> Response:
    """A care-side change to a thread; 404 for anyone who may not make it."""
    db = get_session()
    form.validate()
    try:
        thread = services.load(db, target.object_id or 0)
        getattr(services, work)(db, target.actor, thread, now())
    except services.NotAllowed:
        abort(404)
    if work == "mark_handled":
        return redirect(url_for("messages.inbox"), code=303)
    return redirect(url_for("messages.thread", thread_id=target.object_id), code=303)


@bp.post("/meddelanden/<int:thread_id>/hanterad")
@gate(Action.WRITE_MESSAGES, on="thread")
def mark_handled(thread_id: int, target: Target) -> Response:
    return _handle(target, HandledForm(), "mark_handled")


@bp.post("/meddelanden/<int:thread_id>/ta")
@gate(Action.WRITE_MESSAGES, on="thread")
def take(thread_id: int, target: Target) -> Response:
    return _handle(target, TakeForm(), "take")


@bp.post("/meddelanden/<int:thread_id>/lamna")
@gate(Action.WRITE_MESSAGES, on="thread")
def offer(thread_id: int, target: Target) -> Response:
    if not target.actor.is_staff:
        abort(404)
    form = OfferForm()
    if not form.validate():
        return _thread_page(target, form.values(), form.messages())
    db = get_session()
    try:
        thread = services.load(db, thread_id)
        services.offer(db, target.actor, thread, form.colleague_id.data, form.note.data, now())
    except services.NotAllowed:
        abort(404)
    except services.MessageError as error:
        return _thread_page(target, form.values(), {error.field: str(ERRORS[error.code])})
    return redirect(url_for("messages.thread", thread_id=thread_id), code=303)


@bp.get("/inkorg")
@listing("staff")
def inbox() -> Response:
    actor = current_actor()
    assert actor.practitioner_id is not None  # noqa: S101 - the listing lets only staff in
    assert actor.unit_id is not None  # noqa: S101 - staff work at a unit
    asked = InboxForm(request.args)
    tab, page = asked.tab(), asked.page()
    if tab is None or page is None:
        abort(404)
    moment = now()
    today = local_date(moment)
    rows, total = queries.inbox(
        get_session(), actor.practitioner_id, actor.unit_id, today, zone(), tab == "mina", page
    )
    pages = max(1, -(-total // queries.INBOX_PAGE_SIZE))
    if page > pages:
        abort(404)
    pending_list(actor, [row.patient_id for row in rows], "inbox", moment)
    return render(
        "messages/inbox.html",
        block="threads",
        rows=rows,
        tab=tab,
        today=local_date(moment),
        page=page,
        pages=pages,
        total=total,
    )


@bp.get("/meddelanden/olasta")
@listing("person")
def unread_badge() -> Response:
    """The unread count, polled by htmx; 304 (and no swap) when nothing changed since the ETag
    that static/js/poll.js sends back. Polling does not count as activity for the idle timeout.
    A count shown is logged; a 304 is not (it shows nothing new)."""
    target = _chosen(current_actor(), Action.READ_MESSAGES, "unread_count")
    count = get_session().scalar(unread_for_patient(target.patient_id)) or 0
    etag = hashlib.sha256(f"{target.patient_id}:{count}".encode()).hexdigest()[:16]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = render("messages/_unread.html", count=count)
    response.set_etag(etag)
    return response
