"""Server-side sign-in sessions behind Flask-Login. Every sign-in method (demo, OIDC) ends here.

The signed cookie holds a random token; the database holds only its hash. A session ends at
sign-out (server-side, so a copied cookie stops working), after SESSION_IDLE_MINUTES without
activity, and SESSION_ABSOLUTE_HOURS after sign-in, whatever happens.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import ColumnElement, CursorResult, bindparam, or_, select, update
from sqlalchemy.orm import Session

from app.access.actor import Actor
from app.accounts.models import CareUnit, Person, Practitioner, UserSession
from app.clock import now
from app.db import get_session
from app.extensions import login_manager

LAST_SEEN = "seen"
# Requests that do not count as the person being active (polling for updates).
PASSIVE_HEADER = "X-Samplan-Passive"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_actor)
    login_manager.login_view = "accounts.sign_in_page"
    login_manager.login_message = None


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


# The signed-in party for a session token: one fixed statement, no ORM objects (pages read
# through ids; services load the rows they change).
_ACTOR = (
    select(
        UserSession.id,
        UserSession.created_at,
        UserSession.offline_copy_since,
        Person.preferred_language,
        Person.simple_view,
        UserSession.person_id,
        UserSession.practitioner_id,
        Practitioner.unit_id,
        Person.given_name,
        Person.family_name,
        Practitioner.given_name,
        Practitioner.family_name,
        CareUnit.name,
        Practitioner.roles,
    )
    .select_from(UserSession)
    .outerjoin(Person, Person.id == UserSession.person_id)
    .outerjoin(Practitioner, Practitioner.id == UserSession.practitioner_id)
    .outerjoin(CareUnit, CareUnit.id == Practitioner.unit_id)
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.ended_at.is_(None),
        UserSession.created_at > bindparam("created_after"),
        # Someone who has left is signed out (deactivating also ends their sessions).
        or_(UserSession.practitioner_id.is_(None), Practitioner.deactivated_at.is_(None)),
    )
)


def load_actor(token: str) -> Actor | None:
    """The actor for a session token, if that session is open, recently used and young enough."""
    moment = now()
    seen = session.get(LAST_SEEN)
    if seen is None or moment.timestamp() - float(seen) > idle_limit().total_seconds():
        session["signed_out_idle"] = seen is not None
        return None
    lifetime = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    row = (
        get_session()
        .connection()
        .execute(
            _ACTOR,
            {"token_hash": _hash(token), "created_after": moment - lifetime},
        )
        .first()
    )
    if row is None:
        return None
    if request.headers.get(PASSIVE_HEADER) != "1":
        session[LAST_SEEN] = moment.timestamp()
    session_id, started, offline_since, language, simple = row[:5]
    person_id, practitioner_id, unit_id, *names, unit_name, roles = row[5:]
    given, family = names[2:] if practitioner_id else names[:2]
    return Actor(
        token=token,
        session_id=session_id,
        person_id=person_id,
        practitioner_id=practitioner_id,
        unit_id=unit_id,
        display_name=f"{given} {family}",
        unit_name=unit_name or "",
        staff_roles=roles or "",
        preferred_language=language,
        simple_view=bool(simple),
        session_started=started,
        offline_copy_since=offline_since,
    )


def sign_in(
    db: Session,
    party: Person | Practitioner,
    method: str,
    moment: datetime,
    id_token: str | None = None,
) -> Actor:
    """Start a fresh session for the person or practitioner; the old cookie session is dropped."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=_hash(token),
        person_id=party.id if isinstance(party, Person) else None,
        practitioner_id=party.id if isinstance(party, Practitioner) else None,
        method=method,
        id_token=id_token,
        user_agent=request.headers.get("User-Agent", "")[:500],
        created_at=moment,
    )
    db.add(row)
    db.flush()
    session.clear()  # a new session: nothing from before sign-in carries over (fixation)
    actor = Actor.of(party, row, token)
    login_user(actor)
    session[LAST_SEEN] = moment.timestamp()
    return actor


def sign_out(db: Session, actor: Actor, moment: datetime) -> None:
    """End the session server-side, so a copied cookie stops working too."""
    end_session(db, actor, actor.session_row.id, moment)
    logout_user()
    session.clear()


def _owner(actor: Actor) -> ColumnElement[bool]:
    """The actor's own sessions: a practitioner's, or a person's."""
    if actor.practitioner_id is not None:
        return UserSession.practitioner_id == actor.practitioner_id
    assert actor.person_id is not None  # noqa: S101 - an actor is one or the other
    return UserSession.person_id == actor.person_id


def open_sessions(db: Session, actor: Actor) -> list[UserSession]:
    """The signed-in party's open sessions, newest first."""
    owner = _owner(actor)
    lifetime = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    return list(
        db.scalars(
            select(UserSession)
            .where(owner, UserSession.ended_at.is_(None), UserSession.created_at > now() - lifetime)
            .order_by(UserSession.created_at.desc())
        )
    )


def end_session(db: Session, actor: Actor, session_id: int, moment: datetime) -> bool:
    """End one of the actor's own sessions. False if it is not theirs or already ended."""
    owner = _owner(actor)
    result: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(UserSession)
        .where(UserSession.id == session_id, owner, UserSession.ended_at.is_(None))
        .values(ended_at=moment)
    )
    return result.rowcount == 1
