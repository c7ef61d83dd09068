"""The time, from one place, so tests can move it; and what day it is here."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from app.db import utcnow


def now() -> datetime:
    """Now, aware, in UTC; tests set NOW_FUNC to control it."""
    return current_app.config.get("NOW_FUNC", utcnow)()


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def here(moment: datetime) -> datetime:
    """`moment` in Swedish time (outside an app, Stockholm's). A stored moment within hours of
    the end of the calendar (9999-12-31) has no Swedish time; it stays as it is (UTC) rather
    than raise, so that a page showing it can never fail."""
    name = current_app.config["TIMEZONE"] if has_app_context() else "Europe/Stockholm"
    try:
        return moment.astimezone(ZoneInfo(name))
    except OverflowError:
        return moment


def local_date(moment: datetime) -> date:
    """The calendar day of `moment` here, in Sweden (care-team dates and birthdays are Swedish
    dates); outside an app, in Stockholm."""
    return here(moment).date()


def today_here() -> date:
    """Today's date here."""
    return local_date(now())
