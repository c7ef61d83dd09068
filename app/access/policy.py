"""The one access policy: may this actor do this to this patient's thing?

Every read and write of patient data asks here. The rules are SQL conditions, so a page loads and
authorises in the same statement ("load and authorise together") and lists come from scoped
queries. Nothing is cached between requests: proxy grants, guardianships and care-team memberships
are read from the database on every request. Views turn a refusal into 404, so nobody learns that
another person's data exists.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, literal, or_, select
from sqlalchemy.orm import Session, aliased

from app.access.actor import Actor
from app.accounts.models import Person, StaffRole
from app.clock import local_date
from app.patients.models import CareRelationship
from app.plans.models import CarePlan, CareTeamMember, Handover, PlanStatus
from app.proxies.models import GrantExclusion, GrantRelation, Guardianship, ProxyGrant, Scope

GUARDIAN_AGE_LIMIT = 13
GUARDIAN_EXTENSION_LIMIT = 16


class Action(enum.StrEnum):
    READ_PLANS = "read_plans"
    READ_OVERVIEW = "read_overview"
    READ_MESSAGES = "read_messages"
    WRITE_MESSAGES = "write_messages"
    ANSWER_FOR = "answer_for"
    APPOINTMENTS = "appointments"
    READ_ACCESS_LOG = "read_access_log"
    # Care's own work on a plan: edit, publish, hand over, close. Never a patient's or proxy's.
    EDIT_PLANS = "edit_plans"
    # Take on a role that a colleague offers in a handover (the service checks it is theirs).
    TAKE_OVER = "take_over"


# The scope a proxy needs for each action. None: only the patient themself.
PROXY_SCOPE_FOR: dict[Action, Scope | None] = {
    Action.READ_PLANS: Scope.READ_PLANS,
    Action.READ_OVERVIEW: Scope.READ_PLANS,
    Action.READ_MESSAGES: Scope.READ_MESSAGES,
    Action.WRITE_MESSAGES: Scope.WRITE_MESSAGES,
    Action.ANSWER_FOR: Scope.ANSWER_FOR,
    Action.APPOINTMENTS: Scope.APPOINTMENTS,
    Action.READ_ACCESS_LOG: None,
    Action.EDIT_PLANS: None,
    Action.TAKE_OVER: None,
}
# Actions nobody but staff may take, not even for their own data.
STAFF_ONLY = frozenset({Action.EDIT_PLANS, Action.TAKE_OVER})

STAFF_ACTIONS = frozenset(
    {
        Action.READ_PLANS,
        Action.READ_OVERVIEW,
        Action.READ_MESSAGES,
        Action.WRITE_MESSAGES,
        Action.APPOINTMENTS,
        Action.EDIT_PLANS,
        Action.TAKE_OVER,
    }
)
# What a pending handover offer lets its receiver do on that one plan, until they accept: read
# it (to know what they take on) and take it on. Nothing else on the plan, no other plan of the
# patient's and no page about the patient: until then the sender is responsible, and the
# receiver may be someone with no care relationship with the patient at all.
OFFER_ACTIONS = frozenset({Action.READ_PLANS, Action.TAKE_OVER})


def years_before(today: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)


def guardian_rule(
    child: Any,
    guardianship: Any,
    today: Any,
    born_after_13: Any = None,
    born_after_16: Any = None,
) -> ColumnElement[bool]:
    """The guardian age rule as SQL over a child row and a guardianship row.

    Full access while the child is under 13 and has no protected identity; from the 13th
    birthday only by a recorded decision (extended_until), and never from the 16th birthday.
    `today` is a date, or a bind parameter together with the two birthdays' bind parameters
    (the access context's fixed statement)."""
    if born_after_13 is None:
        born_after_13 = years_before(today, GUARDIAN_AGE_LIMIT)
    if born_after_16 is None:
        born_after_16 = years_before(today, GUARDIAN_EXTENSION_LIMIT)
    under_13 = child.birth_date > born_after_13
    under_16 = child.birth_date > born_after_16
    extended = and_(
        guardianship.extended_until.is_not(None), guardianship.extended_until >= today, under_16
    )
    return and_(child.protected_identity.is_(False), or_(under_13, extended))


def _staff_on_plan(actor: Actor, today: date, action: Action | None = None) -> ColumnElement[bool]:
    """A care relationship with a plan: on its current team, or at a unit on the plan. For the
    actions in OFFER_ACTIONS, also a role on it offered in a handover that waits for their
    acknowledgement (they must read the plan to take it on); nothing more until they do."""
    if actor.practitioner_id is None or not actor.has_role(StaffRole.CARE):
        return false()  # an administrator keeps the directory and cares for nobody
    member = exists().where(
        CareTeamMember.plan_id == CarePlan.id,
        or_(
            CareTeamMember.practitioner_id == actor.practitioner_id,
            CareTeamMember.unit_id == actor.unit_id,
        ),
        CareTeamMember.valid_from <= today,
        or_(CareTeamMember.valid_until.is_(None), CareTeamMember.valid_until >= today),
    )
    related = [member, CarePlan.unit_id == actor.unit_id]
    if action in OFFER_ACTIONS:
        related.append(
            exists().where(
                Handover.plan_id == CarePlan.id,
                Handover.to_practitioner_id == actor.practitioner_id,
                Handover.acknowledged_at.is_(None),
                Handover.cancelled_at.is_(None),
            )
        )
    return and_(CarePlan.status != PlanStatus.CLOSED, or_(*related))


def allowed_proxy_scopes() -> frozenset[str]:
    """The scopes relatives may hold in this deployment (regions read the law differently)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return frozenset(scope.value for scope in Scope)
    return frozenset(current_app.config["PROXY_ALLOWED_SCOPES"])


def _person_may(
    actor: Actor,
    action: Action,
    patient_id: Any,
    now: datetime,
    plan_id: Any = None,
    thread_id: Any = None,
) -> ColumnElement[bool]:
    """SQL: the signed-in person may do `action` for the patient whose id is `patient_id`
    (and, for a proxy, on this plan or thread unless the patient keeps it private from them)."""
    person_id = actor.person_id
    if person_id is None:
        return false()
    own = patient_id == person_id
    needed = PROXY_SCOPE_FOR[action]
    if needed is None:
        return own
    grant_conditions = [
        ProxyGrant.proxy_id == person_id,
        ProxyGrant.patient_id == patient_id,
        ProxyGrant.revoked_at.is_(None),
        ProxyGrant.valid_from <= now,
        ProxyGrant.valid_until > now,
        (literal(" ") + ProxyGrant.scopes + literal(" ")).contains(f" {needed.value} "),
    ]
    if needed.value not in allowed_proxy_scopes():
        # The deployment does not let relatives hold this scope; legal representatives keep it.
        grant_conditions.append(ProxyGrant.relation == GrantRelation.LEGAL_REPRESENTATIVE)
    private = [GrantExclusion.plan_id == plan_id] if plan_id is not None else []
    if thread_id is not None:
        private.append(GrantExclusion.thread_id == thread_id)
    if private:
        # Correlate to the plan or thread being checked, however deep the nesting.
        excluded = exists().where(GrantExclusion.grant_id == ProxyGrant.id, or_(*private))
        grant_conditions.append(~excluded.correlate_except(GrantExclusion))
    grant = exists().where(*grant_conditions)
    child = aliased(Person)
    guardian = exists().where(
        Guardianship.guardian_id == person_id,
        Guardianship.child_id == patient_id,
        child.id == Guardianship.child_id,
        guardian_rule(child, Guardianship, local_date(now)),
    )
    return or_(own, grant, guardian)


def _own(actor: Actor, patient_id: int | None) -> bool:
    """The query is about the signed-in person's own data: every person action is theirs."""
    return actor.person_id is not None and patient_id == actor.person_id


def patient_clause(
    actor: Actor, action: Action, now: datetime, patient_id: int | None = None
) -> ColumnElement[bool]:
    """SQL over Person: the actor may do `action` for this patient. A caller that knows the
    patient's id passes it, so that one's own data needs no proxy or guardian checks."""
    if action in STAFF_ONLY and not actor.is_staff:
        return false()
    if _own(actor, patient_id):
        return Person.id == patient_id
    if actor.is_staff:
        if action not in STAFF_ACTIONS:
            return false()
        on_plan = exists().where(
            CarePlan.patient_id == Person.id, _staff_on_plan(actor, local_date(now))
        )
        return or_(on_plan, _stated(actor, Person.id, now))
    return _person_may(actor, action, Person.id, now)


def _stated(actor: Actor, patient_id: Any, now: datetime) -> ColumnElement[bool]:
    """A care relationship the practitioner has stated for the patient and that still holds
    (before the patient's first plan, there is no plan to infer one from: app/patients)."""
    if not actor.has_role(StaffRole.CARE):
        return false()
    return exists().where(
        CareRelationship.patient_id == patient_id,
        CareRelationship.practitioner_id == actor.practitioner_id,
        CareRelationship.valid_until > now,
    )


def plan_clause(
    actor: Actor, action: Action, now: datetime, patient_id: int | None = None
) -> ColumnElement[bool]:
    """SQL over CarePlan: the actor may do `action` on this plan. Drafts are care's own.
    A caller that knows whose plans these are passes the patient's id (see patient_clause)."""
    if action in STAFF_ONLY and not actor.is_staff:
        return false()
    if _own(actor, patient_id):
        return and_(CarePlan.patient_id == patient_id, CarePlan.status != PlanStatus.DRAFT)
    if actor.is_staff:
        if action not in STAFF_ACTIONS:
            return false()
        return _staff_on_plan(actor, local_date(now), action)
    return and_(
        CarePlan.status != PlanStatus.DRAFT,
        _person_may(actor, action, CarePlan.patient_id, now, plan_id=CarePlan.id),
    )


def may(session: Session, actor: Actor, action: Action, patient_id: int, now: datetime) -> bool:
    """True if the actor may do `action` for the patient. One query, none for one's own data."""
    if action in STAFF_ONLY and not actor.is_staff:
        return False
    if actor.person_id is not None and actor.person_id == patient_id:
        return True
    query = select(exists().where(Person.id == patient_id, patient_clause(actor, action, now)))
    return session.scalar(query) is True


def staff_patients(actor: Actor, now: datetime) -> Select[tuple[Person]]:
    """Patients the practitioner has a care relationship with today, by name."""
    return (
        select(Person)
        .where(patient_clause(actor, Action.READ_OVERVIEW, now))
        .order_by(Person.family_name, Person.given_name)
    )


def represented_patients(actor: Actor, now: datetime) -> Select[tuple[Person]]:
    """People the signed-in person may act for today (any scope), by name; not themself."""
    person_id = actor.person_id
    if person_id is None:
        return select(Person).where(false())
    any_access = or_(
        *(
            _person_may(actor, action, Person.id, now)
            for action in (Action.READ_PLANS, Action.READ_MESSAGES, Action.APPOINTMENTS)
        )
    )
    return (
        select(Person)
        .where(Person.id != person_id, any_access)
        .order_by(Person.family_name, Person.given_name)
    )


def thread_clause(actor: Actor, action: Action, now: datetime) -> ColumnElement[bool]:
    """SQL over Thread: the actor may do `action` (read or write messages) on this thread.

    Patients, proxies and guardians by the patient rule. Staff need a care relationship with the
    patient, and the thread must be at their unit, assigned to them, or offered to them.
    """
    from app.messages.models import Thread

    if actor.is_staff:
        if action not in STAFF_ACTIONS:
            return false()
        related = exists().where(
            CarePlan.patient_id == Thread.patient_id, _staff_on_plan(actor, local_date(now))
        )
        return and_(
            related,
            or_(
                Thread.unit_id == actor.unit_id,
                Thread.assigned_to_id == actor.practitioner_id,
                Thread.offered_to_id == actor.practitioner_id,
            ),
        )
    return _person_may(
        actor, action, Thread.patient_id, now, plan_id=Thread.plan_id, thread_id=Thread.id
    )
