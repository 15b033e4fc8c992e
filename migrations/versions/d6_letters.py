"""Letters: template versions and logos, batch progress and options, letter recipients, delivery log.

Revision ID: d6_letters
Revises: 1e22e36e9736
Create Date: 2026-07-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d6_letters"
down_revision = "1e22e36e9736"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letter_template", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_format", sa.String(length=10), server_default="markdown", nullable=False))
        batch_op.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("logo_mime", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))

    op.create_table(
        "letter_template_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("re_line", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_format", sa.String(length=10), nullable=False),
        sa.Column("closing", sa.String(length=200), nullable=False),
        sa.Column("signature_block", sa.Text(), nullable=False),
        sa.Column("letterhead_name", sa.String(length=200), nullable=False),
        sa.Column("letterhead_address", sa.Text(), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_mime", sa.String(length=40), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["letter_template.id"],
            name=op.f("fk_letter_template_version_template_id_letter_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_template_version")),
        sa.UniqueConstraint("template_id", "number", name=op.f("uq_letter_template_version_template_id_number")),
    )
    with op.batch_alter_table("letter_template_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_template_version_template_id"), ["template_id"], unique=False)

    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("joint", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("letter_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("settled", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("job_ids", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("merged_pages", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_letter_batch_template_version_id"), ["template_version_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_letter_batch_template_version_id_letter_template_version"),
            "letter_template_version",
            ["template_version_id"],
            ["id"],
        )

    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("member_ids", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("template_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_letter_template_version_id_letter_template_version"),
            "letter_template_version",
            ["template_version_id"],
            ["id"],
        )

    op.create_table(
        "letter_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_letter_delivery_letter_id_letter"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_delivery")),
    )
    with op.batch_alter_table("letter_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_delivery_letter_id"), ["letter_id"], unique=False)


def downgrade():
    with op.batch_alter_table("letter_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_delivery_letter_id"))
    op.drop_table("letter_delivery")
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_letter_template_version_id_letter_template_version"), type_="foreignkey"
        )
        batch_op.drop_column("template_version_id")
        batch_op.drop_column("member_ids")
        batch_op.drop_column("position")
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_letter_batch_template_version_id_letter_template_version"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_letter_batch_template_version_id"))
        batch_op.drop_column("merged_pages")
        batch_op.drop_column("job_ids")
        batch_op.drop_column("settled")
        batch_op.drop_column("letter_date")
        batch_op.drop_column("joint")
        batch_op.drop_column("template_version_id")
    with op.batch_alter_table("letter_template_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_template_version_template_id"))
    op.drop_table("letter_template_version")
    with op.batch_alter_table("letter_template", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("logo_mime")
        batch_op.drop_column("logo")
        batch_op.drop_column("body_format")
