"""Office contacts, interactions with offices, letters sent by e-mail (with the outbox's attachments).

Revision ID: h18_contacts_sending
Revises: h11_letter_standing
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "h18_contacts_sending"
down_revision = "h11_letter_standing"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["mail_message.id"],
            name=op.f("fk_mail_attachment_message_id_mail_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attachment")),
    )
    op.create_index(op.f("ix_mail_attachment_message_id"), "mail_attachment", ["message_id"], unique=False)

    op.create_table(
        "office_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=24), nullable=False),
        sa.Column("member_id", sa.String(length=10), nullable=True),
        sa.Column("committee_id", sa.String(length=10), nullable=True),
        sa.Column("side", sa.String(length=10), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("(member_id IS NULL) <> (committee_id IS NULL)", name=op.f("ck_office_contact_one_office")),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.thomas_id"],
            name=op.f("fk_office_contact_committee_id_committee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.bioguide_id"], name=op.f("fk_office_contact_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_contact")),
        sa.UniqueConstraint("office", "name_key", name=op.f("uq_office_contact_office_name_key")),
    )
    op.create_index(op.f("ix_office_contact_committee_id"), "office_contact", ["committee_id"], unique=False)
    op.create_index(op.f("ix_office_contact_member_id"), "office_contact", ["member_id"], unique=False)
    op.create_index(op.f("ix_office_contact_office"), "office_contact", ["office"], unique=False)

    op.create_table(
        "interaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=24), nullable=False),
        sa.Column("member_id", sa.String(length=10), nullable=True),
        sa.Column("committee_id", sa.String(length=10), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("bill_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_done_at", sa.DateTime(), nullable=True),
        sa.Column("fulfilled_at", sa.DateTime(), nullable=True),
        sa.Column("fulfilled_event_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_interaction_campaign_id_campaign"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["bill_id"], ["bill.id"], name=op.f("fk_interaction_bill_id_bill"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.thomas_id"],
            name=op.f("fk_interaction_committee_id_committee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fulfilled_event_id"],
            ["event.id"],
            name=op.f("fk_interaction_fulfilled_event_id_event"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.bioguide_id"], name=op.f("fk_interaction_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction")),
    )
    op.create_index(op.f("ix_interaction_campaign_id"), "interaction", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_interaction_committee_id"), "interaction", ["committee_id"], unique=False)
    op.create_index(op.f("ix_interaction_follow_up_on"), "interaction", ["follow_up_on"], unique=False)
    op.create_index(op.f("ix_interaction_member_id"), "interaction", ["member_id"], unique=False)
    op.create_index(op.f("ix_interaction_office"), "interaction", ["office"], unique=False)

    op.create_table(
        "letter_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("mail_message_id", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["letter_batch.id"], name=op.f("fk_letter_email_batch_id_letter_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["office_contact.id"],
            name=op.f("fk_letter_email_contact_id_office_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_letter_email_letter_id_letter"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["mail_message_id"],
            ["mail_message.id"],
            name=op.f("fk_letter_email_mail_message_id_mail_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_email")),
        sa.UniqueConstraint("letter_id", name=op.f("uq_letter_email_letter_id")),
        sa.UniqueConstraint("mail_message_id", name=op.f("uq_letter_email_mail_message_id")),
    )
    op.create_index(op.f("ix_letter_email_batch_id"), "letter_email", ["batch_id"], unique=False)
    op.create_index(op.f("ix_letter_email_contact_id"), "letter_email", ["contact_id"], unique=False)
    op.create_index(op.f("ix_letter_email_status"), "letter_email", ["status"], unique=False)


def downgrade():
    op.drop_table("letter_email")
    op.drop_table("interaction")
    op.drop_table("office_contact")
    op.drop_table("mail_attachment")
