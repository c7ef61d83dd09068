"""Database plumbing: one engine per app, a session per request, a typed declarative base."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event, make_url, select
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored as UTC on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class: type[enum.StrEnum], length: int = 30) -> Enum:
    """A portable enum column that stores the members' values ('active'), not their names."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


# How long a connection waits for another's write lock before "database is locked" (ms).
SQLITE_BUSY_TIMEOUT_MS = 15_000


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT (SQLAlchemy's SQLite dialect docs,
    # "Serializable isolation / Savepoints / Transactional DDL"): let SQLAlchemy emit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # The timeout first, so that switching to WAL waits for a connection that holds a lock.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")  # a PRAGMA binds nothing
    # WAL: readers and the one writer no longer block each other, and a commit need not wait
    # for readers to finish. The mode stays with the file; an in-memory database answers
    # "memory" and keeps it. NORMAL is durable in WAL mode except for the last commits on a
    # power cut, which is right for the embedded demo (production runs on PostgreSQL).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    from app.sqltime import sqlite_swedish_day

    dbapi_connection.create_function("swedish_day", 1, sqlite_swedish_day, deterministic=True)


def _sqlite_begin(connection: Any) -> None:
    if connection.get_execution_options().get("sqlite_read_only"):
        connection.exec_driver_sql("BEGIN")  # see read_only()
        return
    # IMMEDIATE takes the write lock at the start, waiting up to the busy timeout for it. A
    # deferred BEGIN reads first and must upgrade to write later (every request writes the
    # access log), and SQLite does not wait for that upgrade when another connection holds the
    # write lock or has written since the read began (waiting could deadlock, or would read a
    # stale snapshot): it fails at once with "database is locked". So even transactions that
    # only read queue for the lock, unless they say they only read.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def read_only(engine: Engine) -> Engine:
    """The engine for work that only reads, such as the health check: on SQLite its
    transactions begin deferred, so they read beside the writer (WAL) instead of queueing for
    the write lock. A write in them may fail at once with "database is locked"."""
    return engine.execution_options(sqlite_read_only=True)


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for the URL; SQLite gets foreign keys on, WAL, a busy timeout and transactions
    that take the write lock at BEGIN; PostgreSQL a health-checked pool."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


class Database:
    """The app's engine and session factory; tests swap the factory to bind to one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session_factory = sessionmaker(bind=engine, expire_on_commit=False)


def init_app(app: Flask) -> None:
    app.extensions["samplan_db"] = Database(
        make_engine(app.config["DATABASE_URL"], app.config.get("SQL_ECHO", False))
    )
    app.teardown_appcontext(_close_session)


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["samplan_db"]


def get_session() -> Session:
    """The request's session, made on first use and closed when the app context ends."""
    if "db_session" not in g:
        g.db_session = database().session_factory()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


B = TypeVar("B", bound="Base")


def lock_row(session: Session, model: type[Base], row_id: int) -> None:
    """Hold the row until the transaction ends (PostgreSQL's SELECT … FOR UPDATE), so that two
    identical submissions at the same moment run one after the other and the second sees the
    first. SQLite has no row locks; it lets only one transaction write at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        primary = model.__table__.primary_key.columns[0]  # type: ignore[attr-defined]
        session.execute(select(primary).where(primary == row_id).with_for_update())


def get_locked(session: Session, model: type[B], row_id: int) -> B | None:
    """The row, held until the transaction ends (lock_row) and read afresh, as a submission
    just before this one left it; None when there is none."""
    lock_row(session, model, row_id)
    return session.get(model, row_id, populate_existing=True)


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session for CLI commands and scripts: commit on success, roll back on error."""
    session = database(app).session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
