"""The self-care diary: what a self-care activity records, the plan's rules for when a value
calls for action, the recorded values, and the rules met

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:43:48.448685
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('diary_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('weight', 'glucose', 'blood_pressure', 'symptom', 'done', name='measurekind', native_enum=False, length=20), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=False),
    sa.Column('time_of_day', sa.String(length=5), nullable=False),
    sa.Column('low', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('high', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('remind_at', sa.String(length=5), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_diary_measure_activity_id_activity')),
    sa.ForeignKeyConstraint(['created_by_id'], ['practitioner.id'], name=op.f('fk_diary_measure_created_by_id_practitioner')),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], name=op.f('fk_diary_measure_plan_id_care_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_measure')),
    sa.UniqueConstraint('activity_id', name=op.f('uq_diary_measure_activity_id'))
    )
    with op.batch_alter_table('diary_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_measure_plan_id'), ['plan_id'], unique=False)

    op.create_table('diary_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('second_value', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=True),
    sa.Column('recorded_for', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['diary_measure.id'], name=op.f('fk_diary_entry_measure_id_diary_measure')),
    sa.ForeignKeyConstraint(['patient_id'], ['person.id'], name=op.f('fk_diary_entry_patient_id_person')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_diary_entry_recorded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_entry')),
    sa.UniqueConstraint('patient_id', 'client_key', name=op.f('uq_diary_entry_patient_id'))
    )
    with op.batch_alter_table('diary_entry', schema=None) as batch_op:
        batch_op.create_index('ix_diary_entry_measure_at', ['measure_id', 'recorded_for'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_entry_patient_id'), ['patient_id'], unique=False)

    op.create_table('diary_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('rise', 'below', 'above', name='rulekind', native_enum=False, length=20), nullable=False),
    sa.Column('threshold', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=True),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['diary_measure.id'], name=op.f('fk_diary_rule_measure_id_diary_measure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_rule'))
    )
    with op.batch_alter_table('diary_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_rule_measure_id'), ['measure_id'], unique=False)

    op.create_table('diary_rule_hit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['diary_entry.id'], name=op.f('fk_diary_rule_hit_entry_id_diary_entry')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['practitioner.id'], name=op.f('fk_diary_rule_hit_handled_by_id_practitioner')),
    sa.ForeignKeyConstraint(['patient_id'], ['person.id'], name=op.f('fk_diary_rule_hit_patient_id_person')),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], name=op.f('fk_diary_rule_hit_plan_id_care_plan')),
    sa.ForeignKeyConstraint(['rule_id'], ['diary_rule.id'], name=op.f('fk_diary_rule_hit_rule_id_diary_rule')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diary_rule_hit')),
    sa.UniqueConstraint('rule_id', 'entry_id', name=op.f('uq_diary_rule_hit_rule_id'))
    )
    with op.batch_alter_table('diary_rule_hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_rule_hit_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_rule_hit_plan_id'), ['plan_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('diary_rule_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_rule_hit_plan_id'))
        batch_op.drop_index(batch_op.f('ix_diary_rule_hit_patient_id'))

    op.drop_table('diary_rule_hit')
    with op.batch_alter_table('diary_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_rule_measure_id'))

    op.drop_table('diary_rule')
    with op.batch_alter_table('diary_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_entry_patient_id'))
        batch_op.drop_index('ix_diary_entry_measure_at')

    op.drop_table('diary_entry')
    with op.batch_alter_table('diary_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_measure_plan_id'))

    op.drop_table('diary_measure')
