"""Security headers on every response; patient pages are never cached."""

from __future__ import annotations

from itertools import chain

from flask import Flask, Response, abort, current_app, request

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
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


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
    public = headers.get("Cache-Control", "").startswith("public")
    if not public and (
        response.mimetype == "text/html" or response.is_json or response.status_code == 304
    ):
        # Pages may carry patient data: no copies in any cache (only views that carry none,
        # such as the offline page and the manifest, mark themselves public).
        headers["Cache-Control"] = "no-store"
    return response


def _refuse_nul() -> None:
    """No keyboard types U+0000 and PostgreSQL cannot store it in text (a server error): a
    request carrying one in a form field or the query string is refused with 400, before any
    view reads it, so nothing is changed."""
    fields = chain(request.args.items(multi=True), request.form.items(multi=True))
    if any("\x00" in name or "\x00" in value for name, value in fields):
        abort(400)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
    app.after_request(_headers)


def safe_next(target: str | None) -> str | None:
    """A local path to return to, or None. Never another site."""
    from urllib.parse import urlsplit

    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
