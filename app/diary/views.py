"""The self-care diary: the patient (or someone acting for them with the right to answer for
them) records in a few taps, sees at once what the plan says to do when a rule is met, and
reads the history as a chart and a table. Care says what an activity records and its rules,
sees the values and sees to rules that were met."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.access import subject
from app.access.actor import current_actor
from app.access.gate import Target, authorise, gate, listing
from app.access.policy import Action
from app.access.scope import outside_scope
from app.appointments.queries import plan_line
from app.clock import local_date, now, zone
from app.db import get_session
from app.diary import queries, services
from app.diary.forms import (
    ERRORS,
    EVERY,
    KIND_LABELS,
    RULE_LABELS,
    MeasureForm,
    RecordForm,
    ReminderForm,
    SeenForm,
)
from app.diary.models import Measure, MeasureKind, Rule, RuleKind
from app.extensions import limit_writes
from app.goals.models import Activity
from app.messages.forms import new_key
from app.web.converters import identifier
from app.web.forms import Form
from app.web.templating import render

bp = limit_writes(Blueprint("diary", __name__))
PERIODS = {"vecka": 7, "manad": 31}


def _done_words() -> tuple[str, str]:
    return gettext("Gjort"), gettext("Inte gjort")


@bp.get("/dagbok")
@listing("person")
def overview() -> Response:
    """The chosen patient's diary: what each self-care activity records, to fill in."""
    actor = current_actor()
    explained = outside_scope(actor, Action.READ_PLANS)
    if explained is not None:
        return explained
    target = authorise(
        Action.READ_PLANS, "patient", {"patient_id": subject.subject_id(actor)}, shows="diary"
    )
    # A plan the patient keeps from this helper is not theirs to see, nor what it records.
    measures = [
        measure
        for measure in queries.of_patient(get_session(), target.patient_id)
        if target.context.may(Action.READ_PLANS, target.patient_id, measure.plan_id)
    ]
    return render(
        "diary/overview.html",
        measures=measures,
        own=target.own,
        may_record=target.may(Action.ANSWER_FOR),
        key=new_key(),
    )


def _measure_page(
    target: Target,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    unusual: bool = False,
) -> Response:
    db, moment, here = get_session(), now(), zone()
    shown = queries.measure(db, target.object_id or 0)
    period = request.args.get("visa", "vecka")
    days = PERIODS.get(period, 7)
    last = local_date(moment)
    first = last - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), here)
    values = queries.entries(db, shown, since, _done_words())
    hits = queries.hits(db, shown.id, since)
    saved = identifier(request.args.get("sparat"))
    response = render(
        "diary/measure.html",
        measure=shown,
        entries=values,
        # The values and the days missed, newest first (a missed day is shown, not filled in).
        history=sorted(
            [(entry.at.astimezone(here).date(), entry) for entry in values]
            + [(day, None) for day in queries.missed_days(shown, values, first, last, here)],
            key=lambda row: (row[0], row[1].at if row[1] else datetime.min.replace(tzinfo=here)),
            reverse=True,
        ),
        chart=queries.chart(shown, values, first, last, here),
        hits=hits,
        just_met=[hit for hit in hits if saved is not None and hit.entry_id == saved],
        saved=saved is not None and any(entry.id == saved for entry in values),
        period=period if period in PERIODS else "vecka",
        own=target.own,
        may_record=(shown.active and not target.actor.is_staff and target.may(Action.ANSWER_FOR)),
        form=form.values() if form else {"key": new_key()},
        errors=errors or {},
        unusual=unusual,
    )
    if errors:
        response.status_code = 400
    return response


def _refused(response: Response) -> Response:
    """The value was not kept and the page says why. Marked for a value sent on from the phone
    after it was recorded without a connection (static/js/waiting.js): the phone stops trying
    and asks the person to record it again, rather than keep a value that will never be kept.
    A page that is not this one (sign-in, an expired form, a busy server) leaves it waiting."""
    response.headers["X-Samplan-Refused"] = "1"
    return response


@bp.get("/dagbok/<int:measure_id>")
@gate(Action.READ_PLANS, on="measure", shows="diary")
def measure(measure_id: int, target: Target) -> Response:
    return _measure_page(target)


@bp.post("/dagbok/<int:measure_id>")
@gate(Action.ANSWER_FOR, on="measure")
def record(measure_id: int, target: Target) -> Response:
    if target.actor.is_staff:
        abort(404)  # the patient's side records; care reads
    form = RecordForm()
    if not form.validate():
        return _refused(_measure_page(target, form, form.messages()))
    moment, here = now(), zone()
    when = moment
    if form.day.data is not None:
        clock = form.clock.data or datetime.min.time()
        when = datetime.combine(form.day.data, clock, here)
    try:
        done = services.record(
            get_session(),
            current_actor(),
            measure_id,
            form.value.data,
            form.second_value.data,
            form.done_answer(),
            when,
            form.key.data,
            bool(form.confirmed.data),
            moment,
            here,
        )
    except services.NotAllowed:
        abort(404)
    except services.Unconfirmed:
        return _refused(_measure_page(target, form, unusual=True))
    except services.DiaryError as error:
        return _refused(_measure_page(target, form, {error.field: str(ERRORS[error.code])}))
    return redirect(url_for("diary.measure", measure_id=measure_id, sparat=done.entry.id), code=303)


@bp.post("/dagbok/<int:measure_id>/paminnelse")
@gate(Action.ANSWER_FOR, on="measure")
def reminder(measure_id: int, target: Target) -> Response:
    """When to be reminded to write in a value (or no reminder)."""
    if target.actor.is_staff:
        abort(404)
    form = ReminderForm()
    if not form.validate():
        return _measure_page(target, form, form.messages())
    clock = form.remind_at.data
    try:
        services.set_reminder(
            get_session(),
            current_actor(),
            measure_id,
            clock.strftime("%H:%M") if clock else None,
            now(),
        )
    except services.NotAllowed:
        abort(404)
    done = "paminnelse" if clock else "paminnelse-av"
    return redirect(url_for("diary.measure", measure_id=measure_id, klart=done), code=303)


# --- care's side ---------------------------------------------------------------------------
EDIT = Action.EDIT_PLANS


@bp.get("/plan/<int:plan_id>/dagbok")
@gate(EDIT, on="care_plan", shows="diary")
def plan_diary(plan_id: int, target: Target) -> Response:
    """The plan's diary for care: each measure, and the activities that could have one."""
    db = get_session()
    from sqlalchemy import select

    activities = db.execute(
        select(Activity.id, Activity.text)
        .where(Activity.plan_id == plan_id)
        .order_by(Activity.position, Activity.id)
    ).all()
    return render(
        "diary/plan.html",
        plan=plan_line(db, plan_id),
        measures=queries.of_plan(db, plan_id),
        recent=queries.recent_of_plan(db, plan_id, now() - timedelta(days=7), _done_words()),
        activities=activities,
        kinds=KIND_LABELS,
    )


def _define_page(target: Target, form: MeasureForm, errors: dict[str, str]) -> Response:
    db = get_session()
    activity = db.get_one(Activity, target.object_id)
    values = form.values()
    values.pop("rules", None)
    response = render(
        "diary/define.html",
        activity=activity,
        form=values,
        rules=form.rule_values(),
        errors=errors,
        kinds=KIND_LABELS,
        rule_kinds=RULE_LABELS,
        every=EVERY,
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/dagbok/insats/<int:activity_id>")
@gate(EDIT, on="activity")
def define_form(activity_id: int, target: Target) -> Response:
    db = get_session()
    form = MeasureForm(formdata=None)
    existing = db.scalars(select(Measure).where(Measure.activity_id == activity_id)).first()
    if existing is not None:
        form.kind.data = existing.kind
        form.label.data = existing.label
        form.every_days.data = str(existing.every_days)
        form.time_of_day.data = datetime.strptime(existing.time_of_day, "%H:%M").time()
        form.low.data = existing.low
        form.high.data = existing.high
        rules = db.scalars(
            select(Rule)
            .where(Rule.measure_id == existing.id, Rule.retired.is_(False))
            .order_by(Rule.position)
        ).all()
        for entry, rule in zip(form.rules.entries, rules, strict=False):
            entry.form.kind.data = rule.kind
            entry.form.threshold.data = rule.threshold
            entry.form.window_days.data = str(rule.window_days or "")
            entry.form.instruction.data = rule.instruction
            entry.form.urgent.data = rule.urgent
    return _define_page(target, form, {})


def _rules(form: MeasureForm) -> tuple[list[services.RuleData], dict[str, str]]:
    rules, errors = [], {}
    for index, entry in enumerate(form.rules.entries):
        sub, key = entry.form, f"rules-{index}"
        if sub.errors:
            errors[key] = str(next(iter(sub.errors.values()))[0])
            continue
        if sub.kind.data is None:
            continue  # an empty row
        window = None
        if sub.kind.data == RuleKind.RISE:
            window = identifier(sub.window_days.data or "")
            if window is None or window > 14:
                errors[key] = str(ERRORS["window"])
                continue
        if sub.threshold.data is None:
            errors[key] = str(ERRORS["threshold"])
        elif not sub.instruction.data:
            errors[key] = str(ERRORS["instruction_empty"])
        elif len(sub.instruction.data) > 500:
            errors[key] = str(ERRORS["too_long"])
        else:
            rules.append(
                services.RuleData(
                    sub.kind.data,
                    sub.threshold.data,
                    window,
                    sub.instruction.data,
                    bool(sub.urgent.data),
                )
            )
    return rules, errors


@bp.post("/dagbok/insats/<int:activity_id>")
@gate(EDIT, on="activity")
def define(activity_id: int, target: Target) -> Response:
    form = MeasureForm()
    form.validate()
    errors = {name: str(messages[0]) for name, messages in form.errors.items() if name != "rules"}
    if form.kind.data is None and "kind" not in errors:
        errors["kind"] = str(ERRORS["kind"])
    every = form.every()
    if every is None:
        errors["every_days"] = str(ERRORS["every"])
    rules, rule_errors = _rules(form)
    errors.update(rule_errors)
    if errors or form.kind.data is None or every is None:
        return _define_page(target, form, errors)
    clock = form.time_of_day.data
    data = services.MeasureData(
        kind=MeasureKind(form.kind.data),
        label=form.label.data,
        every_days=every,
        time_of_day=clock.strftime("%H:%M") if clock else "08:00",
        low=form.low.data,
        high=form.high.data,
    )
    try:
        services.define(get_session(), current_actor(), activity_id, data, rules, now())
    except services.NotAllowed:
        abort(404)
    except services.DiaryError as error:
        return _define_page(target, form, {error.field: str(ERRORS[error.code])})
    return redirect(
        url_for("diary.plan_diary", plan_id=target.plan_id, klart="dagbok-andrad"), code=303
    )


@bp.post("/dagbok/traff/<int:hit_id>/hanterad")
@gate(EDIT, on="rule_hit")
def handle_hit(hit_id: int, target: Target) -> Response:
    SeenForm()
    try:
        hit = services.handle_hit(get_session(), current_actor(), hit_id, now())
    except services.NotAllowed:
        abort(404)
    if hit.handled_by_id is None:
        abort(404)
    return redirect(url_for("planning.worklist", klart="traff-hanterad"), code=303)
