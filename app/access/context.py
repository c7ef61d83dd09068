"""The access context: what the signed-in party may do, read once per request.

The policy's rules (app.access.policy) stay the one rule book; this module applies the same rules
to the few facts they need, read at the start of the request with fixed statements and bind
parameters: for a person, the grants and guardianships that are valid today; for a practitioner,
their care relationship with a plan or a patient. A revocation or an ended team role therefore
bites on the very next request, and `may()` answers most questions without a query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import g
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    String,
    and_,
    bindparam,
    exists,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased

import app.models  # noqa: F401 - every mapper, before the statements below are built at import
from app.access.actor import Actor
from app.access.policy import (
    GUARDIAN_AGE_LIMIT,
    GUARDIAN_EXTENSION_LIMIT,
    OFFER_ACTIONS,
    PROXY_SCOPE_FOR,
    STAFF_ACTIONS,
    STAFF_ONLY,
    Action,
    allowed_proxy_scopes,
    guardian_rule,
    years_before,
)
from app.accounts.models import Person, StaffRole
from app.clock import local_date
from app.patients.models import CareRelationship
from app.plans.models import CarePlan, CareTeamMember, Handover, PlanStatus
from app.proxies.models import GrantExclusion, GrantRelation, Guardianship, ProxyGrant

# Every action a person may take for themself, and so for a child in a guardian's full care.
ALL_PERSON_ACTIONS = frozenset(action for action in Action if action not in STAFF_ONLY)
GUARDIAN = "guardian"
# Acting for someone means being able to read their plans, messages or appointments.
_REPRESENTING = frozenset({Action.READ_PLANS, Action.READ_MESSAGES, Action.APPOINTMENTS})


@dataclass(frozen=True)
class PatientAccess:
    """What a person may do for one patient: themself, as a proxy, or as a guardian."""

    patient_id: int
    actions: frozenset[Action]
    # Plans and threads the patient keeps private from this person (a proxy's exclusions).
    private_plans: frozenset[int] = frozenset()
    private_threads: frozenset[int] = frozenset()

    def allows(self, action: Action, plan_id: int | None, thread_id: int | None) -> bool:
        if action not in self.actions:
            return False
        return plan_id not in self.private_plans and thread_id not in self.private_threads


# Whom a person may act for: valid grants with their exclusions (one row per exclusion, or one
# with none), and guardianships that the age rule (policy.guardian_rule) lets through today.
_child = aliased(Person)
PEOPLE: CompoundSelect = union_all(
    select(
        ProxyGrant.patient_id,
        type_coerce(ProxyGrant.relation, String),
        ProxyGrant.scopes,
        GrantExclusion.plan_id,
        GrantExclusion.thread_id,
    )
    .select_from(ProxyGrant)
    .outerjoin(GrantExclusion, GrantExclusion.grant_id == ProxyGrant.id)
    .where(
        ProxyGrant.proxy_id == bindparam("person_id"),
        ProxyGrant.revoked_at.is_(None),
        ProxyGrant.valid_from <= bindparam("now"),
        ProxyGrant.valid_until > bindparam("now"),
    ),
    select(
        Guardianship.child_id,
        literal(GUARDIAN, String),
        literal("", String),
        literal(None, Integer),
        literal(None, Integer),
    )
    .select_from(Guardianship)
    .join(_child, _child.id == Guardianship.child_id)
    .where(
        Guardianship.guardian_id == bindparam("person_id"),
        guardian_rule(
            _child,
            Guardianship,
            bindparam("today"),
            bindparam("born_after_13"),
            bindparam("born_after_16"),
        ),
    ),
)


def staff_plan_rule(plan: Any = CarePlan) -> ColumnElement[bool]:
    """The policy's care relationship with a plan, over bind parameters: on its current team
    (in person or by unit), or at its unit. `plan` is CarePlan or an alias of it."""
    member = exists().where(
        CareTeamMember.plan_id == plan.id,
        or_(
            CareTeamMember.practitioner_id == bindparam("practitioner_id"),
            CareTeamMember.unit_id == bindparam("unit_id"),
        ),
        CareTeamMember.valid_from <= bindparam("today"),
        or_(CareTeamMember.valid_until.is_(None), CareTeamMember.valid_until >= bindparam("today")),
    )
    return and_(
        plan.status != PlanStatus.CLOSED,
        or_(member, plan.unit_id == bindparam("unit_id")),
    )


def staff_offer_rule(plan: Any = CarePlan) -> ColumnElement[bool]:
    """A role on the plan offered to the practitioner in a handover that waits for them: the
    policy's OFFER_ACTIONS on this plan only, nothing else, until they accept."""
    offered = exists().where(
        Handover.plan_id == plan.id,
        Handover.to_practitioner_id == bindparam("practitioner_id"),
        Handover.acknowledged_at.is_(None),
        Handover.cancelled_at.is_(None),
    )
    return and_(plan.status != PlanStatus.CLOSED, offered)


_STAFF_PLAN = select(staff_plan_rule(), staff_offer_rule()).where(
    CarePlan.id == bindparam("plan_id")
)


def staff_patient_rule(patient_id: Any) -> ColumnElement[bool]:
    """A care relationship with any of the patient's plans (over an alias of CarePlan, so that
    it never correlates with a plan in an enclosing statement), or one the practitioner has
    stated and that still holds (before the patient's first plan: app/patients). A pending
    handover offer is none: it opens one plan to read, never the patient."""
    plan = aliased(CarePlan)
    stated = exists().where(
        CareRelationship.patient_id == patient_id,
        CareRelationship.practitioner_id == bindparam("practitioner_id"),
        CareRelationship.valid_until > bindparam("now"),
    )
    return or_(exists().where(plan.patient_id == patient_id, staff_plan_rule(plan)), stated)


_STAFF_PATIENT = select(staff_patient_rule(bindparam("patient_id")))


@dataclass
class AccessContext:
    """The facts the policy needs about the signed-in party, for this request only."""

    actor: Actor
    now: datetime
    session: Session
    today: date = field(init=False)
    _people: dict[int, PatientAccess] | None = None
    # plan id: (a care relationship with it, a pending handover offer of it)
    _staff_plans: dict[int, tuple[bool, bool]] = field(default_factory=dict)
    _staff_patients: dict[int, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.today = local_date(self.now)

    # --- people -------------------------------------------------------------------------
    def people(self) -> dict[int, PatientAccess]:
        """Whom the signed-in person may act for, themself included (two statements, once)."""
        if self._people is None:
            self._people = self._read_people()
        return self._people

    def knows_people(self) -> bool:
        return self._people is not None

    def people_params(self) -> dict[str, object]:
        """The bind parameters of PEOPLE for this person and day."""
        return {
            "person_id": self.actor.person_id,
            "now": self.now,
            "today": self.today,
            "born_after_13": years_before(self.today, GUARDIAN_AGE_LIMIT),
            "born_after_16": years_before(self.today, GUARDIAN_EXTENSION_LIMIT),
        }

    def prime_people(self, rows: Sequence[Any]) -> None:
        """Take PEOPLE's rows read together with something else (the gate does)."""
        self._people = self._people_from(rows)

    def _read_people(self) -> dict[int, PatientAccess]:
        if self.actor.person_id is None:
            return {}
        rows = self.session.connection().execute(PEOPLE, self.people_params()).all()
        return self._people_from(rows)

    def _people_from(self, rows: Sequence[Any]) -> dict[int, PatientAccess]:
        person_id = self.actor.person_id
        if person_id is None:
            return {}
        found = {person_id: PatientAccess(person_id, ALL_PERSON_ACTIONS)}
        for patient_id, relation, *_rest in rows:
            if relation == GUARDIAN:  # full access while the age rule allows it
                found[patient_id] = PatientAccess(patient_id, ALL_PERSON_ACTIONS)
        allowed = allowed_proxy_scopes()
        grants: dict[int, tuple[set[Action], set[int], set[int]]] = {}
        for patient_id, relation, scopes, plan_id, thread_id in rows:
            if patient_id in found:  # oneself, or a guardian's full access covers any grant
                continue
            actions, plans, threads = grants.setdefault(patient_id, (set(), set(), set()))
            held = set(scopes.split())
            for action, scope in PROXY_SCOPE_FOR.items():
                if scope is None or scope.value not in held or action in STAFF_ONLY:
                    continue
                if scope.value in allowed or relation == GrantRelation.LEGAL_REPRESENTATIVE:
                    actions.add(action)
            if plan_id is not None:
                plans.add(plan_id)
            if thread_id is not None:
                threads.add(thread_id)
        for patient_id, (actions, plans, threads) in grants.items():
            found[patient_id] = PatientAccess(
                patient_id, frozenset(actions), frozenset(plans), frozenset(threads)
            )
        return found

    def fully_for(self, patient_id: int) -> bool:
        """The person themself, or a guardian with a child's full access: who takes part in
        the patient's own SIP meetings (a proxy's scopes do not reach them; the patient names
        the relatives they want there)."""
        access = self.people().get(patient_id)
        return access is not None and access.actions == ALL_PERSON_ACTIONS

    def represented(self) -> list[int]:
        """The ids of the people this person may act for today (to read their plans, messages
        or appointments), not themself."""
        own = self.actor.person_id
        return [
            patient_id
            for patient_id, access in self.people().items()
            if patient_id != own and access.actions & _REPRESENTING
        ]

    # --- staff --------------------------------------------------------------------------
    def staff_params(self) -> dict[str, object]:
        assert self.actor.practitioner_id is not None  # noqa: S101 - staff only
        return {
            "practitioner_id": self.actor.practitioner_id,
            "unit_id": self.actor.unit_id,
            "today": self.today,
            "now": self.now,
        }

    def prime_staff(
        self,
        plan_id: int | None,
        on_plan: bool,
        offered: bool,
        patient_id: int,
        with_patient: bool,
    ) -> None:
        """Take the care-relationship answers read together with the gate's lookup."""
        if plan_id is not None:
            self._staff_plans[plan_id] = (bool(on_plan), bool(offered))
        self._staff_patients[patient_id] = bool(with_patient)

    def _staff_plan(self, plan_id: int) -> tuple[bool, bool]:
        if plan_id not in self._staff_plans:
            params = {**self.staff_params(), "plan_id": plan_id}
            row = self.session.connection().execute(_STAFF_PLAN, params).first()
            self._staff_plans[plan_id] = (
                (False, False) if row is None else (bool(row[0]), bool(row[1]))
            )
        return self._staff_plans[plan_id]

    def staff_on_plan(self, plan_id: int) -> bool:
        """A care relationship with this plan (the policy's rule; one statement, cached)."""
        return self._staff_plan(plan_id)[0]

    def staff_offered_plan(self, plan_id: int) -> bool:
        """A role on this plan offered to the practitioner, not yet accepted (cached alike)."""
        return self._staff_plan(plan_id)[1]

    def staff_with_patient(self, patient_id: int) -> bool:
        """A care relationship with any of the patient's plans (one statement, cached)."""
        if patient_id not in self._staff_patients:
            params = {**self.staff_params(), "patient_id": patient_id}
            self._staff_patients[patient_id] = (
                self.session.connection().scalar(_STAFF_PATIENT, params) is True
            )
        return self._staff_patients[patient_id]

    # --- the question -------------------------------------------------------------------
    def may(
        self,
        action: Action,
        patient_id: int,
        plan_id: int | None = None,
        thread_id: int | None = None,
    ) -> bool:
        """May the actor do `action` for this patient (on this plan or thread, if given)?

        The same answer as the policy's SQL clauses. A plan's own status (drafts are care's,
        closed plans are no longer staff's) is the caller's to check: the gate does it."""
        if action in STAFF_ONLY and not self.actor.is_staff:
            return False
        if self.actor.is_staff:
            if action not in STAFF_ACTIONS or not self.actor.has_role(StaffRole.CARE):
                return False  # an administrator keeps the directory and cares for nobody
            if plan_id is not None and thread_id is None:
                if self.staff_on_plan(plan_id):
                    return True
                return action in OFFER_ACTIONS and self.staff_offered_plan(plan_id)
            return self.staff_with_patient(patient_id)
        if self.actor.person_id is not None and patient_id == self.actor.person_id:
            return True  # one's own data: no query
        access = self.people().get(patient_id)
        return access is not None and access.allows(action, plan_id, thread_id)


def access_context(actor: Actor, session: Session, now: datetime) -> AccessContext:
    """This request's access context (made on first use, so a request that never asks pays
    nothing)."""
    context: AccessContext | None = g.get("access_context")
    if context is None or context.actor is not actor:
        context = AccessContext(actor, now, session)
        g.access_context = context
    return context
