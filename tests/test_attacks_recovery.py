"""Issue #17, jobs after a crash: a batch whose server (and job workers) died mid-way is resumed and completes,
every letter made exactly once; the batch page shows the interruption and offers to resume it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import select, update

from advocacy.extensions import db
from advocacy.models import Letter, LetterBatch
from advocacy.models.base import utcnow
from tests.conftest import _CSRF, submit
from tests.factories import PASSWORD
from tests.letters_fixtures import wait_for_batch

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL") or None


def _wait(condition, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _start_server(
    database_url: str, instance: Path, tmp_path: Path, gate: Path | None, queue: str | None = None
) -> tuple[subprocess.Popen, str]:
    port_file = tmp_path / f"port-{time.monotonic_ns()}"
    env = dict(os.environ, RECOVERY_DATABASE_URL=database_url, RECOVERY_INSTANCE_PATH=str(instance))
    env.pop("RECOVERY_GATE", None)
    if gate is not None:
        env["RECOVERY_GATE"] = str(gate)
    if queue is not None:
        env.update(RECOVERY_REDIS_URL=REDIS_URL, RECOVERY_QUEUE=queue)
    process = subprocess.Popen(  # its own process group: killing it kills the job workers too
        [sys.executable, "-m", "tests.recovery_server", str(port_file)], cwd=ROOT, env=env, start_new_session=True
    )
    _wait(lambda: port_file.exists() and port_file.read_text(), "the server to start", 60)
    return process, f"http://127.0.0.1:{port_file.read_text()}"


def _login(base: str, email: str, password: str = PASSWORD) -> requests.Session:
    """A requests session logged in, through the login form, to the app served at `base` by another process."""
    browser = requests.Session()
    token = _CSRF.search(browser.get(f"{base}/login", timeout=30).text).group(1)
    response = browser.post(
        f"{base}/login", data={"email": email, "password": password, "csrf_token": token}, timeout=30
    )
    assert response.url.endswith("/dashboard"), response.url
    return browser


def _batch(app: Flask, batch_id: int) -> tuple[LetterBatch, list[Letter]]:
    with app.app_context():
        batch = db.session.get(LetterBatch, batch_id)
        letters = list(db.session.scalars(select(Letter).where(Letter.batch_id == batch_id).order_by(Letter.position)))
        db.session.expunge_all()
        return batch, letters


def _start_rq_worker(database_url: str, instance: Path, queue: str, gate: Path | None) -> subprocess.Popen:
    """`rq worker` for `queue`, configured from the environment as a deployment's would be."""
    env = dict(
        os.environ, APP_ENV="development", DATABASE_URL=database_url, INSTANCE_PATH=str(instance),
        REDIS_URL=REDIS_URL, JOBS_QUEUE=queue, JOBS_LEASE_SECONDS="1", LETTER_TIMEOUT="2",
    )  # fmt: skip
    env.pop("RECOVERY_GATE", None)
    if gate is not None:
        env["RECOVERY_GATE"] = str(gate)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.recovery_server", "--rq"], cwd=ROOT, env=env, start_new_session=True
    )


def _kill(*processes: subprocess.Popen | None) -> None:
    for process in processes:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def _crash_and_restart(app, make_user, make_letter_template, database_url, client, auth, tmp_path, queue=None):
    """Start a batch from the web, kill -9 everything mid-way, restart, and check every letter is made once."""
    instance = Path(app.config["INSTANCE_PATH"])
    slug = make_letter_template(slug="crash-test", name="Crash test")
    email = make_user("advocate")
    gate = tmp_path / "gate"
    gate.mkdir()
    held = 1 if queue else 2  # letters being made when the kill comes: one per RQ worker, one per pool process
    worker = _start_rq_worker(database_url, instance, queue, gate) if queue else None
    server, base = _start_server(database_url, instance, tmp_path, None if queue else gate, queue)
    try:
        browser = _login(base, email)
        page = browser.get(f"{base}/letters/", timeout=30).text
        token = _CSRF.search(page).group(1)
        response = browser.post(
            f"{base}/letters/generate",
            data={"template": slug, "campaign": "city-state-diplomacy", "selector": "all", "csrf_token": token},
            timeout=60,
        )
        batch_id = int(re.search(r"/letters/batches/(\d+)", response.url).group(1))

        def midway() -> bool:
            batch, letters = _batch(app, batch_id)
            return batch.done == 2 and sum(x.status == "rendering" for x in letters) == held

        _wait(midway, "two letters made and the next held")
    finally:
        _kill(server, worker)
    batch, letters = _batch(app, batch_id)
    total = batch.total
    assert total >= 8 and batch.status == "running" and batch.done == 2

    def leases_expired() -> bool:
        batch, letters = _batch(app, batch_id)
        leases = [batch.lease_expires_at] + [x.lease_expires_at for x in letters if x.status == "rendering"]
        return all(lease is not None and lease < utcnow() for lease in leases)

    _wait(leases_expired, "the leases to expire", 30)
    auth.login(email)
    page = client.get(f"/letters/batches/{batch_id}").get_data(as_text=True)
    assert "Interrupted" in page and "Resume the batch" in page

    # The restart: no gate, so letters are made again.
    worker = _start_rq_worker(database_url, instance, queue, None) if queue else None
    server, base = _start_server(database_url, instance, tmp_path, None, queue)
    try:
        requests.get(f"{base}/login", timeout=30)  # the first request of the new web process recovers
        assert wait_for_batch(app, batch_id, timeout=120) == "done"
    finally:
        _kill(server, worker)
    batch, letters = _batch(app, batch_id)
    assert (batch.done, batch.failed, batch.settled) == (total, 0, total)
    assert [x.status for x in letters] == ["done"] * total
    assert sorted(x.attempts for x in letters).count(2) == held  # the held letters were made a second time
    assert max(x.attempts for x in letters) == 2
    from advocacy.letters.tasks import batch_dir, zip_name

    archive = zipfile.ZipFile(batch_dir(batch_id, str(instance)) / zip_name(batch_id))
    pdfs = [n for n in archive.namelist() if n.startswith("letters/")]
    assert len(pdfs) == len(set(pdfs)) == total
    assert archive.read("manifest.csv").decode().count(",done,") == total


def test_kill_the_server_mid_batch_then_restart_and_every_letter_is_made_once(
    app, demo, make_user, make_letter_template, database_url, client, auth, tmp_path
):
    """kill -9 of the web server and its job workers mid-batch; after the restart the batch completes by itself."""
    _crash_and_restart(app, make_user, make_letter_template, database_url, client, auth, tmp_path)


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set TEST_REDIS_URL (CI's second run does)")
def test_kill_the_server_and_the_rq_worker_mid_batch_then_restart(
    app, demo, make_user, make_letter_template, database_url, client, auth, tmp_path
):
    """With Redis: kill -9 of the web server and the RQ worker mid-batch; restarted, the batch completes once."""
    import uuid

    from redis import Redis
    from rq import Queue

    queue = f"test-{uuid.uuid4().hex[:8]}"
    try:
        _crash_and_restart(app, make_user, make_letter_template, database_url, client, auth, tmp_path, queue)
    finally:
        connection = Redis.from_url(REDIS_URL)
        Queue(queue, connection=connection).empty()
        connection.close()


def _lost_batch(app: Flask, make_letter_template) -> tuple[int, list[int]]:
    """A batch as a dead job leaves it: one letter made, one claimed and never finished, the rest queued."""
    from advocacy.letters import tasks
    from advocacy.letters.services import create_batch
    from advocacy.models import Campaign, LetterTemplate

    slug = make_letter_template(slug="lost", name="Lost")
    with app.app_context():
        template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == slug))
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        batch = create_batch(template, campaign, "member:L000582, W000795, M001137", actor="test")
        batch.status = "running"
        db.session.commit()
        ids = [x.id for x in batch.letters]
        tasks.run_chunk(batch.id, ids[:1])  # a job makes the first letter,
        tasks._claim(batch.id, ids[1], 5)  # claims the second ... and dies here
        past = utcnow() - timedelta(minutes=10)
        db.session.execute(update(Letter).where(Letter.id == ids[1]).values(lease_expires_at=past))
        db.session.execute(update(LetterBatch).where(LetterBatch.id == batch.id).values(lease_expires_at=past))
        db.session.commit()
        return batch.id, ids


def test_the_batch_page_shows_an_interrupted_batch_and_resumes_it(
    letters_app, demo, make_letter_template, client, login_as
):
    """Retry was refused ("still running") for a batch a crash left: now the page says so and "Resume" finishes it."""
    batch_id, _ids = _lost_batch(letters_app, make_letter_template)
    login_as("advocate")
    page = client.get(f"/letters/batches/{batch_id}").get_data(as_text=True)
    assert "Interrupted" in page and "Resume the batch" in page
    response = submit(client, f"/letters/batches/{batch_id}/retry", {}, form_url=f"/letters/batches/{batch_id}")
    assert response.status_code == 302
    assert "queued again" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert wait_for_batch(letters_app, batch_id) == "done"
    batch, letters = _batch(letters_app, batch_id)
    assert (batch.done, batch.failed, batch.settled, batch.total) == (3, 0, 3, 3)


def test_a_late_answer_from_a_lost_job_is_not_counted_twice(letters_app, demo, make_letter_template):
    """After recovery gave a lost letter to a new job, the old job's result for it changes nothing."""
    from advocacy.jobs import recover_expired_work
    from advocacy.letters import tasks

    batch_id, ids = _lost_batch(letters_app, make_letter_template)
    result = recover_expired_work(letters_app)
    assert result.requeued == 1 and result.resumed == [batch_id]
    assert wait_for_batch(letters_app, batch_id) == "done"
    with letters_app.app_context():
        late = tasks._settle(batch_id, ids[1], {"status": "failed", "error": "late"}, "failed", 1)
    batch, letters = _batch(letters_app, batch_id)
    assert late is False
    assert (batch.done, batch.failed, batch.settled) == (3, 0, 3)
    assert letters[1].status == "done" and letters[1].attempts == 2


def test_a_letter_lost_again_and_again_fails_with_the_reason(letters_app, demo, make_letter_template):
    """A letter whose worker dies every time is failed after 3 claims, so that it cannot stall its batch."""
    from advocacy.letters.recovery import MAX_ATTEMPTS, recover_batch

    batch_id, ids = _lost_batch(letters_app, make_letter_template)
    with letters_app.app_context():
        db.session.execute(update(Letter).where(Letter.id == ids[1]).values(attempts=MAX_ATTEMPTS))
        db.session.commit()
        result = recover_batch(batch_id)
    assert result.failed == 1
    assert wait_for_batch(letters_app, batch_id) == "done"
    batch, letters = _batch(letters_app, batch_id)
    assert letters[1].status == "failed" and "worker stopped 3 times" in letters[1].error
    assert (batch.done, batch.failed, batch.settled) == (2, 1, 3)


def test_work_with_a_live_lease_is_left_alone(letters_app, demo, make_letter_template):
    """Recovery does not touch a batch whose jobs are still reporting (no duplicate jobs for busy batches)."""
    from advocacy.jobs import recover_expired_work

    batch_id, ids = _lost_batch(letters_app, make_letter_template)
    with letters_app.app_context():
        future = utcnow() + timedelta(minutes=10)
        db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id).values(lease_expires_at=future))
        db.session.commit()
    result = recover_expired_work(letters_app)
    assert not result.anything
    batch, letters = _batch(letters_app, batch_id)
    assert [x.status for x in letters] == ["done", "rendering", "queued"]


def test_a_batch_cancelled_after_its_job_died_is_closed_by_recovery(letters_app, demo, make_letter_template):
    """Cancel used to leave a crashed batch "cancelling" for good: recovery cancels the lost letter and closes it."""
    from advocacy.letters.recovery import recover_batch
    from advocacy.letters.services import cancel_batch

    batch_id, ids = _lost_batch(letters_app, make_letter_template)
    with letters_app.app_context():
        cancel_batch(db.session.get(LetterBatch, batch_id), actor="test")
        assert db.session.get(LetterBatch, batch_id).status == "cancelling"  # the lost letter keeps it open
        result = recover_batch(batch_id)
    assert result.cancelled == 1 and result.finishing == [batch_id]
    assert wait_for_batch(letters_app, batch_id) == "cancelled"
    batch, letters = _batch(letters_app, batch_id)
    assert [x.status for x in letters] == ["done", "cancelled", "cancelled"]
    assert (batch.done, batch.settled) == (1, 3)


def test_a_batch_whose_job_died_while_writing_the_zip_writes_it_again(letters_app, demo, make_letter_template):
    """Every letter made, the job died in "finalizing": recovery writes the merged PDF and the ZIP."""
    from advocacy.jobs import recover_expired_work
    from advocacy.letters import tasks

    batch_id, ids = _lost_batch(letters_app, make_letter_template)
    with letters_app.app_context():
        db.session.execute(update(Letter).where(Letter.id == ids[1]).values(status="queued", lease_expires_at=None))
        db.session.commit()
        tasks.run_chunk(batch_id, ids[1:])  # makes the last two letters and finishes the batch ...
        past = utcnow() - timedelta(minutes=10)
        db.session.execute(  # ... as if it had died half-way through writing the outputs
            update(LetterBatch).where(LetterBatch.id == batch_id).values(status="finalizing", lease_expires_at=past)
        )
        db.session.commit()
        (tasks.batch_dir(batch_id) / tasks.zip_name(batch_id)).unlink()
    result = recover_expired_work(letters_app)
    assert result.finishing == [batch_id]
    assert wait_for_batch(letters_app, batch_id) == "done"
    with letters_app.app_context():
        assert (tasks.batch_dir(batch_id) / tasks.zip_name(batch_id)).exists()
