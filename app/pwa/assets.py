"""Static files under content-hashed names, cached for a year; responses compressed.

`url_for("static", filename="css/samplan.css")` gives `/static/css/samplan.<hash>.css`. The hash is
of the file's bytes, so a changed file gets a new name and a browser never holds a stale copy; the
plain name still answers (for old links) but is revalidated every time.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from pathlib import Path
from typing import Any

import brotli
from flask import Flask, Response, abort, current_app, request, url_for

YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/javascript", "image/svg+xml", "application/json")


class Assets:
    """The static folder's files and their hashed names, read once at start."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hashed: dict[str, str] = {}
        self.plain: dict[str, str] = {}
        # Built URLs by (script root, file name): the same on every page, so built once.
        self.urls: dict[tuple[str, str], str] = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if name.endswith(".md"):
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            stem, dot, suffix = name.rpartition(".")
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
            self.hashed[name] = hashed
            self.plain[hashed] = name

        self._bodies: dict[tuple[str, str], bytes] = {}

    def url_name(self, filename: str) -> str:
        return self.hashed.get(filename, filename)

    def body(self, name: str, encoding: str) -> bytes:
        """The file's bytes, compressed once per process with `encoding` ("br", "gzip", "")."""
        key = (name, encoding)
        if key not in self._bodies:
            raw = (self.folder / name).read_bytes()
            if encoding == "br":
                raw = brotli.compress(raw, quality=11)
            elif encoding == "gzip":
                raw = gzip.compress(raw, compresslevel=9, mtime=0)
            self._bodies[key] = raw
        return self._bodies[key]


def assets() -> Assets:
    return current_app.extensions["samplan_assets"]


def _encoding(mimetype: str) -> str:
    if not mimetype.startswith(COMPRESSIBLE):
        return ""
    accepted = request.accept_encodings
    return "br" if accepted["br"] else "gzip" if accepted["gzip"] else ""


def static_file(filename: str) -> Response:
    """A hashed name is immutable for a year; a plain name is always revalidated. Text files go
    out compressed (brotli or gzip, done once per process, not per request)."""
    table = assets()
    plain = table.plain.get(filename)
    name = plain or filename
    if plain is None and filename not in table.hashed:
        abort(404)
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    encoding = _encoding(mimetype)
    response = Response(table.body(name, encoding), mimetype=mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    digest = table.hashed[name].rsplit(".", 2)[-2]
    response.set_etag(f"{digest}-{encoding or 'identity'}")
    if plain is not None:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "public, no-cache"
    response.make_conditional(request)  # changes the response itself (304 when unchanged)
    return response


def static_url(filename: str) -> str:
    """The URL of a static file (hashed name), built once per file for the process."""
    key = (request.script_root, filename)
    urls = assets().urls
    url = urls.get(key)
    if url is None:
        url = urls[key] = url_for("static", filename=filename)
    return url


def _hash_static_urls(endpoint: str | None, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = assets().url_name(values["filename"])


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "static")
    app.extensions["samplan_assets"] = Assets(folder)
    app.jinja_env.globals["static_url"] = static_url
    # Replace Flask's own static view with one that knows the hashed names.
    app.view_functions["static"] = static_file
    app.url_defaults(_hash_static_urls)
