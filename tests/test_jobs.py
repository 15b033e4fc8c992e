"""Jobs are registered functions (`@job`), handed to the runners as functions, and run in the worker inside an
application context and one unit of work: committed when they return, rolled back when they raise."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from advocacy import jobs
from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.jobs import JobRunner, RQRunner, UnregisteredJob, job, local_pool
from advocacy.models import Event


@job
def record(summary: str) -> str:
    """Adds an event and returns without committing: the worker's unit of work commits it."""
    record_event("test.job", summary, actor="job")
    return summary


@job
def record_then_fail(summary: str) -> None:
    """Adds an event, then raises: the worker's unit of work rolls it back."""
    record_event("test.job", summary, actor="job")
    db.session.flush()
    raise RuntimeError("the job failed after writing")


def not_a_job() -> None:
    """Not registered: no runner takes it."""


def _summaries(app: Flask) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(Event.summary).where(Event.kind == "test.job")))
        db.session.remove()
        return found


def test_jobs_are_registered_by_the_decorator_under_their_dotted_name():
    """@job registers the function itself (returned unchanged), named "module.function"; the app's jobs are there."""
    from advocacy.bills.tasks import sync_bills
    from advocacy.letters.tasks import run_chunk

    registry = jobs.registered_jobs()
    assert registry[f"{__name__}.record"] is record
    assert jobs.registered(record) == f"{__name__}.record"
    assert registry["advocacy.letters.tasks.run_chunk"] is run_chunk
    assert registry["advocacy.bills.tasks.sync_bills"] is sync_bills


def test_only_module_level_functions_can_be_jobs():
    """A nested function or a lambda cannot reach a worker process by reference: @job refuses it at once."""

    def nested() -> None:
        pass

    with pytest.raises(TypeError, match="module-level"):
        job(nested)
    with pytest.raises(TypeError, match="module-level"):
        job(lambda: None)


def test_an_unregistered_function_is_refused_by_every_runner(app: Flask):
    """submit() and call() refuse a function that is not a registered job, with a message that says what to do
    (and before any worker or Redis is involved)."""
    with app.app_context():
        pool = local_pool()
        futures = dict(pool._futures)
        rq = RQRunner(app.extensions["advocacy.jobs"].factory, "redis://127.0.0.1:1/0", "nowhere", job_timeout=5)
        runners: list[JobRunner] = [pool, rq]
        for runner in runners:
            with pytest.raises(UnregisteredJob, match=r"not_a_job is not a registered job: decorate it with @"):
                runner.submit(not_a_job)
        with pytest.raises(UnregisteredJob):
            pool.call(not_a_job, timeout=5)
        with pytest.raises(UnregisteredJob):
            pool.call(print, timeout=5)  # a callable that is no job at all
        assert pool._futures == futures  # refused before anything was queued


def test_a_pool_job_commits_when_it_returns_and_rolls_back_when_it_raises(letters_app: Flask):
    """In a worker process the job runs in one unit of work: its rows are committed without a commit() of its
    own when it returns, and rolled back when it raises."""
    with letters_app.app_context():
        pool = local_pool()
        assert pool.call(record, "kept", timeout=60) == "kept"
        with pytest.raises(RuntimeError, match="failed after writing"):
            pool.call(record_then_fail, "rolled back", timeout=60)
    assert _summaries(letters_app) == ["kept"]


def test_the_rq_entry_point_runs_a_job_in_a_unit_of_work(app: Flask, monkeypatch: pytest.MonkeyPatch):
    """`run_in_app` (what an RQ work horse runs) commits a job that returns and rolls back one that raises; the
    app comes from the factory handed over at registration (here: the test app, already built)."""
    monkeypatch.setattr(jobs, "_worker_app", app)
    factory = app.extensions["advocacy.jobs"].factory
    assert jobs.run_in_app(factory, record, "through rq") == "through rq"
    with pytest.raises(RuntimeError):
        jobs.run_in_app(factory, record_then_fail, "not kept")
    assert _summaries(app) == ["through rq"]


def test_the_factory_hands_itself_to_the_job_runners(app: Flask):
    """`create_app` registers itself as the workers' factory (advocacy.jobs never imports the root package)."""
    from advocacy import create_app

    assert app.extensions["advocacy.jobs"].factory is create_app
    with app.app_context():
        assert local_pool().factory is create_app
