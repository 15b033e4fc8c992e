"""Accounts: creation, authentication, password policy, and logins (server-side sessions)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from functools import lru_cache
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.models import ROLES, User, UserSession
from advocacy.models.base import utcnow
from advocacy.models.events import USER_CREATED, USER_PASSWORD_CHANGED

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
LOCKOUT_THRESHOLD = 5
LOCKOUT_MINUTES = 15
# The one answer to a failed log-in, whether the address is unknown, the password wrong or the account locked,
# so that the page never tells whether an account exists.
LOGIN_FAILED = (
    f"Wrong e-mail or password. After {LOCKOUT_THRESHOLD} failed log-ins in a row an account is locked for "
    f"{LOCKOUT_MINUTES} minutes."
)


class AccountError(ValueError):
    """A user-facing problem with an account request; the subclass says which (forms put it on that field)."""


class UnknownRole(AccountError):
    """The role is not one of ROLES."""


class InvalidEmail(AccountError):
    """The e-mail address is not one."""


class EmailTaken(AccountError):
    """An account with this e-mail address exists already."""


class WeakPassword(AccountError):
    """The new password fails the password policy."""


class WrongPassword(AccountError):
    """The current password given to change it is wrong."""


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """A throw-away password hashed exactly like real accounts (same algorithm and parameters, `method`)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """Open a login for `user`: a random token whose hash is stored; `user.get_id()` returns it for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, token_hash=_token_hash(token)))
    user.session_token = token
    db.session.flush()
    return token


def end_session(token: str | None) -> None:
    """End one login (logout): its cookie, or any copy of it, no longer opens a page."""
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def end_all_sessions(user: User, *, keep_current: bool = False) -> int:
    """End every login of `user` ("log out everywhere", password change); returns how many ended.

    With `keep_current`, the login this request belongs to stays open.
    """
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_current and user.session_token:
        query = query.where(UserSession.token_hash != _token_hash(user.session_token))
    ended = cast(CursorResult[Any], db.session.execute(query)).rowcount or 0
    logger.info("ended %s session(s) of %s", ended, user.email)
    return ended


def load_user(token: str) -> User | None:
    """Flask-Login user loader: the active user whose open login has this token (None once it has ended)."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(
        select(User).join(UserSession).where(UserSession.token_hash == _token_hash(token), User.active.is_(True))
    )
    if user is not None:
        user.session_token = token
    return user


def check_password_policy(password: str) -> None:
    """Raise WeakPassword when the password is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() == "" or len(set(password)) < 4:
        raise WeakPassword("That password is too simple: use a passphrase or a password manager.")


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def generate_password() -> str:
    """A random password that satisfies the policy, for first accounts and CLI-created users."""
    return secrets.token_urlsafe(15)


def create_user(email: str, password: str, role: str, actor: str = "cli") -> User:
    """Create an account after checking the role, the password policy and that the e-mail is free (flushed).

    Raises UnknownRole, InvalidEmail, WeakPassword or EmailTaken.
    """
    email = normalise_email(email)
    if role not in ROLES:
        raise UnknownRole(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    if "@" not in email:
        raise InvalidEmail(f"{email!r} is not an e-mail address.")
    check_password_policy(password)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(f"An account for {email} already exists.")
    user = User(email=email, password_hash=hash_password(password), role=role)
    db.session.add(user)
    db.session.flush()
    record_event(USER_CREATED, f"Account {email} created with role {role}", actor=actor)
    logger.info("user %s created with role %s by %s", email, role, actor)
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None. Counts failures per account.

    After LOCKOUT_THRESHOLD failures in a row the account is locked for LOCKOUT_MINUTES (None, also for the right
    password), which stops password guessing across IP addresses. Every path hashes the password once with the
    accounts' own algorithm (a dummy hash for unknown addresses), so neither the answer nor its time tells
    whether the address has an account or whether it is locked.
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return None
    now = utcnow()
    password_ok = check_password_hash(user.password_hash, password)
    if user.locked_until is not None and user.locked_until > now:
        logger.info("login refused for %s: locked until %s", user.email, user.locked_until)
        return None
    if not password_ok or not user.active:
        user.failed_logins += 1
        logger.info("failed login for %s (%s in a row)", user.email, user.failed_logins)
        if user.failed_logins >= LOCKOUT_THRESHOLD:
            user.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
            user.failed_logins = 0
            logger.warning("account %s locked for %s minutes", user.email, LOCKOUT_MINUTES)
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change `user`'s password after checking the current one (else WrongPassword) and the policy (else
    WeakPassword); ends every other login."""
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword("The current password is wrong.")
    check_password_policy(new)
    user.password_hash = hash_password(new)
    end_all_sessions(user, keep_current=True)
    record_event(USER_PASSWORD_CHANGED, f"Account {user.email} changed its password", actor=user.email)
    logger.info("user %s changed their password", user.email)


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
