"""Configuration classes, read from environment variables.

`APP_ENV` picks the class: ``production`` (the default, so that a forgotten setting fails safe),
``development`` (what `make run` uses) or ``testing``. Values only: clients are built in the factory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used (e.g. a production secret is missing)."""


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from exc


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "production"
    DEBUG = False
    TESTING = False

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY") or None
    # None means "SQLite in the instance folder", resolved by create_app().
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL") or None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    CONGRESS_API_URL = os.environ.get("CONGRESS_API_URL", "https://api.congress.gov/v3").rstrip("/")
    CONGRESS_API_KEY: str | None = os.environ.get("CONGRESS_API_KEY") or None
    CONGRESS_TIMEOUT = float(os.environ.get("CONGRESS_TIMEOUT", "15"))
    CONGRESS_REQUESTS_PER_HOUR = _int("CONGRESS_REQUESTS_PER_HOUR", 4500)
    # Bills not synced for longer than this are flagged stale on the dashboard.
    SYNC_STALE_HOURS = _int("SYNC_STALE_HOURS", 48)

    REDIS_URL: str | None = os.environ.get("REDIS_URL") or None

    MAIL_SERVER: str | None = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME: str | None = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD: str | None = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "advocacy@localhost")

    # The public address in every link the app writes (e-mails, receipts, feeds, widget snippet, letters).
    # Required in production; development derives it from the running server when unset (see DevelopmentConfig).
    BASE_URL: str | None = os.environ.get("BASE_URL", "").strip().rstrip("/") or None

    # Endorsements: signing links expire after this many days; public form posts per client address.
    ENDORSEMENT_TOKEN_DAYS = _int("ENDORSEMENT_TOKEN_DAYS", 30)
    PUBLIC_POST_RATE_LIMIT = os.environ.get("PUBLIC_POST_RATE_LIMIT", "20 per hour")
    # Public campaign pages, exports and widget are cached this many seconds per worker (0: off).
    PUBLIC_CACHE_SECONDS = _int("PUBLIC_CACHE_SECONDS", 30)

    # Background jobs and letters: worker processes (default one per core), per-letter time limit (s),
    # template-check time limit (s), address-space cap of every job worker (MiB, 1 GiB by default, 0: none),
    # RQ queue name.
    JOBS_WORKERS = _int("JOBS_WORKERS", 0) or None
    LETTER_TIMEOUT = float(os.environ.get("LETTER_TIMEOUT", "30"))
    LETTER_CHECK_TIMEOUT = float(os.environ.get("LETTER_CHECK_TIMEOUT", "5"))
    LETTER_MEMORY_MB = _int("LETTER_MEMORY_MB", 1024) or None
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "advocacy")
    # A letter batch whose jobs have not reported for this long (s) counts as interrupted and is resumed; a letter
    # still rendering LETTER_TIMEOUT + this long after it was claimed lost its worker and is queued again.
    JOBS_LEASE_SECONDS = float(os.environ.get("JOBS_LEASE_SECONDS", "120"))
    # Resume interrupted work when a web process answers its first request and when an RQ worker starts.
    JOBS_RECOVER_ON_START = _bool("JOBS_RECOVER_ON_START", True)

    # Alerts and webhooks: daily digest hour (UTC); webhook timeout (s), first retry delay (s, doubling),
    # attempts before giving up, parallel deliveries. API requests per client address.
    ALERTS_DIGEST_HOUR = _int("ALERTS_DIGEST_HOUR", 13)
    WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))
    WEBHOOK_BACKOFF_SECONDS = _int("WEBHOOK_BACKOFF_SECONDS", 60)
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 6)
    WEBHOOK_WORKERS = _int("WEBHOOK_WORKERS", 4)
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")

    # The schedule (advocacy/scheduler.py), UTC: crontab lines, or "every N s|m|h". `flask worker` runs it;
    # SCHEDULER_IN_PROCESS=1 (what `make run` sets) runs it inside the web server instead. Only the process
    # holding the database lease (renewed every third of SCHEDULER_LEASE_SECONDS) fires jobs.
    SCHEDULE_BILLS_SYNC = os.environ.get("SCHEDULE_BILLS_SYNC", "7 * * * *")
    SCHEDULE_ALERTS = os.environ.get("SCHEDULE_ALERTS", "*/5 * * * *")
    SCHEDULE_DIGEST = os.environ.get("SCHEDULE_DIGEST") or f"1 {ALERTS_DIGEST_HOUR} * * *"
    SCHEDULE_RETRIES = os.environ.get("SCHEDULE_RETRIES", "*/15 * * * *")
    SCHEDULE_EXPIRY = os.environ.get("SCHEDULE_EXPIRY", "17 3 * * *")
    SCHEDULE_RECOVERY = os.environ.get("SCHEDULE_RECOVERY", "*/5 * * * *")
    SCHEDULER_LEASE_SECONDS = _int("SCHEDULER_LEASE_SECONDS", 60)
    SCHEDULER_IN_PROCESS = _bool("SCHEDULER_IN_PROCESS")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies (HTTPS only). Turn off only for a plain-HTTP test deployment on localhost.
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_ENABLED = True
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)

    @classmethod
    def check(cls, config: dict) -> None:
        """Refuse to start with a configuration that would be unsafe in this environment."""
        if not config.get("SECRET_KEY"):
            raise ConfigError(
                "SECRET_KEY is not set. Production needs a long random secret, e.g.\n"
                "  export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"\n"
                "(for a local trial, `make run` uses APP_ENV=development instead)."
            )
        if not config.get("BASE_URL"):
            raise ConfigError(
                "BASE_URL is not set. Production needs the public address that links in e-mails, receipts,\n"
                "feeds and letters point to, e.g.\n  export BASE_URL=https://advocacy.example.org"
            )


class ProductionConfig(Config):
    """Production: secure cookies, a secret key is mandatory."""


class DevelopmentConfig(Config):
    """Local development: plain-HTTP cookies, a secret kept in the instance folder."""

    ENV_NAME = "development"
    DEBUG = False  # the debugger would show stack traces; FLASK_DEBUG=1 turns it on explicitly
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False

    @classmethod
    def check(cls, config: dict) -> None:
        """Development never refuses: a missing secret is generated once and kept in the instance folder, and
        a missing BASE_URL is derived from the running server (see `advocacy.urls`)."""
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = _instance_secret(Path(config["INSTANCE_PATH"]))
        if not config.get("BASE_URL"):
            config["BASE_URL"] = dev_base_url(Path(config["INSTANCE_PATH"]))
            config["BASE_URL_FROM_SERVER"] = True


class TestingConfig(Config):
    """Tests: a throw-away secret, no secure cookies, fast password hashing."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-not-for-production"  # noqa: S105 (tests only)
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    CONGRESS_API_KEY = None
    PUBLIC_CACHE_SECONDS = 0  # tests see every change at once; the cache has its own tests
    MAIL_SERVER = None
    REDIS_URL = None
    BASE_URL = "http://localhost"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (fast hashing for tests only)
    JOBS_RECOVER_ON_START = False  # the recovery tests start it themselves


DEV_BASE_URL_FILE = "base_url"


def dev_base_url(instance_path: Path) -> str:
    """Development's address when BASE_URL is unset: the one the running server last recorded in the instance
    folder (so that CLI commands and jobs link to it too), else `flask run`'s FLASK_RUN_HOST/FLASK_RUN_PORT
    (what `make run` sets), else Flask's default http://127.0.0.1:5000."""
    recorded = instance_path / DEV_BASE_URL_FILE
    if recorded.exists():
        value = recorded.read_text().strip()
        if value.startswith(("http://", "https://")):
            return value.rstrip("/")
    host = os.environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 (a wildcard bind is reached through loopback locally)
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('FLASK_RUN_PORT') or 5000}"


def _instance_secret(instance_path: Path) -> str:
    """Return the development secret stored in the instance folder, creating it on first use."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


CONFIGS: dict[str, type[Config]] = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


def config_for(env_name: str | None) -> type[Config]:
    """Pick the configuration class for APP_ENV (default production)."""
    name = (env_name or "production").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(f"APP_ENV must be one of {', '.join(CONFIGS)}, got {env_name!r}") from exc
