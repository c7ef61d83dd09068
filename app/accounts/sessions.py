"""Server-side sign-in sessions behind Flask-Login. Sign-in methods (demo, OIDC) all end here."""

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
from app.db import get_session, utcnow
from app.extensions import login_manager


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_ABSOLUTE_HOURS", 12)
    login_manager.user_loader(load_actor)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = None


def load_actor(token: str) -> Actor | None:
    """The actor for a session token, if that session is still open and young enough."""
    lifetime = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    row = (
        get_session()
        .scalars(
            select(UserSession)
            .options(joinedload(UserSession.person), joinedload(UserSession.practitioner))
            .where(
                UserSession.token_hash == _hash(token),
                UserSession.ended_at.is_(None),
                UserSession.created_at > utcnow() - lifetime,
            )
        )
        .first()
    )
    if row is None:
        return None
    return Actor(session_row=row, token=token, person=row.person, practitioner=row.practitioner)


def sign_in(db: Session, party: Person | Practitioner, method: str, now: datetime) -> Actor:
    """Start a fresh session for the person or practitioner; the old cookie session is dropped."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=_hash(token),
        person_id=party.id if isinstance(party, Person) else None,
        practitioner_id=party.id if isinstance(party, Practitioner) else None,
        method=method,
        user_agent=request.headers.get("User-Agent", "")[:500],
        created_at=now,
    )
    db.add(row)
    db.flush()
    session.clear()
    actor = Actor(
        session_row=row,
        token=token,
        person=party if isinstance(party, Person) else None,
        practitioner=party if isinstance(party, Practitioner) else None,
    )
    login_user(actor)
    session.permanent = False
    return actor


def sign_out(db: Session, actor: Actor, now: datetime) -> None:
    """End the session server-side, so a copied cookie stops working too."""
    db.execute(
        update(UserSession).where(UserSession.id == actor.session_row.id).values(ended_at=now)
    )
    logout_user()
    session.clear()
