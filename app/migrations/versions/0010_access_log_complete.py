"""The access log records what a search was for, and PostgreSQL refuses TRUNCATE of it.

A statement-level BEFORE TRUNCATE trigger joins the row-level UPDATE/DELETE one of 0002 (SQLite
has no TRUNCATE). Triggers stop the app's own statements; that the app's database role cannot
drop or disable them (it does not own the tables) is the deployment's part, see the README.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch rebuild: rebuilding the table would drop its triggers.
    op.add_column("access_log_entry", sa.Column("search_text", sa.String(100), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(
        """
        CREATE TRIGGER access_log_entry_no_truncate
        BEFORE TRUNCATE ON access_log_entry
        FOR EACH STATEMENT EXECUTE FUNCTION access_log_entry_append_only()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER access_log_entry_no_truncate ON access_log_entry")
    # SQLite (3.35+) drops a column in place, keeping the table and its triggers.
    op.execute("ALTER TABLE access_log_entry DROP COLUMN search_text")
