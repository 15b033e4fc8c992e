"""Configuration: safe defaults and a clear refusal when production lacks its secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from advocacy import create_app
from config import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_production_refuses_to_start_without_secret_key(tmp_path):
    """create_app() in production without SECRET_KEY raises ConfigError naming the variable."""
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app("production", {"SECRET_KEY": None, "INSTANCE_PATH": str(tmp_path)})


def test_production_cli_exits_with_message_without_secret_key(tmp_path):
    """`flask --app wsgi` in production without SECRET_KEY fails with the explanation, not a traceback dump only."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "APP_ENV"}}
    env.update(APP_ENV="production", INSTANCE_PATH=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "routes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_with_secret_has_secure_cookies(tmp_path):
    """Production sets Secure, HttpOnly and SameSite session cookies."""
    app = create_app(
        "production", {"SECRET_KEY": "x" * 40, "BASE_URL": "https://a.example.org", "INSTANCE_PATH": str(tmp_path)}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_development_generates_and_keeps_a_secret(tmp_path):
    """Development creates a secret once in the instance folder and reuses it on the next start."""
    first = create_app("development", {"SECRET_KEY": None, "INSTANCE_PATH": str(tmp_path)})
    second = create_app("development", {"SECRET_KEY": None, "INSTANCE_PATH": str(tmp_path)})
    assert len(first.config["SECRET_KEY"]) >= 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_unknown_app_env_is_rejected():
    """A typo in APP_ENV is an error, not a silent fallback."""
    with pytest.raises(ConfigError, match="APP_ENV"):
        create_app("prodution")


def test_production_refuses_to_start_without_base_url(tmp_path):
    """Production without BASE_URL refuses to start (links in e-mails would point nowhere), naming the variable."""
    with pytest.raises(ConfigError, match="BASE_URL is not set"):
        create_app("production", {"SECRET_KEY": "x" * 40, "BASE_URL": None, "INSTANCE_PATH": str(tmp_path)})


def test_development_base_url_follows_the_server(tmp_path, monkeypatch):
    """Development without BASE_URL links to `flask run`'s port, then to the address the server is bound to
    (recorded for CLI commands started later), never to a Host header a client sends."""
    monkeypatch.setenv("FLASK_RUN_PORT", "5100")
    monkeypatch.delenv("FLASK_RUN_HOST", raising=False)
    app = create_app("development", {"SECRET_KEY": "x" * 40, "BASE_URL": None, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["BASE_URL"] == "http://127.0.0.1:5100"
    client = app.test_client()
    client.get(
        "/login",
        headers={"Host": "evil.example"},
        environ_overrides={"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5200"},
    )
    assert app.config["BASE_URL"] == "http://127.0.0.1:5200"
    later = create_app("development", {"SECRET_KEY": "x" * 40, "BASE_URL": None, "INSTANCE_PATH": str(tmp_path)})
    assert later.config["BASE_URL"] == "http://127.0.0.1:5200"  # e.g. `flask endorsements invite` afterwards
    fixed = create_app(
        "development", {"SECRET_KEY": "x" * 40, "BASE_URL": "https://a.example.org", "INSTANCE_PATH": str(tmp_path)}
    )
    fixed.test_client().get("/login")
    assert fixed.config["BASE_URL"] == "https://a.example.org"


def test_system_check_names_the_one_apt_command():
    """scripts/check_system.py: nothing missing here; with libraries missing, one apt-get line installs them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_system", ROOT / "scripts" / "check_system.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    assert subprocess.run([sys.executable, str(ROOT / "scripts" / "check_system.py")], timeout=60).returncode == 0
    gaps = check.missing(find_library=lambda name: None if "harfbuzz" in name or "pango" in name else "lib.so")
    message = check.report(gaps)
    assert message.splitlines()[-1].strip() == (
        "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0"
    )
    assert "fonts-dejavu-core" in check.report(check.missing(exists=lambda path: False))


def test_second_setup_says_what_to_do_not_printed_above(app, runner, demo):
    """`flask setup` on a set-up database says so and how to get in; Makefile no longer points to "printed above"."""
    runner.invoke(args=["users", "create", "a@example.org", "--role", "admin", "--password", "correct horse battery"])
    result = runner.invoke(args=["setup"])
    assert "Set-up already done" in result.output and "users create" in result.output
    assert "printed above" not in (ROOT / "Makefile").read_text()


def test_first_setup_sets_the_campaign_contact(app, runner):
    """`flask setup --contact-email` gives the campaign its public contact (shown to signers and cities)."""
    from sqlalchemy import select

    from advocacy.extensions import db
    from advocacy.models import Campaign

    result = runner.invoke(args=["setup", "--contact-email", "team@citydiplomacy.example"])
    assert result.exit_code == 0, result.output
    assert "no public contact yet" not in result.output
    with app.app_context():
        assert set(db.session.scalars(select(Campaign.contact_email))) == {"team@citydiplomacy.example"}
