"""Staff accounts and their roles."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow

VIEWER = "viewer"
ADVOCATE = "advocate"
ADMIN = "admin"
ROLES = (VIEWER, ADVOCATE, ADMIN)
_RANK = {role: i for i, role in enumerate(ROLES)}


class User(UserMixin, Base):
    """A staff account. Roles are ordered: viewers read, advocates edit, admins also manage users."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(10), default=VIEWER)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set after repeated failed log-ins; no login (even with the right password) until then.
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)

    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The raw token of the login this object was loaded for (set by auth.services; never stored): a plain
    # attribute, not a column (declared for the type checker only, so that the mapper does not see it).
    if TYPE_CHECKING:
        session_token: str | None
    session_token = None

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.active

    def get_id(self) -> str:
        """Flask-Login's alternative id: the login's session token, so that ending the login ends the cookie."""
        if not self.session_token:
            raise RuntimeError("log users in through advocacy.auth.services.start_session")
        return self.session_token

    def has_role(self, role: str) -> bool:
        """True when this user's role is `role` or above it."""
        return _RANK.get(self.role, -1) >= _RANK[role]

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(Base):
    """One login: the session cookie carries its random token, the database only its SHA-256.

    Deleting the row (logout, "log out everywhere", a password change) ends that login even for a copied cookie.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="sessions")
