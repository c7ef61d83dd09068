"""What the main menu may offer: a link only to what the person may use for the patient they
have chosen (themself, or someone they act for), answered from the request's access context."""

from __future__ import annotations

from app.access.actor import current_actor
from app.access.context import access_context
from app.access.policy import Action
from app.access.subject import subject_id
from app.clock import now
from app.db import get_session


def menu_may(action: str) -> bool:
    """May the signed-in person do `action` (an Action's name) for their chosen patient?"""
    actor = current_actor()
    if actor.is_staff or actor.person_id is None:
        return False
    context = access_context(actor, get_session(), now())
    return context.may(Action[action], subject_id(actor))


def menu_own() -> bool:
    """Has the signed-in person chosen themself (not someone they act for)? What is only the
    person's own to manage, such as who may act for them, is offered only then, on every page."""
    actor = current_actor()
    return actor.person_id is not None and subject_id(actor) == actor.person_id


def menu_care() -> bool:
    """Does the signed-in member of staff care for patients (an administrator only keeps the
    directory, and is offered no patients, inbox or work list)?"""
    from app.accounts.models import StaffRole

    actor = current_actor()
    return actor.is_staff and actor.has_role(StaffRole.CARE.value)


def menu_directory() -> bool:
    """May the signed-in person keep the directory (an administrator of their principal)?"""
    from app.accounts.models import StaffRole

    actor = current_actor()
    return actor.is_staff and actor.has_role(StaffRole.ADMIN.value)


def menu_followup() -> bool:
    """May the signed-in person read the principal's follow-up figures (app/followup)?"""
    from app.accounts.models import StaffRole

    actor = current_actor()
    return actor.is_staff and actor.has_role(StaffRole.FOLLOW_UP.value)
