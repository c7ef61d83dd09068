"""The time, from one place, so tests can move it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from app.db import utcnow


def now() -> datetime:
    """Now, aware, in UTC; tests set NOW_FUNC to control it."""
    return current_app.config.get("NOW_FUNC", utcnow)()


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def today() -> datetime:
    return now().astimezone(zone())
