"""Staff accounts and their roles."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

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

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.active

    def has_role(self, role: str) -> bool:
        """True when this user's role is `role` or above it."""
        return _RANK.get(self.role, -1) >= _RANK[role]

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
