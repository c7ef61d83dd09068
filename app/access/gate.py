"""The gate: every route that touches patient data goes through here, and it writes the log.

`@gate(action, on="care_plan")` signs the visitor in (or sends them to sign in), resolves whose data
the URL names with one fixed statement, authorises through the request's access context, and
logs: a refusal of something that exists as a refused read (the visitor gets the same 404 as for
something that does not exist, and too many refusals get 429: app.access.refusals), an allowed
GET as a read of what the page shows (`shows`, by default the thing the URL names). There is no
way to turn the read off: the transaction boundary leaves it out only when the answer shows
nothing (a redirect, a 304, a 404). The view gets the resolved `target` and can no longer forget
either step.

Pages of many patients (the staff's lists, a person's page of the one they act for) use
`@listing(...)`, which signs in, keeps out the wrong kind of actor and marks the view as gated;
the view reads through scoped queries and logs what it shows, with `authorise` (the person's
chosen patient) or `audit.services.pending_list` (each patient a list shows). A listing that
answers a GET with a page and has logged nothing fails instead of showing it.

Tests derived from the URL map fail when a route that touches patient data is behind neither
(tests/web/test_gate.py), or when a page of patient data writes no entry for the patient
(tests/web/test_access_log_complete.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Literal, ParamSpec, TypeVar, cast

from flask import g, make_response, request
from flask_login import current_user, login_required
from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    String,
    bindparam,
    exists,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from app.access import subject
from app.access.actor import Actor, current_actor
from app.access.context import (
    PEOPLE,
    AccessContext,
    access_context,
    staff_offer_rule,
    staff_patient_rule,
    staff_plan_rule,
)
from app.access.policy import STAFF_ACTIONS, Action
from app.access.refusals import refuse
from app.accounts.models import Person, StaffRole
from app.appointments.models import Appointment
from app.audit.services import logged_in_this_request, pending_access
from app.care_requests.models import CareRequest
from app.clock import now
from app.db import get_session
from app.diary.models import Measure, RuleHit
from app.goals.models import Activity, Goal
from app.messages.models import Thread
from app.plans.models import CarePlan, Handover, PlanStatus
from app.proxies.models import Guardianship, ProxyGrant, ProxyInvitation
from app.sip.models import SipMeeting

P = ParamSpec("P")
R = TypeVar("R")
# What an allowed GET records: a read, or the download of a copy to keep.
Reading = Literal["read", "export"]
READS = ("GET", "HEAD")


@dataclass(frozen=True)
class Target:
    """Whose data a request is about, resolved and authorised by the gate."""

    object_type: str
    object_id: int | None
    patient_id: int
    plan_id: int | None
    thread_id: int | None
    plan_status: PlanStatus | None
    context: AccessContext

    @property
    def actor(self) -> Actor:
        return self.context.actor

    @property
    def own(self) -> bool:
        """The signed-in person's own data."""
        person_id = self.context.actor.person_id
        return person_id is not None and person_id == self.patient_id

    def may(self, action: Action) -> bool:
        """What else the actor may do here (the page offers only what it may)."""
        return self.context.may(action, self.patient_id, self.plan_id, self.thread_id)


def _columns(
    patient: Any, plan: Any = None, status: Any = None, unit: Any = None, holders: Any = ()
) -> list[Any]:
    """What every lookup returns, typed alike so that it can be read in one UNION with the
    access context's rows: patient, plan, plan status, and a thread's unit and holders."""
    assigned, offered = holders if holders else (None, None)

    def number(column: Any) -> Any:
        return literal(None, Integer) if column is None else column

    return [
        patient,
        number(plan),
        literal(None, String) if status is None else type_coerce(status, String),
        number(unit),
        number(assigned),
        number(offered),
    ]


def _via_plan(model: Any) -> Select[Any]:
    return (
        select(*_columns(CarePlan.patient_id, CarePlan.id, CarePlan.status))
        .select_from(model)
        .join(CarePlan, CarePlan.id == model.plan_id)
        .where(model.id == bindparam("id"))
    )


@dataclass(frozen=True)
class Resolver:
    """How to find whose data a URL parameter names: one statement, built once, in three
    shapes: alone; for a person, in one UNION with the access context's grants and
    guardianships; for staff, with the care-relationship answers as three more columns (with
    the plan, with the patient, and a pending handover offer of the plan)."""

    object_type: str
    parameter: str
    statement: Select[Any]
    for_person: CompoundSelect = field(init=False)
    for_staff: Select[Any] = field(init=False)

    def __post_init__(self) -> None:
        found = self.statement.subquery()
        people = PEOPLE.subquery()
        person = union_all(
            select(literal(1, Integer).label("part"), *found.c, literal(None, String)),
            select(
                literal(2, Integer),
                people.c.patient_id,
                people.c.plan_id,  # an exclusion's plan
                people.c.relation,
                people.c.thread_id,  # an exclusion's thread
                literal(None, Integer),
                literal(None, Integer),
                people.c.scopes,
            ),
        )
        plan_column = list(self.statement.selected_columns)[1]
        plan = aliased(CarePlan)
        on_plan = exists().where(plan.id == plan_column, staff_plan_rule(plan))
        offered = exists().where(plan.id == plan_column, staff_offer_rule(plan))
        staff = self.statement.add_columns(
            on_plan, staff_patient_rule(list(self.statement.selected_columns)[0]), offered
        )
        object.__setattr__(self, "for_person", person)
        object.__setattr__(self, "for_staff", staff)


RESOLVERS: dict[str, Resolver] = {
    resolver.object_type: resolver
    for resolver in (
        Resolver(
            "care_plan",
            "plan_id",
            select(*_columns(CarePlan.patient_id, CarePlan.id, CarePlan.status)).where(
                CarePlan.id == bindparam("id")
            ),
        ),
        Resolver(
            "thread",
            "thread_id",
            select(
                *_columns(
                    Thread.patient_id,
                    Thread.plan_id,
                    None,
                    Thread.unit_id,
                    (Thread.assigned_to_id, Thread.offered_to_id),
                )
            ).where(Thread.id == bindparam("id")),
        ),
        Resolver("goal", "goal_id", _via_plan(Goal)),
        Resolver("activity", "activity_id", _via_plan(Activity)),
        Resolver("handover", "handover_id", _via_plan(Handover)),
        Resolver("measure", "measure_id", _via_plan(Measure)),
        Resolver("rule_hit", "hit_id", _via_plan(RuleHit)),
        Resolver("sip_meeting", "meeting_id", _via_plan(SipMeeting)),
        Resolver(
            "appointment",
            "appointment_id",
            select(*_columns(Appointment.patient_id, Appointment.plan_id)).where(
                Appointment.id == bindparam("id")
            ),
        ),
        # A patient's request to a unit: the unit in the thread's place (staff there answer it).
        Resolver(
            "care_request",
            "request_id",
            select(*_columns(CareRequest.patient_id, None, None, CareRequest.unit_id)).where(
                CareRequest.id == bindparam("id")
            ),
        ),
        Resolver(
            "patient",
            "patient_id",
            select(*_columns(Person.id)).where(Person.id == bindparam("id")),
        ),
        Resolver(
            "proxy_grant",
            "grant_id",
            select(*_columns(ProxyGrant.patient_id)).where(ProxyGrant.id == bindparam("id")),
        ),
        Resolver(
            "proxy_invitation",
            "invitation_id",
            select(*_columns(ProxyInvitation.patient_id)).where(
                ProxyInvitation.id == bindparam("id")
            ),
        ),
        Resolver(
            "guardianship",
            "guardianship_id",
            select(*_columns(Guardianship.child_id)).where(Guardianship.id == bindparam("id")),
        ),
    )
}
# A goal or an activity named as /<mal|insats>/<item_id>/...
ITEM_KINDS = {"mal": "goal", "insats": "activity"}


def _allowed(context: AccessContext, action: Action, target: Target, row: Any) -> bool:
    if target.plan_status is not None:
        if target.plan_status == PlanStatus.DRAFT and not context.actor.is_staff:
            return False  # drafts are care's own
    if target.object_type == "care_request" and context.actor.is_staff:
        # The patient sent it to this unit: whoever works there may read and answer it, even
        # before the unit has a plan with the patient; nobody at another unit sees it exists.
        staff = context.actor
        return (
            action in STAFF_ACTIONS and staff.has_role(StaffRole.CARE) and row[3] == staff.unit_id
        )
    if not context.may(action, target.patient_id, target.plan_id, target.thread_id):
        return False
    if target.object_type == "thread" and context.actor.is_staff:
        actor = context.actor
        unit_id, assigned_id, offered_id = row[3], row[4], row[5]
        return actor.practitioner_id in (assigned_id, offered_id) or unit_id == actor.unit_id
    return True


def _resolve(
    context: AccessContext, on: str, kwargs: Mapping[str, Any]
) -> tuple[str, int, Any] | None:
    """Look the object up and, in the same round trip, what the actor may do (unless this
    request's context knows already)."""
    if on == "item":
        on = ITEM_KINDS[kwargs["kind"]]
        object_id = kwargs["item_id"]
    else:
        object_id = kwargs[RESOLVERS[on].parameter]
    resolver, connection = RESOLVERS[on], context.session.connection()
    actor = context.actor
    if actor.person_id is not None and not context.knows_people():
        rows = connection.execute(
            resolver.for_person, {"id": object_id, **context.people_params()}
        ).all()
        context.prime_people([(r[1], r[3], r[7], r[2], r[4]) for r in rows if r[0] == 2])
        found = [row[1:7] for row in rows if row[0] == 1]
        row = found[0] if found else None
    elif actor.practitioner_id is not None:
        row = connection.execute(
            resolver.for_staff, {"id": object_id, **context.staff_params()}
        ).first()
        if row is not None:
            context.prime_staff(row[1], row[6], row[8], row[0], row[7])
    else:
        row = connection.execute(resolver.statement, {"id": object_id}).first()
    return None if row is None else (on, object_id, row)


def authorise(
    action: Action,
    on: str,
    kwargs: Mapping[str, Any],
    shows: str | None = None,
    log: Reading = "read",
) -> Target:
    """Resolve, authorise and log one request; 404 (logged if the thing exists) on refusal, 429
    past the actor's limit of refusals (see app.access.refusals).

    A GET is logged as a `log` of what the page `shows` (an object type for the access log; by
    default the thing the URL names). A POST is not: its service logs the change in the same
    transaction."""
    actor, session, moment = current_actor(), get_session(), now()
    context = access_context(actor, session, moment)
    if on == "subject":  # the person's own page, or the one they have chosen to act for
        if actor.person_id is None:
            refuse(actor)
        chosen = subject.subject_id(actor)
        target = Target("overview", None, chosen, None, None, None, context)
        if chosen != actor.person_id and not context.may(action, chosen):
            subject.choose(None)  # a grant ended since the choice: back to one's own page
            target = Target("overview", None, actor.person_id, None, None, None, context)
    else:
        resolved = _resolve(context, on, kwargs)
        if resolved is None:
            refuse(actor)
        object_type, object_id, row = resolved
        target = Target(
            object_type,
            object_id,
            row[0],
            row[1],
            object_id if object_type == "thread" else None,
            row[2],
            context,
        )
        if not _allowed(context, action, target, row):
            refuse(actor, target.patient_id, object_type, object_id, moment)
    if request.method in READS:
        what, what_id = (target.object_type, target.object_id) if shows is None else (shows, None)
        pending_access(actor, target.patient_id, log, what, what_id, moment)
    g.access_target = target  # whose data this answer shows (offline copies ask: app/pwa)
    return target


def request_target() -> Target | None:
    """What the gate let this request see, or None when it did not pass the gate."""
    return g.get("access_target")


def gate(
    action: Action, on: str, shows: str | None = None, log: Reading = "read"
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """The one way into patient data for a route: sign in, resolve, authorise, log.

    `on` names what the URL points at (a key of RESOLVERS, "item" for /<mal|insats>/<id>, or
    "subject" for the person's own or chosen patient). A GET is logged as a `log` ("read", or
    "export" for a download) of what the page `shows` (by default the thing `on` resolves to);
    a POST's service logs the change. The view is called with `target` added."""
    if on not in RESOLVERS and on not in ("item", "subject"):
        raise ValueError(f"the gate knows no {on!r}")
    if log not in ("read", "export"):
        raise ValueError(f"the gate logs a GET as read or export, not {log!r}")

    def decorate(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        @login_required
        def gated(*args: Any, **kwargs: Any) -> R:
            target = authorise(action, on, kwargs, shows, log)
            return view(*args, target=target, **kwargs)

        gated.gate = (action, on)  # type: ignore[attr-defined]
        return gated

    return decorate


def listing(
    who: Literal["staff", "person", "anyone"], patient_data: bool = True
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A page of the actor's own patients or people (lists come from scoped queries only).

    A GET answered with a page must have logged what it shows (see the module's docstring), or
    it fails rather than show patient data unlogged. `patient_data=False` is only for a
    person's own settings pages, which show nobody's care data (each is listed, with why, in
    tests/web/test_access_log_complete.py)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def gated(*args: P.args, **kwargs: P.kwargs) -> R:
            staff = bool(getattr(current_user, "is_staff", False))
            if (who == "staff" and not staff) or (who == "person" and staff):
                refuse(current_actor())
            answer = view(*args, **kwargs)
            if not patient_data or request.method not in READS:
                return answer
            response = make_response(answer)
            if response.status_code < 300 and not logged_in_this_request():
                raise RuntimeError(f"{request.endpoint} shows patient data and logged none")
            return cast(R, response)

        gated.gate = ("listing", who)  # type: ignore[attr-defined]
        gated.patient_data = patient_data  # type: ignore[attr-defined]
        return gated

    return decorate
