"""Samplan: the patient's front door to their documented agreement with care."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app import db
from app.config import ROOT, Config


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app. No migrations, seeding or network here: those are CLI commands."""
    config = Config(overrides)
    config.validate()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(config.as_dict())

    from app.web.converters import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any rule is added

    from app import models  # noqa: F401 - every mapper, before the first query
    from app.extensions import babel, csrf, htmx, limiter, login_manager
    from app.i18n import select_locale, select_timezone

    db.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from app import pwa
    from app.accounts import oidc, sessions
    from app.accounts.views import bp as accounts_bp
    from app.agreements.views import bp as agreements_bp
    from app.appointments.views import bp as appointments_bp
    from app.audit.views import bp as audit_bp
    from app.demo.views import bp as demo_bp
    from app.goals.views import bp as goals_bp
    from app.messages.views import bp as messages_bp
    from app.planning.views import bp as planning_bp
    from app.plans.views import bp as plans_bp
    from app.proxies.views import bp as proxies_bp
    from app.web import errors, security, templating
    from app.web.health import bp as health_bp
    from app.web.preferences import bp as preferences_bp
    from app.whatmatters.views import bp as whatmatters_bp

    sessions.init_app(app)
    oidc.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    pwa.init_app(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(preferences_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(proxies_bp)
    app.register_blueprint(whatmatters_bp)
    app.register_blueprint(goals_bp)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(planning_bp)
    if app.config["DEMO_MODE"]:
        app.register_blueprint(demo_bp)

    from app.plans import presenting

    app.jinja_env.globals["presenting"] = presenting

    from app.cli import register_commands

    register_commands(app)
    return app
