"""Flask extensions, created unbound and bound in create_app."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

babel = Babel()
compress = Compress()
csrf = CSRFProtect()
htmx = Htmx()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def limit_writes(blueprint: Blueprint) -> Blueprint:
    """Rate-limit every POST in a blueprint (RATELIMIT_WRITE). Call once, where it is defined."""
    limiter.limit(lambda: current_app.config["RATELIMIT_WRITE"], methods=["POST"])(blueprint)
    return blueprint


def sign_in_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_IN"]
