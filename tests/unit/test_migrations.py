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


def test_access_log_refuses_truncate_on_postgresql(world, connection, ids) -> None:
    """A statement-level trigger: TRUNCATE removes rows without firing the row triggers."""
    if world.backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    count = text("SELECT count(*) FROM access_log_entry")
    before = connection.scalar(count)
    connection.execute(
        text(
            "INSERT INTO access_log_entry (at, patient_id, action, object_type, allowed)"
            " VALUES (now(), :patient, 'read', 'overview', true)"
        ),
        {"patient": ids["patient-maja"]},
    )
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("TRUNCATE access_log_entry"))
    savepoint.rollback()
    assert connection.scalar(count) == before + 1


def _readme_grants() -> str:
    """The README's SQL that gives the app's database role its rows (see *Database role*)."""
    import re

    from tests.conftest import ROOT

    blocks = re.findall(r"```sql\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return next(block for block in blocks if "ALTER DEFAULT PRIVILEGES" in block)


def test_the_readme_app_role_can_append_to_the_log_and_never_remove_it(
    world, connection, ids
) -> None:
    """The README's grants, run for a role made in this test's transaction: it works with rows
    and appends to the log; it can neither change the log nor switch its triggers off."""
    import uuid

    if world.backend != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    role = f"samplan_app_{uuid.uuid4().hex[:12]}"
    connection.execute(text(f"CREATE ROLE {role} NOLOGIN"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))  # the first block's
    for statement in _readme_grants().replace("samplan_app", role).split(";"):
        if statement.strip():
            connection.execute(text(statement))
    connection.execute(text(f"SET LOCAL ROLE {role}"))
    connection.execute(
        text(
            "INSERT INTO access_log_entry (at, patient_id, action, object_type, allowed)"
            " VALUES (now(), :patient, 'read', 'overview', true)"
        ),
        {"patient": ids["patient-maja"]},
    )
    assert connection.scalar(text("SELECT count(*) FROM access_log_entry")) > 0
    connection.execute(text("UPDATE person SET simple_view = simple_view"))  # rows it may change
    refused = [
        "UPDATE access_log_entry SET action = 'x'",
        "DELETE FROM access_log_entry",
        "TRUNCATE access_log_entry",
        "ALTER TABLE access_log_entry DISABLE TRIGGER access_log_entry_append_only",
        "DROP TRIGGER access_log_entry_no_truncate ON access_log_entry",
        "SET session_replication_role = replica",
    ]
    for statement in refused:
        savepoint = connection.begin_nested()
        with pytest.raises(DBAPIError, match="permission denied|must be owner"):
            connection.execute(text(statement))
        savepoint.rollback()


def test_the_waits_of_existing_threads_are_rebuilt_from_their_messages(tmp_path) -> None:
    """0015 gives threads written before it the waits Samplan now keeps as messages come: the
    demo world, written message by message, has the same waits after a downgrade and upgrade."""
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from app import migrations
    from app.db import make_engine
    from app.demo.seed import seed_demo

    url = f"sqlite:///{tmp_path / 'waits.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_demo(session, now=datetime.now(UTC))
        session.commit()
    columns = "thread_id, unit_id, patient_id, started_at, due_on, ended_at, working_days"
    query = text(f"SELECT {columns} FROM message_wait ORDER BY thread_id, started_at")  # noqa: S608
    handovers = text("SELECT id, due_on FROM handover ORDER BY id")
    with engine.connect() as conn:
        written = conn.execute(query).all()
        offered = conn.execute(handovers).all()
    assert len(written) >= 3
    assert any(row.ended_at is None for row in written)
    assert any(row.working_days for row in written)
    migrations.downgrade(url, revision="0014")
    migrations.upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(query).all() == written
        assert conn.execute(handovers).all() == offered
    engine.dispose()
