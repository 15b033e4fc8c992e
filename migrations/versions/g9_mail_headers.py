"""Extra mail headers (List-Unsubscribe on alert e-mails); claimed_at for the outbox's claim before sending.

Revision ID: g9_mail_headers
Revises: 883c906b9833
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "g9_mail_headers"
down_revision = "883c906b9833"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("headers")
