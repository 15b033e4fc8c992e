"""Outgoing mail: stored first, then sent through SMTP when a server is configured.

Without MAIL_SERVER, messages stay in the outbox that admins read in the app (Admin → Outbox). A failed
SMTP attempt leaves the message `failed` with its error; `flask mail retry` (or `alerts send`) retries it.

Claim before sending: a sender first moves the message to `sending` with a conditional UPDATE (committed) and
sends only if that UPDATE changed the row, so concurrent senders (a public request, `alerts send`, `mail retry`)
never send a message twice. A message left `sending` by a crash is claimed again after CLAIM_TIMEOUT.

Mail queued during a unit of work (advocacy.uow) is sent after its commit, outside it: there each claim and each
outcome is a unit of work of its own. Called inside a unit (a job, `mail retry`), each of those steps is a
`checkpoint()` of it instead (leaving the unit's after-commit work for its end), so a claim is committed before
the SMTP call either way.

Attachments (a letter's PDF) are stored with the message, so a retry sends the same bytes. Features that need
to know how a message fared (the letters' delivery log) connect to the `mail_result` signal: it is sent with the
message after each attempt, before that outcome is committed, so what they write commits with it.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, cast

from blinker import Namespace
from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, and_, inspect, or_, select, update

from advocacy.extensions import db
from advocacy.models import MailAttachment, MailMessage
from advocacy.models.base import utcnow
from advocacy.models.mail import FAILED, OUTBOX, QUEUED, SENDING, SENT
from advocacy.uow import after_commit, checkpoint, in_unit_of_work, unit_of_work

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
    """Store a message to send (or, without a mail server, to keep in the outbox); sent after the unit of work
    that stores it commits.

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
    if in_unit_of_work():
        after_commit(_send_queued)  # once per message, but the first call sends them all: the rest find none
    return message


def _send_queued() -> None:
    """After the commit that stored them: send the messages queued through this session that nobody took over
    with `take_queued_mail()`, in one `deliver_pending` call (when a mail server is configured). A failure here leaves
    them queued for `alerts send` / `mail retry`."""
    ids = _take_queued()
    if ids:
        deliver_pending(limit=len(ids), ids=ids)


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


def take_queued_mail() -> list[int]:
    """Take over the messages queued through this session (and not sent yet): their ids, once stored.

    Mail queued inside a unit of work is sent after its commit without this. Code that must send it itself and
    count the outcome (the letters' send page: `checkpoint()` then `deliver_pending(ids=...)`), or that commits
    outside a unit, calls this first: the unit then leaves those messages alone. Messages of a rolled-back
    transaction have no id and are left out. The backlog is sent by `alerts send` or `flask mail retry`.
    """
    db.session.flush()  # messages queued in this transaction get their ids
    return _take_queued()


def _take_queued() -> list[int]:
    """Forget the messages queued through this session (nobody sends them after the commit): the stored ones' ids."""
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


@contextmanager
def _committed() -> Iterator[None]:
    """A step whose writes are committed when it ends: a unit of work of its own, or a checkpoint of the unit
    it runs in (a claim must be visible to the other senders before the message goes out)."""
    if in_unit_of_work():
        yield
        checkpoint(defer_after_commit=True)  # the unit's own mail is sent at its end, not in this loop
    else:
        with unit_of_work():
            yield


def _claim(message_id: int) -> MailMessage | None:
    """Take the message for this sender (committed) and return it; None if another sender has it (or it was
    sent)."""
    now = utcnow()
    with _committed():
        result = db.session.execute(
            update(MailMessage)
            .where(MailMessage.id == message_id, _claimable(now))
            .values(status=SENDING, claimed_at=now, attempts=MailMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        claimed = cast(CursorResult[Any], result).rowcount == 1
    return db.session.get(MailMessage, message_id, populate_existing=True) if claimed else None


def _give_up_abandoned() -> None:
    """A message left `sending` after its last allowed attempt (the sender crashed) is marked failed."""
    with _committed():
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


def _send_claimed(message: MailMessage) -> bool:
    """Send a claimed message and record the outcome (committed, with what `mail_result` receivers wrote)."""
    with _committed():
        try:
            _smtp_send(message)
        except (OSError, smtplib.SMTPException) as exc:
            message.status = FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"
            logger.warning("mail %s to %s failed: %s", message.id, message.recipient, exc)
        else:
            message.status = SENT
            message.sent_at = utcnow()
            message.last_error = None
        mail_result.send(message)
    return message.status == SENT


def deliver_pending(limit: int = 100, ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Send queued and failed messages (below the attempt limit), or only those of `ids`: (sent, failed).

    Each message is first claimed with a conditional UPDATE (committed), so two concurrent calls never send the
    same message; a message whose sender crashed mid-send is taken over after CLAIM_TIMEOUT. Each result is
    committed as soon as it is known (see the module docstring for how, inside a unit of work and outside).
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
    with _committed():  # end the read transaction before claiming
        candidates = db.session.scalars(query).all()
    sent = failed = 0
    for message_id in candidates:
        message = _claim(message_id)
        if message is None:
            continue
        if _send_claimed(message):
            sent += 1
        else:
            failed += 1
    return (sent, failed)
