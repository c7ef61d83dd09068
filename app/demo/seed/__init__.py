"""The demo world: a few patients, their relatives and their care teams in Luleå.

Every date is relative to the day the seed runs, so the demo never goes stale. Persona keys
(``patient-maja``, ``staff-karin``, ...) are stable; tests and documentation refer to them.
All personal identity numbers are in Skatteverket's test series and cannot belong to anyone.

`world` holds the organisations, people and staff that everything else refers to, `builders` the
pieces plans and threads are made of, one module per patient their plans and messages, and
`what_matters` and `appointments` what the patients answered and the times they agreed, and
`requests` what a patient has asked care for. The order below is the order rows are made in, and
so their ids.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from app.demo.seed.ali import _ali
from app.demo.seed.appointments import _appointments
from app.demo.seed.diary import _diaries
from app.demo.seed.elias import _elias
from app.demo.seed.maja import _maja_rehab, _maja_self_care, _maja_sip, _maja_threads
from app.demo.seed.per import _per, _per_thread
from app.demo.seed.requests import _requests
from app.demo.seed.sip import _ali_meeting
from app.demo.seed.what_matters import _what_matters
from app.demo.seed.world import (
    _delegations,
    _organisations,
    _people,
    _practitioners,
    _World,
)

__all__ = ["seed_demo"]


def seed_demo(
    session: Session, today: date | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Create the demo world; returns {persona_key: id} for persons and practitioners.

    Only adds and flushes; the caller commits. Meant for an empty database.
    """
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("seed_demo needs a timezone-aware now")
    world = _World(session=session, today=today or date.today(), now=now.astimezone(UTC))
    _organisations(world)
    _people(world)
    _practitioners(world)
    _delegations(world)
    _maja_sip(world)
    _maja_self_care(world)
    _maja_rehab(world)
    _per(world)
    _elias(world)
    _ali(world)
    _ali_meeting(world)
    _what_matters(world)
    _appointments(world)
    _diaries(world)
    _maja_threads(world)
    _per_thread(world)
    _requests(world)
    session.flush()
    ids = {key: person.id for key, person in world.persons.items()}
    ids.update({key: practitioner.id for key, practitioner in world.staff.items()})
    return ids
