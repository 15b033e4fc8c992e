"""Personal API tokens: random, shown once, stored as sha256 only, revocable."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import ApiToken, User
from advocacy.models.base import utcnow

logger = logging.getLogger(__name__)
TOKEN_PREFIX = "adv_"  # noqa: S105 (a marker, not a secret)


class TokenError(Exception):
    """A user-facing problem with a token request."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw token (never stored). The request's unit of work commits."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TokenError("Give the token a name (up to 100 characters) so you know where it is used.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(raw), prefix=raw[:12], created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    logger.info("%s created API token %s (%s)", user.email, row.id, name)
    return row, raw


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent). The request's unit of work commits."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise TokenError("No such token.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        logger.info("%s revoked API token %s", user.email, row.id)
    return row


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).all()
    )


def live_token_id(raw: str) -> int | None:
    """The id of the unrevoked token `raw` is, or None (for rate-limit keys: only real tokens get their own)."""
    if not raw or len(raw) > 200:
        return None
    return db.session.scalar(
        select(ApiToken.id).where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
    )


def authenticate(raw: str) -> User | None:
    """The active user a raw token belongs to, or None (unknown, revoked, or the account is disabled)."""
    if not raw or len(raw) > 200:
        return None
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now  # committed with the request's unit of work
    return row.user
