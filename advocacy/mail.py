"""Outgoing mail: stored first, then sent through SMTP when a server is configured.

Without MAIL_SERVER, messages stay in the outbox that admins read in the app (Admin → Outbox). A failed
SMTP attempt leaves the message `failed` with its error; `flask mail retry` (or `alerts send`) retries it.

Claim before sending: a sender first moves the message to `sending` with a conditional UPDATE (committed) and
sends only if that UPDATE changed the row, so concurrent senders (a public request, `alerts send`, `mail retry`)
never send a message twice. A message left `sending` by a crash is claimed again after CLAIM_TIMEOUT.

Attachments (a letter's PDF) are stored with the message, so a retry sends the same bytes. Features that need
to know how a message fared (the letters' delivery log) connect to the `mail_result` signal: it is sent with the
message after each attempt, before that outcome is committed, so what they write commits with it.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage

from blinker import Namespace
from flask import current_app
from sqlalchemy import ColumnElement, and_, inspect, or_, select, update

from advocacy.extensions import db
from advocacy.models import MailAttachment, MailMessage
from advocacy.models.base import utcnow
from advocacy.models.mail import FAILED, OUTBOX, QUEUED, SENDING, SENT

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# A message still `sending` this long after its claim was abandoned (the sender crashed): send it again.
CLAIM_TIMEOUT = timedelta(minutes=10)
_SESSION_KEY = "advocacy.mail.queued"
# Sent with the MailMessage after each send attempt (status `sent` or `failed`), inside the unit of work that
# commits the outcome.
mail_result = Namespace().signal("mail-result")


def queue_mail(
    recipient: str,
    subject: str,
    body_text: str,
    headers: dict[str, str] | None = None,
    attachments: Iterable[tuple[str, str, bytes]] = (),
) -> MailMessage:
    """Store a message to send (or, without a mail server, to keep in the outbox). The caller commits.

    `headers` adds header lines such as List-Unsubscribe (or a Message-ID chosen by the caller);
    `attachments` are (filename, MIME type, content) triples.
    """
    status = QUEUED if current_app.config.get("MAIL_SERVER") else OUTBOX
    message = MailMessage(
        recipient=recipient,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        subject=subject,
        body_text=body_text,
        headers=headers or None,
        status=status,
        attachments=[MailAttachment(filename=n, mime_type=t, content=c) for n, t, c in attachments],
    )
    db.session.add(message)
    db.session.info.setdefault(_SESSION_KEY, []).append(message)
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
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        email.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)


def queued_ids() -> list[int]:
    """Ids of the messages queued through this session and since stored, forgetting them (send only those).

    A request sends the mail it queued itself (`deliver_pending(ids=queued_ids())`) after committing; messages
    of a rolled-back transaction have no id and are left out. The backlog is sent by `alerts send` or
    `flask mail retry`.
    """
    messages = db.session.info.pop(_SESSION_KEY, [])
    return [identity[0] for identity in (inspect(m).identity for m in messages) if identity]


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Waiting to be sent, or claimed by a sender that has not finished within CLAIM_TIMEOUT (it crashed)."""
    return and_(
        MailMessage.attempts < MAX_ATTEMPTS,
        or_(
            MailMessage.status.in_((QUEUED, FAILED)),
            and_(MailMessage.status == SENDING, MailMessage.claimed_at < now - CLAIM_TIMEOUT),
        ),
    )


def _claim(message_id: int) -> bool:
    """Take the message for this sender, committed; False if another sender has it (or it was sent)."""
    now = utcnow()
    claimed = db.session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, _claimable(now))
        .values(status=SENDING, claimed_at=now, attempts=MailMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _give_up_abandoned() -> None:
    """A message left `sending` after its last allowed attempt (the sender crashed) is marked failed."""
    db.session.execute(
        update(MailMessage)
        .where(
            MailMessage.status == SENDING,
            MailMessage.claimed_at < utcnow() - CLAIM_TIMEOUT,
            MailMessage.attempts >= MAX_ATTEMPTS,
        )
        .values(status=FAILED, last_error="interrupted while sending")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver_pending(limit: int = 100, ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Send queued and failed messages (below the attempt limit), or only those of `ids`: (sent, failed).

    Each message is first claimed with a conditional UPDATE (committed), so two concurrent calls never send the
    same message; a message whose sender crashed mid-send is taken over after CLAIM_TIMEOUT. Each result is
    committed as soon as it is known.
    """
    if not current_app.config.get("MAIL_SERVER"):
        return (0, 0)
    query = select(MailMessage.id).where(_claimable(utcnow())).order_by(MailMessage.id).limit(limit)
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return (0, 0)
        query = query.where(MailMessage.id.in_(wanted))
    else:
        _give_up_abandoned()
    candidates = db.session.scalars(query).all()
    db.session.commit()  # end the read transaction before claiming
    sent = failed = 0
    for message_id in candidates:
        if not _claim(message_id):
            continue
        message = db.session.get(MailMessage, message_id, populate_existing=True)
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
        mail_result.send(message)
        db.session.commit()
    return (sent, failed)
