"""Reads for the dashboard: the "needs you" panel (what staff should act on) and the schedule's state.

The panel is a list of sections, each built by one function in `SECTIONS`; a feature adds its own section by
appending a builder (e.g. follow-ups of contacts). A builder returns None when there is nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from advocacy.extensions import db
from advocacy.models import Bill, Campaign, Endorsement, Invitation, LetterBatch, MailMessage, WebhookDelivery
from advocacy.models.alerts import WEBHOOK_FAILED
from advocacy.models.base import utcnow
from advocacy.models.campaigns import CONFIRMED
from advocacy.models.endorsements import INVITED
from advocacy.models.letters import BATCH_FAILED
from advocacy.models.mail import FAILED as MAIL_FAILED
from advocacy.models.scheduler import FAILED as RUN_FAILED
from advocacy.models.scheduler import ScheduledJob

# Each section lists at most this many items, then says how many more there are.
SECTION_LIMIT = 5
# Invitations whose link expires within this many days are "about to expire".
EXPIRING_DAYS = 7


@dataclass(frozen=True)
class Item:
    """One thing to act on: what, where to act, and a detail (a date, an error)."""

    label: str
    url: str
    detail: str | None = None


@dataclass
class Section:
    """A group of the panel: e.g. "Endorsements awaiting review (3)" and its first items."""

    key: str
    title: str
    total: int
    items: list[Item] = field(default_factory=list)


def _awaiting_review(now: datetime) -> Section | None:
    query = select(Endorsement).where(Endorsement.status == CONFIRMED)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    if not total:
        return None
    rows = db.session.scalars(
        query.options(selectinload(Endorsement.city), selectinload(Endorsement.campaign))
        .order_by(Endorsement.confirmed_at.asc().nulls_last(), Endorsement.id)
        .limit(SECTION_LIMIT)
    )
    items = [
        Item(
            f"{e.city.label} ({e.campaign.name})",
            url_for("endorsements.detail", endorsement_id=e.id),
            f"signed by {e.signer_email}" if e.signer_email else None,
        )
        for e in rows
    ]
    return Section("review", "Endorsements awaiting review", total, items)


def _expiring_invitations(now: datetime) -> Section | None:
    query = select(Invitation).where(
        Invitation.status == INVITED,
        Invitation.expires_at > now,
        Invitation.expires_at <= now + timedelta(days=EXPIRING_DAYS),
    )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    if not total:
        return None
    rows = db.session.scalars(
        query.options(selectinload(Invitation.city), selectinload(Invitation.campaign))
        .order_by(Invitation.expires_at)
        .limit(SECTION_LIMIT)
    )
    items = [
        Item(
            f"{i.city.label}: {i.email}",
            url_for("endorsements.invitations", slug=i.campaign.slug),
            f"link expires {i.expires_at:%b %-d, %H:%M} UTC",
        )
        for i in rows
    ]
    return Section("expiring", f"Invitations expiring within {EXPIRING_DAYS} days", total, items)


def _bill_url(bill: Bill) -> str:
    return url_for("bills.detail", congress=bill.congress, bill_type=bill.bill_type, number=bill.number)


def _failed_syncs(now: datetime) -> Section | None:
    query = select(Bill).where(Bill.tracked.is_(True), Bill.sync_error.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    if not total:
        return None
    rows = db.session.scalars(query.order_by(Bill.congress.desc(), Bill.bill_type, Bill.number).limit(SECTION_LIMIT))
    items = [Item(bill.label, _bill_url(bill), (bill.sync_error or "")[:160]) for bill in rows]
    return Section("sync", "Bills whose last sync failed", total, items)


def _deferred_syncs(now: datetime) -> Section | None:
    deferred = Bill.sync_deferred_until
    query = select(Bill).where(Bill.tracked.is_(True), deferred.is_not(None), deferred > now)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    if not total:
        return None
    rows = db.session.scalars(query.order_by(deferred).limit(SECTION_LIMIT))
    items = [
        Item(bill.label, _bill_url(bill), f"next try after {bill.sync_deferred_until:%b %-d, %H:%M} UTC")
        for bill in rows
    ]
    return Section("deferred", "Syncs deferred (Congress.gov limits or errors)", total, items)


def _failed_letters(now: datetime) -> Section | None:
    query = select(LetterBatch).where((LetterBatch.status == BATCH_FAILED) | (LetterBatch.failed > 0))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    if not total:
        return None
    rows = db.session.scalars(
        query.options(selectinload(LetterBatch.template)).order_by(LetterBatch.id.desc()).limit(SECTION_LIMIT)
    )
    items = [
        Item(
            f"Batch {b.id}: {b.template.name} to {b.selector}",
            url_for("letters.batch", batch_id=b.id),
            f"{b.failed} of {b.total} letters failed" + (f"; {b.error[:120]}" if b.error else ""),
        )
        for b in rows
    ]
    return Section("letters", "Letter batches with failures", total, items)


def _failed_mail(now: datetime) -> Section | None:
    mail = db.session.scalar(select(func.count()).where(MailMessage.status == MAIL_FAILED)) or 0
    hooks = db.session.scalar(select(func.count()).where(WebhookDelivery.state == WEBHOOK_FAILED)) or 0
    if not mail and not hooks:
        return None
    items = []
    if mail:
        items.append(Item(f"{mail} e-mail(s) not sent", url_for("admin.outbox"), "retried every 15 minutes"))
    if hooks:
        items.append(Item(f"{hooks} webhook delivery(ies) gave up", url_for("alerts.webhook_list")))
    return Section("mail", "Failed mail and webhooks", mail + hooks, items)


def _failed_jobs(now: datetime) -> Section | None:
    from advocacy.scheduler import TASKS_BY_NAME

    rows = db.session.scalars(select(ScheduledJob).where(ScheduledJob.last_status == RUN_FAILED)).all()
    if not rows:
        return None
    items = [
        Item(
            TASKS_BY_NAME[job.name].label if job.name in TASKS_BY_NAME else job.name,
            url_for("main.dashboard") + "#schedule",
            (job.last_error or "")[:160],
        )
        for job in rows
    ]
    return Section("jobs", "Scheduled jobs whose last run failed", len(rows), items)


def _campaigns_without_contact(now: datetime) -> Section | None:
    rows = db.session.scalars(select(Campaign).where(Campaign.contact_email.is_(None)).order_by(Campaign.name)).all()
    if not rows:
        return None
    items = [
        Item(c.name, url_for("campaigns.edit", slug=c.slug), "signers and cities see no campaign contact")
        for c in rows[:SECTION_LIMIT]
    ]
    return Section("contact", "Campaigns without a public contact", len(rows), items)


# The panel's sections in display order; append a builder to add one.
SECTIONS: list[Callable[[datetime], Section | None]] = [
    _awaiting_review,
    _expiring_invitations,
    _failed_syncs,
    _deferred_syncs,
    _failed_letters,
    _failed_mail,
    _failed_jobs,
    _campaigns_without_contact,
]


def needs_you(now: datetime | None = None) -> list[Section]:
    """The sections of the "needs you" panel that have something in them."""
    now = now or utcnow()
    return [section for builder in SECTIONS if (section := builder(now)) is not None and section.total]
