"""Care keeps the plan: create one from its kind's template, save drafts with a version check,
publish versions, close plans, record a death. Each takes the acting practitioner, checks the
policy, writes the access log, queues what the patient must hear, and only flushes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.access.actor import Actor
from app.access.policy import Action, patient_clause, plan_clause
from app.accounts.models import Person, Practitioner
from app.audit.services import record_access
from app.clock import local_date
from app.notifications.models import OutboxItem
from app.notifications.services import queue
from app.planning import drafts
from app.planning.templates import template_doc
from app.plans.models import (
    CarePlan,
    CareTeamMember,
    CloseReason,
    PlanKind,
    PlanStatus,
    PlanVersion,
)

ERRORS = {
    "nothing": _l("Det finns inga ändringar att publicera."),
    "summary": _l("Skriv kort vad som har ändrats, så att patienten förstår."),
    "kind": _l("Välj vilken sorts plan det är."),
    "reason": _l("Välj varför planen avslutas."),
    "not_coordinator": _l("Bara samordnaren kan avsluta planen."),
    "consent_kind": _l("Bara en SIP avslutas för att samtycket återkallas."),
    "death_date": _l("Skriv dagen då patienten avled, som ÅÅÅÅ-MM-DD. Den kan inte vara framåt."),
    "confirm": _l("Bekräfta att uppgiften om dödsfallet är kontrollerad."),
    "already_dead": _l("Dödsfallet är redan registrerat."),
}


class NotAllowed(Exception):
    """The view answers 404: no such plan, or no care relationship with it."""


class PlanningError(Exception):
    """Bad input: Swedish messages by field; nothing was changed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


@dataclass
class Conflict(Exception):
    """Someone saved the plan after this person opened it: nothing was saved."""

    plan: CarePlan
    mine: dict[str, Any]

    def __str__(self) -> str:
        return f"plan {self.plan.id} changed"


def _fail(field: str, code: str) -> PlanningError:
    return PlanningError({field: str(ERRORS[code])})


def plan_to_edit(session: Session, actor: Actor, plan_id: int, now: datetime) -> CarePlan:
    """The plan with everything the editor shows, if the actor is care with a relationship to
    it; else NotAllowed (404). Closed plans are not edited."""
    plan = session.scalars(
        select(CarePlan)
        .where(CarePlan.id == plan_id, plan_clause(actor, Action.EDIT_PLANS, now))
        .options(
            joinedload(CarePlan.patient),
            joinedload(CarePlan.draft_by),
            selectinload(CarePlan.team).options(
                joinedload(CareTeamMember.practitioner).joinedload(Practitioner.unit),
                joinedload(CareTeamMember.unit),
            ),
            selectinload(CarePlan.goals),
            selectinload(CarePlan.activities),
            selectinload(CarePlan.handovers),
        )
    ).first()
    if plan is None or not actor.is_staff:
        raise NotAllowed
    return plan


def patient_for_care(session: Session, actor: Actor, patient_id: int, now: datetime) -> Person:
    """A patient the practitioner has a care relationship with; else NotAllowed (404)."""
    person = session.scalars(
        select(Person).where(Person.id == patient_id, patient_clause(actor, Action.EDIT_PLANS, now))
    ).first()
    if person is None or not actor.is_staff:
        raise NotAllowed
    return person


def working_doc(plan: CarePlan, today: date) -> dict[str, Any]:
    """What the editor starts from: the draft if there is one, else the plan as published."""
    return plan.draft if plan.draft is not None else drafts.doc_from_plan(plan, today)


def create_plan(
    session: Session, actor: Actor, patient_id: int, kind: str, now: datetime
) -> CarePlan:
    """A new plan in draft, from its kind's template, with the creator as care contact and
    coordinator. The patient sees nothing until it is published."""
    patient = patient_for_care(session, actor, patient_id, now)
    if kind not in {k.value for k in PlanKind}:
        raise _fail("kind", "kind")
    practitioner = actor.practitioner
    assert practitioner is not None  # noqa: S101 - patient_for_care checked is_staff
    plan_kind = PlanKind(kind)
    doc = template_doc(plan_kind, practitioner.id, local_date(now))
    doc["team"][0]["unit_id"] = practitioner.unit_id
    plan = CarePlan(
        patient_id=patient.id,
        kind=plan_kind,
        title=doc["title"],
        unit_id=practitioner.unit_id,
        status=PlanStatus.DRAFT,
        draft=doc,
        draft_by_id=practitioner.id,
        draft_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    session.flush()
    record_access(session, actor, patient.id, "create", "care_plan", plan.id, now)
    return plan


def team_candidates(session: Session, actor: Actor, plan: CarePlan) -> list[Practitioner]:
    """Colleagues one may add to the plan: at the actor's unit, or at a unit already working
    with this patient. Anyone else is added by HSA-id."""
    practitioner = actor.practitioner
    assert practitioner is not None  # noqa: S101 - staff only
    units = (
        select(CareTeamMember.unit_id)
        .join(CarePlan)
        .where(CarePlan.patient_id == plan.patient_id, CareTeamMember.unit_id.is_not(None))
    )
    return list(
        session.scalars(
            select(Practitioner)
            .where((Practitioner.unit_id == practitioner.unit_id) | Practitioner.unit_id.in_(units))
            .options(joinedload(Practitioner.unit))
            .order_by(Practitioner.family_name, Practitioner.given_name)
            .limit(200)
        )
    )


def _check_people(session: Session, form: drafts.DraftForm) -> dict[int, Practitioner]:
    """Resolve new team members' HSA-ids and check that every practitioner and every party an
    activity names exists and belongs to the plan's team."""
    doc = form.doc
    by_hsa = {}
    if form.hsa_ids:
        found = session.scalars(
            select(Practitioner).where(Practitioner.hsa_id.in_(list(form.hsa_ids.values())))
        ).all()
        by_hsa = {p.hsa_id: p for p in found}
    hsa_rows = [m for m in doc["team"] if m["practitioner_id"] is None]
    for (field, hsa), member in zip(form.hsa_ids.items(), hsa_rows, strict=False):
        person = by_hsa.get(hsa)
        if person is None:
            form.errors[field] = str(drafts.ERRORS["practitioner"])
        else:
            member["practitioner_id"] = person.id
    ids = {m["practitioner_id"] for m in doc["team"] if m["practitioner_id"]}
    people = {
        p.id: p for p in session.scalars(select(Practitioner).where(Practitioner.id.in_(ids)))
    }
    doc["team"] = [m for m in doc["team"] if m["practitioner_id"] in people]
    seen: set[int] = set()
    unique = []
    for member in doc["team"]:  # one row per person: the first one wins
        if member["practitioner_id"] not in seen:
            seen.add(member["practitioner_id"])
            member["unit_id"] = people[member["practitioner_id"]].unit_id
            unique.append(member)
    doc["team"] = unique
    if sum(1 for m in unique if m["coordinator"]) != 1:
        form.errors.setdefault("coordinator", str(drafts.ERRORS["coordinator"]))
    parties = {f"practitioner:{m['practitioner_id']}" for m in unique} | {
        f"unit:{m['unit_id']}" for m in unique
    }
    for i, activity in enumerate(doc["activities"]):
        if activity["party"] and activity["party"] not in parties:
            form.errors.setdefault(f"act-{i}-party", str(drafts.ERRORS["party"]))
    return people


def read_form(
    session: Session, plan: CarePlan, form: Any, today: date
) -> tuple[dict[str, Any], dict[str, str]]:
    """The editor's form as a document, with every Swedish message it deserves."""
    base = working_doc(plan, today)
    parsed = drafts.DraftForm(form, base, plan.kind)
    _check_people(session, parsed)
    errors = parsed.errors
    for field, message in drafts.check_dates(parsed.doc, base, plan.kind, today).items():
        errors.setdefault(field, message)
    return parsed.doc, errors


def _check_version(plan: CarePlan, seen_version: int, mine: dict[str, Any]) -> None:
    if plan.version != seen_version:
        raise Conflict(plan, mine)


def save_draft(
    session: Session,
    actor: Actor,
    plan: CarePlan,
    doc: dict[str, Any],
    seen_version: int,
    now: datetime,
) -> None:
    """Keep care's edits as the plan's draft, if nobody saved the plan since `seen_version`
    (Conflict otherwise; the flush fails with StaleDataError if someone does so meanwhile)."""
    _check_version(plan, seen_version, doc)
    assert actor.practitioner_id is not None  # noqa: S101 - plan_to_edit checked is_staff
    plan.draft = doc
    plan.draft_by_id = actor.practitioner_id
    plan.draft_at = now
    if plan.status == PlanStatus.DRAFT:
        plan.title = doc["title"]
    session.flush()
    record_access(session, actor, plan.patient_id, "update", "care_plan_draft", plan.id, now)


def discard_draft(
    session: Session, actor: Actor, plan: CarePlan, seen_version: int, now: datetime
) -> bool:
    """Throw away unpublished edits. A plan that was never published goes altogether (the
    patient never saw it); True then."""
    _check_version(plan, seen_version, plan.draft or {})
    if plan.draft is None:
        raise _fail("draft", "nothing")
    record_access(session, actor, plan.patient_id, "delete", "care_plan_draft", plan.id, now)
    if plan.status == PlanStatus.DRAFT and plan.published_version == 0:
        session.delete(plan)
        session.flush()
        return True
    plan.draft = None
    plan.draft_by_id = None
    plan.draft_at = None
    session.flush()
    return False


def published_doc(plan: CarePlan, today: date) -> dict[str, Any]:
    """What the patient has now (an empty plan if it was never published)."""
    doc = drafts.doc_from_plan(plan, today)
    if plan.status == PlanStatus.DRAFT:
        doc.update(title="", summary="", follow_up_on="", follow_up_how="", goals=[], team=[])
        doc["activities"], doc["external"] = [], []
        doc["sections"] = dict.fromkeys(doc["sections"], "")
        doc["self_care"] = dict.fromkeys((plan.draft or {}).get("self_care", {}), "")
    return doc


def changes(session: Session, plan: CarePlan, today: date) -> list[str]:
    """The draft's changes for the patient, one line each (empty without a draft)."""
    if plan.draft is None:
        return []
    before = published_doc(plan, today)
    ids = {m["practitioner_id"] for m in before["team"] + plan.draft["team"]}
    names = {
        p.id: p.full_name
        for p in session.scalars(select(Practitioner).where(Practitioner.id.in_(ids)))
    }
    return drafts.describe_changes(before, plan.draft, names)


def publish(
    session: Session,
    actor: Actor,
    plan: CarePlan,
    seen_version: int,
    summary: str,
    followed_up: bool,
    now: datetime,
) -> PlanVersion:
    """Publish the draft as the plan's next version: the patient sees it, is told, and is asked
    whether it is what they agreed. A SIP cannot become active without consent."""
    doc = plan.draft
    _check_version(plan, seen_version, doc or {})
    if doc is None:
        raise _fail("summary", "nothing")
    if plan.kind == PlanKind.SIP and not drafts.has_consent(doc):
        raise PlanningError({"consent_on": str(drafts.ERRORS["consent"])})
    text = summary.replace("\r\n", "\n").strip()
    if not text:
        raise _fail("summary", "summary")
    if len(text) > drafts.MAX_TEXT:
        raise PlanningError({"summary": str(drafts.ERRORS["too_long"])})
    practitioner = actor.practitioner
    assert practitioner is not None  # noqa: S101 - plan_to_edit checked is_staff
    today = local_date(now)
    drafts.apply(session, plan, doc, today, practitioner.id)
    number = plan.published_version + 1
    version = PlanVersion(
        plan_id=plan.id,
        number=number,
        published_at=now,
        published_by_id=practitioner.id,
        change_summary=text,
        snapshot=doc,
    )
    session.add(version)
    plan.status = PlanStatus.ACTIVE
    plan.published_version = number
    if followed_up:
        plan.last_followed_up_on = today
    plan.draft = None
    plan.draft_by_id = None
    plan.draft_at = None
    plan.updated_at = now
    session.flush()
    record_access(session, actor, plan.patient_id, "publish", "care_plan", plan.id, now)
    if plan.patient.deceased_on is None:
        queue(
            session,
            "plan_published",
            f"plan_published:{plan.id}:{number}",
            person_id=plan.patient_id,
            payload={"plan_id": plan.id},
        )
    return version


def _close(plan: CarePlan, practitioner_id: int, reason: CloseReason, now: datetime) -> None:
    plan.status = PlanStatus.CLOSED
    plan.closed_reason = reason
    plan.closed_at = now
    plan.closed_by_id = practitioner_id
    plan.draft = None
    plan.updated_at = now
    for handover in plan.handovers:
        if handover.is_pending:
            handover.cancelled_at = now


def close_plan(
    session: Session, actor: Actor, plan: CarePlan, reason: str, seen_version: int, now: datetime
) -> None:
    """The coordinator closes the plan with a reason (seed 003). The patient keeps reading it
    in their archive; care's editing ends."""
    _check_version(plan, seen_version, {})
    practitioner = actor.practitioner
    assert practitioner is not None  # noqa: S101 - plan_to_edit checked is_staff
    coordinator = plan.coordinator(local_date(now))
    if coordinator is None or coordinator.practitioner_id != practitioner.id:
        raise _fail("reason", "not_coordinator")
    allowed = {CloseReason.GOALS_MET, CloseReason.NO_LONGER_NEEDED, CloseReason.CONSENT_WITHDRAWN}
    if reason not in {r.value for r in allowed}:
        raise _fail("reason", "reason")
    close_reason = CloseReason(reason)
    if close_reason == CloseReason.CONSENT_WITHDRAWN:
        if plan.kind != PlanKind.SIP:
            raise _fail("reason", "consent_kind")
        plan.consent_withdrawn_on = local_date(now)
    _close(plan, practitioner.id, close_reason, now)
    session.flush()
    record_access(session, actor, plan.patient_id, "close", "care_plan", plan.id, now)
    if plan.patient.deceased_on is None:
        queue(
            session,
            "plan_closed",
            f"plan_closed:{plan.id}",
            person_id=plan.patient_id,
            payload={"plan_id": plan.id},
        )


def record_death(
    session: Session,
    actor: Actor,
    patient_id: int,
    day: date,
    now: datetime,
) -> int:
    """Whoever in care learns that the patient has died records it (seed 003): every plan of
    theirs closes, and nothing more is sent to or about them. The form has checked that the
    day is a date and that the fact was checked. Returns the plans closed."""
    patient = patient_for_care(session, actor, patient_id, now)
    if patient.deceased_on is not None:
        raise _fail("day", "already_dead")
    if day > local_date(now) or day < patient.birth_date:
        raise _fail("day", "death_date")
    practitioner = actor.practitioner
    assert practitioner is not None  # noqa: S101 - patient_for_care checked is_staff
    patient.deceased_on = day
    plans = session.scalars(
        select(CarePlan)
        .where(CarePlan.patient_id == patient.id, CarePlan.status != PlanStatus.CLOSED)
        .options(selectinload(CarePlan.handovers))
    ).all()
    for plan in plans:
        _close(plan, practitioner.id, CloseReason.PATIENT_DIED, now)
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.recipient_person_id == patient.id, OutboxItem.delivered_at.is_(None))
        .values(delivered_at=now, last_error=WITHHELD)
    )
    session.flush()
    record_access(session, actor, patient.id, "update", "deceased", patient.id, now)
    return len(plans)


WITHHELD = "not sent: the patient has died"


def withheld(session: Session, item: OutboxItem) -> bool:
    """True when a notification is to or about a patient who has died: it must not go out."""
    patient_ids: set[int] = set()
    if item.recipient_person_id is not None:
        patient_ids.add(item.recipient_person_id)
    payload = item.payload or {}
    if isinstance(payload.get("plan_id"), int):
        owner = session.scalar(select(CarePlan.patient_id).where(CarePlan.id == payload["plan_id"]))
        if owner is not None:
            patient_ids.add(owner)
    if isinstance(payload.get("thread_id"), int):
        from app.messages.models import Thread

        owner = session.scalar(select(Thread.patient_id).where(Thread.id == payload["thread_id"]))
        if owner is not None:
            patient_ids.add(owner)
    if not patient_ids:
        return False
    dead = session.scalar(
        select(Person.id).where(Person.id.in_(patient_ids), Person.deceased_on.is_not(None))
    )
    return dead is not None
