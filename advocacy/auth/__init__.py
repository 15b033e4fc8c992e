"""Auth feature: staff accounts, logins and roles.

`current_staff()` is the logged-in staff member of a request, typed as a `User`, for views behind
`role_required` (and anything they call), instead of Flask-Login's untyped `current_user` proxy.
"""

from __future__ import annotations

from flask_login import current_user

from advocacy.models.users import User


def logged_in_staff() -> User | None:
    """The staff member logged in for this request, or None (an anonymous visitor)."""
    user = current_user._get_current_object()
    return user if isinstance(user, User) and user.is_authenticated else None


def current_staff() -> User:
    """The staff member logged in for this request; RuntimeError when nobody is (use behind `role_required`)."""
    user = logged_in_staff()
    if user is None:
        raise RuntimeError("current_staff() needs a logged-in staff member: put the view behind role_required")
    return user
