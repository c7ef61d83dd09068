"""The seven questions, asked of the patient: when they are offered, and keeping the answers.

Seed 002 ("Patienten och vården, hur funkar det?") gives the seven questions in the patient's
words. Samplan offers them, optionally, once the patient has answered a plan version (they then
know what their agreement says), and again a year after they last answered or said "Inte nu".
Only the patient answers, for themselves: a relative's view of the care is not the patient's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.agreements.models import Agreement
from app.audit.services import record_access
from app.followup.models import ASKED_AGAIN_AFTER, QUESTIONS, Reply, SevenQuestions
from app.plans.models import CarePlan, PlanStatus

# Seed 002, "Patientkontrakt", questions 1 to 7, word for word; and, for the simple view
# (LIX 30 or under), the same questions in short sentences.
WORDING = {
    "live_and_trust": _l(
        "Känner du att du kan ha fokus på att leva ditt liv och litar du på att du lätt får "
        "hjälp från vården när du behöver det?"
    ),
    "agreement": _l(
        "Har du en överenskommelse med vården som utgår från vad som är viktigt för dig, där du "
        "vet vad du gör för att må bra och vad du gör om du blir sjuk och vad vården gör?"
    ),
    "easy_contact": _l("Har du enkla sätt att ta kontakt med vården?"),
    "care_contact": _l("Har du en fast vårdkontakt? (vid behov)"),
    "next_step": _l("Vet du ditt nästa steg?"),
    "next_time": _l("Har du och vården kommit överens om din nästa tid tillsammans?"),
    "overview": _l(
        "Har du en överblick av dina olika planer i vården och hjälp med samordning vid behov?"
    ),
}
SIMPLE_WORDING = {
    "live_and_trust": _l("Kan du leva ditt liv? Får du hjälp när du behöver det?"),
    "agreement": _l("Har du en plan med vården? Står det du tycker är viktigt i den?"),
    "easy_contact": _l("Är det lätt att nå vården?"),
    "care_contact": _l("Har du en fast person i vården att vända dig till?"),
    "next_step": _l("Vet du vad som händer sen?"),
    "next_time": _l("Vet du när du ska träffa vården nästa gång?"),
    "overview": _l("Vet du vilka planer du har? Får du hjälp att få ihop dem?"),
}
REPLIES = {
    Reply.YES: _l("Ja"),
    Reply.PARTLY: _l("Delvis"),
    Reply.NO: _l("Nej"),
    Reply.DONT_KNOW: _l("Vet inte"),
}
assert tuple(WORDING) == QUESTIONS == tuple(SIMPLE_WORDING)  # noqa: S101 - one list, in order


class NothingAnswered(Exception):
    """Every question was left empty."""


@dataclass(frozen=True)
class Offer:
    """The seven questions are due for this person, after their answer to this plan."""

    plan_id: int
    unit_id: int


def offer(session: Session, person_id: int, now: datetime) -> Offer | None:
    """Are the seven questions due for the person: they have answered a version of one of their
    own active plans, and not answered (or declined) the questions for a year? Which plan."""
    answered = (
        select(CarePlan.id, CarePlan.unit_id)
        .join(Agreement, Agreement.plan_id == CarePlan.id)
        .where(
            CarePlan.patient_id == person_id,
            CarePlan.status == PlanStatus.ACTIVE,
            Agreement.answered_by_id == person_id,
            ~select(SevenQuestions.id)
            .where(
                SevenQuestions.person_id == person_id,
                SevenQuestions.answered_at > now - ASKED_AGAIN_AFTER,
            )
            .exists(),
        )
        .order_by(Agreement.answered_at.desc())
        .limit(1)
    )
    row = session.execute(answered).first()
    return Offer(row[0], row[1]) if row else None


def has_plan(session: Session, person_id: int) -> bool:
    """Has the person a plan of their own in force?"""
    active = select(CarePlan.id).where(
        CarePlan.patient_id == person_id, CarePlan.status == PlanStatus.ACTIVE
    )
    return session.scalar(active.limit(1)) is not None


def latest(session: Session, person_id: int) -> SevenQuestions | None:
    """The person's last answers (not an "Inte nu")."""
    return session.scalars(
        select(SevenQuestions)
        .where(SevenQuestions.person_id == person_id, SevenQuestions.declined.is_(False))
        .order_by(SevenQuestions.answered_at.desc(), SevenQuestions.id.desc())
        .limit(1)
    ).first()


def answer(
    session: Session,
    actor: Actor,
    replies: dict[str, Reply | None],
    key: str,
    now: datetime,
    share: bool = False,
) -> SevenQuestions:
    """Keep the person's answers (any of the seven may be left out, not all), shared with their
    care team only if they chose so. The same form sent twice is kept once."""
    assert actor.person_id is not None  # noqa: S101 - the view lets only a person answer
    earlier = session.scalars(
        select(SevenQuestions).where(SevenQuestions.client_key == key)
    ).first()
    if earlier is not None and earlier.person_id == actor.person_id:
        return earlier
    if not any(replies.get(name) for name in QUESTIONS):
        raise NothingAnswered
    due = offer(session, actor.person_id, now)
    row = SevenQuestions(
        person_id=actor.person_id,
        plan_id=due.plan_id if due else None,
        unit_id=due.unit_id if due else _unit_of_latest(session, actor.person_id),
        answered_at=now,
        client_key=key if earlier is None else f"{key}:{actor.person_id}"[:64],
        shared_at=now if share else None,
        **{name: replies.get(name) for name in QUESTIONS},
    )
    session.add(row)
    session.flush()
    record_access(session, actor, actor.person_id, "create", "seven_questions", row.id, now)
    return row


def share(session: Session, actor: Actor, shared: bool, now: datetime) -> SevenQuestions | None:
    """The patient lets their care team see their latest answers, or no longer does (then no
    earlier answers stay shared either). None when there is nothing answered."""
    assert actor.person_id is not None  # noqa: S101 - the view lets only a person answer
    last = latest(session, actor.person_id)
    if last is None:
        return None
    if shared:
        if last.shared_at is None:
            last.shared_at = now
    else:
        for row in session.scalars(
            select(SevenQuestions).where(
                SevenQuestions.person_id == actor.person_id,
                SevenQuestions.shared_at.is_not(None),
            )
        ):
            row.shared_at = None
    session.flush()
    record_access(session, actor, actor.person_id, "update", "seven_questions", last.id, now)
    return last


def shared_latest(session: Session, person_id: int) -> SevenQuestions | None:
    """The patient's latest answers they let their care team see."""
    return session.scalars(
        select(SevenQuestions)
        .where(SevenQuestions.person_id == person_id, SevenQuestions.shared_at.is_not(None))
        .order_by(SevenQuestions.answered_at.desc(), SevenQuestions.id.desc())
        .limit(1)
    ).first()


def decline(session: Session, actor: Actor, now: datetime) -> None:
    """ "Inte nu": not asked again for a year."""
    assert actor.person_id is not None  # noqa: S101
    due = offer(session, actor.person_id, now)
    if due is None:
        return  # already answered or declined (a second press)
    session.add(
        SevenQuestions(
            person_id=actor.person_id,
            plan_id=due.plan_id,
            unit_id=due.unit_id,
            answered_at=now,
            declined=True,
            client_key=f"declined:{actor.person_id}:{int(now.timestamp())}",
        )
    )
    session.flush()


def _unit_of_latest(session: Session, person_id: int) -> int | None:
    """The unit of the person's most recent active plan (answers given outside an offer)."""
    return session.scalar(
        select(CarePlan.unit_id)
        .where(CarePlan.patient_id == person_id, CarePlan.status == PlanStatus.ACTIVE)
        .order_by(CarePlan.updated_at.desc())
        .limit(1)
    )
