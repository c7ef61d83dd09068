"""SIP meetings: the coordinator calls one from the SIP, the patient reads about it and answers,
care marks it held and each actor their part documented."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, redirect, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from app.access.actor import current_actor
from app.access.gate import Target, gate
from app.access.policy import Action
from app.access.refusals import refuse
from app.appointments.forms import moment_in
from app.clock import local_date, now, zone
from app.db import get_session
from app.extensions import limit_writes
from app.messages.forms import new_key
from app.plans.models import CarePlan
from app.plans.presenting import SIP_MEETING_MODES
from app.sip import deadlines, guide, services
from app.sip.forms import ERRORS, AnswerForm, CallForm, StepForm
from app.sip.models import InviteeKind, MeetingMode, MeetingStatus, SipMeeting
from app.web.templating import render

bp = limit_writes(Blueprint("sip", __name__))
STATUSES = {
    MeetingStatus.CALLED: _l("Kallat"),
    MeetingStatus.HELD: _l("Hållet"),
    MeetingStatus.CANCELLED: _l("Inställt"),
}
EDIT = Action.EDIT_PLANS


def _rules() -> deadlines.Rules:
    return deadlines.rules(current_app.config)


def _meeting(target: Target) -> SipMeeting:
    found = get_session().scalar(
        select(SipMeeting)
        .where(SipMeeting.id == target.object_id)
        .options(selectinload(SipMeeting.invitees), selectinload(SipMeeting.called_by))
    )
    if found is None:
        abort(404)
    return found


def _patient_side(target: Target) -> None:
    """The patient, or a guardian with a child's full access: a relative acting for them hears
    of the meeting only if the patient names them (app/sip/services.py)."""
    if not target.context.fully_for(target.patient_id):
        refuse(target.actor, target.patient_id, "sip_meeting", target.object_id, now())


# --- calling ------------------------------------------------------------------------------------


@bp.get("/plan/<int:plan_id>/sip-moten")
@gate(EDIT, on="care_plan", shows="sip_meeting")
def plan_meetings(plan_id: int, target: Target) -> Response:
    """The SIP's meetings for care, newest first, and a way to call the next."""
    db = get_session()
    plan = db.get(CarePlan, plan_id)
    meetings = db.scalars(
        select(SipMeeting)
        .where(SipMeeting.plan_id == plan_id)
        .order_by(SipMeeting.starts_at.desc(), SipMeeting.id.desc())
    ).all()
    return render(
        "sip/list.html", plan=plan, meetings=meetings, modes=SIP_MEETING_MODES, statuses=STATUSES
    )


def _call_page(target: Target, form: CallForm, errors: dict[str, str] | None = None) -> Response:
    plan = get_session().get(CarePlan, target.plan_id)
    today = local_date(now())
    response = render(
        "sip/call.html",
        plan=plan,
        team=plan.current_team(today) if plan else [],
        form=form.values(),
        errors=errors or {},
        modes=SIP_MEETING_MODES,
        rules=_rules(),
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/plan/<int:plan_id>/sip-mote/ny")
@gate(EDIT, on="care_plan")
def call_form(plan_id: int, target: Target) -> Response:
    form = CallForm(formdata=None)
    form.mode.data = MeetingMode.IN_PERSON
    form.need_known_on.data = local_date(now())
    form.key.data = new_key()
    return _call_page(target, form)


@bp.post("/plan/<int:plan_id>/sip-mote/ny")
@gate(EDIT, on="care_plan")
def call(plan_id: int, target: Target) -> Response:
    form = CallForm()
    form.validate()
    errors = form.messages()
    starts = moment_in(zone(), form.day.data, form.starts.data)
    ends = moment_in(zone(), form.day.data, form.ends.data)
    if not errors:
        for field, moment in (("starts", starts), ("ends", ends)):
            if moment is None or moment == "slot_half":
                errors[field] = str(ERRORS["clock"] if form.day.data else ERRORS["day"])
            elif isinstance(moment, str):
                errors[field] = str(ERRORS["no_such_time"])
        if form.need_known_on.data is None:
            errors["need_known_on"] = str(ERRORS["need_day"])
    need_known_on = form.need_known_on.data
    if errors or not isinstance(starts, datetime) or not isinstance(ends, datetime):
        return _call_page(target, form, errors)
    plan = get_session().get(CarePlan, plan_id)
    if plan is None or need_known_on is None:
        abort(404)
    details = services.Call(
        need_known_on=need_known_on,
        mode=form.mode.data,
        starts_at=starts,
        ends_at=ends,
        place=form.place.data,
        meeting_url=form.meeting_url.data,
    )
    try:
        meeting = services.call(
            get_session(), current_actor(), plan, details, form.key.data, now(), _rules()
        )
    except services.NotAllowed:
        abort(404)
    except services.SipError as error:
        return _call_page(target, form, {error.field: str(ERRORS[error.code])})
    return redirect(url_for("sip.meeting", meeting_id=meeting.id, klart="sip-kallad"), code=303)


# --- the meeting --------------------------------------------------------------------------------


def _typed(form: AnswerForm) -> dict[str, object]:
    """What the patient typed, relatives by row, to show again with a message."""
    values = form.values()
    values.pop("relatives", None)
    for index, entry in enumerate(form.relatives.entries):
        values[f"relatives-{index}-name"] = entry.form.name.data or ""
        values[f"relatives-{index}-contact"] = entry.form.contact.data or ""
    return values


def _meeting_page(
    target: Target, form: AnswerForm | None = None, errors: dict[str, str] | None = None
) -> Response:
    meeting = _meeting(target)
    actor = target.actor
    today = local_date(now())
    common: dict[str, Any] = {
        "meeting": meeting,
        "plan": get_session().get(CarePlan, meeting.plan_id),
        "modes": SIP_MEETING_MODES,
        "actors": [i for i in meeting.invitees if i.kind == InviteeKind.ACTOR],
        "relatives": [i for i in meeting.invitees if i.kind == InviteeKind.RELATIVE],
        "today": today,
    }
    if actor.is_staff:
        mine = next(
            (i for i in meeting.invitees if i.practitioner_id == actor.practitioner_id), None
        )
        return render(
            "sip/care.html",
            **common,
            mine=mine,
            may_edit=target.may(EDIT),
            called_in_time=local_date(meeting.called_at) <= meeting.call_due_on,
            meets_in_time=local_date(meeting.starts_at) <= meeting.meet_by,
        )
    _patient_side(target)
    response = render(
        "sip/meeting.html",
        **common,
        own=target.own,
        guide=guide.guide(_rules().documented_days),
        form=_typed(form) if form else {},
        errors=errors or {},
        may_answer=target.may(Action.ANSWER_FOR) and meeting.status == MeetingStatus.CALLED,
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/sip-mote/<int:meeting_id>")
@gate(Action.READ_PLANS, on="sip_meeting")
def meeting(meeting_id: int, target: Target) -> Response:
    return _meeting_page(target)


@bp.post("/sip-mote/<int:meeting_id>/svar")
@gate(Action.ANSWER_FOR, on="sip_meeting")
def answer(meeting_id: int, target: Target) -> Response:
    _patient_side(target)
    form = AnswerForm()
    if not form.validate():
        errors = form.messages()
        if "relatives" in errors:
            errors["relatives"] = str(ERRORS["too_long"])
        return _meeting_page(target, form, errors)
    relatives = [
        services.Relative(entry.form.name.data, entry.form.contact.data)
        for entry in form.relatives.entries
    ]
    try:
        services.answer(
            get_session(),
            current_actor(),
            _meeting(target),
            form.answer.data,
            form.note.data,
            form.topics.data,
            relatives,
            bool(form.no_relatives.data),
            now(),
        )
    except services.SipError as error:
        return _meeting_page(target, form, {error.field: str(ERRORS[error.code])})
    return redirect(url_for("sip.meeting", meeting_id=meeting_id, klart="sip-svar"), code=303)


@bp.post("/sip-mote/<int:meeting_id>/hallet")
@gate(EDIT, on="sip_meeting")
def held(meeting_id: int, target: Target) -> Response:
    StepForm().validate()
    try:
        services.held(get_session(), current_actor(), _meeting(target), now(), _rules())
    except services.SipError:
        pass  # held already: the page says so
    return redirect(url_for("sip.meeting", meeting_id=meeting_id, klart="sip-hallet"), code=303)


@bp.post("/sip-mote/<int:meeting_id>/installt")
@gate(EDIT, on="sip_meeting")
def cancel(meeting_id: int, target: Target) -> Response:
    StepForm().validate()
    try:
        services.cancel(get_session(), current_actor(), _meeting(target), now())
    except services.SipError:
        pass  # held or called off already: the page says so
    return redirect(url_for("sip.meeting", meeting_id=meeting_id, klart="sip-installt"), code=303)


@bp.post("/sip-mote/<int:meeting_id>/dokumenterat")
@gate(EDIT, on="sip_meeting")
def documented(meeting_id: int, target: Target) -> Response:
    StepForm().validate()
    try:
        services.documented(get_session(), current_actor(), _meeting(target), now())
    except services.SipError:
        refuse(target.actor)  # not called to it, or not held yet
    return redirect(
        url_for("sip.meeting", meeting_id=meeting_id, klart="sip-dokumenterat"), code=303
    )
