"""Faults: the database going away during a sync or a letter batch, and Redis being down.

On PostgreSQL the database "restarts" for real: another connection terminates the app's backends in the
middle of the work (triggered from the fake Congress.gov server, or while a letter is being stored). On SQLite
the same moment gets an injected OperationalError. Either way the work fails cleanly, nothing is half-written,
the failure is recorded, and running it again succeeds. With REDIS_URL pointing at a closed port, jobs run in
the in-process pool, alerts run here, and signing (rate-limited through Redis) still stores the endorsement.
"""

from __future__ import annotations

import io
import logging
import time
import zipfile

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from advocacy.bills.documents import bill_document
from advocacy.bills.queries import load_bill
from advocacy.congress.citations import Citation
from advocacy.extensions import db
from advocacy.models import Bill, Endorsement, Letter, LetterBatch
from tests.conftest import csrf_token, free_port, submit
from tests.letters_fixtures import wait_for_batch

HR3571 = Citation(116, "hr", 3571)


def _document(app: Flask, citation: Citation) -> dict:
    with app.app_context():
        doc = bill_document(load_bill(citation.congress, citation.bill_type, citation.number))
    doc.pop("last_synced_at")
    doc.pop("sync_error")
    doc.pop("sync_error_kind")
    return doc


def _kill_connections(database_url: str) -> int:
    """Terminate every other backend of the test database (what a PostgreSQL restart does to the app)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
            conn.commit()
            return int(killed or 0)
    finally:
        engine.dispose()


def _is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


# --------------------------------------------------------------------------------------------- sync


def test_database_failure_during_a_sync_leaves_the_bill_as_it_was(
    congress_app: Flask, runner, congress_server, database_url: str, monkeypatch: pytest.MonkeyPatch
):
    """The database dying between fetch and apply fails the sync cleanly (bill unchanged, error kept); a rerun works."""
    from advocacy.bills import sync

    assert runner.invoke(args=["bills", "track", "116 hr 3571"]).exit_code == 0
    before = _document(congress_app, HR3571)
    record = congress_server.bills[(116, "hr", 3571)]
    record["bill"]["updateDate"] = "2026-11-20T10:00:00Z"
    record["actions"].insert(0, {"actionDate": "2026-11-19", "text": "Something new.", "type": "Floor"})

    if _is_postgres(database_url):
        # Kill the app's connections once the fetched data is being written (the sync holds no connection
        # while it fetches, so this is when a PostgreSQL restart can hurt it).
        real_apply = sync.apply_fetched
        killed: list[int] = []

        def killing_apply(*args, **kwargs):
            killed.append(_kill_connections(database_url))
            return real_apply(*args, **kwargs)

        monkeypatch.setattr(sync, "apply_fetched", killing_apply)
    else:
        real_apply = sync.apply_fetched

        def failing_apply(*args, **kwargs):
            real_apply(*args, **kwargs)  # half the work is flushed ...
            raise OperationalError("UPDATE bill ...", {}, Exception("disk I/O error"))  # ... then the database fails

        monkeypatch.setattr(sync, "apply_fetched", failing_apply)

    with congress_app.app_context():
        result = sync.sync_citation(HR3571, actor="test")
    assert result.status == "failed" and "could not store the data" in (result.message or "")
    if _is_postgres(database_url):
        assert killed and killed[0] >= 1
    assert _document(congress_app, HR3571) == before
    with congress_app.app_context():
        assert "could not store the data" in db.session.scalar(select(Bill.sync_error).where(Bill.number == 3571))

    monkeypatch.undo()
    rerun = runner.invoke(args=["bills", "sync", "116 hr 3571"])
    assert rerun.exit_code == 0 and "1 new action" in rerun.output, rerun.output
    with congress_app.app_context():
        assert db.session.scalar(select(Bill.sync_error).where(Bill.number == 3571)) is None


# --------------------------------------------------------------------------------------------- letters


def _new_batch(app: Flask, template_slug: str, selector: str) -> tuple[int, list[int]]:
    from advocacy.letters.services import create_batch
    from advocacy.models import Campaign, LetterTemplate
    from advocacy.models.letters import BATCH_RUNNING

    with app.app_context():
        template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == template_slug))
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        batch = create_batch(template, campaign, selector, actor="test")
        batch.status = BATCH_RUNNING
        db.session.commit()
        return batch.id, [letter.id for letter in batch.letters]


def _break_storing(monkeypatch, database_url: str, *, times: int) -> list[int]:
    """Make storing the second letter of a chunk fail `times` times (PG: connections killed; SQLite: an error)."""
    from advocacy.letters import tasks

    real_settle = tasks._settle
    calls: list[int] = []

    def settle(batch_id, letter_id, values, counter, attempt=None):
        calls.append(letter_id)
        if len(calls) >= 2 and len(calls) < 2 + times:
            if _is_postgres(database_url):
                db.session.execute(text("SELECT 1"))  # the job's transaction is open on a connection ...
                _kill_connections(database_url)  # ... when the server goes away: the settle's UPDATE fails
            else:
                db.session.rollback()
                raise OperationalError("UPDATE letter ...", {}, Exception("database is locked"))
        return real_settle(batch_id, letter_id, values, counter, attempt)

    monkeypatch.setattr(tasks, "_settle", settle)
    return calls


def _zip_names(app: Flask, client, batch_id: int) -> tuple[list[str], str]:
    response = client.get(f"/letters/batches/{batch_id}/zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("letters/"))
        manifest = archive.read("manifest.csv").decode()
    response.close()
    return names, manifest


def test_database_failure_while_storing_a_letter_is_reported_and_retried(
    letters_app: Flask, demo, make_letter_template, client, login_as, database_url, monkeypatch
):
    """A letter whose storing hits a dead database is recorded failed, the batch finishes, and "Retry" remakes it."""
    from advocacy.letters import tasks

    slug = make_letter_template(slug="faults", name="Faults")
    batch_id, letter_ids = _new_batch(letters_app, slug, "member:L000582, W000795, M001137")
    _break_storing(monkeypatch, database_url, times=1)
    with letters_app.app_context():
        tasks.run_chunk(batch_id, letter_ids)
        db.session.remove()
    monkeypatch.undo()
    with letters_app.app_context():
        batch = db.session.get(LetterBatch, batch_id)
        assert (batch.status, batch.done, batch.failed, batch.settled) == ("done", 2, 1, 3)
        failed = db.session.get(Letter, letter_ids[1])
        assert failed.status == "failed" and "database error" in failed.error
    login_as("advocate")
    page = client.get(f"/letters/batches/{batch_id}").get_data(as_text=True)
    assert "1 failed" in page and "Retry the 1 failed letter(s)" in page
    names, manifest = _zip_names(letters_app, client, batch_id)
    assert len(names) == 2 and "failed" in manifest

    response = submit(client, f"/letters/batches/{batch_id}/retry", {}, form_url=f"/letters/batches/{batch_id}")
    assert response.status_code == 302
    assert wait_for_batch(letters_app, batch_id) == "done"
    with letters_app.app_context():
        batch = db.session.get(LetterBatch, batch_id)
        assert (batch.done, batch.failed, batch.settled, batch.total) == (3, 0, 3, 3)
        assert all(letter.status == "done" and letter.error is None for letter in batch.letters)
    names, manifest = _zip_names(letters_app, client, batch_id)
    assert len(names) == 3 and ",failed," not in manifest


def test_job_killed_midway_is_retried_from_the_cli(
    letters_app: Flask, demo, make_letter_template, runner, database_url, monkeypatch
):
    """When even recording the failure fails, the job stops; `letters retry --interrupted` finishes the batch."""
    from advocacy.letters import tasks

    slug = make_letter_template(slug="faults2", name="Faults 2")
    batch_id, letter_ids = _new_batch(letters_app, slug, "member:L000582, W000795, M001137")
    _break_storing(monkeypatch, database_url, times=2)
    with letters_app.app_context():
        with pytest.raises(OperationalError):
            tasks.run_chunk(batch_id, letter_ids)
        db.session.remove()
    monkeypatch.undo()
    with letters_app.app_context():
        statuses = [db.session.get(Letter, i).status for i in letter_ids]
        assert statuses == ["done", "rendering", "queued"]
        assert db.session.get(LetterBatch, batch_id).status == "running"

    refused = runner.invoke(args=["letters", "retry", str(batch_id)])
    assert refused.exit_code == 1 and "still running" in refused.output
    result = runner.invoke(args=["letters", "retry", str(batch_id), "--interrupted"])
    assert result.exit_code == 0, result.output
    assert "3 made, 0 failed" in result.output
    with letters_app.app_context():
        batch = db.session.get(LetterBatch, batch_id)
        assert (batch.status, batch.done, batch.failed, batch.settled) == ("done", 3, 0, 3)


def test_nothing_to_retry_is_said_clearly(letters_app: Flask, demo, make_letter_template, runner):
    """Retrying a batch without failed letters (or an unknown batch) is a clear error, not a crash."""
    from tests.letters_fixtures import run_batch

    batch_id = run_batch(letters_app, make_letter_template(slug="ok", name="OK"), "member:L000582")
    result = runner.invoke(args=["letters", "retry", str(batch_id)])
    assert result.exit_code == 1 and "No letter of this batch needs retrying" in result.output
    assert "No letter batch 999" in runner.invoke(args=["letters", "retry", "999"]).output


# --------------------------------------------------------------------------------------------- Redis down


@pytest.fixture
def redis_down(app: Flask, monkeypatch: pytest.MonkeyPatch) -> str:
    """REDIS_URL pointing at a port nothing listens on."""
    url = f"redis://127.0.0.1:{free_port()}/7"
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    return url


def test_jobs_fall_back_to_the_local_pool_when_redis_is_down(app: Flask, redis_down: str, caplog):
    """get_runner() pings Redis; when it does not answer, jobs go to the in-process pool with a warning."""
    from advocacy.jobs import PoolRunner, RQRunner, get_runner, redis_answers

    assert not redis_answers(redis_down)
    with app.app_context(), caplog.at_level(logging.WARNING, logger="advocacy.jobs"):
        runner = get_runner()
    assert isinstance(runner, PoolRunner) and not isinstance(runner, RQRunner)
    assert any("does not answer" in r.getMessage() for r in caplog.records)


def test_sync_from_the_web_when_redis_is_down(
    congress_jobs_app: Flask, redis_down: str, client, login_as, runner, congress_server
):
    """ "Sync all" still starts (in the local pool) and the bill syncs; no error page."""
    from advocacy.models import Event

    assert runner.invoke(args=["bills", "track", "116 hr 3571"]).exit_code == 0
    congress_server.bills[(116, "hr", 3571)]["bill"]["updateDate"] = "2026-02-02T00:00:00Z"
    congress_server.bills[(116, "hr", 3571)]["actions"].insert(
        0, {"actionDate": "2021-01-02", "text": "Last words.", "type": "Floor"}
    )
    login_as("advocate")
    response = submit(client, "/bills/sync-all", {}, form_url="/dashboard", follow_redirects=True)
    assert response.status_code == 200 and "started in the background" in response.get_data(as_text=True)
    deadline = time.monotonic() + 30
    actions: list[str] = []
    while time.monotonic() < deadline and not actions:
        with congress_jobs_app.app_context():
            actions = db.session.scalars(select(Event.summary).where(Event.kind == "bill.action")).all()
        time.sleep(0.1)
    assert actions == ["New action (2021-01-02): Last words."]


def test_letters_from_the_web_when_redis_is_down(
    letters_app: Flask, redis_down: str, demo, client, login_as, make_letter_template
):
    """ "Generate" still starts the batch (in the local pool) and the letters are made."""
    login_as("advocate")
    slug = make_letter_template(slug="redis-down", name="Redis down")
    response = submit(
        client,
        "/letters/generate",
        {"template": slug, "campaign": "city-state-diplomacy", "selector": "member:L000582"},
        form_url="/letters/",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    batch_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert wait_for_batch(letters_app, batch_id) == "done"


def test_alerts_run_here_when_redis_is_down(app: Flask, redis_down: str):
    """The alerts job runs in this process (and says what it did) instead of being lost in a dead queue."""
    from advocacy.alerts.tasks import enqueue_or_run

    with app.app_context():
        summary = enqueue_or_run(app)
    assert "queued job" not in summary and summary


@pytest.fixture
def redis_down_app(app: Flask, database_url: str, tmp_path) -> Flask:
    """A second app on the same database whose rate limits are stored in a Redis that is down.

    The limiter is one object shared by every app; its storage is put back for the session's app afterwards.
    """
    from advocacy import create_app
    from advocacy.extensions import limiter

    saved = {
        name: getattr(limiter, name)
        for name in ("_storage", "_limiter", "_storage_dead", "_fallback_limiter", "_fallback_storage")
    }
    saved_options = dict(limiter._storage_options)
    down = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/7",
            "PUBLIC_POST_RATE_LIMIT": "3 per hour",
        },
    )
    assert down.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    yield down
    with down.app_context():
        db.session.remove()
        db.engine.dispose()
    for name, value in saved.items():
        setattr(limiter, name, value)
    limiter._storage_options.clear()
    limiter._storage_options.update(saved_options)


def test_signing_works_when_redis_is_down(app: Flask, demo, invite_city, redis_down_app: Flask):
    """With the rate-limit store down, a signature is still stored, and limits still apply (in memory)."""
    client = redis_down_app.test_client()
    path = invite_city()
    data = {
        "signer_name": "Ada Mayor",
        "signer_title": "Mayor",
        "signer_email": "mayor@austintexas.gov",
        "attestation": "y",
        "signature": "ada mayor",
    }
    response = submit(client, path, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        endorsement = db.session.scalar(select(Endorsement).where(Endorsement.signer_name == "Ada Mayor"))
        assert endorsement is not None and endorsement.status == "pending"
    token = csrf_token(client, "/login")  # the link is used now: post straight at it, three more times
    statuses = [client.post(path, data=dict(data, csrf_token=token)).status_code for _ in range(3)]
    assert statuses == [410, 410, 429], statuses
