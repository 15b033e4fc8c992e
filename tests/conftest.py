"""Shared fixtures: the app on a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
a client whose forms carry real CSRF tokens, login helpers, factories (tests/factories.py), the query counter
(`count_queries` / `assert_queries(n)`) and the one free-port helper."""

from __future__ import annotations

import contextlib
import os
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, inspect, text

from advocacy import create_app
from advocacy.extensions import db
from tests.factories import PASSWORD, make_account

# Fixture modules of the features (one per feature, so that features do not edit each other's fixtures).
pytest_plugins = [
    "tests.congress_fixtures",
    "tests.endorsements_fixtures",
    "tests.imports_fixtures",
    "tests.letters_fixtures",
    "tests.alerts_fixtures",
    "tests.browser_fixtures",
    "tests.contacts_fixtures",
]

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for test servers, or a closed port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_schema(app: Flask) -> None:
    """Drop everything and build the schema with the migrations (so the tests exercise them)."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance"))},
    )
    _reset_schema(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # close pooled connections: an unclosed one is a ResourceWarning (an error here)


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table after each test that used the app, so tests never see each other's rows."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            tables = [t for t in db.metadata.sorted_tables if t.name in existing]
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    conn.execute(table.delete())
    from advocacy.extensions import limiter

    with app.app_context():
        limiter.reset()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, url: str) -> str:
    """GET `url` and return the CSRF token of its form."""
    response = client.get(url)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1)


def submit(client: FlaskClient, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """Post a form the way a browser does: fetch the page for its CSRF token, then post."""
    payload = dict(data)
    payload["csrf_token"] = csrf_token(client, form_url or url)
    return client.post(url, data=payload, **kwargs)


class Auth:
    """Log a test client in and out through the real login form."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **kwargs):
        return submit(self.client, "/login", {"email": email, "password": password}, **kwargs)

    def logout(self):
        return submit(self.client, "/logout", {}, form_url="/dashboard")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def make_user(app: Flask):
    """Create a user with a role; the password is "correct horse battery" unless given."""

    def make(role: str = "viewer", email: str | None = None, password: str = PASSWORD):
        with app.app_context():
            user = make_account(role, email, password)
            db.session.commit()
            return user.email

    return make


@pytest.fixture
def login_as(make_user, auth: Auth):
    """Create a user with `role`, log the client in, return the e-mail."""

    def login(role: str = "viewer") -> str:
        email = make_user(role)
        response = auth.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return email

    return login


@pytest.fixture
def demo(app: Flask) -> None:
    """Load the demo data."""
    from advocacy.demo.services import load_demo

    with app.app_context():
        load_demo()
        db.session.commit()


class Queries:
    """The SQL statements the app's engine ran while counting."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return f"{self.count} queries:\n" + "\n".join("  " + " ".join(s.split())[:160] for s in self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], AbstractContextManager[Queries]]:
    """`with count_queries() as queries:` records every statement the app's engine runs inside the block
    (requests through the test client, services, CLI commands alike)."""
    with app.app_context():
        engine = db.engine

    @contextlib.contextmanager
    def counting() -> Iterator[Queries]:
        queries = Queries()

        def record(conn, cursor, statement, *args) -> None:
            queries.statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield queries
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def assert_queries(count_queries) -> Callable[[int], AbstractContextManager[Queries]]:
    """`with assert_queries(n):` fails unless the block runs exactly `n` statements (listing them if not).

    A list page's test measures its count once with `count_queries`, adds rows, then asserts the same count:
    the page's queries must not grow with its rows."""

    @contextlib.contextmanager
    def asserting(expected: int) -> Iterator[Queries]:
        with count_queries() as queries:
            yield queries
        assert queries.count == expected, f"expected {expected}, ran {queries}"

    return asserting
