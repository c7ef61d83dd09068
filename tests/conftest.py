"""Fixtures: one schema per backend (built by the migrations), the demo world seeded once, and
every test inside a transaction that is rolled back at the end.

Tests run on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set (CI sets it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from app import create_app, migrations
from app.db import database, make_engine
from app.demo.seed import seed_demo
from tests.oidc_provider import TestProvider, run_provider

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
if os.environ.get("CI") == "true" and "postgresql" not in BACKENDS:
    raise RuntimeError("CI must set TEST_DATABASE_URL so the tests run on PostgreSQL too.")


def worker_database(url: str, suffix: str = "") -> str:
    """A database of this test worker's own (tests run in parallel with pytest-xdist), made if
    missing. Without xdist and suffix it is the database in the URL itself."""
    from sqlalchemy import create_engine, make_url

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    parsed = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = "_".join(part for part in (parsed.database, worker, suffix) if part)
    if name != parsed.database:
        admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@dataclass
class World:
    backend: str
    url: str
    engine: Engine
    app: Flask
    ids: dict[str, int]


@pytest.fixture(scope="session")
def idp() -> Iterator[TestProvider]:
    """A real OpenID Connect provider (oidc-provider-mock) on 127.0.0.1, for the whole run."""
    with run_provider() as provider:
        yield provider


@pytest.fixture(scope="session", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, idp: TestProvider
) -> Iterator[World]:
    backend = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'samplan-test.db'}"
        engine = make_engine(url)
    else:
        url = worker_database(os.environ["TEST_DATABASE_URL"])
        engine = make_engine(url)
        with engine.begin() as connection:  # a clean database for every run
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    with engine.begin() as connection:
        migrations.upgrade(url, connection)
    with Session(engine) as session:
        ids = seed_demo(session)
        session.commit()
    app = create_app(
        {
            "TESTING": True,
            "DEMO_MODE": True,
            "DATABASE_URL": url,
            # Real limits, set high; the rate-limit tests lower them.
            "RATELIMIT_SIGN_IN": "10000 per minute",
            "RATELIMIT_WRITE": "10000 per minute",
            "RATELIMIT_REFUSALS": "10000 per minute",
            "RATELIMIT_CONTACT_CODE": "10000 per minute",
            "OIDC_PROVIDERS": idp.settings(),
        }
    )
    database(app).engine.dispose()
    database(app).engine = engine
    yield World(backend, url, engine, app, ids)
    engine.dispose()


@pytest.fixture
def connection(world: World) -> Iterator[Connection]:
    """One outer transaction per test; the app's commits become savepoints inside it."""
    with world.engine.connect() as conn:
        outer = conn.begin()
        factory = database(world.app).session_factory
        database(world.app).session_factory = sessionmaker(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield conn
        finally:
            database(world.app).session_factory = factory
            outer.rollback()


@pytest.fixture
def app(world: World, connection: Connection) -> Flask:
    return world.app


@pytest.fixture
def db(app: Flask, connection: Connection) -> Iterator[Session]:
    """A session on the test's transaction, for arranging and checking data."""
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()


@pytest.fixture
def ids(world: World) -> dict[str, int]:
    return world.ids


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/demo") -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Auth:
    """Sign in through the demo sign-in page, exactly as a person would."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def sign_in(self, persona: str) -> None:
        token = csrf_token(self.client)
        response = self.client.post("/demo", data={"persona": persona, "csrf_token": token})
        assert response.status_code == 303, response.status_code

    def sign_out(self) -> None:
        token = csrf_token(self.client, "/sessioner")
        self.client.post("/logga-ut", data={"csrf_token": token})


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def count_queries(connection: Connection) -> Callable[[], list[str]]:
    """Record the SQL statements run on the test's connection from now on."""
    statements: list[str] = []

    def _record(_conn, _cursor, statement, _params, _context, _many) -> None:  # noqa: ANN001
        if statement.lstrip().split(None, 1)[0].upper() in {
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "WITH",
        }:
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", _record)

    def _reset() -> list[str]:
        taken = list(statements)
        statements.clear()
        return taken

    return _reset


def html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


ROOT = Path(__file__).resolve().parent.parent
