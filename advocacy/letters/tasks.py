"""Work that runs in worker processes (the in-process pool or RQ): rendering letters, checks and previews.

A batch is split into chunks of letters; each chunk job renders its letters one at a time (each under a time
limit, in a process whose memory is capped), writes each PDF to the batch folder and records it at once, so that
progress shows while it runs. A failed letter is recorded and the chunk goes on. Before each letter the job looks
whether the batch was cancelled. The job that settles the last letter writes the merged PDF and the ZIP.

Leases: claiming a letter gives it a lease (LETTER_TIMEOUT + JOBS_LEASE_SECONDS) and renews the batch's
(JOBS_LEASE_SECONDS). A letter is settled only by the claim that holds it (status "rendering" and the same attempt
number), so when advocacy.letters.recovery has given a lost letter to a new job, a late answer from the old one
changes nothing: each letter is counted once.

Transactions: each job runs in a unit of work (advocacy.uow); what other processes must see at once (a letter's
claim, its outcome, the batch's heartbeat, the claim of the finishing step) is committed with `checkpoint()`, so
a letter costs two commits: its claim and its outcome. The batch's heartbeat is renewed when a quarter of its lease
has passed since the last renewal by this process, not at every letter (the lease stays at least three quarters
long while letters are being made).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, update
from sqlalchemy.exc import SQLAlchemyError

from advocacy.csv_safety import safe_cell
from advocacy.extensions import db
from advocacy.jobs import JobTimeout, job, time_limit
from advocacy.letters.render import letter_html, prepare_shared, render_letter
from advocacy.letters.sandbox import TemplateProblem
from advocacy.models.base import utcnow
from advocacy.models.letters import (
    BATCH_CANCELLED,
    BATCH_CANCELLING,
    BATCH_DONE,
    BATCH_FAILED,
    BATCH_FINALIZING,
    BATCH_RUNNING,
    LETTER_CANCELLED,
    LETTER_DONE,
    LETTER_FAILED,
    LETTER_QUEUED,
    LETTER_RENDERING,
    Letter,
    LetterBatch,
)
from advocacy.uow import checkpoint, unit_of_work

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_LEASE_SECONDS = 120.0
_MEMORY_MESSAGE = "used more memory than a letter may (LETTER_MEMORY_MB) and was stopped"


def batch_dir(batch_id: int, instance_path: str | None = None) -> Path:
    """instance/letters/<batch id>/: the batch's spec, its letters, the merged PDF and the ZIP."""
    base = instance_path or current_app.config.get("INSTANCE_PATH") or current_app.instance_path
    return Path(base) / "letters" / str(batch_id)


# Files of the shared folder made longer ago are removed when a batch starts (made again if needed).
SHARED_KEEP_SECONDS = 30 * 24 * 3600


def shared_dir(instance_path: str | None = None) -> Path:
    """instance/letters/shared/: the signatories parts (PDF, page count) of batches and previews, named by a digest
    of their content (advocacy.letters.render), so that a preview after a batch, or a second batch with the same
    signatories, finds them made."""
    base = instance_path or current_app.config.get("INSTANCE_PATH") or current_app.instance_path
    folder = Path(base) / "letters" / "shared"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _prune_shared(folder: Path) -> None:
    """Remove the shared folder's files made more than SHARED_KEEP_SECONDS ago (before the batch prepares its own:
    one that is still needed is made again)."""
    oldest = time.time() - SHARED_KEEP_SECONDS
    for path in folder.glob("signatories-*"):
        with contextlib.suppress(OSError):  # another worker may be pruning too
            if path.stat().st_mtime < oldest:
                path.unlink()


def merged_name(batch_id: int) -> str:
    return f"batch-{batch_id}-all-letters.pdf"


def zip_name(batch_id: int) -> str:
    return f"batch-{batch_id}-letters.zip"


def write_spec(batch_id: int, spec: dict) -> Path:
    """Store what the workers need (template snapshot, shared data, recipients) next to the batch's files."""
    folder = batch_dir(batch_id)
    (folder / "letters").mkdir(parents=True, exist_ok=True)
    data = dict(spec)
    template = dict(data["template"])
    if template.get("logo") is not None:
        template["logo"] = base64.b64encode(template["logo"]).decode()
    data["template"] = template
    path = folder / "spec.json"
    path.write_text(json.dumps(data, sort_keys=True, default=str))
    return path


_spec_cache: dict[tuple, dict] = {}


def load_spec(batch_id: int) -> dict:
    """The batch spec, read once per worker process (keyed by the file's identity: ids can be reused)."""
    path = batch_dir(batch_id) / "spec.json"
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    spec = _spec_cache.get(key)
    if spec is None:
        spec = json.loads(path.read_text())
        if spec["template"].get("logo"):
            spec["template"]["logo"] = base64.b64decode(spec["template"]["logo"])
        if len(_spec_cache) > 8:
            _spec_cache.clear()
        _spec_cache[key] = spec
    return spec


def letter_extra(item: dict) -> dict:
    """The per-letter options of a spec item beyond its members (a whole-committee letter)."""
    return {"committee": item.get("committee"), "committee_letter": bool(item.get("committee_letter"))}


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TemplateProblem):
        return f"template problem in {exc}"
    if isinstance(exc, JobTimeout):
        return f"took too long and was stopped ({exc})"
    if isinstance(exc, MemoryError):
        return _MEMORY_MESSAGE
    return f"could not be rendered ({type(exc).__name__}: {str(exc)[:300]})"


def lease_seconds() -> float:
    """How long a batch may go without a heartbeat before it counts as interrupted (JOBS_LEASE_SECONDS)."""
    return float(current_app.config.get("JOBS_LEASE_SECONDS") or DEFAULT_LEASE_SECONDS)


def renew_batch_lease(batch_id: int) -> None:
    """The batch's heartbeat (the caller commits)."""
    expires = utcnow() + timedelta(seconds=lease_seconds())
    db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id).values(lease_expires_at=expires))


@contextmanager
def _published() -> Iterator[None]:
    """A step that other processes must see as soon as it is done: committed at its end (`checkpoint`) inside the
    job's unit of work, or in a unit of work of its own when called on its own (tests, recovery tools)."""
    with unit_of_work():
        yield
        checkpoint()


# When this process last renewed each batch's lease (time.monotonic()).
_heartbeats: dict[int, float] = {}


def _heartbeat(batch_id: int) -> None:
    """Renew the batch's lease if a quarter of it has passed since this process last did (see the module doc)."""
    now = time.monotonic()
    last = _heartbeats.get(batch_id)
    if last is not None and now - last < lease_seconds() / 4:
        return
    # In a transaction of its own: holding a letter's row lock while waiting for the batch's deadlocks with
    # cancel_batch on PostgreSQL (which locks the batch, then its queued letters).
    with _published():
        renew_batch_lease(batch_id)
    _heartbeats[batch_id] = now


def _claim(batch_id: int, letter_id: int, timeout: float) -> int | None:
    """Claim a queued letter for this job; return the claim's attempt number (None: not queued, skip it)."""
    expires = utcnow() + timedelta(seconds=timeout + lease_seconds())
    with _published():
        attempt = db.session.execute(
            update(Letter)
            .where(Letter.id == letter_id, Letter.status == LETTER_QUEUED)
            .values(status=LETTER_RENDERING, attempts=Letter.attempts + 1, lease_expires_at=expires)
            .returning(Letter.attempts)
        ).scalar_one_or_none()
    if attempt is None:
        return None
    _heartbeat(batch_id)
    return attempt


def _settle(batch_id: int, letter_id: int, values: dict, counter: str | None, attempt: int | None = None) -> bool:
    """Record a letter's outcome and count it in the batch, if this claim still holds the letter."""
    query = update(Letter).where(Letter.id == letter_id)
    if attempt is not None:
        query = query.where(Letter.status == LETTER_RENDERING, Letter.attempts == attempt)
    with _published():
        result = cast(CursorResult[Any], db.session.execute(query.values(lease_expires_at=None, **values)))
        if result.rowcount != 1:
            db.session.rollback()
            logger.warning(
                "letter %s of batch %s was given to another job: this result is dropped", letter_id, batch_id
            )
            return False
        increments: dict[str, Any] = {"settled": LetterBatch.settled + 1}
        if counter:
            increments[counter] = getattr(LetterBatch, counter) + 1
        db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id).values(**increments))
    return True


def _write_atomically(path: Path, data: bytes) -> None:
    """Write aside, then rename: two jobs making the same letter never leave a torn file."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)


@job
def run_chunk(batch_id: int, letter_ids: list[int]) -> None:
    """Render the given letters of a batch (job function; each letter's claim and outcome are committed at once)."""
    with unit_of_work():  # joins the job's unit of work; one of its own when called directly (tests, tools)
        spec = load_spec(batch_id)
        shared = shared_dir()
        _prune_shared(shared)
        timeout = float(spec.get("timeout") or DEFAULT_TIMEOUT)
        _heartbeats.pop(batch_id, None)  # a new job renews the lease at its first letter
        try:  # the batch's shared pages once, outside the letters' own time limits (a letter would do it otherwise)
            with time_limit(timeout * 3):
                prepare_shared(spec["shared"], shared)
        except Exception as exc:  # noqa: BLE001 - each letter retries it under its own limit and reports the failure
            logger.warning("batch %s: preparing the shared signatories pages failed: %s", batch_id, _describe(exc))
        for letter_id in letter_ids:
            # Claim the letter; a cancelled batch has already marked its queued letters, so they are skipped.
            attempt = _claim(batch_id, letter_id, timeout)
            if attempt is not None:
                _make_letter(batch_id, letter_id, attempt, spec, timeout, shared)
        finalize_batch(batch_id)


def _make_letter(batch_id: int, letter_id: int, attempt: int, spec: dict, timeout: float, shared: Path) -> None:
    """Render one claimed letter under its time limit (`shared`: the shared folder), write its PDF and record the
    outcome."""
    item = spec["letters"][str(letter_id)]
    try:
        with time_limit(timeout):
            rendered = render_letter(
                spec["template"],
                spec["shared"],
                item["members"],
                shared_dir=shared,
                **letter_extra(item),
            )
    except Exception as exc:  # noqa: BLE001 - one letter failing must not sink the batch
        message = _describe(exc)
        logger.warning("letter %s of batch %s failed: %s", letter_id, batch_id, message)
        _settle(batch_id, letter_id, {"status": LETTER_FAILED, "error": message}, "failed", attempt)
        return
    _write_atomically(batch_dir(batch_id) / "letters" / item["filename"], rendered.pdf)
    values = {
        "status": LETTER_DONE,
        "pages": rendered.pages,
        "own_pages": rendered.own_pages,
        "sha256": hashlib.sha256(rendered.pdf).hexdigest(),
        "warnings": "; ".join(rendered.warnings) or None,
        "error": None,
    }
    try:
        _settle(batch_id, letter_id, values, "done", attempt)
    except SQLAlchemyError as exc:
        # The database went away while storing this letter: record it as failed (on a fresh connection)
        # so that the batch can finish and "retry failed letters" can make it again. If even that fails,
        # the job fails; `flask letters retry BATCH --interrupted` picks the letter up.
        db.session.rollback()
        logger.warning("letter %s of batch %s: storing it failed: %s", letter_id, batch_id, exc)
        message = f"interrupted by a database error ({type(exc).__name__}); retry the failed letters"
        _settle(batch_id, letter_id, {"status": LETTER_FAILED, "error": message}, "failed", attempt)


@job
def finalize_batch(batch_id: int) -> bool:
    """When every letter is settled, write the merged PDF and the ZIP (once: the first job to get here).

    A job of its own (recovery submits it) and the end of every chunk job; also called inside a request (a
    cancelled batch with nothing running): the claim of the finishing step is committed at once either way."""
    with unit_of_work():
        with _published():
            result = cast(
                CursorResult[Any],
                db.session.execute(
                    update(LetterBatch)
                    .where(
                        LetterBatch.id == batch_id,
                        LetterBatch.settled >= LetterBatch.total,
                        LetterBatch.status.in_((BATCH_RUNNING, BATCH_CANCELLING)),
                    )
                    .values(status=BATCH_FINALIZING, lease_expires_at=utcnow() + timedelta(seconds=lease_seconds()))
                ),
            )
        if result.rowcount != 1:
            return False
        batch = db.session.get(LetterBatch, batch_id)
        assert batch is not None
        with _published():
            _finish(batch)
        logger.info("batch %s %s: %s done, %s failed", batch_id, batch.status, batch.done, batch.failed)
        return True


def _finish(batch: LetterBatch) -> None:
    """Write the outputs and give the batch its final status (the letters stay if the outputs fail)."""
    try:
        write_outputs(batch)
    except Exception as exc:  # noqa: BLE001 - the letters stay; the batch says what went wrong
        logger.exception("batch %s: writing the merged PDF and ZIP failed", batch.id)
        batch.error = f"writing the merged PDF and ZIP failed: {exc}"
    cancelled = any(letter.status == LETTER_CANCELLED for letter in batch.letters)
    if cancelled:
        batch.status = BATCH_CANCELLED
    elif batch.done == 0 and batch.total > 0:
        batch.status = BATCH_FAILED
        batch.error = batch.error or "no letter could be rendered"
    else:
        batch.status = BATCH_DONE
    batch.finished_at = utcnow()
    batch.lease_expires_at = None


MANIFEST_FIELDS = [
    "bioguide_id", "name", "file", "pages", "sha256", "standing", "ask", "local_cities", "warnings", "status", "error",
]  # fmt: skip


MERGE_SCRIPT = Path(__file__).with_name("merge.py")


def merge_letters(plan: dict, timeout: float | None = None) -> dict:
    """Write the merged PDF of plan (see advocacy/letters/merge.py) in a separate process that imports only
    pikepdf; return its {"pages", "peak_kib"}. A failure raises RuntimeError with the process's last error line."""
    done = subprocess.run(  # noqa: S603 - our own script, the plan on standard input
        [sys.executable, "-I", str(MERGE_SCRIPT)],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise RuntimeError(lines[-1])
    return json.loads(done.stdout)


def merge_plan(batch: LetterBatch, out: Path) -> dict:
    """What advocacy/letters/merge.py needs to write the batch's merged PDF to `out`: its letters, in order."""
    letters_dir = batch_dir(batch.id) / "letters"
    return {
        "out": str(out),
        "letters": [
            {"file": str(letters_dir / letter.filename), "own": letter.own_pages, "total": letter.pages}
            for letter in batch.letters
            if letter.status == LETTER_DONE and letter.filename
        ],
    }


def write_outputs(batch: LetterBatch) -> None:
    """The merged print PDF (pikepdf in a slim process of its own: advocacy/letters/merge.py) and a ZIP of all
    with manifest.csv."""
    folder = batch_dir(batch.id)
    done = [letter for letter in batch.letters if letter.status == LETTER_DONE and letter.filename]
    merged = folder / merged_name(batch.id)
    merged_partial = folder / (merged.name + ".part")
    # written aside, then moved: a download never sees half a file
    try:
        result = merge_letters(merge_plan(batch, merged_partial), timeout=lease_seconds())
    except Exception:
        merged_partial.unlink(missing_ok=True)
        raise
    logger.info("batch %s: merged PDF of %s pages, merge process peak %s KiB", batch.id, result["pages"],
                result["peak_kib"])  # fmt: skip
    merged_partial.replace(merged)
    batch.merged_pages = sum(letter.pages or 0 for letter in done)
    partial = folder / (zip_name(batch.id) + ".part")
    # ZIP_STORED: the PDFs are compressed already (deflating them again gains about 1 % and costs time)
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.csv", manifest_csv(batch))
        for name in (letter.filename for letter in done if letter.filename):
            archive.write(folder / "letters" / name, arcname=f"letters/{name}")
        archive.write(merged, arcname=merged.name)
    partial.replace(folder / zip_name(batch.id))


def _manifest_row(letter: Letter) -> dict[str, Any]:
    row = {
        "bioguide_id": " ".join(letter.member_ids or []),
        "name": letter.recipient_name,
        "file": letter.filename if letter.status == LETTER_DONE else "",
        "pages": letter.pages,
        "sha256": letter.sha256,
        "standing": letter.standing,
        "ask": letter.ask,
        "local_cities": letter.local_cities,
        "warnings": letter.warnings,
        "status": letter.status,
        "error": letter.error,
    }
    # names and error texts come from outside: no cell may start a spreadsheet formula
    return {key: safe_cell(value or "") for key, value in row.items()}


def manifest_csv(batch: LetterBatch) -> str:
    """manifest.csv of the batch's ZIP: one row per letter, in order, whatever became of it."""
    manifest = io.StringIO()
    table = csv.DictWriter(manifest, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    table.writeheader()
    table.writerows(_manifest_row(letter) for letter in batch.letters)
    return manifest.getvalue()


# --- interactive work (through jobs.PoolRunner.call, which limits the time) -----------------------------------


@job
def check_template(template: dict, shared: dict, members: list[dict]) -> list[dict]:
    """Dry-render every field against sample data; return the problems (field, line, message)."""
    from advocacy.letters.context import build_context
    from advocacy.letters.sandbox import render_field

    context = build_context(shared, members)
    problems = []
    for field, label in (("re_line", "RE line"), ("body", "body"), ("closing", "closing"), ("signature_block", "signature block")):  # fmt: skip
        try:
            render_field(template.get(field) or "", context, field=label)
        except TemplateProblem as exc:
            problems.append({"field": field, "label": label, "line": exc.line, "message": exc.message})
        except JobTimeout:  # the time limit is for the whole check: the other fields are not tried
            problems.append({"field": field, "label": label, "line": None, "message": "took too long (time limit)"})
            break
        except MemoryError:
            problems.append({"field": field, "label": label, "line": None, "message": _MEMORY_MESSAGE})
            break
    return problems


@job
def preview_html(template: dict, shared: dict, members: list[dict]) -> dict:
    """The letter as HTML for the in-page preview, or the problem that stops it."""
    try:
        return {"html": letter_html(template, shared, members)}
    except TemplateProblem as exc:
        return {"error": str(exc), "field": exc.field, "line": exc.line}


@job
def preview_pdf(template: dict, shared: dict, members: list[dict]) -> dict:
    """The letter as PDF bytes, or the problem that stops it."""
    try:
        # the batch's signatories pages, when a batch made them already (a long list takes seconds to lay out)
        rendered = render_letter(template, shared, members, shared_dir=shared_dir())
    except TemplateProblem as exc:
        return {"error": str(exc)}
    return {"pdf": rendered.pdf, "pages": rendered.pages, "warnings": rendered.warnings}
