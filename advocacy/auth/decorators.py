"""Role checks for staff views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import login_required

from advocacy.auth import current_staff


def role_required(role: str) -> Callable:
    """Require login (anonymous users are sent to the login page) and at least `role` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_staff().has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
