"""City endorsements: invitations, endorsement tokens, verification codes, campaign contact.

Revision ID: c5_endorsements
Revises: 1e22e36e9736
Create Date: 2026-07-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c5_endorsements"
down_revision = "1e22e36e9736"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_email", sa.String(length=254), nullable=True))

    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification_code", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_endorsement_verification_code"), ["verification_code"])

    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("send_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("endorsement_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_invitation_campaign_id_campaign"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["city_id"], ["city.id"], name=op.f("fk_invitation_city_id_city"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["endorsement_id"],
            ["endorsement.id"],
            name=op.f("fk_invitation_endorsement_id_endorsement"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitation_city_id"), ["city_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitation_status"), ["status"], unique=False)

    op.create_table(
        "endorsement_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endorsement_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["endorsement_id"],
            ["endorsement.id"],
            name=op.f("fk_endorsement_token_endorsement_id_endorsement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsement_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_endorsement_token_token_hash")),
    )
    with op.batch_alter_table("endorsement_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_endorsement_token_endorsement_id"), ["endorsement_id"], unique=False)


def downgrade():
    with op.batch_alter_table("endorsement_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_endorsement_token_endorsement_id"))
    op.drop_table("endorsement_token")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_status"))
        batch_op.drop_index(batch_op.f("ix_invitation_city_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_campaign_id"))
    op.drop_table("invitation")
    with op.batch_alter_table("endorsement", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_endorsement_verification_code"), type_="unique")
        batch_op.drop_column("verification_code")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("contact_email")
