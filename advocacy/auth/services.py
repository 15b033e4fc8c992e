"""Accounts: creation, authentication, password policy."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.models import ROLES, User
from advocacy.models.base import utcnow
from advocacy.models.events import USER_CREATED

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
LOCKOUT_THRESHOLD = 5
LOCKOUT_MINUTES = 15
# Hash of a throw-away password, checked when the e-mail is unknown so that timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="pbkdf2:sha256:1000")


class AccountError(ValueError):
    """A user-facing problem with an account request (duplicate e-mail, weak password, bad role)."""


def load_user(user_id: str) -> User | None:
    """Flask-Login user loader."""
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


def check_password_policy(password: str) -> None:
    """Raise AccountError when the password is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() == "" or len(set(password)) < 4:
        raise AccountError("That password is too simple: use a passphrase or a password manager.")


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def generate_password() -> str:
    """A random password that satisfies the policy, for first accounts and CLI-created users."""
    return secrets.token_urlsafe(15)


def create_user(email: str, password: str, role: str, actor: str = "cli") -> User:
    """Create an account after checking the role, the password policy and that the e-mail is free."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    if "@" not in email:
        raise AccountError(f"{email!r} is not an e-mail address.")
    check_password_policy(password)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"An account for {email} already exists.")
    user = User(email=email, password_hash=hash_password(password), role=role)
    db.session.add(user)
    db.session.flush()
    record_event(USER_CREATED, f"Account {email} created with role {role}", actor=actor)
    logger.info("user %s created with role %s by %s", email, role, actor)
    return user


class AccountLocked(AccountError):
    """Too many failed log-ins in a row: the account is locked for a while."""


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None. Counts failures per account.

    After LOCKOUT_THRESHOLD failures in a row the account is locked for LOCKOUT_MINUTES (raises
    AccountLocked, also for the right password), which stops password guessing across IP addresses.
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AccountLocked(f"Too many failed log-ins: this account is locked for {minutes} more minute(s).")
    if not check_password_hash(user.password_hash, password) or not user.active:
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


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
