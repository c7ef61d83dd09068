"""Two portable SQL expressions for counting in the database (app/followup), not in Python:
the Swedish calendar day of a UTC timestamp, and the days between two timestamps.

PostgreSQL has the time zone database; SQLite has none, so on SQLite `swedish_day` calls a
Python function registered on each connection (app.db), with the same zoneinfo rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class swedish_day(FunctionElement[Any]):  # noqa: N801 - reads as the SQL function it is
    """The calendar day in Sweden of a UTC timestamp column."""

    type = Date()
    name = "swedish_day"
    inherit_cache = True


class swedish_month(FunctionElement[Any]):  # noqa: N801
    """The calendar month in Sweden of a UTC timestamp column, as 'YYYY-MM'."""

    type = String()
    name = "swedish_month"
    inherit_cache = True


class days_between(FunctionElement[Any]):  # noqa: N801
    """days_between(earlier, later): the time between two timestamps, in days (a fraction)."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(swedish_day, "postgresql")
def _swedish_day_postgresql(element: swedish_day, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = element.clauses
    return f"CAST(timezone('Europe/Stockholm', {compiler.process(moment, **kw)}) AS DATE)"


@compiles(swedish_day, "sqlite")
def _swedish_day_sqlite(element: swedish_day, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = element.clauses
    return f"swedish_day({compiler.process(moment, **kw)})"


@compiles(swedish_month, "postgresql")
def _swedish_month_postgresql(element: swedish_month, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = element.clauses
    return f"to_char(timezone('Europe/Stockholm', {compiler.process(moment, **kw)}), 'YYYY-MM')"


@compiles(swedish_month, "sqlite")
def _swedish_month_sqlite(element: swedish_month, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = element.clauses
    return f"substr(swedish_day({compiler.process(moment, **kw)}), 1, 7)"


@compiles(days_between, "postgresql")
def _days_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


def sqlite_swedish_day(stored: str | None) -> str | None:
    """SQLite's swedish_day(): a stored UTC timestamp ('2026-03-29 00:30:00.000000') to its
    Swedish date ('2026-03-29')."""
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(STOCKHOLM).date().isoformat()
