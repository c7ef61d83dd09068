"""Nästa steg: what happens next, when, and with whom. One rule, used everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.appointments.models import AppointmentStatus
from app.goals.models import ActivityStatus
from app.plans.models import PlanStatus

if TYPE_CHECKING:
    from app.plans.read import PlanCard, Upcoming

UPCOMING_APPOINTMENT = (AppointmentStatus.ACCEPTED, AppointmentStatus.PROPOSED)
OPEN_ACTIVITY = (ActivityStatus.PLANNED, ActivityStatus.ONGOING)


@dataclass(frozen=True)
class NextStep:
    kind: str  # "explicit", "appointment", "activity" or "follow_up"
    what: str
    on: date | None
    at: datetime | None
    where: str | None
    who: str | None
    plan_id: int | None

    @property
    def sort_key(self) -> tuple[date, float]:
        # A step without a time of day sorts first on its day.
        return (self.on or date.max, self.at.timestamp() if self.at else float("-inf"))


def next_step(
    plans: Iterable[PlanCard],
    appointments: Iterable[Upcoming],
    activities: Iterable[Upcoming],
    now: datetime,
    zone: ZoneInfo,
) -> NextStep | None:
    """The patient's next step.

    An explicit next step set by care on an active plan wins (the earliest dated one if several).
    Otherwise the earliest upcoming of: an agreed or proposed appointment, an open activity's due
    date, and an active plan's follow-up date. Nothing in the past counts.
    """
    today = now.astimezone(zone).date()
    active = [plan for plan in plans if plan.status == PlanStatus.ACTIVE]
    explicit = [
        NextStep(
            "explicit",
            plan.next_step_what,
            plan.next_step_on,
            None,
            plan.next_step_where,
            plan.next_step_who,
            plan.id,
        )
        for plan in active
        if plan.next_step_what and (plan.next_step_on is None or plan.next_step_on >= today)
    ]
    if explicit:
        return min(explicit, key=lambda step: step.sort_key)
    active_ids = {plan.id for plan in active}
    candidates: list[NextStep] = []
    for appointment in appointments:
        starts_at = appointment.starts_at
        if appointment.status in UPCOMING_APPOINTMENT and starts_at and starts_at >= now:
            local = starts_at.astimezone(zone)
            candidates.append(
                NextStep(
                    "appointment",
                    appointment.what,
                    local.date(),
                    local,
                    appointment.place,
                    appointment.who,
                    appointment.plan_id,
                )
            )
    for activity in activities:
        if (
            activity.plan_id in active_ids
            and activity.status in OPEN_ACTIVITY
            and activity.due_on is not None
            and activity.due_on >= today
        ):
            candidates.append(
                NextStep(
                    "activity",
                    activity.what,
                    activity.due_on,
                    None,
                    None,
                    activity.who or None,
                    activity.plan_id,
                )
            )
    for plan in active:
        if plan.follow_up_on is not None and plan.follow_up_on >= today:
            candidates.append(
                NextStep(
                    "follow_up",
                    plan.title,
                    plan.follow_up_on,
                    None,
                    plan.follow_up_how,
                    None,
                    plan.id,
                )
            )
    return min(candidates, key=lambda step: step.sort_key, default=None)
