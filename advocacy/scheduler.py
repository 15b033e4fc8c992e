"""The schedule: work that happens by itself (bill syncs, alerts, the daily digest, retries, link expiry).

APScheduler (3.x) fires the jobs; this module adds what it lacks for several processes on one database:

- a lease in the database (`scheduler_lease`): every process may run a scheduler, but only the holder of the
  unexpired lease fires jobs. The holder renews it every third of `SCHEDULER_LEASE_SECONDS`; when it stops
  (or dies), another process takes over once the lease has expired;
- a claim per run (`scheduled_job`): before running, a job's row is updated only if its last start is older
  than half the job's period, so even two lease holders during a hand-over run each scheduled run once;
- a record of every run (`scheduled_run`), shown on the dashboard and the health page.

`flask worker` runs it as one foreground process (production); `make run` starts it inside the development
server (`SCHEDULER_IN_PROCESS`). The jobs call the features' own services. Each step is a unit of work of its
own (advocacy.uow): a renewal of the lease, the claim of a run (committed before the job starts, so that other
processes see it), the job itself (rolled back if it raises) and the record of how it ended.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import CursorResult, case, or_, select, update
from sqlalchemy.exc import IntegrityError

from advocacy.extensions import db
from advocacy.models.base import utcnow
from advocacy.models.scheduler import FAILED, OK, RUNNING, ScheduledJob, ScheduledRun, SchedulerLease
from advocacy.uow import in_unit_of_work, unit_of_work

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


class ScheduleError(ValueError):
    """A schedule setting that is neither a crontab line nor "every N s|m|h"."""


class JobFailed(RuntimeError):
    """A scheduled job ran but did not do all of its work (e.g. some bills failed to sync)."""


# --- the jobs --------------------------------------------------------------------------------------------------


def _sync_bills(app: Flask) -> str:
    from advocacy.bills.queries import tracked_citations
    from advocacy.bills.sync import sync_enabled, sync_many

    if not sync_enabled():
        return "skipped: syncing is off (no CONGRESS_API_KEY)"
    results = sync_many(tracked_citations(), actor="schedule")
    failed = [r for r in results if r.status == "failed"]
    line = f"{len(results)} bill(s) synced, {len(failed)} failed"
    if failed:
        raise JobFailed(f"{line}: " + "; ".join(r.line() for r in failed)[:900])
    return line


def _alerts(app: Flask) -> str:
    from advocacy.alerts.services import run_alerts, summary

    run = run_alerts()
    if run.error:
        raise JobFailed(summary(run))
    return summary(run)


def _retries(app: Flask) -> str:
    from advocacy.alerts import webhooks
    from advocacy.mail import deliver_pending

    sent, failed = deliver_pending(limit=500)
    delivered, hook_failed = webhooks.deliver_due()
    mail = f"mail: {sent} sent, {failed} failed" if app.config.get("MAIL_SERVER") else "mail: no MAIL_SERVER"
    return f"{mail}; webhooks: {delivered} delivered, {hook_failed} failed"


def _expire(app: Flask) -> str:
    from advocacy.endorsements.services import expire_stale

    return expire_stale().line()


def _recovery(app: Flask) -> str:
    from advocacy.jobs import recover_expired_work

    done = recover_expired_work(app)
    if done is None:  # the app was given no recovery (advocacy.jobs.init_app)
        return "skipped: no recovery configured"
    return (
        f"letters: {done.requeued} requeued, {done.failed} failed, {done.cancelled} cancelled; "
        f"batches: {len(done.resumed)} resumed, {len(done.finishing)} sent to finish"
    )


@dataclass(frozen=True)
class ScheduledTask:
    """A job of the schedule: its name (the row in scheduled_job), label, setting and function."""

    name: str
    label: str
    setting: str
    run: Callable[[Flask], str]


TASKS: tuple[ScheduledTask, ...] = (
    ScheduledTask("bills_sync", "Sync of tracked bills", "SCHEDULE_BILLS_SYNC", _sync_bills),
    ScheduledTask("alerts", "Alerts, webhooks and due digests", "SCHEDULE_ALERTS", _alerts),
    ScheduledTask("digest", "Daily digest", "SCHEDULE_DIGEST", _alerts),
    ScheduledTask("retries", "Retries of failed mail and webhooks", "SCHEDULE_RETRIES", _retries),
    ScheduledTask("expiry", "Expiry of stale signing links", "SCHEDULE_EXPIRY", _expire),
    ScheduledTask("recovery", "Recovery of letter work a crash left behind", "SCHEDULE_RECOVERY", _recovery),
)
TASKS_BY_NAME = {task.name: task for task in TASKS}

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}


def parse_schedule(text: str) -> BaseTrigger:
    """A trigger from a setting: a crontab line ("0 * * * *", UTC) or "every 30 s" / "every 5 m" / "every 1 h"."""
    value = (text or "").strip()
    parts = value.replace("every", "", 1).split() if value.startswith("every") else None
    if parts is not None:
        number, unit = (parts[0][:-1], parts[0][-1]) if len(parts) == 1 else (parts[0], parts[1][:1])
        if not number.isdigit() or int(number) < 1 or unit not in _UNITS:
            raise ScheduleError(f"{text!r}: expected e.g. 'every 30 s', 'every 5 m' or 'every 1 h'")
        return IntervalTrigger(timezone=UTC, **{_UNITS[unit]: int(number)})
    try:
        return CronTrigger.from_crontab(value, timezone=UTC)
    except ValueError as exc:
        raise ScheduleError(f"{text!r} is not a crontab line (minute hour day month weekday): {exc}") from exc


def describe_schedule(text: str) -> str:
    """A schedule setting in words for the dashboard ("hourly at :07", "every 5 minutes", "daily at 13:01 UTC")."""
    value = (text or "").strip()
    if value.startswith("every"):
        return value
    parts = value.split()
    if len(parts) == 5 and parts[2:] == ["*", "*", "*"]:
        minute, hour = parts[0], parts[1]
        if minute.isdigit() and hour == "*":
            return f"hourly at :{int(minute):02d}"
        if minute.startswith("*/") and minute[2:].isdigit() and hour == "*":
            return f"every {int(minute[2:])} minutes"
        if minute.isdigit() and hour.isdigit():
            return f"daily at {int(hour):02d}:{int(minute):02d} UTC"
    return f"cron {value} (UTC)"


def period_of(trigger: BaseTrigger, now: datetime | None = None) -> timedelta:
    """The time between two consecutive firings from now (the daily digest: a day; hourly sync: an hour)."""
    now = now or datetime.now(UTC)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1))
    return (second - first) if first and second else timedelta(0)


def schedules(app: Flask) -> dict[str, BaseTrigger]:
    """Each task's trigger from the configuration (raises ScheduleError for a bad setting)."""
    return {task.name: parse_schedule(app.config[task.setting]) for task in TASKS}


# --- the lease and the run records (each step its own unit of work: other processes must see it at once) -----


def new_holder() -> str:
    """An identity for this process's scheduler: host, pid and a random suffix (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:120]


def _rowcount(statement: Any) -> int:
    return cast(CursorResult[Any], db.session.execute(statement.execution_options(synchronize_session=False))).rowcount


def hold_lease(holder: str, seconds: float, now: datetime | None = None) -> bool:
    """Take or renew the lease for `seconds`; False when another process holds an unexpired one. Committed."""
    now = now or utcnow()
    until = now + timedelta(seconds=seconds)
    with unit_of_work():
        renewed = _rowcount(
            update(SchedulerLease)
            .where(
                SchedulerLease.name == LEASE_NAME,
                or_(SchedulerLease.holder == holder, SchedulerLease.expires_at <= now),
            )
            .values(
                holder=holder,
                expires_at=until,
                acquired_at=case((SchedulerLease.holder == holder, SchedulerLease.acquired_at), else_=now),
            )
        )
        if renewed or db.session.get(SchedulerLease, LEASE_NAME) is not None:
            return bool(renewed)
    try:  # no lease row yet: the first process to insert it holds it
        with unit_of_work():
            db.session.add(SchedulerLease(name=LEASE_NAME, holder=holder, acquired_at=now, expires_at=until))
    except IntegrityError:  # another process inserted it first (the unit rolled back)
        return False
    return True


def release_lease(holder: str) -> None:
    """Give the lease up at shutdown so that another process takes over at once. Committed."""
    with unit_of_work():
        _rowcount(
            update(SchedulerLease)
            .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
            .values(expires_at=utcnow())
        )


def _claim(name: str, holder: str, now: datetime, min_gap: timedelta) -> int | None:
    """Start a run of `name` (committed) and return its id, unless one started less than `min_gap` ago (another
    process ran this firing)."""
    if db.session.get(ScheduledJob, name) is None:
        try:
            with unit_of_work():
                db.session.add(ScheduledJob(name=name, runs=0))
        except IntegrityError:  # another process added the row first: claim it below like any other
            pass
    with unit_of_work():
        claimed = _rowcount(
            update(ScheduledJob)
            .where(
                ScheduledJob.name == name,
                or_(ScheduledJob.last_started_at.is_(None), ScheduledJob.last_started_at <= now - min_gap),
            )
            .values(last_started_at=now, last_status=RUNNING, runs=ScheduledJob.runs + 1)
        )
        if not claimed:
            return None
        run = ScheduledRun(job_name=name, holder=holder, started_at=now, status=RUNNING)
        db.session.add(run)
        db.session.flush()
        return run.id


def _record(run_id: int, name: str, status: str, summary: str | None, error: str | None) -> ScheduledRun:
    """Write how the run ended on the run and on its job's row."""
    finished = utcnow()
    run = db.session.get_one(ScheduledRun, run_id)
    run.status, run.summary, run.error, run.finished_at = status, (summary or "")[:500] or None, error, finished
    job = db.session.get_one(ScheduledJob, name)
    job.last_status, job.last_finished_at = status, finished
    job.last_summary, job.last_error = run.summary, error
    if status == FAILED:
        job.last_failed_at = finished
    return run


def run_task(app: Flask, name: str, holder: str, *, min_gap: timedelta = timedelta(0)) -> ScheduledRun | None:
    """Run one scheduled job now (claimed first) and record how it ended; None when another process had it.

    Called in an application context, outside a unit of work: the claim, the job and the record are a unit of
    work each, so that the claim is committed before the job starts and a failing job's writes are rolled back
    while its record is kept. A failing job is recorded (and logged), never raised: the schedule goes on.
    """
    if in_unit_of_work():
        raise RuntimeError("run_task opens its own units of work: call it outside one (in an app context of its own)")
    task = TASKS_BY_NAME[name]
    run_id = _claim(name, holder, utcnow(), min_gap)
    if run_id is None:
        return None
    status, summary, error = OK, None, None
    try:
        with unit_of_work():
            summary = task.run(app)
    except Exception as exc:  # the record says what failed; the next firing tries again
        status, error = FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        logger.exception("scheduled job %s failed", name)
    with unit_of_work():
        run = _record(run_id, name, status, summary, error)
    logger.info("scheduled job %s: %s", name, error or summary)
    return run


# --- the scheduler process -------------------------------------------------------------------------------------


class Scheduler:
    """APScheduler with the lease: fires each task on its trigger in the process that holds the lease."""

    def __init__(self, app: Flask, *, blocking: bool = False):
        self.app = app
        self.holder = new_holder()
        self.lease_seconds = float(app.config.get("SCHEDULER_LEASE_SECONDS", 60))
        self.leader = False
        self._periods: dict[str, timedelta] = {}
        scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
        self.apscheduler: BaseScheduler = scheduler_class(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=len(TASKS) + 1)},
            # A firing missed while the process was busy or down runs once when it can (coalesced), not N times.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        for name, trigger in schedules(app).items():
            self._periods[name] = period_of(trigger)
            self.apscheduler.add_job(self._fire, trigger, args=[name], id=name, name=TASKS_BY_NAME[name].label)
        self.apscheduler.add_job(
            self._renew,
            IntervalTrigger(seconds=max(1.0, self.lease_seconds / 3), timezone=UTC),
            id="lease",
            next_run_time=datetime.now(UTC),
        )

    def _renew(self) -> bool:
        with self.app.app_context():
            try:
                leader = hold_lease(self.holder, self.lease_seconds)
            except Exception:  # the database is unreachable: stop firing until it answers again (rolled back)
                logger.exception("scheduler %s could not renew its lease", self.holder)
                leader = False
            finally:
                db.session.remove()
        if leader != self.leader:
            logger.info("scheduler %s %s", self.holder, "holds the lease" if leader else "is standing by")
        self.leader = leader
        return leader

    def _fire(self, name: str) -> None:
        if not self._renew():
            return
        with self.app.app_context():
            try:
                run_task(self.app, name, self.holder, min_gap=self._periods[name] / 2)
            finally:
                db.session.remove()

    def start(self) -> None:
        """Start in the background (BackgroundScheduler) or block until shutdown (BlockingScheduler)."""
        logger.info(
            "scheduler %s starting (%s)",
            self.holder,
            ", ".join(f"{t.name}: {self.app.config[t.setting]}" for t in TASKS),
        )
        self.apscheduler.start()

    def shutdown(self) -> None:
        """Stop firing and give the lease up (idempotent)."""
        if self.apscheduler.running:
            self.apscheduler.shutdown(wait=False)
        with self.app.app_context():
            try:
                release_lease(self.holder)
            except Exception:  # shutting down: the lease simply expires
                logger.warning("scheduler %s could not release its lease", self.holder)
            finally:
                db.session.remove()


def exit_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (`make run` killed): no orphan is left."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: Ctrl+C still stops the whole process group
        pass


def _exit_normally(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def stop_on_sigterm() -> None:
    """Turn SIGTERM (a plain `kill`) into a normal exit, so that atexit hooks stop the scheduler and the pool."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_normally)


_in_process: Scheduler | None = None


def start_in_process(app: Flask) -> Scheduler | None:
    """The development schedule inside the web server process (`make run`), stopped at exit."""
    global _in_process
    if multiprocessing.parent_process() is not None:  # a job-pool worker inherits the environment: not here
        return None
    if _in_process is None:
        _in_process = Scheduler(app)
        _in_process.start()
        atexit.register(_in_process.shutdown)
    return _in_process


def overview(app: Flask, now: datetime | None = None) -> dict[str, Any]:
    """What the dashboard and the health page show: who schedules, and each job's last and next run."""
    now = now or utcnow()
    jobs = {job.name: job for job in db.session.scalars(select(ScheduledJob))}
    lease = db.session.get(SchedulerLease, LEASE_NAME)
    rows: list[dict[str, Any]] = []
    for task in TASKS:
        try:
            trigger = parse_schedule(app.config[task.setting])
            upcoming = trigger.get_next_fire_time(None, now.replace(tzinfo=UTC))
        except ScheduleError:
            upcoming = None
        rows.append(
            {
                "task": task,
                "schedule": describe_schedule(app.config[task.setting]),
                "job": jobs.get(task.name),
                "next": upcoming.replace(tzinfo=None) if upcoming else None,
            }
        )
    return {"jobs": rows, "lease": lease, "active": lease is not None and lease.expires_at > now}
