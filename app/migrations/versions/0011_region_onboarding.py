"""A region can start: the directory's HSA-ids, roles and deactivation (with its change log),
stated care relationships, confirmed contact addresses and notification choices, and patients'
requests

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('email', 'mobile', name='contactkind', native_enum=False, length=10), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_contact_confirmation_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_confirmation'))
    )
    with op.batch_alter_table('contact_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_confirmation_person_id'), ['person_id'], unique=False)

    op.create_table('care_relationship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('visit', 'referral', 'admission', 'request', 'other', name='relationshipreason', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['person.id'], name=op.f('fk_care_relationship_patient_id_person')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], name=op.f('fk_care_relationship_practitioner_id_practitioner')),
    sa.ForeignKeyConstraint(['unit_id'], ['care_unit.id'], name=op.f('fk_care_relationship_unit_id_care_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_relationship'))
    )
    with op.batch_alter_table('care_relationship', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_relationship_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_care_relationship_practitioner_patient', ['practitioner_id', 'patient_id'], unique=False)

    op.create_table('care_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('care_plan', 'sip', 'new_contact', name='requestkind', native_enum=False, length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('made_by_person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'answered', 'withdrawn', name='requeststatus', native_enum=False, length=20), nullable=False),
    sa.Column('outcome', sa.Enum('yes', 'no', 'elsewhere', name='requestoutcome', native_enum=False, length=20), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_practitioner_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_practitioner_id'], ['practitioner.id'], name=op.f('fk_care_request_answered_by_practitioner_id_practitioner')),
    sa.ForeignKeyConstraint(['made_by_person_id'], ['person.id'], name=op.f('fk_care_request_made_by_person_id_person')),
    sa.ForeignKeyConstraint(['patient_id'], ['person.id'], name=op.f('fk_care_request_patient_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['care_unit.id'], name=op.f('fk_care_request_unit_id_care_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_request'))
    )
    with op.batch_alter_table('care_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_request_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_care_request_unit_status', ['unit_id', 'status'], unique=False)

    op.create_table('directory_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by_practitioner_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['by_practitioner_id'], ['practitioner.id'], name=op.f('fk_directory_change_by_practitioner_id_practitioner')),
    sa.ForeignKeyConstraint(['principal_id'], ['principal.id'], name=op.f('fk_directory_change_principal_id_principal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_change'))
    )
    with op.batch_alter_table('directory_change', schema=None) as batch_op:
        batch_op.create_index('ix_directory_change_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_change_principal_id'), ['principal_id'], unique=False)

    with op.batch_alter_table('care_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hsa_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_care_unit_hsa_id'), ['hsa_id'])

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_topics', sa.String(length=200), nullable=False, server_default='reply plan appointment reminder request'))
        batch_op.add_column(sa.Column('notify_channels', sa.String(length=60), nullable=False, server_default='email sms push'))
        batch_op.add_column(sa.Column('name_confirmed_at', app.db.UTCDateTime(timezone=True), nullable=True))
    # Everyone so far came in through the eID sign-in (or the demo world): their names are theirs.
    op.execute('UPDATE person SET name_confirmed_at = created_at')

    with op.batch_alter_table('practitioner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roles', sa.String(length=100), nullable=False, server_default='care'))
        batch_op.add_column(sa.Column('deactivated_at', app.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('principal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hsa_id', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_principal_hsa_id'), ['hsa_id'])

    # A thread whose care contact has left waits in the unit's queue, held by nobody.
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.alter_column('assigned_to_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Threads in a unit's queue go to the first person still at the unit (or any at all).
    op.execute(
        'UPDATE thread SET assigned_to_id = COALESCE('
        '(SELECT min(p.id) FROM practitioner p WHERE p.unit_id = thread.unit_id), '
        '(SELECT min(p.id) FROM practitioner p)) WHERE assigned_to_id IS NULL'
    )
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.alter_column('assigned_to_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('principal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_principal_hsa_id'), type_='unique')
        batch_op.drop_column('hsa_id')

    with op.batch_alter_table('practitioner', schema=None) as batch_op:
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('roles')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('name_confirmed_at')
        batch_op.drop_column('notify_channels')
        batch_op.drop_column('notify_topics')

    with op.batch_alter_table('care_unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_care_unit_hsa_id'), type_='unique')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('hsa_id')

    with op.batch_alter_table('directory_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_change_principal_id'))
        batch_op.drop_index('ix_directory_change_object')

    op.drop_table('directory_change')
    with op.batch_alter_table('care_request', schema=None) as batch_op:
        batch_op.drop_index('ix_care_request_unit_status')
        batch_op.drop_index(batch_op.f('ix_care_request_patient_id'))

    op.drop_table('care_request')
    with op.batch_alter_table('care_relationship', schema=None) as batch_op:
        batch_op.drop_index('ix_care_relationship_practitioner_patient')
        batch_op.drop_index(batch_op.f('ix_care_relationship_patient_id'))

    op.drop_table('care_relationship')
    with op.batch_alter_table('contact_confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_confirmation_person_id'))

    op.drop_table('contact_confirmation')
