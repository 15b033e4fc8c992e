"""Sending a finished batch by e-mail: each letter's PDF to the right staffer of the recipient's office.

1. `plan_send` picks, for each letter, the office contact with the chosen role (else the fallback role) and says
   which letters cannot go: no contact, not made, already sent. Nothing is skipped silently.
2. `render_messages` fills the subject and body templates for each letter in the letters' sandbox (plain text,
   the same merge fields as the letters plus `contact` and `letter`), in a worker under a time limit.
3. `queue_emails` claims each letter with an INSERT … ON CONFLICT DO NOTHING on `letter_email` (unique per
   letter), so two sends started at once, or a second run, never make a second e-mail; the claimed letters get
   an outbox message with the PDF attached (its SHA-256 checked against the manifest's, its size limited).
4. `send_now` commits them (a checkpoint of the unit of work), then `deliver` hands the messages to the outbox,
   which claims each before sending (advocacy.mail). The outbox's `mail_result` signal copies each outcome to the `letter_email` row and writes
   the delivery log (LetterDelivery) in the same commit: sending logs itself.

A refused recipient leaves the e-mail `failed` with the server's answer; so does a bounce-back that staff report
(`mark_bounced`: the app reads no mailbox). `retry_email` sends it again (to the contact's current address).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from email.utils import make_msgid
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from advocacy.contacts.queries import ContactChoice, committee_office, contacts_of, member_office, pick_contact
from advocacy.extensions import db
from advocacy.jobs import JobTimeout, get_runner, job, local_pool
from advocacy.letters.recipients import parse_selector
from advocacy.letters.services import record_delivery
from advocacy.letters.tasks import batch_dir, letter_extra, load_spec
from advocacy.mail import deliver_pending, mail_result, queue_mail, take_queued_mail
from advocacy.models import Letter, LetterBatch, MailMessage
from advocacy.models.base import utcnow
from advocacy.models.contacts import EMAIL_FAILED, EMAIL_OUTBOX, EMAIL_QUEUED, EMAIL_SENT, LetterEmail
from advocacy.models.letters import BATCH_FINAL_STATUSES, LETTER_DONE
from advocacy.models.mail import FAILED, OUTBOX, QUEUED, SENT
from advocacy.uow import after_commit, checkpoint

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # LETTER_EMAIL_MAX_BYTES: many offices refuse larger messages
# LETTER_EMAIL_IN_REQUEST: a send from the page with more e-mails than this goes to a background job.
DEFAULT_IN_REQUEST = 20
DEFAULT_SUBJECT = "Letter to {{ recipient.full_name }} on {{ campaign.bill.citation }}"
DEFAULT_BODY = """Dear {{ contact.name }},

Please find attached our letter to {{ recipient.honorific }} {{ recipient.full_name }} on \
{{ campaign.bill.citation }}{% if campaign.bill.short_title %}, the {{ campaign.bill.short_title }}{% endif %}.
{% if endorsements.local.count %}
It is signed on behalf of {{ endorsements.local.count }} endorsing {{ 'city' if endorsements.local.count == 1 \
else 'cities' }} that the {{ recipient.chamber_title|lower }} represents: {{ endorsements.local.names }}.
{% endif %}
We would welcome a meeting with the office to discuss the bill.

With thanks,
{{ sender.organisation }}
"""
# Merge fields that e-mails have on top of the letters' (documented on the send page).
EMAIL_FIELDS: list[tuple[str, str]] = [
    ("contact.name / contact.role / contact.email", "The staffer the e-mail goes to"),
    ("letter.filename / letter.pages", "The attached PDF's file name and page count"),
]
_SUBJECT_MAX = 250


class SendError(Exception):
    """A send that cannot be started, with a message for the user."""


class MessageProblem(SendError):
    """The subject or body template cannot be rendered: `field`, `line` and the sandbox's message."""

    def __init__(self, message: str, *, field: str, line: int | None):
        super().__init__(f"{field}{f', line {line}' if line else ''}: {message}")
        self.field, self.line, self.message = field, line, message


# Outcomes of a letter in a plan and a send (what the CLI prints and the pages show).
READY = "ready"
ALREADY = "already sent"
NO_CONTACT = "no contact"
NOT_MADE = "letter not made"
NOT_SENT = "not sent"  # the PDF cannot be attached (missing, changed, too large)
QUEUED_NOW = "queued"


@dataclass
class PlannedEmail:
    """One letter of the batch and what a send would do with it."""

    letter: Letter
    outcome: str
    choice: ContactChoice | None = None
    existing: LetterEmail | None = None

    @property
    def contact(self):
        return self.choice.contact if self.choice else None


@dataclass
class SendPlan:
    """The letters of a batch with the contact picked for each, and the counts by outcome."""

    batch: LetterBatch
    role: str
    fallback_role: str | None
    items: list[PlannedEmail] = field(default_factory=list)

    @property
    def ready(self) -> list[PlannedEmail]:
        return [item for item in self.items if item.outcome == READY]

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)


def letter_offices(batch: LetterBatch, letter: Letter) -> list[str]:
    """Where to look for the letter's contact: the member's office; for a joint letter to a committee's
    leaders, the committee's staff first, then each addressee's office."""
    offices = []
    kind, arg = parse_selector(batch.selector)
    if len(letter.member_ids or []) > 1 and kind in ("leaders", "committee") and arg:
        offices.append(committee_office(arg.upper()))
    offices.extend(member_office(m) for m in (letter.member_ids or ([letter.member_id] if letter.member_id else [])))
    return offices


def plan_send(batch: LetterBatch, role: str, fallback_role: str | None = None) -> SendPlan:
    """Pick each letter's contact by role (then fallback role); list what cannot be sent and why."""
    if batch.status not in BATCH_FINAL_STATUSES:
        raise SendError("The batch is still being made: send it when it has finished.")
    role = (role or "").strip()
    if not role:
        raise SendError("Choose the role of the staffer to send to (e.g. Foreign Affairs LA).")
    fallback_role = (fallback_role or "").strip() or None
    letters = list(
        db.session.scalars(select(Letter).where(Letter.batch_id == batch.id).order_by(Letter.position, Letter.id))
    )
    existing = batch_emails(batch.id)
    offices = {letter.id: letter_offices(batch, letter) for letter in letters}
    contacts = contacts_of(office for keys in offices.values() for office in keys)
    plan = SendPlan(batch=batch, role=role, fallback_role=fallback_role)
    for letter in letters:
        if letter.id in existing:
            plan.items.append(PlannedEmail(letter, ALREADY, existing=existing[letter.id]))
        elif letter.status != LETTER_DONE or not letter.filename:
            plan.items.append(PlannedEmail(letter, NOT_MADE))
        else:
            choice = pick_contact(contacts, offices[letter.id], role, fallback_role)
            plan.items.append(PlannedEmail(letter, READY if choice else NO_CONTACT, choice=choice))
    return plan


# --- messages --------------------------------------------------------------------------------------------------


def _item_data(item: PlannedEmail, spec: dict) -> dict:
    contact = item.contact
    entry = spec["letters"][str(item.letter.id)]
    return {
        "members": entry["members"],
        "extra": letter_extra(entry),
        "contact": {"name": contact.name, "role": contact.role, "email": contact.email},
        "letter": {"filename": item.letter.filename, "pages": item.letter.pages},
    }


@job
def render_task(subject: str, body: str, shared: dict, items: list[dict]) -> dict:
    """Worker task: the (subject, body) of each item, or the first problem (field, line, message)."""
    from advocacy.letters.context import build_context
    from advocacy.letters.sandbox import TemplateProblem, render_field

    messages = []
    for item in items:
        context = build_context(shared, item["members"], **item["extra"])
        context = context | {"contact": item["contact"], "letter": item["letter"]}
        try:
            text_subject = render_field(subject, context, field="subject", max_chars=2000, autoescape=False)
            text_body = render_field(body, context, field="body", max_chars=100_000, autoescape=False)
        except TemplateProblem as exc:
            return {"problem": {"field": exc.field, "line": exc.line, "message": exc.message}}
        messages.append([" ".join(text_subject.split())[:_SUBJECT_MAX], text_body.strip() + "\n"])
    return {"messages": messages}


def render_messages(batch: LetterBatch, items: list[PlannedEmail], subject: str, body: str) -> list[tuple[str, str]]:
    """The subject and body of each item's e-mail, rendered in a worker (time-limited); MessageProblem if a
    template is wrong (with its line) or an e-mail comes out without a subject or body."""
    if not items:
        return []
    spec = load_spec(batch.id)
    timeout = float(current_app.config.get("LETTER_CHECK_TIMEOUT", 5.0)) + 0.05 * len(items)
    try:
        result = local_pool().call(
            render_task, subject, body, spec["shared"],
            [_item_data(item, spec) for item in items], timeout=timeout,
        )  # fmt: skip
    except JobTimeout:
        raise MessageProblem("took too long to render (time limit)", field="body", line=None) from None
    if "problem" in result:
        raise MessageProblem(**result["problem"])
    messages = [(s, b) for s, b in result["messages"]]
    for (text_subject, text_body), item in zip(messages, items, strict=True):
        if not text_subject:
            raise MessageProblem(f"empty for {item.letter.recipient_name}", field="subject", line=None)
        if not text_body.strip():
            raise MessageProblem(f"empty for {item.letter.recipient_name}", field="body", line=None)
    return messages


# --- queueing, delivering, retrying ----------------------------------------------------------------------------


@dataclass
class QueuedLine:
    """What `queue_emails` did with one letter: queued now, or why not."""

    letter: Letter
    outcome: str
    email: LetterEmail | None = None
    detail: str = ""


def _claim(values: dict) -> int | None:
    """Insert the letter's e-mail row unless the letter has one; the new row's id, or None (claimed before)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(LetterEmail).values(**values).on_conflict_do_nothing(index_elements=["letter_id"])).returning(
        LetterEmail.id
    )
    return db.session.execute(statement).scalar()


def _pdf(letter: Letter, max_bytes: int) -> tuple[bytes | None, str]:
    """The letter's PDF as made, or why it cannot be attached (missing, changed since the manifest, too big)."""
    path = batch_dir(letter.batch_id) / "letters" / (letter.filename or "")
    try:
        size = path.stat().st_size
    except OSError:
        return None, "the PDF file is missing"
    if size > max_bytes:
        return None, f"the PDF is {_size(size)}, over the {_size(max_bytes)} limit for e-mail"
    data = path.read_bytes()
    if letter.sha256 and hashlib.sha256(data).hexdigest() != letter.sha256:
        return None, "the PDF differs from the one in the manifest (SHA-256 mismatch)"
    return data, ""


def _size(count: int) -> str:
    return f"{count / 1048576:.1f} MB" if count >= 1048576 else f"{count / 1024:.0f} KB"


def _message_id() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "advocacy@localhost"
    domain = sender.rpartition("@")[2].strip(" >") or "localhost"
    return make_msgid(idstring="letter", domain=domain)


def queue_emails(plan: SendPlan, subject: str, body: str, *, actor: str) -> list[QueuedLine]:
    """Queue one outbox e-mail per ready letter of the plan, each letter at most once ever (see the module doc).

    Flushes, never commits: the caller then calls `send_now` (or `send_later`) with the e-mails queued now.
    """
    ready = plan.ready
    messages = render_messages(plan.batch, ready, subject, body)
    max_bytes = int(current_app.config.get("LETTER_EMAIL_MAX_BYTES") or DEFAULT_MAX_BYTES)
    lines = [QueuedLine(item.letter, item.outcome, item.existing) for item in plan.items if item.outcome != READY]
    for item, (text_subject, text_body) in zip(ready, messages, strict=True):
        letter, contact = item.letter, item.contact
        pdf, problem = _pdf(letter, max_bytes)
        if pdf is None:
            lines.append(QueuedLine(letter, NOT_SENT, detail=problem))
            continue
        message_id = _message_id()
        email_id = _claim(
            {
                "letter_id": letter.id,
                "batch_id": letter.batch_id,
                "contact_id": contact.id,
                "contact_name": contact.name,
                "role": contact.role,
                "address": contact.email,
                "message_id": message_id,
                "filename": letter.filename,
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "size": len(pdf),
                "status": EMAIL_QUEUED,
                "attempts": 0,
                "created_by": actor,
                "created_at": utcnow(),
            }
        )
        if email_id is None:  # another send claimed this letter first
            lines.append(QueuedLine(letter, ALREADY))
            continue
        message = queue_mail(
            contact.email, text_subject, text_body, headers={"Message-ID": message_id},
            attachments=[(letter.filename or f"letter-{letter.id}.pdf", "application/pdf", pdf)],
        )  # fmt: skip
        db.session.flush()
        email = db.session.get_one(LetterEmail, email_id)
        email.mail_message_id = message.id
        email.status = EMAIL_QUEUED if message.status == QUEUED else EMAIL_OUTBOX
        lines.append(QueuedLine(letter, QUEUED_NOW, email))
    db.session.flush()
    lines.sort(key=lambda line: (line.letter.position, line.letter.id))
    queued = sum(1 for line in lines if line.outcome == QUEUED_NOW)
    logger.info("%s queued %d letter e-mail(s) of batch %s (role %s)", actor, queued, plan.batch.id, plan.role)
    return lines


def deliver(emails: list[LetterEmail]) -> tuple[int, int]:
    """Send the given e-mails through the outbox (once they are committed): (sent, failed)."""
    ids = [e.mail_message_id for e in emails if e.mail_message_id is not None]
    return deliver_pending(limit=max(len(ids), 1), ids=ids)


@job
def deliver_job(email_ids: list[int]) -> tuple[int, int]:
    """Job: send these letter e-mails through the outbox (a large send goes to the background)."""
    emails = list(db.session.scalars(select(LetterEmail).where(LetterEmail.id.in_(email_ids))))
    return deliver(emails)  # the outbox ends the read transaction before it claims the messages


def send_now(emails: list[LetterEmail]) -> tuple[int, int]:
    """Inside a unit of work: store the queued e-mails now (`checkpoint`) and send them at once, counted
    (sent, failed), for a page or a command that reports each outcome. They are taken out of the unit's own
    after-commit mail so that nothing is sent twice."""
    take_queued_mail()
    checkpoint()
    return deliver(emails)


def send_later(emails: list[LetterEmail]) -> None:
    """Inside a unit of work: send these e-mails from a job once the unit has committed (a long send must not hold
    the request); taken out of the unit's own after-commit mail, which would send them in the request."""
    take_queued_mail()
    after_commit(get_runner().submit, deliver_job, [e.id for e in emails])


def retry_email(email: LetterEmail, *, actor: str) -> LetterEmail:
    """Put a failed e-mail back in the queue, to its contact's current address; the caller then calls
    `send_now([email])`."""
    if email.status != EMAIL_FAILED:
        raise SendError("Only a failed e-mail can be retried.")
    message = db.session.get(MailMessage, email.mail_message_id) if email.mail_message_id else None
    if message is None:
        raise SendError("The outbox message of this e-mail is gone; send the letter again by hand.")
    if email.contact is not None and email.contact.email and email.contact.email != email.address:
        email.address = message.recipient = email.contact.email
    message.status = QUEUED if current_app.config.get("MAIL_SERVER") else OUTBOX
    message.attempts, message.last_error = 0, None
    email.status = EMAIL_QUEUED if message.status == QUEUED else EMAIL_OUTBOX
    email.error = None
    db.session.flush()
    logger.info("%s retried letter e-mail %s to %s", actor, email.id, email.address)
    return email


def mark_bounced(email: LetterEmail, reason: str, *, actor: str) -> LetterEmail:
    """Record a bounce-back that reached a person (the app reads no mailbox): the sent e-mail becomes failed,
    shown with Retry on the batch and campaign pages. The delivery log keeps the send it recorded."""
    if email.status != EMAIL_SENT:
        raise SendError("Only a sent e-mail can be marked as bounced.")
    reason = " ".join((reason or "").split())[:500] or "no reason given"
    email.status, email.error = EMAIL_FAILED, f"bounce-back reported by {actor}: {reason}"
    db.session.flush()
    logger.info("%s marked letter e-mail %s to %s as bounced", actor, email.id, email.address)
    return email


def failed_emails(*, campaign_id: int) -> list[LetterEmail]:
    """Failed e-mails of a campaign, with their letters (shown with Retry on the campaign page)."""
    query = (
        select(LetterEmail)
        .join(LetterBatch, LetterBatch.id == LetterEmail.batch_id)
        .where(LetterEmail.status == EMAIL_FAILED, LetterBatch.campaign_id == campaign_id)
        .options(selectinload(LetterEmail.letter))
    )
    return list(db.session.scalars(query.order_by(LetterEmail.id)))


def batch_emails(batch_id: int) -> dict[int, LetterEmail]:
    """The e-mail of each letter of a batch that has one, by letter id."""
    return {e.letter_id: e for e in db.session.scalars(select(LetterEmail).where(LetterEmail.batch_id == batch_id))}


@mail_result.connect
def _record_outcome(message: MailMessage, **_: Any) -> None:
    """Copy the outbox's outcome to the letter's e-mail and, once sent, write the delivery log (same commit)."""
    email = db.session.scalar(select(LetterEmail).where(LetterEmail.mail_message_id == message.id))
    if email is None:
        return
    email.attempts = message.attempts
    if message.status == SENT:
        email.status, email.sent_at, email.error = EMAIL_SENT, message.sent_at, None
        record_delivery(
            email.letter, method="email", sent_on=date.today(), person=f"{email.contact_name} <{email.address}>",
            note=f"sent by the app, Message-ID {email.message_id}", actor="mail",
        )  # fmt: skip
    elif message.status == FAILED:
        email.status, email.error = EMAIL_FAILED, message.last_error


def _already(email: LetterEmail | None) -> str:
    if email is None:
        return "already sent (by a send running at the same time)"
    if email.status == "sent":
        return f"already sent to {email.address}"
    if email.status == "outbox":
        return f"already sent: in the outbox for {email.address}"
    return f"already sent: {email.status} for {email.address}"


def planned_text(item: PlannedEmail) -> str:
    """What a dry run says about one letter."""
    if item.outcome == READY:
        fallback = " (fallback role)" if item.choice is not None and item.choice.fallback else ""
        return f"would send to {item.contact.name} <{item.contact.email}>, {item.contact.role}{fallback}"
    if item.outcome == ALREADY:
        return _already(item.existing)
    return item.outcome


def line_outcome(line: QueuedLine) -> tuple[str, str]:
    """What happened to one letter of a send, once delivered: (the total it counts in, the text of its line)."""
    email = line.email
    if line.outcome == QUEUED_NOW and email is not None:
        if email.status == EMAIL_SENT:
            return "sent", f"sent to {email.contact_name} <{email.address}>"
        if email.status == EMAIL_OUTBOX:
            return "in the outbox", f"in the outbox for {email.address} (no mail server configured)"
        if email.status == EMAIL_FAILED:
            return "failed", f"failed: {email.address}: {readable_error(email.error)}"
        return "queued", f"queued for {email.address}"
    if line.outcome == ALREADY and line.email and line.email.status == EMAIL_FAILED:
        return "failed", f"failed earlier ({line.email.address}): retry it from the batch page"
    if line.outcome == ALREADY:
        return "already sent", _already(line.email)
    return line.outcome, line.outcome + (f": {line.detail}" if line.detail else "")


SMTP_REFUSAL = re.compile(r"\((\d{3}), b?'([^']*)'\)")


def readable_error(error: str | None) -> str:
    """ "SMTPRecipientsRefused: {'x@y': (550, b'5.1.1 No such user')}" → "550 5.1.1 No such user"."""
    if not error:
        return ""
    match = SMTP_REFUSAL.search(error)
    return f"{match.group(1)} {match.group(2)}" if match else error
