"""Make the access log append-only: triggers refuse UPDATE and DELETE (PostgreSQL and SQLite).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"""
                CREATE TRIGGER access_log_entry_no_{event.lower()}
                BEFORE {event} ON access_log_entry
                BEGIN SELECT RAISE(ABORT, 'access_log_entry is append-only'); END
                """
            )
        return
    op.execute(
        """
        CREATE FUNCTION access_log_entry_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'access_log_entry is append-only';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        """
        CREATE TRIGGER access_log_entry_append_only
        BEFORE UPDATE OR DELETE ON access_log_entry
        FOR EACH ROW EXECUTE FUNCTION access_log_entry_append_only()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER access_log_entry_no_update")
        op.execute("DROP TRIGGER access_log_entry_no_delete")
        return
    op.execute("DROP TRIGGER access_log_entry_append_only ON access_log_entry")
    op.execute("DROP FUNCTION access_log_entry_append_only()")
