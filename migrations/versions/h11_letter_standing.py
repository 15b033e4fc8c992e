"""Letters a Hill office can trust: per-campaign asks per segment, committee offices, sample batches, the preview
kept with each letter (standing, ask, local cities), its own pages before the shared signatories part, and the batch's
notes (vacant seats).

Revision ID: h11_letter_standing
Revises: h15_scheduler
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "h11_letter_standing"
down_revision = "h15_scheduler"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter_asks", sa.JSON(), nullable=True))
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=300), nullable=True))
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("include_samples", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("notes", sa.JSON(), nullable=True))
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("standing", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("ask", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("local_cities", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("own_pages", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_column("own_pages")
        batch_op.drop_column("local_cities")
        batch_op.drop_column("ask")
        batch_op.drop_column("standing")
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.drop_column("notes")
        batch_op.drop_column("include_samples")
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.drop_column("address")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("letter_asks")
