"""Legal representatives from a decision: its date, authority and reason; a colleague's
confirmation before it takes effect; who ended it and why; the patient's objections

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('proxy_grant', schema=None) as batch_op:
        # NULL: registered, waiting for a colleague's confirmation (no access until then).
        batch_op.alter_column(
            'valid_from', existing_type=sa.DateTime(timezone=True), nullable=True
        )
        batch_op.add_column(sa.Column('confirmed_by_practitioner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decision_date', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                'decision_authority',
                sa.Enum('tingsratt', 'overformyndare', name='decisionauthority', native_enum=False, length=30),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_practitioner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_proxy_grant_confirmed_by_practitioner_id_practitioner'),
            'practitioner', ['confirmed_by_practitioner_id'], ['id'],
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_proxy_grant_revoked_by_practitioner_id_practitioner'),
            'practitioner', ['revoked_by_practitioner_id'], ['id'],
        )
    op.create_table(
        'representative_objection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('grant_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['grant_id'], ['proxy_grant.id'], name=op.f('fk_representative_objection_grant_id_proxy_grant')),
        sa.ForeignKeyConstraint(['patient_id'], ['person.id'], name=op.f('fk_representative_objection_patient_id_person')),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_representative_objection_thread_id_thread')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_representative_objection')),
    )
    with op.batch_alter_table('representative_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_representative_objection_grant_id'), ['grant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('representative_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_representative_objection_grant_id'))
    op.drop_table('representative_objection')
    # A registration nobody confirmed must not come into force under the older schema, which
    # has no "not yet": it is ended at the moment it was registered.
    op.execute(
        "UPDATE proxy_grant SET valid_from = created_at, revoked_at = created_at "
        "WHERE valid_from IS NULL"
    )
    with op.batch_alter_table('proxy_grant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proxy_grant_revoked_by_practitioner_id_practitioner'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_proxy_grant_confirmed_by_practitioner_id_practitioner'), type_='foreignkey')
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('revoked_by_practitioner_id')
        batch_op.drop_column('reason')
        batch_op.drop_column('decision_authority')
        batch_op.drop_column('decision_date')
        batch_op.drop_column('confirmed_by_practitioner_id')
        batch_op.alter_column(
            'valid_from', existing_type=sa.DateTime(timezone=True), nullable=False
        )
