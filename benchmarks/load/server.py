"""The app the load test runs under gunicorn: Samplan as in production, plus two things that
exist only here.

* **The demo sign-in** (``/demo``), so that virtual users can sign in as the generated region's
  people (``region-patient-<n>``, ``staff-region-<n>``) without an eID provider. Everything else is
  the production configuration, read from the environment as in production: demo mode off (so
  ``Secure`` ``__Host-`` cookies, HSTS, no debug), a real ``SECRET_KEY``, PostgreSQL, rate limits
  in Redis. The OpenID Connect settings must be present, as in production, but are never used.
* **A bare Flask route** (``/_bare/``): a separate, empty Flask app answering "Hej" behind the same
  gunicorn workers, the ceiling that Samplan's pages are compared with. It is mounted beside
  Samplan with Werkzeug's dispatcher, so none of Samplan's hooks (sessions, headers, database)
  run for it.

Run by ``benchmarks/load.py``; by hand::

    gunicorn 'benchmarks.load.server:create_benchmark_app()'

It refuses to start in demo mode, with debug on, or on a database whose name lacks "bench".
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import make_url
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from app import create_app
from app.demo.views import bp as demo_sign_in

BARE_PREFIX = "/_bare"


def bare_app() -> Flask:
    """The ceiling: Flask with one route and nothing else."""
    bare = Flask("bare")

    @bare.get("/")
    def hello() -> str:
        return "Hej"

    return bare


def create_benchmark_app() -> Flask:
    """Samplan's production app with the demo sign-in and the bare route (see the module)."""
    app = create_app()
    database = make_url(app.config["DATABASE_URL"]).database or ""
    if app.config["DEMO_MODE"] or app.debug or "bench" not in database:
        raise SystemExit(
            "The benchmark app runs with the production configuration (SAMPLAN_DEMO off, no "
            f"debug) on a database named for benchmarks, not {database!r}."
        )
    app.register_blueprint(demo_sign_in)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {BARE_PREFIX: bare_app()})  # type: ignore[method-assign]
    return app
