"""A person's own contact details and what Samplan tells them, and how (/installningar/kontakt).

Each person sets these for themselves only: a relative acting for someone changes their own
person here, never the one they act for, and staff have their own settings page. The page shows
no care data (`@listing("person", patient_data=False)`); every change is logged in the person's
own access log by app/contact/services.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers.response import Response

from app.access.actor import Actor, current_actor
from app.access.gate import listing
from app.accounts.models import Person
from app.clock import now
from app.contact import services
from app.contact.forms import ChoicesForm, CodeForm, EmailForm, MobileForm, RemoveForm
from app.contact.models import ContactKind
from app.db import get_session
from app.extensions import limit_writes, limiter
from app.pwa.models import PushSubscription
from app.pwa.push import application_server_key
from app.web.templating import render

bp = limit_writes(Blueprint("contact", __name__))

ERRORS = {
    "email_invalid": _l(
        "Skriv en e-postadress som den ser ut i din e-post, till exempel namn@exempel.se."
    ),
    "mobile_invalid": _l(
        "Skriv ett svenskt mobilnummer, till exempel 070-123 45 67. "
        "Samplan kan bara skicka sms till svenska mobilnummer."
    ),
    "already_confirmed": _l("Den adressen är redan bekräftad och används av Samplan."),
    "code_malformed": _l("Koden är sex siffror. Skriv den som den står i meddelandet."),
    "code_wrong": _l("Koden stämmer inte. Kontrollera den och försök igen."),
    "code_used_up": _l("Koden stämmer inte, och du har försökt för många gånger. Be om en ny kod."),
    "code_expired": _l("Koden gäller inte längre (den gäller i 15 minuter). Be om en ny kod."),
    "no_code": _l("Det finns ingen kod som väntar på att bekräftas. Be om en ny kod."),
    "nothing_to_remove": _l("Det finns ingen sådan adress att ta bort."),
    "choice_unknown": _l("Välj bland alternativen på sidan."),
    "kind_unknown": _l("Välj bland alternativen på sidan."),
}
SAVED = {
    "epost-kod": _l("Vi har skickat en kod till e-postadressen. Skriv in den här nedan."),
    "mobil-kod": _l("Vi har skickat en kod med sms till mobilnumret. Skriv in den här nedan."),
    "epost": _l("E-postadressen är bekräftad. Samplan använder den från och med nu."),
    "mobil": _l("Mobilnumret är bekräftat. Samplan använder det från och med nu."),
    "borttagen": _l("Adressen är borttagen. Samplan använder den inte längre."),
    "val": _l("Dina val är sparade."),
}
KINDS = {"email": ContactKind.EMAIL, "mobile": ContactKind.MOBILE}


def sms_offered() -> bool:
    """Mobile numbers are offered where text messages can go out (app/notifications/worker.py
    sms_channel_for): a configured gateway, or the demo's folder."""
    config = current_app.config
    return bool(config.get("SMS_URL") or config["DEMO_MODE"] or config["TESTING"])


def _me() -> tuple[Actor, Person]:
    """The signed-in person's own row: never the person they act for."""
    actor = current_actor()
    if actor.person_id is None:
        abort(404)
    person = get_session().scalars(select(Person).where(Person.id == actor.person_id)).one()
    return actor, person


def _page(
    person: Person,
    errors: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    db, moment = get_session(), now()
    devices = db.scalars(
        select(PushSubscription.id).where(PushSubscription.person_id == person.id).limit(1)
    ).first()
    response = render(
        "contact/settings.html",
        person=person,
        mobile_shown=services.shown_mobile(person.phone),
        pending_email=services.pending(db, person.id, ContactKind.EMAIL, moment),
        pending_mobile=services.pending(db, person.id, ContactKind.MOBILE, moment),
        pending_mobile_shown=services.shown_mobile(
            services.pending(db, person.id, ContactKind.MOBILE, moment)
        ),
        has_push=devices is not None,
        push_offered=application_server_key(current_app) is not None,
        sms_offered=sms_offered(),
        topics=person.notify_topics.split(),
        channels=person.notify_channels.split(),
        errors=errors or {},
        form=form or {},
        saved=SAVED.get(request.args.get("sparat", "")),
    )
    response.status_code = status
    return response


@bp.get("/installningar/kontakt")
@listing("person", patient_data=False)
def settings() -> Response:
    _actor, person = _me()
    return _page(person)


def _code_limit() -> str:
    return str(current_app.config["RATELIMIT_CONTACT_CODE"])


def _code_key() -> str:
    """Codes asked for count per person (signing in again gives no new ones); the key holds an
    id, never the session's token."""
    if current_user.is_authenticated and current_user.person_id is not None:
        return f"contact-code:person:{current_user.person_id}"
    if current_user.is_authenticated and current_user.practitioner_id is not None:
        return f"contact-code:practitioner:{current_user.practitioner_id}"
    return f"contact-code:address:{request.remote_addr}"


@bp.post("/installningar/kontakt/epost")
@listing("person")
@limiter.limit(_code_limit, key_func=_code_key)
def request_email_code() -> Response:
    actor, person = _me()
    form = EmailForm()
    try:
        services.request_code(
            get_session(), actor, person, ContactKind.EMAIL, form.email.data or "", now()
        )
    except services.ContactError as error:
        return _page(person, {"email": str(ERRORS[error.code])}, {"email": form.email.data}, 400)
    return redirect(url_for("contact.settings", sparat="epost-kod", _anchor="email-code"), 303)


@bp.post("/installningar/kontakt/mobil")
@listing("person")
@limiter.limit(_code_limit, key_func=_code_key)
def request_mobile_code() -> Response:
    actor, person = _me()
    if not sms_offered():
        abort(404)
    form = MobileForm()
    try:
        services.request_code(
            get_session(), actor, person, ContactKind.MOBILE, form.mobile.data or "", now()
        )
    except services.ContactError as error:
        errors = {"mobile": str(ERRORS[error.code])}
        return _page(person, errors, {"mobile": form.mobile.data}, 400)
    return redirect(url_for("contact.settings", sparat="mobil-kod", _anchor="mobile-code"), 303)


@bp.post("/installningar/kontakt/bekrafta")
@listing("person")
def confirm() -> Response:
    """A wrong code counts as a try, so the answer that says so keeps the count (200: the
    transaction boundary rolls back every error answer). Anything else wrong changes nothing."""
    actor, person = _me()
    form = CodeForm()
    kind = KINDS.get(form.kind.data or "")
    field = f"{form.kind.data}_code" if kind is not None else "code"
    if kind is None:
        return _page(person, {"code": str(ERRORS["kind_unknown"])}, status=400)
    try:
        services.confirm(get_session(), actor, person, kind, form.code.data or "", now())
    except services.WrongCode as error:
        return _page(person, {field: str(ERRORS[error.code])})
    except services.ContactError as error:
        return _page(person, {field: str(ERRORS[error.code])}, status=400)
    saved = "epost" if kind == ContactKind.EMAIL else "mobil"
    return redirect(url_for("contact.settings", sparat=saved), code=303)


@bp.post("/installningar/kontakt/ta-bort")
@listing("person")
def remove() -> Response:
    actor, person = _me()
    kind = KINDS.get(RemoveForm().kind.data or "")
    if kind is None:
        return _page(person, {"remove": str(ERRORS["kind_unknown"])}, status=400)
    try:
        services.remove(get_session(), actor, person, kind, now())
    except services.ContactError as error:
        return _page(person, {"remove": str(ERRORS[error.code])}, status=400)
    return redirect(url_for("contact.settings", sparat="borttagen"), code=303)


@bp.post("/installningar/aviseringar")
@listing("person")
def choices() -> Response:
    actor, person = _me()
    form = ChoicesForm()
    topics = [str(value)[:20] for value in (form.topics.data or [])]
    channels = [str(value)[:20] for value in (form.channels.data or [])]
    try:
        services.set_choices(get_session(), actor, person, topics, channels, now())
    except services.ContactError as error:
        return _page(person, {"choices": str(ERRORS[error.code])}, status=400)
    return redirect(url_for("contact.settings", sparat="val", _anchor="choices"), code=303)
