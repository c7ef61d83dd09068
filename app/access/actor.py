"""Who is acting: a signed-in person or practitioner, as Flask-Login's user object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.accounts.models import Person, Practitioner, UserSession


@dataclass(eq=False)
class Actor:
    """The signed-in party, as read once per request: its ids and the names pages show.
    Exactly one of person_id and practitioner_id is set.

    Pages read through the ids. The ORM rows (`person`, `practitioner`, `session_row`) are
    loaded from the request's session only when something needs them, such as a service that
    writes; an actor made from rows already loaded (sign-in, scripts) carries them."""

    token: str
    session_id: int | None
    person_id: int | None = None
    practitioner_id: int | None = None
    unit_id: int | None = None
    display_name: str = ""
    unit_name: str = ""
    # A practitioner's StaffRole values, space-separated (the menu offers what they may use).
    staff_roles: str = ""
    # A person's own choices, read with the session (every page needs them).
    preferred_language: str | None = None
    simple_view: bool = False
    # The sign-in session: when it began, and since when this device keeps offline copies.
    session_started: datetime | None = None
    offline_copy_since: datetime | None = None
    _person: Person | None = field(default=None, repr=False)
    _practitioner: Practitioner | None = field(default=None, repr=False)
    _session_row: UserSession | None = field(default=None, repr=False)

    # Flask-Login's user protocol
    is_authenticated = True
    is_active = True
    is_anonymous = False

    @classmethod
    def of(
        cls,
        party: Person | Practitioner,
        session_row: UserSession | None = None,
        token: str = "",
    ) -> Actor:
        """An actor for rows already loaded (sign-in, scripts and tests)."""
        person = party if isinstance(party, Person) else None
        practitioner = party if isinstance(party, Practitioner) else None
        return cls(
            token=token,
            session_id=session_row.id if session_row is not None else None,
            person_id=person.id if person else None,
            practitioner_id=practitioner.id if practitioner else None,
            unit_id=practitioner.unit_id if practitioner else None,
            display_name=party.full_name,
            unit_name=practitioner.unit.name if practitioner else "",
            staff_roles=practitioner.roles if practitioner else "",
            preferred_language=person.preferred_language if person else None,
            simple_view=bool(person.simple_view) if person else False,
            session_started=session_row.created_at if session_row is not None else None,
            offline_copy_since=session_row.offline_copy_since if session_row is not None else None,
            _person=person,
            _practitioner=practitioner,
            _session_row=session_row,
        )

    def get_id(self) -> str:
        # The random session token, never a database id: a guessed id signs nobody in.
        return self.token

    @property
    def is_staff(self) -> bool:
        return self.practitioner_id is not None

    def has_role(self, role: str) -> bool:
        """Whether the practitioner has this StaffRole (as read with the session)."""
        return role in self.staff_roles.split()

    @property
    def person(self) -> Person | None:
        if self._person is None and self.person_id is not None:
            self._person = _session().get(Person, self.person_id)
        return self._person

    @property
    def practitioner(self) -> Practitioner | None:
        if self._practitioner is None and self.practitioner_id is not None:
            self._practitioner = _session().get(Practitioner, self.practitioner_id)
        return self._practitioner

    @property
    def session_row(self) -> UserSession:
        """The sign-in session's row (only a signed-in actor has one)."""
        if self._session_row is None:
            if self.session_id is None:
                raise LookupError("this actor has no sign-in session")
            self._session_row = _session().get_one(UserSession, self.session_id)
        return self._session_row


def _session():  # noqa: ANN202 - the request's Session
    from app.db import get_session

    return get_session()


def current_actor() -> Actor:
    """The signed-in actor of this request (views call it under @login_required)."""
    from typing import cast

    from flask_login import current_user

    return cast(Actor, current_user._get_current_object())
