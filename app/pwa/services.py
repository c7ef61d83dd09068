"""This device's choices: offline reading (per session) and push subscriptions (per device)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.pwa import endpoints
from app.pwa.models import PushSubscription

BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class BadSubscription(ValueError):
    """The browser's subscription is not one Samplan can push to."""


def set_offline_copy(actor: Actor, on: bool, moment: datetime) -> None:
    """Turn offline reading on or off for the actor's current session (this device only)."""
    row = actor.session_row
    row.offline_copy_since = (row.offline_copy_since or moment) if on else None


def devices(session: Session, actor: Actor) -> list[PushSubscription]:
    """The person's devices with push on, newest first."""
    assert actor.person_id is not None  # noqa: S101 - people only
    return list(
        session.scalars(
            select(PushSubscription)
            .where(PushSubscription.person_id == actor.person_id)
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
    hosts: Iterable[str],
) -> PushSubscription:
    """Record (or move to this person) a device's push subscription. Raises RefusedEndpoint
    unless the endpoint is one of `hosts`' push services (see app/pwa/endpoints.py), and
    BadSubscription unless the keys are the device's P-256 public key and 16-byte secret."""
    assert actor.person_id is not None  # noqa: S101 - people only
    endpoints.check(endpoint, hosts)
    p256dh, auth = p256dh.rstrip("="), auth.rstrip("=")  # stored unpadded, as browsers send them
    if not _device_keys(p256dh, auth):
        raise BadSubscription(endpoint)
    row = session.scalars(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    ).first()
    if row is None:
        row = PushSubscription(endpoint=endpoint, person_id=actor.person_id)
        session.add(row)
    # A phone passed on to someone else who turns push on: it is theirs now, not the last one's.
    row.person_id = actor.person_id
    label = "".join(char for char in label if char.isprintable())
    row.p256dh, row.auth, row.label = p256dh, auth, label[:200]
    session.flush()
    return row


def _device_keys(p256dh: str, auth: str) -> bool:
    """The keys a browser subscribes with (RFC 8291): a P-256 point and a 16-byte secret, in
    base64url."""
    if len(p256dh) != 87 or len(auth) != 22 or not BASE64URL.fullmatch(p256dh + auth):
        return False
    try:
        point = base64.urlsafe_b64decode(p256dh + "=")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return False
    return True


def remove_device(session: Session, actor: Actor, device_id: int) -> bool:
    """Remove one of the person's own devices. False if it is not theirs."""
    assert actor.person_id is not None  # noqa: S101 - people only
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(PushSubscription).where(
            PushSubscription.id == device_id, PushSubscription.person_id == actor.person_id
        )
    )
    return result.rowcount == 1
