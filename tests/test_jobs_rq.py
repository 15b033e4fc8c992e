"""Background work through RQ on a real Redis (when TEST_REDIS_URL is set, as in CI): the same jobs the
in-process pool runs, queued in Redis and executed by an RQ worker."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from sqlalchemy import select

from advocacy import jobs
from advocacy.extensions import db
from advocacy.models import Event, LetterBatch
from tests.conftest import submit
from tests.letters_fixtures import LETTER_DATE

REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set TEST_REDIS_URL (CI's second run does)")


@pytest.fixture
def rq_app(app, monkeypatch):
    """The app queueing its jobs in Redis (a queue of its own); the RQ worker of `work()` runs them in-process."""
    from redis import Redis
    from rq import Queue

    queue_name = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", queue_name)
    monkeypatch.setattr(jobs, "_worker_app", app)  # the worker below runs in this process: use the test app
    yield app
    connection = Redis.from_url(REDIS_URL)
    Queue(queue_name, connection=connection).empty()
    connection.close()


def work(app) -> int:
    """Run every queued job like `rq worker --burst`, in this process; returns how many ran."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(REDIS_URL)
    queue = Queue(app.config["JOBS_QUEUE"], connection=connection)
    count = queue.count
    SimpleWorker([queue], connection=connection).work(burst=True, logging_level="WARNING")
    connection.close()
    return count


def test_sync_all_is_queued_in_redis_and_run_by_a_worker(
    rq_app, congress_app, client, login_as, runner, congress_server
):
    """ "Sync all now" queues a job in Redis (status queued), which an RQ worker runs (status finished)."""
    assert runner.invoke(args=["bills", "track", "116 hr 3571"]).exit_code == 0
    record = congress_server.bills[(116, "hr", 3571)]
    record["bill"]["updateDate"] = "2026-03-03T00:00:00Z"
    record["actions"].insert(0, {"actionDate": "2021-01-02", "text": "Queued through Redis.", "type": "Floor"})
    login_as("advocate")
    submit(client, "/bills/116/hr/3571/sync", {}, form_url="/bills/116/hr/3571")
    page = submit(client, "/bills/sync-all", {}, form_url="/dashboard", follow_redirects=True)
    assert "started in the background" in page.get_data(as_text=True)
    assert work(rq_app) == 2
    with rq_app.app_context():
        summaries = db.session.scalars(select(Event.summary).where(Event.kind == "bill.action")).all()
    assert summaries == ["New action (2021-01-02): Queued through Redis."]


def test_job_status_reports_queue_states(rq_app, congress_app, client, login_as, runner):
    """The job status endpoint reads RQ: queued before a worker runs it, finished after."""
    assert runner.invoke(args=["bills", "track", "116 hr 3571"]).exit_code == 0
    login_as("advocate")
    response = submit(client, "/bills/116/hr/3571/sync", {}, form_url="/bills/116/hr/3571")
    job_id = response.headers["Location"].split("?job=")[1]
    assert client.get(f"/bills/jobs/{job_id}").get_json()["status"] == "queued"
    work(rq_app)
    assert client.get(f"/bills/jobs/{job_id}").get_json()["status"] == "finished"
    assert client.get("/bills/jobs/no-such-job").get_json()["status"] == "unknown"


def test_letter_batch_runs_through_rq(rq_app, letters_app, demo):
    """A letter batch queued in Redis is rendered by an RQ worker: letters, merged PDF and ZIP."""
    from advocacy.letters.services import create_batch, start_batch
    from advocacy.models import Campaign, LetterTemplate

    with rq_app.app_context():
        template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == "city-diplomacy-sign-on"))
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        batch = create_batch(template, campaign, "committee:SSFR", actor="test", letter_date=LETTER_DATE)
        db.session.commit()
        job_ids = start_batch(batch, jobs.get_runner())
        db.session.commit()
        batch_id = batch.id
        db.session.remove()
    assert job_ids and all(not j.startswith("pool-") for j in job_ids)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        work(rq_app)
        with rq_app.app_context():
            batch = db.session.get(LetterBatch, batch_id)
            if batch.is_finished:
                break
            db.session.remove()
        time.sleep(0.1)
    with rq_app.app_context():
        batch = db.session.get(LetterBatch, batch_id)
        assert batch.status == "done", batch.error
        assert [letter.status for letter in batch.letters] == ["done"] * len(batch.letters)


def test_alerts_send_queues_a_job_that_a_worker_runs(rq_app, runner):
    """With REDIS_URL, `alerts send` queues the run in Redis; the worker's run is recorded."""
    from advocacy.models.alerts import AlertRun

    result = runner.invoke(args=["alerts", "send"])
    assert result.exit_code == 0 and "queued job" in result.output
    with rq_app.app_context():
        assert db.session.scalar(select(AlertRun.id)) is None
    assert work(rq_app) == 1
    with rq_app.app_context():
        assert db.session.scalar(select(AlertRun.id)) is not None
