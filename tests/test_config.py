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
