"""Extension objects, created bare here and bound to the app in `create_app()`."""

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from advocacy.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)


def real_app() -> Flask:
    """The app behind `current_app` (to hand to threads and worker pools, or to key per-app caches by)."""
    return current_app._get_current_object()  # type: ignore[attr-defined]  # Flask types the proxy as Flask itself
