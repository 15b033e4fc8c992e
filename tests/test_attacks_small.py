"""Issue #17, the smaller breaks, written as the attacks: private pages cached, deeply nested JSON, a NUL byte in
an imported CSV, rate limits counted per process without saying so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import City, Endorsement, User

ROOT = Path(__file__).resolve().parent.parent
SLUG = "city-state-diplomacy"


def test_pages_with_signers_contact_details_are_not_stored(app, client, demo, login_as):
    """The endorsement page, dashboard, targets.csv and the outbox: Cache-Control no-store; public pages keep theirs."""
    with app.app_context():
        endorsement_id = db.session.scalar(select(Endorsement.id).limit(1))
    login_as("admin")
    for url in (f"/endorsements/{endorsement_id}", "/dashboard", f"/campaigns/{SLUG}/targets.csv", "/admin/outbox"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", url
    asset = client.get("/static/css/app.css")
    asset.close()
    assert asset.headers.get("Cache-Control") != "no-store"  # assets stay cacheable
    anonymous = app.test_client()
    assert "no-store" not in (anonymous.get(f"/c/{SLUG}").headers.get("Cache-Control") or "")


def test_api_responses_to_a_token_are_not_stored(app, client, make_user):
    """An API answer made for a token holder (events) is not kept by caches either."""
    from advocacy.api.tokens import create_token

    email = make_user("viewer")
    with app.app_context():
        _row, raw = create_token(db.session.scalar(select(User).where(User.email == email)), "test")
        db.session.commit()
    response = client.get("/api/v1/events", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_deeply_nested_json_to_the_api_is_a_400(app, client, make_user, depth):
    """[[[[...]]]] as a request body answers 400 in the API's error shape, never 500."""
    from advocacy.api.tokens import create_token

    email = make_user("advocate")
    with app.app_context():
        _row, raw = create_token(db.session.scalar(select(User).where(User.email == email)), "test")
        db.session.commit()
    body = '{"citation": ' + "[" * depth + "]" * depth + "}"
    response = client.post(
        "/api/v1/bills", data=body, headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert "nested more than 32 levels" in response.get_json()["error"]["message"]


def test_a_nul_byte_in_an_imported_csv_names_the_line_and_changes_nothing(app, runner, tmp_path):
    """`cities import` of a CSV with a NUL in line 3: a clear message with the line, exit 1, no city added."""
    path = tmp_path / "places.csv"
    path.write_text("name,state,population\nSpringfield,IL,114394\nShelby\x00ville,IL,1000\n")
    result = runner.invoke(args=["cities", "import", str(path)])
    assert result.exit_code == 1
    assert "places.csv line 3: contains a NUL character" in result.output
    assert "Traceback" not in result.output and "psycopg" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(City.id))) == 0


def test_the_health_page_says_rate_limits_are_per_process_without_redis(app, client, login_as):
    """Admin → health says the limits are counted per process when REDIS_URL is not set."""
    login_as("admin")
    from flask import url_for

    with app.test_request_context():
        url = url_for("alerts.health")
    page = client.get(url).get_data(as_text=True)
    assert "counted <strong>per process</strong>" in page


@pytest.mark.parametrize(("redis_url", "warned"), [(None, True), ("redis://127.0.0.1:6399/0", False)])
def test_production_warns_at_start_up_when_several_workers_run_without_redis(tmp_path, redis_url, warned):
    """gunicorn --workers 2 in production logs the warning at start-up, unless REDIS_URL is set."""
    env = dict(
        os.environ, APP_ENV="production", SECRET_KEY="x" * 32, BASE_URL="http://127.0.0.1", INSTANCE_PATH=str(tmp_path)
    )
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = tmp_path / "gunicorn.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind", "127.0.0.1:0", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and log.read_text().count("Booting worker") < 2:
            time.sleep(0.1)
        text = log.read_text()
        assert text.count("Booting worker") == 2, text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
    assert ("2 web worker processes run without REDIS_URL" in text) is warned


def test_a_nul_byte_in_a_bulk_invitation_csv_is_reported_on_its_line(app, demo):
    """Bulk invitations: the row with a NUL is reported with its line number; the other rows are invited."""
    from advocacy.endorsements.services import import_invitations
    from advocacy.models import Campaign

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        city = db.session.scalar(select(City).order_by(City.id).limit(1))
        other = db.session.scalar(select(City).order_by(City.id.desc()).limit(1))
        text = (
            "city,state,email,name\n"
            f"{city.name},{city.state},mayor@example.gov,Pat\x00 Doe\n"
            f"{other.name},{other.state},clerk@example.gov,Sam Roe\n"
        )
        rows = import_invitations(campaign, text, "test")
        db.session.commit()
    assert [(r.line, r.ok) for r in rows] == [(2, False), (3, True)]
    assert "NUL character" in rows[0].message
