"""Keep the ID token of an OIDC sign-in, to end the provider's session at sign-out.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("id_token", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("id_token")
