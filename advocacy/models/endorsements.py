"""Invitations to sign a campaign, and the one-time tokens of the endorsement flow.

Every token handed out in a link is random (`secrets.token_urlsafe(32)`, 256 bits) and stored only as its
SHA-256 hex digest, so a leaked database cannot be replayed as links. Tokens expire and are spent when used.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow
from advocacy.models.campaigns import Campaign, Endorsement
from advocacy.models.cities import City

# Invitation states.
INVITED = "invited"  # link sent, not used yet
USED = "used"  # the link was used to sign
REVOKED = "revoked"  # staff revoked it: the link is dead
INVITATION_STATUSES = (INVITED, USED, REVOKED)

# What an endorsement token lets its holder do.
CONFIRM = "confirm"
WITHDRAW = "withdraw"
TOKEN_PURPOSES = (CONFIRM, WITHDRAW)


class Invitation(Base):
    """An invitation to a city's office to endorse a campaign, sent by e-mail with a personal signing link.

    Only the hash of the current link's token is kept; resending replaces it (the old link dies).
    """

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(10), default=INVITED, index=True)
    send_count: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    endorsement_id: Mapped[int | None] = mapped_column(ForeignKey("endorsement.id", ondelete="SET NULL"))

    campaign: Mapped[Campaign] = relationship()
    city: Mapped[City] = relationship()
    endorsement: Mapped[Endorsement | None] = relationship()

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.email} {self.status}>"


class EndorsementToken(Base):
    """A one-time link token for a signer: confirm the endorsement, or withdraw it."""

    __tablename__ = "endorsement_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    endorsement_id: Mapped[int] = mapped_column(ForeignKey("endorsement.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    endorsement: Mapped[Endorsement] = relationship()


__all__ = [
    "CONFIRM",
    "INVITATION_STATUSES",
    "INVITED",
    "REVOKED",
    "TOKEN_PURPOSES",
    "USED",
    "WITHDRAW",
    "EndorsementToken",
    "Invitation",
]
