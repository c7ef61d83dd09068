"""A relative who opens a page their scopes do not cover is told so, not given a bare 404.

They act for the patient and know it; what they may not do there is no secret from them. The
page says what the patient has not given them and how to ask for it, and the patient's access
log records the attempt like any refusal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from app.access.actor import Actor
from app.access.context import access_context
from app.access.policy import PROXY_SCOPE_FOR, Action
from app.access.refusals import TooManyRefusals, within_limit
from app.access.subject import subject_id
from app.audit.services import record_refusal
from app.clock import now
from app.db import get_session
from app.proxies.names import SCOPE_NAMES
from app.web.templating import render

WHAT = {
    Action.READ_MESSAGES: (
        "threads",
        _l("%(name)s har inte gett dig behörighet att läsa sina meddelanden."),
    ),
    Action.WRITE_MESSAGES: (
        "care_contacts",
        _l("%(name)s har inte gett dig behörighet att skriva till vården åt henne eller honom."),
    ),
    Action.APPOINTMENTS: (
        "appointments",
        _l("%(name)s har inte gett dig behörighet att se och svara på sina tider."),
    ),
}


def outside_scope(actor: Actor, action: Action) -> Response | None:
    """The explanation (403) when the person acts for someone whose grant does not cover
    `action`; None when it does, or when they do not act for anyone (the gate decides then)."""
    if actor.person_id is None:
        return None
    patient_id = subject_id(actor)
    if patient_id == actor.person_id:
        return None
    moment = now()
    access = access_context(actor, get_session(), moment).people().get(patient_id)
    if access is None or action in access.actions:
        return None
    what, sentence = WHAT[action]
    if not within_limit(actor):  # the same budget as every other refusal (app.access.refusals)
        raise TooManyRefusals()
    record_refusal(actor, patient_id, what, None, moment)
    from app.messages.queries import patient_name

    scope = PROXY_SCOPE_FOR[action]
    patient = patient_name(get_session(), patient_id)
    response = render(
        "proxies/outside_scope.html",
        acting_for=patient,
        why=str(sentence) % {"name": patient.full_name},
        scope_name=SCOPE_NAMES[str(scope)] if scope else None,
    )
    response.status_code = 403
    return response
