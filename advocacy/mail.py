"""Outgoing mail: stored first, then sent through SMTP when a server is configured.

Without MAIL_SERVER, messages stay in the outbox that admins read in the app (Admin → Outbox). A failed
SMTP attempt leaves the message `failed` with its error; `flask mail retry` (or the next send) retries it.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import MailMessage
from advocacy.models.base import utcnow
from advocacy.models.mail import FAILED, OUTBOX, QUEUED, SENT

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def queue_mail(recipient: str, subject: str, body_text: str, headers: dict[str, str] | None = None) -> MailMessage:
    """Store a message to send (or, without a mail server, to keep in the outbox). The caller commits.

    `headers` adds header lines such as List-Unsubscribe.
    """
    status = QUEUED if current_app.config.get("MAIL_SERVER") else OUTBOX
    message = MailMessage(
        recipient=recipient,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        subject=subject,
        body_text=body_text,
        headers=headers or None,
        status=status,
    )
    db.session.add(message)
    return message


def _smtp_send(message: MailMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = message.sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Send queued and failed messages (below the attempt limit) and commit each result: (sent, failed)."""
    if not current_app.config.get("MAIL_SERVER"):
        return (0, 0)
    messages = db.session.scalars(
        select(MailMessage)
        .where(MailMessage.status.in_((QUEUED, FAILED)), MailMessage.attempts < MAX_ATTEMPTS)
        .order_by(MailMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for message in messages:
        message.attempts += 1
        try:
            _smtp_send(message)
        except (OSError, smtplib.SMTPException) as exc:
            message.status = FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"
            failed += 1
            logger.warning("mail %s to %s failed: %s", message.id, message.recipient, exc)
        else:
            message.status = SENT
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        db.session.commit()
    return (sent, failed)
