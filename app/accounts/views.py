"""Signing in (eID or staff IdP over OpenID Connect), signing out, and one's own sessions."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers.response import Response

from app.access.actor import current_actor
from app.accounts import oidc
from app.accounts.devices import device_name
from app.accounts.forms import NextForm, NotifyForm
from app.accounts.models import Person, Practitioner
from app.accounts.sessions import end_session, open_sessions, sign_in, sign_out
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes, limiter, sign_in_limit
from app.web.security import safe_next

bp = limit_writes(Blueprint("accounts", __name__))
NEXT = "next_after_sign_in"

REFUSALS = {
    "assurance_too_low": lambda: _(
        "Inloggningen räckte inte. Samplan kräver en e-legitimation med hög säkerhet, "
        "till exempel BankID eller Freja+."
    ),
    "unknown_staff": lambda: _(
        "Ditt HSA-id finns inte i Samplan. Kontakta din verksamhetschef för att få behörighet."
    ),
    "deactivated_staff": lambda: _(
        "Din behörighet i Samplan har avslutats. Kontakta din verksamhetschef om du "
        "fortfarande arbetar här."
    ),
    "bad_personal_number": lambda: _("Vi kunde inte läsa ditt personnummer från inloggningen."),
    "expired": lambda: _("Inloggningen tog för lång tid. Försök igen."),
}


def _providers() -> dict[str, oidc.ProviderSettings]:
    return current_app.config["OIDC_PROVIDERS"]


@bp.get("/logga-in")
def sign_in_page() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("plans.start"))
    idle = session.pop("signed_out_idle", False)
    return render_template(
        "accounts/sign_in.html",
        demo=current_app.config["DEMO_MODE"],
        providers=_providers(),
        next=safe_next(request.args.get("next")),
        idle=idle,
    )


@bp.get("/logga-in/<provider>")
@limiter.limit(sign_in_limit)
def start_sign_in(provider: str) -> Response:
    settings = _providers().get(provider)
    if settings is None:
        abort(404)
    session[NEXT] = safe_next(request.args.get("next"))
    callback = url_for("accounts.finish_sign_in", provider=provider, _external=True)
    return oidc.authorize_redirect(settings, callback)


@bp.get("/logga-in/<provider>/klar")
@limiter.limit(sign_in_limit)
def finish_sign_in(provider: str) -> Response | tuple[str, int]:
    settings = _providers().get(provider)
    if settings is None:
        abort(404)
    db, moment = get_session(), now()
    target = safe_next(session.get(NEXT))
    party: Person | Practitioner
    try:
        claims, id_token = oidc.verified_claims(settings, moment)
        if provider == "staff":
            party = oidc.practitioner_for(db, settings, claims)
        else:
            party = oidc.person_for(db, settings, claims)
    except oidc.SignInRefused as refused:
        session.pop(NEXT, None)
        message = REFUSALS.get(
            refused.reason, lambda: _("Inloggningen misslyckades. Försök igen.")
        )()
        page = render_template(
            "accounts/sign_in.html",
            demo=current_app.config["DEMO_MODE"],
            providers=_providers(),
            next=None,
            idle=False,
            error=message,
        )
        return page, 400
    sign_in(db, party, provider, moment, id_token=id_token)
    return redirect(target or url_for("plans.start"), code=303)


@bp.post("/logga-ut")
@login_required
def sign_out_view() -> Response:
    actor = current_actor()
    row = actor.session_row
    sign_out(get_session(), actor, now())
    target = url_for("accounts.sign_in_page")
    settings = _providers().get(row.method)
    if settings is not None and row.id_token:
        provider_logout = oidc.logout_url(
            settings, row.id_token, url_for("accounts.sign_in_page", _external=True)
        )
        target = provider_logout or target
    response = redirect(target, code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.get("/sessioner")
@login_required
def sessions_page() -> str:
    actor = current_actor()
    rows = open_sessions(get_session(), actor)
    return render_template(
        "accounts/sessions.html", rows=rows, current=actor.session_row.id, device_name=device_name
    )


@bp.post("/sessioner/<int:session_id>/avsluta")
@login_required
def end_session_view(session_id: int) -> Response:
    actor = current_actor()
    if not end_session(get_session(), actor, session_id, now()):
        abort(404)
    if session_id == actor.session_row.id:
        return redirect(url_for("accounts.sign_in_page"), code=303)
    return redirect(url_for("accounts.sessions_page"), code=303)


@bp.post("/session/forlang")
@login_required
def stay_signed_in() -> Response:
    """The 'stay signed in' button: loading the actor has already counted this as activity."""
    if request.headers.get("HX-Request"):
        return Response(status=204)
    return redirect(safe_next(NextForm().next.data) or url_for("plans.start"), code=303)


@bp.route("/installningar", methods=["GET", "POST"])
@login_required
def settings() -> str | Response | tuple[str, int]:
    """Staff choose how they hear about patients' messages: each one, or a daily summary."""
    actor = current_actor()
    if actor.practitioner_id is None:
        abort(404)
    practitioner = (
        get_session()
        .scalars(select(Practitioner).where(Practitioner.id == actor.practitioner_id))
        .one()
    )
    if request.method == "POST":
        choice = NotifyForm().notify.data
        if choice not in ("each", "daily"):
            page = render_template(
                "accounts/settings.html",
                practitioner=practitioner,
                error=_("Välj hur du vill få aviseringar."),
            )
            return page, 400
        practitioner.notify_each_message = choice == "each"
        return redirect(url_for("accounts.settings", sparat=1), code=303)
    return render_template(
        "accounts/settings.html", practitioner=practitioner, saved=request.args.get("sparat") == "1"
    )
