"""Bill text versions parsed into sections, and when each bill's texts were last listed.

Revision ID: h16_bill_texts
Revises: h18_contacts_sending
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "h16_bill_texts"
down_revision = "h18_contacts_sending"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bill_text_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("version_key", sa.String(length=120), nullable=False),
        sa.Column("version_type", sa.String(length=120), nullable=False),
        sa.Column("version_date", sa.Date(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("source_format", sa.String(length=20), nullable=False),
        sa.Column("pdf_url", sa.Text(), nullable=True),
        sa.Column("official_title", sa.Text(), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bill.id"], name=op.f("fk_bill_text_version_bill_id_bill"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bill_text_version")),
        sa.UniqueConstraint("bill_id", "version_key", name=op.f("uq_bill_text_version_bill_id_version_key")),
    )
    with op.batch_alter_table("bill_text_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bill_text_version_bill_id"), ["bill_id"], unique=False)

    op.create_table(
        "bill_text_check",
        sa.Column("bill_id", sa.Integer(), nullable=False),
        sa.Column("bill_update_date", sa.String(length=40), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bill.id"], name=op.f("fk_bill_text_check_bill_id_bill"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("bill_id", name=op.f("pk_bill_text_check")),
    )


def downgrade():
    op.drop_table("bill_text_check")
    with op.batch_alter_table("bill_text_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bill_text_version_bill_id"))
    op.drop_table("bill_text_version")
