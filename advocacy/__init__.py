"""The advocacy application: follow the city-diplomacy bills, collect city endorsements, write to Congress."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

from config import Config, config_for

ROOT = Path(__file__).resolve().parent.parent


def create_app(env_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app for APP_ENV (or `env_name`), with optional config overrides (tests)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
    )
    config_class: type[Config] = config_for(env_name or os.environ.get("APP_ENV"))
    app.config.from_object(config_class)
    app.config["INSTANCE_PATH"] = app.instance_path
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'advocacy.sqlite3'}"
    config_class.check(app.config)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    # A Redis outage must not stop signing or logging in: limits fall back to memory (per process) and any
    # other limiter error is logged, not raised; short timeouts so a hung Redis cannot hang requests.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})

    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_security(app)
    register_jobs(app)
    register_schedule(app)
    register_unit_of_work(app)
    return app


def configure_logging(app: Flask) -> None:
    if not app.testing and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # WeasyPrint logs every rendering step at INFO: keep its warnings only.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    # APScheduler logs each run of each job at INFO (the lease renewal every 20 s): the app's own scheduler logger
    # (advocacy.scheduler) says what matters, and the dashboard shows every job's last run.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from advocacy import extensions as ext
    from advocacy.auth.services import load_user

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"), render_as_batch=True)
    ext.csrf.init_app(app)
    ext.login_manager.init_app(app)
    ext.login_manager.login_view = "auth.login"
    ext.login_manager.login_message_category = "info"
    ext.login_manager.session_protection = "strong"
    ext.login_manager.user_loader(load_user)
    ext.limiter.init_app(app)


# Feature modules whose `bp` blueprint is registered, in this order.
BLUEPRINTS = (
    "advocacy.main.views",
    "advocacy.auth.views",
    "advocacy.bills.views",
    "advocacy.bills.text_views",
    "advocacy.campaigns.views",
    "advocacy.members.views",
    "advocacy.cities.views",
    "advocacy.letters.views",
    "advocacy.letters.send_views",
    "advocacy.admin.views",
    "advocacy.endorsements.views",
    "advocacy.public.views",
    "advocacy.alerts.views",
    "advocacy.api.views",
    "advocacy.api.pages",
    "advocacy.targets.views",
    "advocacy.contacts.views",
)


def register_blueprints(app: Flask) -> None:
    for module_name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module_name).bp)


def register_commands(app: Flask) -> None:
    from advocacy.cli import register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from advocacy.errors import register

    register(app)


def register_security(app: Flask) -> None:
    from advocacy.public.cache import install
    from advocacy.security import register

    register(app)
    install(app)  # the public-page cache stores responses with their security headers


def register_jobs(app: Flask) -> None:
    """Hand the job runners this factory (their workers build the app with it: advocacy.jobs never imports this
    package) and the recovery of interrupted letter batches, resumed when this process answers its first request."""
    from advocacy import jobs
    from advocacy.letters.recovery import recover_expired_batches

    jobs.init_app(app, factory=create_app, recover=recover_expired_batches)


def register_template_helpers(app: Flask) -> None:
    from advocacy.templating import register
    from advocacy.urls import register as register_urls

    register(app)
    register_urls(app)


def register_schedule(app: Flask) -> None:
    """`make run` (SCHEDULER_IN_PROCESS) runs the schedule inside the server; production runs `flask worker`."""
    if app.config.get("SCHEDULER_IN_PROCESS") and not app.testing:
        from advocacy.scheduler import exit_with_parent, start_in_process, stop_on_sigterm

        exit_with_parent()
        stop_on_sigterm()
        start_in_process(app)


def register_unit_of_work(app: Flask) -> None:
    """Each request and each CLI command commits once, in `advocacy.uow` (after all views and commands exist)."""
    from advocacy import uow

    uow.register(app)
