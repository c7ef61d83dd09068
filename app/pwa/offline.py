"""Offline reading, per device and only by choice: which responses the service worker may keep.

The server decides, response by response, and tells the service worker in one header:
- `X-Samplan-Offline: save; until=<ms>`: keep a copy of this page for offline reading, until the
  session's absolute end (epoch milliseconds);
- `X-Samplan-Offline: keep`: the setting is on, but this page is not one to keep;
- no header on a page: the setting is off or nobody is signed in, so the service worker deletes
  every copy it holds. Without the setting no authenticated page is ever kept.
Only the start page and plan pages, and only of one's own data (not a person acted for), as the
gate resolved it for the request.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, request
from flask_login import current_user

from app.clock import now

HEADER = "X-Samplan-Offline"
SAVED_ENDPOINTS = frozenset({"plans.start", "plans.plan"})


def offline_session_end() -> datetime | None:
    """When this device's copies must be gone: the session's absolute end, or None if the
    setting is off (or nobody who may keep copies is signed in)."""
    if not getattr(current_user, "is_authenticated", False) or current_user.is_staff:
        return None
    started = current_user.session_started
    if current_user.offline_copy_since is None or started is None:
        return None
    return started + timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def page_may_be_saved() -> bool:
    """Is this response one of the pages kept for offline reading: a start page or plan that
    the gate found to be the signed-in person's own data? Whose data the page shows decides,
    not whom the person chose to act for: a relative who opens the patient's plan by its
    address is shown the patient's data, and keeps no copy of it."""
    from app.access.gate import request_target
    from app.web.templating import wants_fragment

    if request.endpoint not in SAVED_ENDPOINTS or request.method != "GET" or wants_fragment():
        return False
    target = request_target()
    return target is not None and target.own


def _tell_service_worker(response: Response) -> Response:
    if response.mimetype != "text/html":
        return response
    until = offline_session_end()
    if until is None:
        return response
    if response.status_code == 200 and page_may_be_saved():
        response.headers[HEADER] = f"save; until={int(until.timestamp() * 1000)}"
    else:
        response.headers[HEADER] = "keep"
    return response


def _page_context() -> dict[str, Any]:
    """`offline_saved_at`: set on pages that will be kept, for the note shown when read offline."""
    if offline_session_end() is None or not page_may_be_saved():
        return {"offline_saved_at": None}
    return {"offline_saved_at": now()}


def waiting_owner() -> str:
    """Whose values, recorded in the diary without a connection, this page may send on
    (static/js/waiting.js): an opaque tag of the signed-in person, the same on every page and
    device, meaningless elsewhere. Empty for staff and for nobody signed in, so their pages send
    nothing. A value waits on the phone with the tag of the person who recorded it, and is
    sent only from that person's pages, never from another account signed in on the phone."""
    if not getattr(current_user, "is_authenticated", False) or current_user.person_id is None:
        return ""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"waiting-owner:{current_user.person_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def init_app(app: Flask) -> None:
    app.after_request(_tell_service_worker)
    app.context_processor(_page_context)
    app.jinja_env.globals["waiting_owner"] = waiting_owner
