"""Fixtures for alerts and the API: a real SMTP server, a webhook receiver on 127.0.0.1, tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.endorsements_fixtures import MailCatcher
from tests.serving import serve_in_thread


@pytest.fixture
def alerts_smtp(smtp: MailCatcher) -> MailCatcher:
    """The one SMTP catcher (`smtp`, tests/endorsements_fixtures.py) under the name the alerts tests use: a test
    asking for both gets one server, not two with the app pointed at whichever started last."""
    return smtp


class Receiver:
    """A webhook receiver: records requests; `script` says how to answer the next ones (200, 500, "hang")."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[object] = []
        self.hang_seconds = 3.0
        self.lock = threading.Lock()

    def verify(self, secret: str, request: dict) -> bool:
        """What a receiver does with the documented headers."""
        timestamp = request["headers"]["X-Advocacy-Timestamp"]
        expected = (
            "sha256="
            + hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
        )
        fresh = abs(time.time() - int(timestamp)) <= 300
        return fresh and hmac.compare_digest(expected, request["headers"]["X-Advocacy-Signature"])


@pytest.fixture
def webhook_receiver() -> Iterator[tuple[Receiver, str]]:
    """(receiver, base URL) of an HTTP server on 127.0.0.1 answering per `receiver.script` (default 200)."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server API)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                answer = receiver.script.pop(0) if receiver.script else 200
            if answer == "hang":
                time.sleep(receiver.hang_seconds)
                answer = 200
            try:
                self.send_response(int(answer))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the client gave up (timeout)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with serve_in_thread(server) as url:
        yield receiver, url


@pytest.fixture
def api_token(app, make_user):
    """Create a user with `role` and an API token through the service; returns (email, raw token)."""

    def make(role: str = "advocate") -> tuple[str, str]:
        from sqlalchemy import select

        from advocacy.api.tokens import create_token
        from advocacy.extensions import db
        from advocacy.models import User

        email_address = make_user(role)
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email_address))
            _row, raw = create_token(user, "test")
            db.session.commit()
        return email_address, raw

    return make


def json_body(response) -> dict:
    return json.loads(response.get_data(as_text=True))
