"""Work that runs in worker processes (the in-process pool or RQ): rendering letters, checks and previews.

A batch is split into chunks of letters; each chunk job renders its letters one at a time (each under a time
limit, in a process whose memory is capped), writes each PDF to the batch folder and records it at once, so that
progress shows while it runs. A failed letter is recorded and the chunk goes on. Before each letter the job looks
whether the batch was cancelled. The job that settles the last letter writes the merged PDF and the ZIP.

Leases: claiming a letter gives it a lease (LETTER_TIMEOUT + JOBS_LEASE_SECONDS) and renews the batch's
(JOBS_LEASE_SECONDS). A letter is settled only by the claim that holds it (status "rendering" and the same attempt
number), so when advocacy.letters.recovery has given a lost letter to a new job, a late answer from the old one
changes nothing: each letter is counted once.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select, update
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

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_LEASE_SECONDS = 120.0
_MEMORY_MESSAGE = "used more memory than a letter may (LETTER_MEMORY_MB) and was stopped"


def batch_dir(batch_id: int, instance_path: str | None = None) -> Path:
    """instance/letters/<batch id>/: the batch's spec, its letters, the merged PDF and the ZIP."""
    base = instance_path or current_app.config.get("INSTANCE_PATH") or current_app.instance_path
    return Path(base) / "letters" / str(batch_id)


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


def _claim(batch_id: int, letter_id: int, timeout: float) -> int | None:
    """Claim a queued letter for this job; return the claim's attempt number (None: not queued, skip it)."""
    expires = utcnow() + timedelta(seconds=timeout + lease_seconds())
    claimed = db.session.execute(
        update(Letter)
        .where(Letter.id == letter_id, Letter.status == LETTER_QUEUED)
        .values(status=LETTER_RENDERING, attempts=Letter.attempts + 1, lease_expires_at=expires)
    ).rowcount
    if claimed != 1:
        db.session.commit()
        return None
    attempt = db.session.scalar(select(Letter.attempts).where(Letter.id == letter_id))
    db.session.commit()
    # The batch's heartbeat in a transaction of its own: holding the letter's row lock while waiting for the batch's
    # deadlocks with cancel_batch on PostgreSQL (which locks the batch, then its queued letters).
    renew_batch_lease(batch_id)
    db.session.commit()
    return attempt


def _settle(batch_id: int, letter_id: int, values: dict, counter: str | None, attempt: int | None = None) -> bool:
    """Record a letter's outcome and count it in the batch, if this claim still holds the letter."""
    query = update(Letter).where(Letter.id == letter_id)
    if attempt is not None:
        query = query.where(Letter.status == LETTER_RENDERING, Letter.attempts == attempt)
    if db.session.execute(query.values(lease_expires_at=None, **values)).rowcount != 1:
        db.session.rollback()
        logger.warning("letter %s of batch %s was given to another job: this result is dropped", letter_id, batch_id)
        return False
    increments: dict[str, Any] = {"settled": LetterBatch.settled + 1}
    if counter:
        increments[counter] = getattr(LetterBatch, counter) + 1
    db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id).values(**increments))
    db.session.commit()
    return True


def _write_atomically(path: Path, data: bytes) -> None:
    """Write aside, then rename: two jobs making the same letter never leave a torn file."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)


@job
def run_chunk(batch_id: int, letter_ids: list[int]) -> None:
    """Render the given letters of a batch (job function)."""
    spec = load_spec(batch_id)
    folder = batch_dir(batch_id) / "letters"
    shared_dir = batch_dir(batch_id) / "shared"
    shared_dir.mkdir(exist_ok=True)
    timeout = float(spec.get("timeout") or DEFAULT_TIMEOUT)
    try:  # the batch's shared pages once, outside the letters' own time limits (a letter would do it otherwise)
        with time_limit(timeout * 3):
            prepare_shared(spec["shared"], shared_dir)
    except Exception as exc:  # noqa: BLE001 - each letter retries it under its own limit and reports the failure
        logger.warning("batch %s: preparing the shared signatories pages failed: %s", batch_id, _describe(exc))
    for letter_id in letter_ids:
        # Claim the letter; a cancelled batch has already marked its queued letters, so they are skipped.
        attempt = _claim(batch_id, letter_id, timeout)
        if attempt is None:
            continue
        item = spec["letters"][str(letter_id)]
        try:
            with time_limit(timeout):
                rendered = render_letter(
                    spec["template"], spec["shared"], item["members"], shared_dir=shared_dir, **letter_extra(item)
                )
        except Exception as exc:  # noqa: BLE001 - one letter failing must not sink the batch
            message = _describe(exc)
            logger.warning("letter %s of batch %s failed: %s", letter_id, batch_id, message)
            _settle(batch_id, letter_id, {"status": LETTER_FAILED, "error": message}, "failed", attempt)
            continue
        _write_atomically(folder / item["filename"], rendered.pdf)
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
    finalize_batch(batch_id)


@job
def finalize_batch(batch_id: int) -> bool:
    """When every letter is settled, write the merged PDF and the ZIP (once: the first job to get here)."""
    claimed = db.session.execute(
        update(LetterBatch)
        .where(
            LetterBatch.id == batch_id,
            LetterBatch.settled >= LetterBatch.total,
            LetterBatch.status.in_((BATCH_RUNNING, BATCH_CANCELLING)),
        )
        .values(status=BATCH_FINALIZING, lease_expires_at=utcnow() + timedelta(seconds=lease_seconds()))
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return False
    batch = db.session.get(LetterBatch, batch_id)
    assert batch is not None
    try:
        write_outputs(batch)
    except Exception as exc:  # noqa: BLE001 - the letters stay; the batch says what went wrong
        logger.exception("batch %s: writing the merged PDF and ZIP failed", batch_id)
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
    db.session.commit()
    logger.info("batch %s %s: %s done, %s failed", batch_id, batch.status, batch.done, batch.failed)
    return True


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
    letters_dir = folder / "letters"
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
    manifest = io.StringIO()
    table = csv.DictWriter(manifest, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    table.writeheader()
    for letter in batch.letters:
        table.writerow(
            {  # names and error texts come from outside: no cell may start a spreadsheet formula
                key: safe_cell(value)
                for key, value in {
                    "bioguide_id": " ".join(letter.member_ids or []),
                    "name": letter.recipient_name,
                    "file": letter.filename if letter.status == LETTER_DONE else "",
                    "pages": letter.pages or "",
                    "sha256": letter.sha256 or "",
                    "standing": letter.standing or "",
                    "ask": letter.ask or "",
                    "local_cities": letter.local_cities or "",
                    "warnings": letter.warnings or "",
                    "status": letter.status,
                    "error": letter.error or "",
                }.items()
            }
        )
    partial = folder / (zip_name(batch.id) + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.csv", manifest.getvalue())
        for letter in done:
            archive.write(letters_dir / letter.filename, arcname=f"letters/{letter.filename}")
        archive.write(merged, arcname=merged.name)
    partial.replace(folder / zip_name(batch.id))


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
        rendered = render_letter(template, shared, members)
    except TemplateProblem as exc:
        return {"error": str(exc)}
    return {"pdf": rendered.pdf, "pages": rendered.pages, "warnings": rendered.warnings}
