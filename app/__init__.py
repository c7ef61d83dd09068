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
    from app.appointments.care_views import bp as appointment_care_bp
    from app.appointments.views import bp as appointments_bp
    from app.audit.views import bp as audit_bp
    from app.care_requests.views import bp as care_requests_bp
    from app.contact.views import bp as contact_bp
    from app.demo.views import bp as demo_bp
    from app.diary.views import bp as diary_bp
    from app.directory.views import bp as directory_bp
    from app.followup.views import bp as followup_bp
    from app.goals.views import bp as goals_bp
    from app.messages.views import bp as messages_bp
    from app.patients.views import bp as patients_bp
    from app.planning.views import bp as planning_bp
    from app.plans.views import bp as plans_bp
    from app.proxies.views import bp as proxies_bp
    from app.sip.views import bp as sip_bp
    from app.web import errors, security, templating, transaction
    from app.web.health import bp as health_bp
    from app.web.preferences import bp as preferences_bp
    from app.whatmatters.views import bp as whatmatters_bp

    transaction.init_app(app)  # first registered, so it runs after every other hook
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
    app.register_blueprint(contact_bp)
    app.register_blueprint(whatmatters_bp)
    app.register_blueprint(goals_bp)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(appointment_care_bp)
    app.register_blueprint(diary_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(planning_bp)
    app.register_blueprint(patients_bp)
    app.register_blueprint(care_requests_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(sip_bp)
    if app.config["DEMO_MODE"]:
        app.register_blueprint(demo_bp)

    from app.plans import presenting

    app.jinja_env.globals["presenting"] = presenting

    from app.cli import register_commands

    register_commands(app)
    return app
