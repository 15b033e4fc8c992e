"""Shared fixtures: the app on a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
a client whose forms carry real CSRF tokens, login helpers and factories."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from itertools import count

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, text

from advocacy import create_app
from advocacy.extensions import db

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

    def login(self, email: str, password: str = "correct horse battery", **kwargs):
        return submit(self.client, "/login", {"email": email, "password": password}, **kwargs)

    def logout(self):
        return submit(self.client, "/logout", {}, form_url="/dashboard")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


_seq = count(1)


@pytest.fixture
def make_user(app: Flask):
    """Create a user with a role; the password is "correct horse battery" unless given."""

    def make(role: str = "viewer", email: str | None = None, password: str = "correct horse battery"):
        from advocacy.auth.services import create_user

        with app.app_context():
            user = create_user(email or f"{role}{next(_seq)}@example.org", password, role, actor="test")
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
