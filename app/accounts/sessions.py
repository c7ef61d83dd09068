"""Server-side sign-in sessions behind Flask-Login. Every sign-in method (demo, OIDC) ends here.

The signed cookie holds a random token; the database holds only its hash. A session ends at
sign-out (server-side, so a copied cookie stops working), after SESSION_IDLE_MINUTES without
activity, and SESSION_ABSOLUTE_HOURS after sign-in, whatever happens.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Flask, current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from app.access.actor import Actor
from app.accounts.models import Person, Practitioner, UserSession
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
        .scalars(
            select(UserSession)
            .options(joinedload(UserSession.person), joinedload(UserSession.practitioner))
            .where(
                UserSession.token_hash == _hash(token),
                UserSession.ended_at.is_(None),
                UserSession.created_at > moment - lifetime,
            )
        )
        .first()
    )
    if row is None:
        return None
    if request.headers.get(PASSIVE_HEADER) != "1":
        session[LAST_SEEN] = moment.timestamp()
    return Actor(session_row=row, token=token, person=row.person, practitioner=row.practitioner)


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
    actor = Actor(
        session_row=row,
        token=token,
        person=party if isinstance(party, Person) else None,
        practitioner=party if isinstance(party, Practitioner) else None,
    )
    login_user(actor)
    session[LAST_SEEN] = moment.timestamp()
    return actor


def sign_out(db: Session, actor: Actor, moment: datetime) -> None:
    """End the session server-side, so a copied cookie stops working too."""
    end_session(db, actor, actor.session_row.id, moment)
    logout_user()
    session.clear()


def open_sessions(db: Session, actor: Actor) -> list[UserSession]:
    """The signed-in party's open sessions, newest first."""
    owner = (
        UserSession.practitioner_id == actor.practitioner.id
        if actor.practitioner
        else UserSession.person_id == actor.person.id  # type: ignore[union-attr]
    )
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
    owner = (
        UserSession.practitioner_id == actor.practitioner.id
        if actor.practitioner
        else UserSession.person_id == actor.person.id  # type: ignore[union-attr]
    )
    result = db.execute(
        update(UserSession)
        .where(UserSession.id == session_id, owner, UserSession.ended_at.is_(None))
        .values(ended_at=moment)
    )
    return result.rowcount == 1
