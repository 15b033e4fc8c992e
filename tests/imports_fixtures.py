"""Fixtures of the import tests: the fixture files' folder, and a real HTTP server on 127.0.0.1 serving it."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.serving import serve_in_thread

IMPORT_FIXTURES = Path(__file__).parent / "fixtures" / "imports"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture
def import_file():
    """Path (as a string) of a file in tests/fixtures/imports."""

    def path(name: str) -> str:
        return str(IMPORT_FIXTURES / name)

    return path


@pytest.fixture
def fixtures_server() -> Iterator[str]:
    """Base URL of an HTTP server on 127.0.0.1 (a thread) serving tests/fixtures/imports."""
    handler = functools.partial(_QuietHandler, directory=str(IMPORT_FIXTURES))
    with serve_in_thread(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as url:
        yield url
