"""Account lockout after repeated failed log-ins.

Revision ID: f8_security
Revises: 1e22e36e9736
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "f8_security"
down_revision = "1e22e36e9736"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
