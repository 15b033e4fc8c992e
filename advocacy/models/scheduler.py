"""The schedule's bookkeeping: the lease that lets one process schedule, and the record of each scheduled run.

Several processes may run the scheduler (two gunicorn workers with `make run`-style in-process scheduling, a
`flask worker`); only the holder of the unexpired lease fires jobs. Each job's row in `scheduled_job` is also
claimed with a conditional UPDATE before a run, so even two holders during a lease hand-over run a job once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.models.base import Base, utcnow

# Run states.
RUNNING = "running"
OK = "ok"
FAILED = "failed"


class SchedulerLease(Base):
    """Who schedules: one row per lease name, held until `expires_at` and renewed by its holder."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class ScheduledJob(Base):
    """One scheduled job (sync, alerts, digest, retries, expiry): its last run, shown on the dashboard."""

    __tablename__ = "scheduled_job"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[str | None] = mapped_column(String(10))
    last_summary: Mapped[str | None] = mapped_column(String(500))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ScheduledRun(Base):
    """The history of scheduled runs: which process ran which job when, and how it ended."""

    __tablename__ = "scheduled_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(ForeignKey("scheduled_job.name", ondelete="CASCADE"), index=True)
    holder: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(10), default=RUNNING)
    summary: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)


__all__ = ["FAILED", "OK", "RUNNING", "ScheduledJob", "ScheduledRun", "SchedulerLease"]
