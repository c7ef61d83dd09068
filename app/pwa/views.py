"""The web app manifest, the service worker, the offline page, and 'Den här telefonen'."""

from __future__ import annotations

import hashlib
import json

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers.response import Response

from app.access.actor import Actor, current_actor
from app.access.gate import listing
from app.clock import now
from app.db import get_session
from app.extensions import limit_writes
from app.pwa import services
from app.pwa.endpoints import RefusedEndpoint
from app.pwa.forms import OfflineForm
from app.pwa.push import application_server_key
from app.web.security import plain_text
from app.web.templating import render

bp = limit_writes(Blueprint("pwa", __name__))
THEME = "#0b5a7a"
BACKGROUND = "#f3f5f7"
# Public files the offline page and saved pages need; nothing here ever carries patient data.
SHELL_STATIC = ("css/samplan.css", "js/offline.js", "icons/app-192.png")


def _public(response: Response, max_age: int = 0) -> Response:
    """A response without patient data that browsers may keep (revalidated when max_age=0)."""
    response.headers["Cache-Control"] = f"public, max-age={max_age}, must-revalidate"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    icon = lambda name: url_for("static", filename=f"icons/{name}")  # noqa: E731
    body = {
        "id": "/",
        # Fetched without cookies, so it cannot know the person's language: Swedish, always.
        "name": "Samplan – min plan med vården",
        "short_name": "Samplan",
        "description": "Dina planer med vården, din vårdkontakt och nästa steg.",
        "lang": "sv",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            {"src": icon("app-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon("app-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": icon("app-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    return _public(response, max_age=3600)


def shell_files() -> list[str]:
    """Everything the service worker stores before it is needed: public URLs only."""
    from app.pwa.assets import assets

    icons = sorted(name for name in assets().hashed if name.endswith(".svg"))
    return [url_for("pwa.offline_page")] + [
        url_for("static", filename=name) for name in (*SHELL_STATIC, *icons)
    ]


@bp.get("/service-worker.js")
def service_worker() -> Response:
    files = shell_files()
    version = hashlib.sha256(" ".join(files).encode()).hexdigest()[:12]
    body = render_template(
        "pwa/service-worker.js",
        version=version,
        shell_files=files,
        offline_url=url_for("pwa.offline_page"),
        icon_url=url_for("static", filename="icons/app-192.png"),
    )
    response = Response(body, mimetype="text/javascript")
    return _public(response)


@bp.get("/offline")
def offline_page() -> Response:
    """What works without a connection and what does not (stored by the service worker)."""
    response = Response(render_template("pwa/offline.html"), mimetype="text/html")
    return _public(response)


def _person_actor() -> Actor:
    actor = current_actor()
    if actor.person_id is None:
        abort(404)
    return actor


@bp.get("/den-har-telefonen")
@listing("person", patient_data=False)
def device() -> Response:
    actor = _person_actor()
    push_key = application_server_key(current_app)
    return render(
        "pwa/device.html",
        offline_on=actor.session_row.offline_copy_since is not None,
        push_key=push_key,
        devices=services.devices(get_session(), actor) if push_key else [],
        saved=request.args.get("sparat"),
    )


@bp.post("/den-har-telefonen/offline")
@listing("person")
def set_offline() -> Response:
    actor = _person_actor()
    choice = OfflineForm().choice()
    if choice is None:
        abort(400)
    services.set_offline_copy(actor, choice, now())
    return redirect(url_for("pwa.device", sparat="offline-" + ("1" if choice else "0")), code=303)


@bp.post("/den-har-telefonen/push")
@listing("person")
def subscribe() -> Response:
    """The browser's push subscription, sent by static/js/push.js (JSON, with the CSRF header;
    its size, depth and characters were checked before the view, in app/web/security.py)."""
    actor = _person_actor()
    if application_server_key(current_app) is None:
        abort(404)
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    keys = data["keys"] if isinstance(data.get("keys"), dict) else {}
    text = lambda value: value if isinstance(value, str) else ""  # noqa: E731
    try:
        services.subscribe(
            get_session(),
            actor,
            text(data.get("endpoint")),
            text(keys.get("p256dh")),
            text(keys.get("auth")),
            request.headers.get("User-Agent", ""),
            current_app.config["PUSH_SERVICE_HOSTS"],
        )
    except RefusedEndpoint:
        message = _(
            "Aviseringar kunde inte slås på: Samplan skickar inte aviseringar till den här "
            "webbläsarens aviseringstjänst."
        )
        return plain_text(message, 400)
    except services.BadSubscription:
        return plain_text(_("Aviseringar kunde inte slås på för den här webbläsaren."), 400)
    return Response(status=204)


@bp.post("/den-har-telefonen/enheter/<int:device_id>/ta-bort")
@listing("person")
def remove_device(device_id: int) -> Response:
    actor = _person_actor()
    if not services.remove_device(get_session(), actor, device_id):
        abort(404)
    return redirect(url_for("pwa.device", sparat="borttagen"), code=303)
