"""schemathesis against the running app (WSGI): every operation of /api/v1/openapi.json, all checks, no failures."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from advocacy import create_app
from advocacy.extensions import db

# The schema is loaded from the app itself; the requests go to the `app` fixture's database (see `_wire`).
_schema_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _schema_app)
_state: dict = {}


@pytest.fixture
def live(demo, congress_app, api_token, monkeypatch):
    """The demo data, the fake Congress.gov and an advocate token; the app lets schemathesis run without hitting the rate limit."""
    app = congress_app
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")
    _state["token"] = api_token("advocate")[1]
    return app


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case, live):
    """No 500s, documented statuses, content types and headers, bodies matching their schemas."""
    # Writes validate meaning the schema cannot express (citation grammar, e-mail, letter selectors): a random
    # schema-valid string is rightly a 400 there, so "valid data is accepted" is checked on reads only.
    excluded = [positive_data_acceptance] if case.method.upper() == "POST" else []
    case.call_and_validate(app=live, headers={"Authorization": f"Bearer {_state['token']}"}, excluded_checks=excluded)
    with live.app_context():
        db.session.remove()
