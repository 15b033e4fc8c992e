"""The scheduler: its lease (one process schedules) and the record of each scheduled job and run.

Revision ID: h15_scheduler
Revises: h17_sessions_leases
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "h15_scheduler"
down_revision = "h17_sessions_leases"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    op.create_table(
        "scheduled_job",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_started_at", sa.DateTime(), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_status", sa.String(length=10), nullable=True),
        sa.Column("last_summary", sa.String(length=500), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_failed_at", sa.DateTime(), nullable=True),
        sa.Column("runs", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduled_job")),
    )
    op.create_table(
        "scheduled_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_name"],
            ["scheduled_job.name"],
            name=op.f("fk_scheduled_run_job_name_scheduled_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_run")),
    )
    with op.batch_alter_table("scheduled_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scheduled_run_job_name"), ["job_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_scheduled_run_started_at"), ["started_at"], unique=False)


def downgrade():
    with op.batch_alter_table("scheduled_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_run_started_at"))
        batch_op.drop_index(batch_op.f("ix_scheduled_run_job_name"))
    op.drop_table("scheduled_run")
    op.drop_table("scheduled_job")
    op.drop_table("scheduler_lease")
