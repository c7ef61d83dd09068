from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from app.appointments.models import AppointmentStatus
from app.goals.models import ActivityStatus
from app.plans.models import PlanStatus
from app.plans.nextstep import next_step

ZONE = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


def plan(pid: int = 1, status: PlanStatus = PlanStatus.ACTIVE, **kw: object) -> SimpleNamespace:
    fields = {
        "id": pid,
        "status": status,
        "title": f"Plan {pid}",
        "next_step_what": None,
        "next_step_on": None,
        "next_step_where": None,
        "next_step_who": None,
        "follow_up_on": None,
        "follow_up_how": "",
    }
    fields.update(kw)
    return SimpleNamespace(**fields)


def appointment(
    days: float, status: AppointmentStatus = AppointmentStatus.ACCEPTED, plan_id: int = 1
) -> SimpleNamespace:
    return SimpleNamespace(
        starts_at=NOW + timedelta(days=days),
        status=status,
        what=f"Besök om {days} dagar",
        place="Mottagningen",
        who=None,
        plan_id=plan_id,
    )


def activity(
    days: int, status: ActivityStatus = ActivityStatus.ONGOING, plan_id: int = 1
) -> SimpleNamespace:
    return SimpleNamespace(
        due_on=TODAY + timedelta(days=days),
        status=status,
        what=f"Insats om {days} dagar",
        plan_id=plan_id,
        who="Karin Berg, Hälsocentralen Kvarnen",
    )


def test_explicit_next_step_wins_over_an_earlier_appointment() -> None:
    plans = [plan(next_step_what="Ring Karin", next_step_on=TODAY + timedelta(days=10))]
    step = next_step(plans, [appointment(1)], [activity(2)], NOW, ZONE)
    assert step is not None
    assert step.kind == "explicit"
    assert step.what == "Ring Karin"


def test_without_explicit_step_the_earliest_upcoming_thing_wins() -> None:
    plans = [plan(follow_up_on=TODAY + timedelta(days=3))]
    step = next_step(plans, [appointment(5)], [activity(4)], NOW, ZONE)
    assert step is not None
    assert step.kind == "follow_up"
    step = next_step(plans, [appointment(2)], [activity(4)], NOW, ZONE)
    assert step is not None
    assert step.kind == "appointment"
    assert step.what == "Besök om 2 dagar"
    step = next_step(plans, [appointment(5)], [activity(1)], NOW, ZONE)
    assert step is not None
    assert step.kind == "activity"
    assert step.who == "Karin Berg, Hälsocentralen Kvarnen"


def test_past_done_and_declined_things_do_not_count() -> None:
    plans = [
        plan(
            follow_up_on=TODAY - timedelta(days=1),
            next_step_what="Gammalt",
            next_step_on=TODAY - timedelta(days=2),
        )
    ]
    step = next_step(
        plans,
        [appointment(-1), appointment(1, AppointmentStatus.DECLINED)],
        [activity(1, ActivityStatus.DONE), activity(-3)],
        NOW,
        ZONE,
    )
    assert step is None


def test_closed_plans_give_no_next_step() -> None:
    closed = plan(status=PlanStatus.CLOSED, next_step_what="Ring", follow_up_on=TODAY)
    assert next_step([closed], [], [activity(1)], NOW, ZONE) is None


def test_the_earliest_explicit_step_wins_across_plans() -> None:
    plans = [
        plan(1, next_step_what="Sen", next_step_on=TODAY + timedelta(days=9)),
        plan(2, next_step_what="Snart", next_step_on=TODAY + timedelta(days=2)),
    ]
    step = next_step(plans, [], [], NOW, ZONE)
    assert step is not None
    assert step.what == "Snart"
    assert step.plan_id == 2


def test_a_moment_is_shown_as_its_day_in_stockholm() -> None:
    from app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    with app.test_request_context():
        day = app.jinja_env.filters["day"]
        # 23:30 UTC on 22 November is already the 23rd in Stockholm; no clock time is shown
        assert day(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == "23 november 2026"
        assert day(date(2026, 12, 24)) == "24 december 2026"
