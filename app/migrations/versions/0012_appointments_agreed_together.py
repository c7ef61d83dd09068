"""Times agreed together: what care says about a time (video link, who comes, interpreter,
how to prepare), care's changes and cancellations, the iCalendar sequence, the patient's answer
waiting on the team's work list, and each unit's reminder lead time

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_url", sa.String(500), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("attendees", sa.String(300), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("interpreter_booked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("preparation", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("care_note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("cancelled_by_care", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("offered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("accepted_at", app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("handled_at", app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("handled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_appointment_offered_by_id_practitioner"),
            "practitioner",
            ["offered_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_appointment_handled_by_id_practitioner"),
            "practitioner",
            ["handled_by_id"],
            ["id"],
        )
    with op.batch_alter_table("care_unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_working_days", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("care_unit", schema=None) as batch_op:
        batch_op.drop_column("reminder_working_days")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appointment_handled_by_id_practitioner"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_appointment_offered_by_id_practitioner"), type_="foreignkey"
        )
        for column in (
            "updated_at", "handled_by_id", "handled_at", "due_on", "accepted_at", "sequence",
            "offered_by_id", "cancelled_by_care", "care_note", "preparation",
            "interpreter_booked", "attendees", "meeting_url",
        ):  # fmt: skip
            batch_op.drop_column(column)
