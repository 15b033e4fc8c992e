"""Letter batches after a crash: find work whose lease has expired and put it back in hand.

A job that dies (the web server or an RQ worker killed, a worker process out of memory, a restart) leaves its
letters "rendering" or "queued" and its batch "running" for ever. Jobs renew leases as they go (see
advocacy.letters.tasks), so lost work is recognisable without knowing which process held it:

- a letter still "rendering" after its lease is queued again (or, after MAX_ATTEMPTS claims, marked failed with
  the reason, so that one letter that kills its worker every time cannot stall the batch; in a batch being
  cancelled it is marked cancelled);
- a batch whose lease has passed gets new jobs for its queued letters (claims are conditional, so a letter that
  an old job still reaches is never made twice), or is finished when nothing is left to make;
- a batch that died while writing its merged PDF and ZIP writes them again.

`recover_expired_work()` (advocacy.jobs) runs this at start-up and on the schedule; the batch page offers the
same for one batch ("Resume").
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update

from advocacy.extensions import db
from advocacy.jobs import JobRunner, PoolRunner, get_runner
from advocacy.letters.tasks import finalize_batch, lease_seconds, run_chunk
from advocacy.models.base import utcnow
from advocacy.models.letters import (
    BATCH_CANCELLING,
    BATCH_FINALIZING,
    BATCH_QUEUED,
    BATCH_RUNNING,
    LETTER_CANCELLED,
    LETTER_FAILED,
    LETTER_QUEUED,
    LETTER_RENDERING,
    Letter,
    LetterBatch,
)
from advocacy.uow import checkpoint, unit_of_work

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
UNFINISHED = (BATCH_QUEUED, BATCH_RUNNING, BATCH_CANCELLING, BATCH_FINALIZING)


@dataclass
class Recovery:
    """What a recovery pass did."""

    requeued: int = 0  # letters whose worker was lost, back in the queue
    failed: int = 0  # letters lost MAX_ATTEMPTS times, marked failed
    cancelled: int = 0  # lost letters of a batch being cancelled
    resumed: list[int] = field(default_factory=list)  # batches given new jobs
    finishing: list[int] = field(default_factory=list)  # batches sent to write their merged PDF and ZIP

    @property
    def anything(self) -> bool:
        return bool(self.requeued or self.failed or self.cancelled or self.resumed or self.finishing)


def _expired(column, now: datetime):
    return or_(column.is_(None), column < now)


def _release_lost_letters(batch: LetterBatch, now: datetime, result: Recovery) -> None:
    """Letters still rendering after their lease: queued again, failed after MAX_ATTEMPTS, or cancelled."""
    lost = db.session.execute(
        select(Letter.id, Letter.attempts).where(
            Letter.batch_id == batch.id, Letter.status == LETTER_RENDERING, _expired(Letter.lease_expires_at, now)
        )
    ).all()
    for letter_id, attempts in lost:
        if batch.status == BATCH_CANCELLING:
            values, counter = {"status": LETTER_CANCELLED}, None
        elif attempts >= MAX_ATTEMPTS:
            message = (
                f"its worker stopped {attempts} times while making it (a crash, a restart or too much memory); "
                "retry it, or look at the template"
            )
            values, counter = {"status": LETTER_FAILED, "error": message}, "failed"
        else:
            values, counter = {"status": LETTER_QUEUED}, ""
        # Conditional on the claim seen: a job that settles it meanwhile wins, and nothing is counted twice.
        taken = cast(
            CursorResult[Any],
            db.session.execute(
                update(Letter)
                .where(Letter.id == letter_id, Letter.status == LETTER_RENDERING, Letter.attempts == attempts)
                .values(lease_expires_at=None, **values)
            ),
        ).rowcount
        if taken != 1:
            continue
        if counter == "":
            result.requeued += 1
            continue
        increments = {"settled": LetterBatch.settled + 1}
        if counter:
            increments[counter] = getattr(LetterBatch, counter) + 1
            result.failed += 1
        else:
            result.cancelled += 1
        db.session.execute(update(LetterBatch).where(LetterBatch.id == batch.id).values(**increments))


def submit_chunks(batch_id: int, letter_ids: list[int], runner: JobRunner) -> list[str]:
    """Queue the letters as chunk jobs (about three per worker, so that a slow letter does not hold the batch);
    the letters must be committed first. Returns the job ids."""
    workers = runner.workers if isinstance(runner, PoolRunner) else 4
    size = max(1, math.ceil(len(letter_ids) / (workers * 3)))
    return [runner.submit(run_chunk, batch_id, letter_ids[i : i + size]) for i in range(0, len(letter_ids), size)]


def _lease_passed(batch: LetterBatch, now: datetime) -> bool:
    if batch.lease_expires_at is None:  # never started: give its jobs a lease of time from its creation
        return batch.created_at + timedelta(seconds=lease_seconds()) <= now
    return batch.lease_expires_at <= now


def _take(batch: LetterBatch, now: datetime) -> bool:
    """Take the batch for this pass (renewing its lease), so that two processes recovering at once do not both."""
    expires = now + timedelta(seconds=lease_seconds())
    taken = cast(
        CursorResult[Any],
        db.session.execute(
            update(LetterBatch)
            .where(
                LetterBatch.id == batch.id,
                LetterBatch.status.in_(UNFINISHED),
                _expired(LetterBatch.lease_expires_at, now),
            )
            .values(lease_expires_at=expires, status=BATCH_RUNNING if batch.status == BATCH_QUEUED else batch.status)
        ),
    ).rowcount
    return taken == 1


def _queue_again(batch: LetterBatch, runner: JobRunner, result: Recovery) -> None:
    """New jobs for the batch's queued letters, or, when every letter is settled, the job that finishes it."""
    queued = list(
        db.session.scalars(
            select(Letter.id)
            .where(Letter.batch_id == batch.id, Letter.status == LETTER_QUEUED)
            .order_by(Letter.position)
        )
    )
    if queued and batch.status == BATCH_RUNNING:
        batch.job_ids = [*(batch.job_ids or []), *submit_chunks(batch.id, queued, runner)]
        result.resumed.append(batch.id)
    elif batch.settled >= batch.total:
        runner.submit(finalize_batch, batch.id)
        result.finishing.append(batch.id)


def recover_batch(batch_id: int, *, now: datetime | None = None, runner: JobRunner | None = None) -> Recovery:
    """Recover one batch if its lease has expired (else do nothing). Safe to run from several processes.

    A unit of work of its own (or part of the caller's): the claim and the released letters are committed
    (`checkpoint`) before any job is queued, because the jobs read them from the database in other processes.
    """
    now = now or utcnow()
    result = Recovery()
    with unit_of_work():
        batch = db.session.get(LetterBatch, batch_id)
        if batch is None or batch.status not in UNFINISHED or not _lease_passed(batch, now):
            return result
        if not _take(batch, now):
            return result
        db.session.refresh(batch)
        if batch.status == BATCH_FINALIZING:  # the job writing the merged PDF and ZIP died: write them again
            batch.status = BATCH_RUNNING
        _release_lost_letters(batch, now, result)
        checkpoint()
        db.session.refresh(batch)
        _queue_again(batch, runner or get_runner(), result)
    if result.anything:
        logger.warning(
            "batch %s was interrupted: %d letter(s) queued again, %d failed, %d cancelled; %s",
            batch_id, result.requeued, result.failed, result.cancelled,
            "new jobs queued" if result.resumed else "finishing it",
        )  # fmt: skip
    return result


def recover_expired_batches(*, now: datetime | None = None, runner: JobRunner | None = None) -> Recovery:
    """Recover every unfinished batch whose lease has expired (see the module docstring), each in its own unit of
    work (or the caller's)."""
    now = now or utcnow()
    total = Recovery()
    candidates = db.session.scalars(
        select(LetterBatch.id)
        .where(LetterBatch.status.in_(UNFINISHED), _expired(LetterBatch.lease_expires_at, now))
        .order_by(LetterBatch.id)
    ).all()
    for batch_id in candidates:
        one = recover_batch(batch_id, now=now, runner=runner)
        total.requeued += one.requeued
        total.failed += one.failed
        total.cancelled += one.cancelled
        total.resumed += one.resumed
        total.finishing += one.finishing
    return total
