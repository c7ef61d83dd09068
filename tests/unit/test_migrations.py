"""The migrations build exactly the schema the models describe, and the log is append-only."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.audit.models import AccessLogEntry
from app.db import Base


def test_models_and_migrations_agree(connection) -> None:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, Base.metadata) == []


def test_access_log_refuses_update_and_delete(world, connection, db) -> None:
    from tests.conftest import Auth

    client = world.app.test_client()
    Auth(client).sign_in("patient-maja")
    client.get("/")
    entry = db.scalars(select(AccessLogEntry)).first()
    assert entry is not None
    for statement in ("UPDATE access_log_entry SET action = 'x'", "DELETE FROM access_log_entry"):
        savepoint = connection.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
        savepoint.rollback()


def test_migrations_go_down_and_up_again(tmp_path) -> None:
    from sqlalchemy import inspect

    from app import migrations
    from app.db import make_engine

    url = f"sqlite:///{tmp_path / 'updown.db'}"
    migrations.upgrade(url)
    migrations.downgrade(url)
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrations.upgrade(url)
    assert "care_plan" in inspect(engine).get_table_names()
    engine.dispose()


def test_upgrading_a_database_with_data_keeps_it(tmp_path) -> None:
    """Later migrations rebuild SQLite tables (batch mode); rows and their links survive."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from app import migrations
    from app.db import make_engine
    from app.demo.seed import seed_demo

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        seed_demo(session, now=datetime.now(UTC))
        session.commit()
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM message")).scalar()
    migrations.downgrade(url, revision="0002")
    migrations.upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM message")).scalar() == before
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()
