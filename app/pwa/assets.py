"""Static files under content-hashed names, cached for a year; responses compressed.

`url_for("static", filename="css/samplan.css")` gives `/static/css/samplan.<hash>.css`. The hash is
of the file's bytes, so a changed file gets a new name and a browser never holds a stale copy; the
plain name still answers (for old links) but is revalidated every time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, send_from_directory
from flask.typing import ResponseReturnValue

YEAR = 365 * 24 * 3600


class Assets:
    """The static folder's files and their hashed names, read once at start."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hashed: dict[str, str] = {}
        self.plain: dict[str, str] = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if name.endswith(".md"):
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            stem, dot, suffix = name.rpartition(".")
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
            self.hashed[name] = hashed
            self.plain[hashed] = name

    def url_name(self, filename: str) -> str:
        return self.hashed.get(filename, filename)


def assets() -> Assets:
    return current_app.extensions["samplan_assets"]


def static_file(filename: str) -> ResponseReturnValue:
    """A hashed name is immutable for a year; a plain name is always revalidated."""
    table = assets()
    plain = table.plain.get(filename)
    if plain is not None:
        response = send_from_directory(table.folder, plain, max_age=YEAR, conditional=True)
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
    if filename not in table.hashed:
        abort(404)
    response = send_from_directory(table.folder, filename, max_age=0, conditional=True)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _hash_static_urls(endpoint: str | None, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = assets().url_name(values["filename"])


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "static")
    app.extensions["samplan_assets"] = Assets(folder)
    # Replace Flask's own static view with one that knows the hashed names.
    app.view_functions["static"] = static_file
    app.url_defaults(_hash_static_urls)
