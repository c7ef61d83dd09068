"""Security headers on every response; no answer is cached unless it says it is public; input
that no view could handle (NUL, hostile JSON) is refused before any view runs."""

from __future__ import annotations

import json
import unicodedata
from itertools import chain
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_babel import gettext as _
from werkzeug.urls import iri_to_uri

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
MAX_NEXT = 2000  # the longest return address kept: Samplan's own paths are far shorter
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# The largest JSON body a script of Samplan's sends (a push subscription is under 1 KB), and
# how deeply it nests (the subscription: two levels).
JSON_MAX_BYTES = 16 * 1024
JSON_MAX_DEPTH = 8


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if not current_app.config["DEMO_MODE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if not headers.get("Cache-Control", "").startswith("public"):
        # Any answer may carry patient data, whatever its type (a page, a fragment, the plan as
        # PDF, a calendar file, JSON): no copy in any cache. Only answers that carry nobody's
        # data (static files, the offline page, the manifest) mark themselves public.
        headers["Cache-Control"] = "no-store"
    return response


def plain_text(message: object, status: int) -> Response:
    """A short answer in words, for scripts that show it as it is (no page around it)."""
    return Response(str(message), status=status, mimetype="text/plain")


def _refuse_nul() -> None:
    """No keyboard types U+0000 and PostgreSQL cannot store it in text (a server error): a
    request carrying one in a form field or the query string is refused with 400, before any
    view reads it, so nothing is changed."""
    fields = chain(request.args.items(multi=True), request.form.items(multi=True))
    if any("\x00" in name or "\x00" in value for name, value in fields):
        abort(400)


def _refuse_bad_json() -> Response | None:
    """A JSON body (sent by Samplan's own scripts, such as the push subscription) is read here
    first, and refused with 400 and a Swedish answer before any view parses it when it is
    larger than any of them sends (or of unknown size), not JSON, nested deeper than
    JSON_MAX_DEPTH, or carries text no database stores (NUL, a lone surrogate). A view then
    reads it with `request.get_json()`."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not request.is_json:
        return None
    length = request.content_length
    if length is None or length > JSON_MAX_BYTES:
        return plain_text(_("Det som skickades är för stort."), 400)
    try:
        data = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # RecursionError: nested too deep even to parse
        return plain_text(_("Det som skickades gick inte att läsa."), 400)
    problem = _json_problem(data)
    if problem is not None:
        return plain_text(problem, 400)
    return None


def _json_problem(data: object) -> str | None:
    """What is wrong with parsed JSON, in words, or None (read without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > JSON_MAX_DEPTH:
            return _("Det som skickades gick inte att läsa.")
        if isinstance(value, dict):
            stack.extend((key, depth + 1) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _storable(value):
            return _("Texten innehåller tecken som inte går att spara.")
    return None


def _storable(text: str) -> bool:
    """No NUL (PostgreSQL refuses it in text) and no lone surrogate (no UTF-8 encodes it)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
    app.before_request(_refuse_bad_json)
    app.after_request(_headers)


def safe_next(target: str | None) -> str | None:
    """A path on this site to return to (the sign-in's and the settings' `next`), or None for
    anything else, which sends the person to the start page.

    Only a path that starts with a single "/" passes. Refused: another site in any spelling
    ("https://…", "//host", "/\\host", which browsers read as "//host"), any scheme, and any
    control character or space: CR/LF would split the Location header (a server error), and
    browsers drop tabs and newlines inside a URL, so "/", a tab and "/host" would lead to another
    site."""
    if not target or len(target) > MAX_NEXT or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(unicodedata.category(char)[0] in "CZ" for char in target):
        return None  # control, format, separator and unassigned characters: none is in a path
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return iri_to_uri(target)  # "/sök?q=å" as ASCII: a Location header carries no other bytes
