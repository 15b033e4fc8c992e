"""Alerts: who follows what, how each event reached each follower, outgoing webhooks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow
from advocacy.models.events import Event
from advocacy.models.users import User

# What a user can follow; `target_key` is the bill id, the campaign id, the bioguide id or the thomas id.
FOLLOW_BILL = "bill"
FOLLOW_CAMPAIGN = "campaign"
FOLLOW_MEMBER = "member"
FOLLOW_COMMITTEE = "committee"
FOLLOW_TYPES = (FOLLOW_BILL, FOLLOW_CAMPAIGN, FOLLOW_MEMBER, FOLLOW_COMMITTEE)

# E-mail cadence per user.
IMMEDIATE = "immediate"
DAILY = "daily"
MODES = (IMMEDIATE, DAILY)

# Delivery log states. A row is inserted (claimed) before anything is sent; the unique key makes a second
# run, or a run after a crash, skip what is already claimed.
DIGEST_PENDING = "digest"  # waits for the user's next daily digest
QUEUED = "queued"  # the e-mail is stored in the outbox (same transaction as the claim)
SENT = "sent"
FAILED = "failed"

CHANNEL_EMAIL = "email"

# Webhook delivery states.
WEBHOOK_PENDING = "pending"  # due at next_attempt_at (first try or retry)
WEBHOOK_DELIVERED = "delivered"
WEBHOOK_FAILED = "failed"  # gave up after the last attempt


class Follow(Base):
    """A user following a bill, campaign, member or committee; created_at bounds which events reach them."""

    __tablename__ = "alert_follow"
    __table_args__ = (UniqueConstraint("user_id", "target_type", "target_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[str] = mapped_column(String(12))
    target_key: Mapped[str] = mapped_column(String(40), index=True)
    label: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class AlertSettings(Base):
    """A user's e-mail cadence (immediate or a daily digest) and when their last digest went out."""

    __tablename__ = "alert_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), default=IMMEDIATE)
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime)


class AlertDelivery(Base):
    """The delivery log: one row per (event, recipient, channel), inserted before sending."""

    __tablename__ = "alert_delivery"
    __table_args__ = (UniqueConstraint("event_id", "recipient", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(10), default=CHANNEL_EMAIL)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)
    mail_message_id: Mapped[int | None] = mapped_column(ForeignKey("mail_message.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()


class AlertRun(Base):
    """One run of `alerts send`: what it did, for the health page."""

    __tablename__ = "alert_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Highest event id looked at: the next run starts there (with a look-back window).
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    emails_queued: Mapped[int] = mapped_column(Integer, default=0)
    digests_queued: Mapped[int] = mapped_column(Integer, default=0)
    mails_sent: Mapped[int] = mapped_column(Integer, default=0)
    mails_failed: Mapped[int] = mapped_column(Integer, default=0)
    webhooks_delivered: Mapped[int] = mapped_column(Integer, default=0)
    webhooks_failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class WebhookEndpoint(Base):
    """An outgoing webhook: a URL, the event kinds it wants and the secret its deliveries are signed with."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(200))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(back_populates="endpoint", passive_deletes=True)


class WebhookDelivery(Base):
    """One event sent (or to send) to one endpoint, with its attempts; the body is fixed at the first claim."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("event_id", "endpoint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=WEBHOOK_PENDING, index=True)
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")
    event: Mapped[Event] = relationship()
