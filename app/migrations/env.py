"""Alembic environment: Samplan's metadata, the app's database URL or a given connection."""

from __future__ import annotations

from alembic import context

import app.models  # noqa: F401 - registers every table
from app.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # noqa: ANN001 - alembic's connection
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        driver = conn.connection.driver_connection
        if sqlite and driver is not None:
            # Batch migrations copy and drop tables; SQLite must not enforce foreign keys while
            # they do (the setting cannot change inside a transaction, so it is set first).
            driver.execute("PRAGMA foreign_keys=OFF")
        with conn.begin():
            _run(conn)
        if sqlite and driver is not None:
            driver.execute("PRAGMA foreign_keys=ON")
    engine.dispose()
