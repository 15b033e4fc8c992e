"""Fixtures for the browser tests: the app served on 127.0.0.1 in a thread, and Debian's chromium driven by
Playwright, with a screenshot and the HTML of every open page saved into test-artifacts/ when a test fails."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.serving import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# CI (.ci/run) sets REQUIRE_BROWSER_TESTS=1: there a missing chromium or axe-core fails the tests, never skips them.
REQUIRED = os.environ.get("REQUIRE_BROWSER_TESTS") == "1"
CHROMIUM_MISSING = "Debian chromium is not installed at /usr/bin/chromium"

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists() and not REQUIRED, reason=CHROMIUM_MISSING)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test item (item.rep_setup, rep_call, rep_teardown) for the fixtures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served by werkzeug on 127.0.0.1 (a free port) in a thread, on the test database."""
    with serve_in_thread(make_server("127.0.0.1", 0, app, threaded=True)) as url:
        yield url


@pytest.fixture
def browser():
    """Debian's chromium launched by Playwright for one test (skipped when chromium is not installed)."""
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail(f"{CHROMIUM_MISSING} (REQUIRE_BROWSER_TESTS=1)")
        pytest.skip(CHROMIUM_MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _save_artifacts(name: str, pages: list) -> list[Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]
    saved = []
    for index, page in enumerate(pages):
        if page.is_closed():
            continue
        png, html = ARTIFACTS / f"{stem}-{index}.png", ARTIFACTS / f"{stem}-{index}.html"
        try:
            page.screenshot(path=str(png), full_page=True)
            html.write_text(page.content(), encoding="utf-8")
            saved += [png, html]
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"could not save {png}: {exc}")
    return saved


@pytest.fixture
def new_page(browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (its own cookies: one person); keyword arguments go to
    `browser.new_context`. If the test fails, every page's screenshot and HTML go to test-artifacts/."""
    pages: list = []
    contexts: list = []

    def open_page(**context_args):
        context = browser.new_context(accept_downloads=True, **context_args)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for path in _save_artifacts(request.node.nodeid, pages):
            print(f"saved {path}")
    for context in contexts:
        context.close()
