"""The official record, exactly: every copy of an action (and room for older records' long action types),
subcommittees, deferral and the kind of sync error.

Revision ID: h13_official_record
Revises: h12_census_districts
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "h13_official_record"
down_revision = "h12_census_districts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bill", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sync_error_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("sync_deferred_until", sa.DateTime(), nullable=True))
    with op.batch_alter_table("bill_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_as", sa.JSON(), nullable=True))
        batch_op.alter_column(
            "action_type", existing_type=sa.String(length=40), type_=sa.String(length=120), existing_nullable=True
        )
    with op.batch_alter_table("bill_committee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_code", sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table("bill_committee", schema=None) as batch_op:
        batch_op.drop_column("parent_code")
    with op.batch_alter_table("bill_action", schema=None) as batch_op:
        batch_op.alter_column(
            "action_type", existing_type=sa.String(length=120), type_=sa.String(length=40), existing_nullable=True
        )
        batch_op.drop_column("reported_as")
    with op.batch_alter_table("bill", schema=None) as batch_op:
        batch_op.drop_column("sync_deferred_until")
        batch_op.drop_column("sync_error_kind")
