"""Events: what changed, on what, when and by whom. The activity feed and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow
from advocacy.models.bills import Bill
from advocacy.models.campaigns import Campaign, Endorsement

# Event kinds, dotted by subject. Later features add more; keep them stable: alerts and webhooks key on them.
BILL_TRACKED = "bill.tracked"
BILL_ACTION = "bill.action"
BILL_STAGE = "bill.stage"
BILL_COSPONSOR_ADDED = "bill.cosponsor_added"
BILL_COSPONSOR_WITHDRAWN = "bill.cosponsor_withdrawn"
BILL_RELATED = "bill.related"
BILL_TITLE = "bill.title"
BILL_TEXT = "bill.text"  # a new text version (Introduced, Reported, ...) was stored
ENDORSEMENT_CREATED = "endorsement.created"
ENDORSEMENT_STATUS = "endorsement.status"
CAMPAIGN_UPDATED = "campaign.updated"
CAMPAIGN_CREATED = "campaign.created"
CAMPAIGN_BILL_LINKED = "campaign.bill_linked"
CAMPAIGN_BILL_UNLINKED = "campaign.bill_unlinked"
INVITATION_SENT = "invitation.sent"
INVITATION_RESENT = "invitation.resent"
INVITATION_REVOKED = "invitation.revoked"
USER_CREATED = "user.created"
USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 - an event kind, not a password


class Event(Base):
    """One change. `actor` is a user's e-mail, "sync", "demo", "cli" or "public"; `client_ip` for public actions."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(254), default="system")
    client_ip: Mapped[str | None] = mapped_column(String(64))
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    endorsement_id: Mapped[int | None] = mapped_column(ForeignKey("endorsement.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    bill: Mapped[Bill | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    endorsement: Mapped[Endorsement | None] = relationship()
