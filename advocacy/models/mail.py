"""Outgoing mail. Every message is stored first; without a mail server it stays here as the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow

OUTBOX = "outbox"  # no mail server configured: readable by admins in the app
QUEUED = "queued"  # waiting to be sent (or retried) through SMTP
SENDING = "sending"  # claimed by one sender (claimed_at); taken over if still here after a crash (mail.CLAIM_TIMEOUT)
SENT = "sent"
FAILED = "failed"  # last SMTP attempt failed; retried by `flask mail retry`


class MailMessage(Base):
    """One e-mail, stored before any attempt to send it so that a mail failure never loses it."""

    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    sender: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    # Extra headers, e.g. List-Unsubscribe on alert e-mails (RFC 2369 / RFC 8058 one-click).
    headers: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When a sender last claimed the message (status `sending`): only one sender sends it at a time.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)

    attachments: Mapped[list[MailAttachment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="MailAttachment.id", lazy="selectin"
    )


class MailAttachment(Base):
    """A file sent with a message (a letter's PDF), stored with it so that a retry sends the very same bytes."""

    __tablename__ = "mail_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("mail_message.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    mime_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # loaded only when sending
