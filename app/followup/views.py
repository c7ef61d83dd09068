"""Follow-up: the patient's seven questions (`/sju-fragor`), and the principal's figures for
the follow-up role (`/uppfoljning`, and the same as a CSV file). The figures are counts only,
protected so that nobody can be picked out (app/followup/figures.py); each look is logged."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.access.actor import current_actor
from app.access.gate import Target, gate
from app.access.policy import Action
from app.access.refusals import refuse
from app.accounts.models import CareUnit, StaffRole
from app.clock import now, today_here
from app.db import get_session
from app.directory.services import principal_of
from app.extensions import limit_writes
from app.followup import figures as counting
from app.followup import questions, stored
from app.followup.figures import DOCTOR_TARGET, Figure, Figures
from app.followup.forms import FiguresForm, NotNowForm, SevenQuestionsForm, ShareForm
from app.followup.models import QUESTIONS, FollowUpView, Reply
from app.messages.forms import new_key
from app.planning.handovers import ACKNOWLEDGE_WITHIN_WORKING_DAYS
from app.sip import deadlines
from app.web.converters import identifier
from app.web.preferences import simple_view_on
from app.web.templating import render

bp = limit_writes(Blueprint("followup", __name__))

FIRST_MONTH = date(2020, 1, 1)
ERRORS = {
    "nothing": _l("Svara på minst en av frågorna, eller tryck på Inte nu."),
    "month": _l("Välj en månad från januari 2020 till den här månaden."),
    "unit": _l("Välj en av enheterna i listan."),
}
FIGURE_NAMES = {
    Figure.CARE_CONTACT: _l("Har en namngiven fast vårdkontakt"),
    Figure.DOCTOR: _l("Har en namngiven fast läkarkontakt (mål: minst 55 %)"),
    Figure.SIP_FOLLOWED_UP: _l("SIP som följts upp inom 12 månader"),
    Figure.ANSWERED: _l("Nya versioner av planer som patienten har svarat på"),
    Figure.AGREED: _l("Svaret var Stämmer"),
    Figure.QUESTIONS: _l("Svaret var Jag har frågor"),
    Figure.DAYS_TO_ANSWER: _l("Dagar till svar (median)"),
    Figure.REQUESTS_IN_TIME: _l("Patienters förfrågningar besvarade i tid"),
    Figure.MESSAGES_IN_TIME: _l("Patienters meddelanden besvarade i tid"),
    Figure.MESSAGE_DAYS: _l("Arbetsdagar till svar på meddelanden (median)"),
    Figure.HANDOVERS_IN_TIME: _l("Överlämningar bekräftade i tid"),
    Figure.SIP_CALLED_IN_TIME: _l("SIP-möten kallade i tid"),
    Figure.SIP_HELD_IN_TIME: _l("SIP-möten hållna i tid"),
}


# --- the patient's seven questions ---------------------------------------------------------------


def _own(target: Target) -> None:
    """Only a patient answers, for themself: 404 for anyone acting for someone else, and for a
    person without a plan in force (the questions are about their agreement with care)."""
    if not target.own or target.actor.person_id is None:
        refuse(target.actor)
    if not questions.has_plan(get_session(), target.actor.person_id):
        refuse(target.actor)


def _questions_page(
    target: Target, form: SevenQuestionsForm | None = None, error: str = ""
) -> Response:
    _own(target)
    db = get_session()
    assert target.actor.person_id is not None  # noqa: S101 - _own
    last = questions.latest(db, target.actor.person_id)
    response = render(
        "followup/questions.html",
        wording=questions.SIMPLE_WORDING if simple_view_on() else questions.WORDING,
        names=QUESTIONS,
        replies=questions.REPLIES,
        form=form.values() if form else {"key": new_key()},
        error=error,
        last=last,
        shared=questions.shared_latest(db, target.actor.person_id),
        due=questions.offer(db, target.actor.person_id, now()) is not None,
        thanks=request.args.get("tack") == "1",
    )
    if error:
        response.status_code = 400
    return response


@bp.get("/sju-fragor")
@gate(Action.READ_OVERVIEW, on="subject", shows="seven_questions")
def seven(target: Target) -> Response:
    return _questions_page(target)


@bp.post("/sju-fragor")
@gate(Action.ANSWER_FOR, on="subject")
def answer(target: Target) -> Response:
    _own(target)
    form = SevenQuestionsForm()
    if not form.validate():
        return _questions_page(target, form, next(iter(form.messages().values())))
    replies: dict[str, Reply | None] = {name: getattr(form, name).data for name in QUESTIONS}
    try:
        questions.answer(
            get_session(), current_actor(), replies, form.key.data, now(), form.share.data
        )
    except questions.NothingAnswered:
        return _questions_page(target, form, str(ERRORS["nothing"]))
    return redirect(url_for("followup.seven", tack="1"), code=303)


@bp.post("/sju-fragor/dela")
@gate(Action.ANSWER_FOR, on="subject")
def share(target: Target) -> Response:
    """The patient lets their care team see their latest answers, or no longer does."""
    _own(target)
    form = ShareForm()
    form.validate()  # a checkbox: anything but "1"/"true" is no
    if questions.share(get_session(), current_actor(), bool(form.share.data), now()) is None:
        refuse(target.actor)  # nothing answered to share
    return redirect(url_for("followup.seven"), code=303)


@bp.post("/sju-fragor/inte-nu")
@gate(Action.ANSWER_FOR, on="subject")
def not_now(target: Target) -> Response:
    _own(target)
    NotNowForm().validate()  # nothing to fill in; the CSRF check is the app's
    questions.decline(get_session(), current_actor(), now())
    return redirect(url_for("plans.start"), code=303)


# --- the principal's figures ---------------------------------------------------------------------


def _follower() -> tuple[int, str, int]:
    """The signed-in member of staff with the follow-up role: their principal (id, name) and
    practitioner id; anyone else gets 404."""
    actor = current_actor()
    practitioner = actor.practitioner
    if practitioner is None or not practitioner.has_role(StaffRole.FOLLOW_UP):
        refuse(actor)
    principal = principal_of(get_session(), practitioner)
    return principal.id, principal.name, practitioner.id


def _choice(principal_id: int) -> tuple[date, int | None, list[CareUnit], dict[str, str]]:
    """The month (default: the one before this) and unit asked for, checked."""
    form = FiguresForm(request.args)
    errors: dict[str, str] = {}
    this_month = today_here().replace(day=1)
    month = (this_month.replace(day=1) - timedelta(days=1)).replace(day=1)
    text = (form.manad.data or "").strip()
    if text:
        try:
            month = date.fromisoformat(f"{text}-01")
        except ValueError:
            errors["manad"] = str(ERRORS["month"])
        else:
            if not FIRST_MONTH <= month <= this_month:
                errors["manad"] = str(ERRORS["month"])
                month = (this_month - timedelta(days=1)).replace(day=1)
    units = list(
        get_session().scalars(
            select(CareUnit)
            .where(CareUnit.principal_id == principal_id)
            .order_by(CareUnit.name, CareUnit.id)
        )
    )
    unit_id = None
    if form.enhet.data:
        unit_id = identifier(form.enhet.data)
        if unit_id is None or unit_id not in {unit.id for unit in units}:
            errors["enhet"] = str(ERRORS["unit"])
            unit_id = None
    return month, unit_id, units, errors


def _logged(
    practitioner_id: int, principal_id: int, unit_id: int | None, month: date, kind: str
) -> None:
    db = get_session()
    db.add(
        FollowUpView(
            at=now(),
            practitioner_id=practitioner_id,
            principal_id=principal_id,
            unit_id=unit_id,
            month=month.strftime("%Y-%m"),
            kind=kind,
        )
    )
    db.flush()


@bp.get("/uppfoljning")
@login_required
def dashboard() -> Response:
    principal_id, principal_name, practitioner_id = _follower()
    month, unit_id, units, errors = _choice(principal_id)
    shown = stored.figures(get_session(), principal_id, principal_name, month, now(), unit_id)
    _logged(practitioner_id, principal_id, unit_id, month, "page")
    response = render(
        "followup/dashboard.html",
        figures=shown,
        names=FIGURE_NAMES,
        seven_names=questions.WORDING,
        units=units,
        unit_id=unit_id,
        month=month,
        errors=errors,
        target=DOCTOR_TARGET,
        acknowledge_days=ACKNOWLEDGE_WITHIN_WORKING_DAYS,
        sip_rules=deadlines.rules(current_app.config),
        charts={key: _chart(points) for key, points in shown.trends.items()},
        principal_name=principal_name,
    )
    if errors:
        response.status_code = 400
    return response


@bp.get("/uppfoljning/siffror.csv")
@login_required
def export() -> Response:
    principal_id, principal_name, practitioner_id = _follower()
    month, unit_id, _units, errors = _choice(principal_id)
    if errors:
        return dashboard()  # the page, with what was wrong said in Swedish
    shown = stored.figures(get_session(), principal_id, principal_name, month, now(), unit_id)
    _logged(practitioner_id, principal_id, unit_id, month, "csv")
    body = _csv(shown)
    name = f"samplan-uppfoljning-{month.strftime('%Y-%m')}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv(shown: Figures) -> str:
    """The same figures, the same cells hidden: one line per unit and figure."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Månad"), _("Enhet"), _("Mått"), _("Patienter"), _("Värde")])
    month = shown.month.strftime("%Y-%m")
    rows = [*shown.units, *([shown.total] if shown.total else [])]
    for row in rows:
        for key, cell in row.cells.items():
            writer.writerow(
                [month, row.name, str(FIGURE_NAMES[Figure(key)]), *_csv_cell(key, cell)]
            )
    for row in shown.seven:
        for key, cell in row.cells.items():
            writer.writerow(
                [month, row.name, str(questions.WORDING[key]), *_csv_cell("share", cell)]
            )
    return out.getvalue()


def _csv_cell(key: str, cell: counting.Cell) -> list[str]:
    if cell.hidden:
        return [_("färre än 5"), ""]
    if cell.value is None:
        return [str(cell.patients or 0), ""]
    if key in (Figure.DAYS_TO_ANSWER, Figure.MESSAGE_DAYS):
        return [str(cell.patients), f"{cell.value:.1f}".replace(".", ",")]
    return [str(cell.patients), f"{round(cell.value * 100)} %"]


# --- the charts --------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 600, 200, 6


def _chart(points: list[counting.TrendPoint]) -> dict[str, object]:
    """A bar for each month's share (0–100 %), drawn on the server; the page's table has the
    same numbers."""
    inner = CHART_HEIGHT - 40
    slot = (CHART_WIDTH - 40) / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        x = 30 + index * slot
        if point.value is None:
            continue
        height = max(point.value * inner, 1)
        bars.append(
            {"x": round(x + BAR_GAP / 2, 1), "y": round(10 + inner - height, 1),
             "width": round(slot - BAR_GAP, 1), "height": round(height, 1)}
        )  # fmt: skip
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": bars,
        "baseline": 10 + inner,
        "points": points,
        "first": points[0].month if points else "",
        "last": points[-1].month if points else "",
    }
