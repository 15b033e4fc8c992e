"""Pytest fixtures for the fake Congress.gov API (register with `pytest_plugins` in the root conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from advocacy.congress.client import CongressClient
from tests.congress_fake import FAKE_API_KEY, FakeCongressServer, RecordingSleep, load_fixture_bills


@pytest.fixture
def congress_server() -> Iterator[FakeCongressServer]:
    """A fake Congress.gov on 127.0.0.1, preloaded with the recorded bills and members, stopped after the test."""
    server = FakeCongressServer()
    server.start()
    try:
        load_fixture_bills(server)
        yield server
    finally:
        server.stop()


@pytest.fixture
def congress_sleeps() -> RecordingSleep:
    """Records the back-off waits of `congress_client` instead of sleeping."""
    return RecordingSleep()


@pytest.fixture
def congress_client(congress_server: FakeCongressServer, congress_sleeps: RecordingSleep) -> Iterator[CongressClient]:
    """A client for `congress_server` with the valid test key, short timeouts and recorded (not real) sleeps."""
    client = CongressClient(
        congress_server.url,
        FAKE_API_KEY,
        timeout=2.0,
        max_retries=3,
        backoff=0.01,
        sleep=congress_sleeps,
    )
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def congress_app(app, congress_server: FakeCongressServer):
    """The app wired to the fake Congress.gov: every sync builds its clients against `congress_server`."""
    from advocacy.bills import sync

    def factory() -> CongressClient:
        return CongressClient(
            congress_server.url, FAKE_API_KEY, timeout=0.5, max_retries=2, backoff=0.01, sleep=lambda _s: None
        )

    app.extensions["congress_client_factory"] = factory
    sync._budgets.pop(id(app), None)
    try:
        yield app
    finally:
        app.extensions.pop("congress_client_factory", None)
        sync._budgets.pop(id(app), None)


@pytest.fixture
def congress_jobs_app(congress_app, congress_server: FakeCongressServer, monkeypatch: pytest.MonkeyPatch):
    """`congress_app` whose background jobs (worker processes, which cannot see the test's client factory)
    reach the fake Congress.gov through the configuration; the job pool is stopped after the test."""
    from advocacy.jobs import local_pool

    monkeypatch.setitem(congress_app.config, "CONGRESS_API_URL", congress_server.url)
    monkeypatch.setitem(congress_app.config, "CONGRESS_API_KEY", FAKE_API_KEY)
    monkeypatch.setitem(congress_app.config, "JOBS_WORKERS", 1)
    try:
        yield congress_app
    finally:
        with congress_app.app_context():
            local_pool(congress_app).shutdown()
