"""Samplan on the phone: installable (manifest, service worker, offline page), fast (hashed static
files, compression), offline reading by choice, and push notifications as an outbox channel."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.extensions import compress
    from app.pwa import assets, offline
    from app.pwa.views import bp

    assets.init_app(app)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/manifest+json",
            "image/svg+xml",
        ],
    )
    compress.init_app(app)
    offline.init_app(app)
    app.register_blueprint(bp)
