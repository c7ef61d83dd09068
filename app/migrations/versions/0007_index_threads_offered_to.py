"""Index threads by whom they are offered to

The staff inbox ("assigned to me") asks for threads assigned *or* offered to the practitioner;
without an index on offered_to_id PostgreSQL scans every thread of the region.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.create_index('ix_thread_offered_status', ['offered_to_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_offered_status')
