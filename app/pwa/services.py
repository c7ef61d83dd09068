"""This device's choices: offline reading (per session) and push subscriptions (per device)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.pwa.models import PushSubscription


class BadSubscription(ValueError):
    """The browser's subscription is not one Samplan can push to."""


def set_offline_copy(actor: Actor, on: bool, moment: datetime) -> None:
    """Turn offline reading on or off for the actor's current session (this device only)."""
    row = actor.session_row
    row.offline_copy_since = (row.offline_copy_since or moment) if on else None


def devices(session: Session, actor: Actor) -> list[PushSubscription]:
    """The person's devices with push on, newest first."""
    assert actor.person is not None  # noqa: S101 - people only
    return list(
        session.scalars(
            select(PushSubscription)
            .where(PushSubscription.person_id == actor.person.id)
            .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        )
    )


def subscribe(
    session: Session,
    actor: Actor,
    endpoint: str,
    p256dh: str,
    auth: str,
    label: str,
    allowed: bool,
) -> PushSubscription:
    """Record (or move to this person) a device's push subscription. Raises BadSubscription.
    `allowed` says whether the endpoint is a push service Samplan may call."""
    assert actor.person is not None  # noqa: S101 - people only
    if not allowed or not p256dh or not auth or len(p256dh) > 200 or len(auth) > 100:
        raise BadSubscription(endpoint)
    row = session.scalars(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    ).first()
    if row is None:
        row = PushSubscription(endpoint=endpoint, person_id=actor.person.id)
        session.add(row)
    # A phone passed on to someone else who turns push on: it is theirs now, not the last one's.
    row.person_id = actor.person.id
    row.p256dh, row.auth, row.label = p256dh, auth, label[:200]
    session.flush()
    return row


def remove_device(session: Session, actor: Actor, device_id: int) -> bool:
    """Remove one of the person's own devices. False if it is not theirs."""
    assert actor.person is not None  # noqa: S101 - people only
    result = session.execute(
        delete(PushSubscription).where(
            PushSubscription.id == device_id, PushSubscription.person_id == actor.person.id
        )
    )
    return result.rowcount == 1
