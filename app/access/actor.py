"""Who is acting: a signed-in person or practitioner, as Flask-Login's user object."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import Person, Practitioner, UserSession


@dataclass(eq=False)
class Actor:
    """The signed-in party. Exactly one of person and practitioner is set."""

    session_row: UserSession
    token: str
    person: Person | None = None
    practitioner: Practitioner | None = None

    # Flask-Login's user protocol
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        # The random session token, never a database id: a guessed id signs nobody in.
        return self.token

    @property
    def is_staff(self) -> bool:
        return self.practitioner is not None

    @property
    def display_name(self) -> str:
        party = self.practitioner or self.person
        return party.full_name if party else ""


def current_actor() -> Actor:
    """The signed-in actor of this request (views call it under @login_required)."""
    from typing import cast

    from flask_login import current_user

    return cast(Actor, current_user._get_current_object())
