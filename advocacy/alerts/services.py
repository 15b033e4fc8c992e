"""Follows, e-mail alerts (immediate or a daily digest), unsubscribe tokens and the `alerts send` run.

Delivery is claim-then-send: for each (event, recipient, channel) a row is inserted into the delivery log
under a unique key *before* anything is sent, in the same transaction as the e-mail it queues in the outbox
(advocacy.mail). A second run, a concurrent run or a run after a crash finds the row and skips it, so each
event reaches each follower once. SMTP then sends from the outbox; the row's state follows the message.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import CursorResult, Table, select, update
from sqlalchemy.orm import selectinload

from advocacy.alerts import webhooks
from advocacy.alerts.claims import insert_ignore
from advocacy.extensions import db
from advocacy.mail import MAX_ATTEMPTS, deliver_pending, queue_mail, take_queued_mail
from advocacy.models import (
    AlertDelivery,
    AlertRun,
    AlertSettings,
    Bill,
    BillCommittee,
    Campaign,
    CampaignBill,
    Committee,
    Cosponsorship,
    Event,
    Follow,
    MailMessage,
    Member,
    User,
)
from advocacy.models.alerts import (
    CHANNEL_EMAIL,
    DAILY,
    DIGEST_PENDING,
    FAILED,
    FOLLOW_BILL,
    FOLLOW_CAMPAIGN,
    FOLLOW_COMMITTEE,
    FOLLOW_MEMBER,
    FOLLOW_TYPES,
    IMMEDIATE,
    MODES,
    QUEUED,
    SENT,
)
from advocacy.models.base import utcnow
from advocacy.models.events import (
    BILL_ACTION,
    BILL_COSPONSOR_ADDED,
    BILL_COSPONSOR_WITHDRAWN,
    BILL_RELATED,
    BILL_STAGE,
    BILL_TEXT,
    ENDORSEMENT_STATUS,
)
from advocacy.models.mail import FAILED as MAIL_FAILED
from advocacy.models.mail import SENT as MAIL_SENT
from advocacy.uow import checkpoint, transactional
from advocacy.urls import absolute_url

logger = logging.getLogger(__name__)

# Event kinds that reach followers. "endorsement.verified" in case the endorsements feature records one.
BILL_ALERT_KINDS = (BILL_ACTION, BILL_STAGE, BILL_COSPONSOR_ADDED, BILL_COSPONSOR_WITHDRAWN, BILL_RELATED, BILL_TEXT)
ENDORSEMENT_VERIFIED = "endorsement.verified"
ALERT_KINDS = (*BILL_ALERT_KINDS, ENDORSEMENT_STATUS, ENDORSEMENT_VERIFIED)
KIND_LABELS = {
    BILL_ACTION: "New action",
    BILL_STAGE: "Stage change",
    BILL_COSPONSOR_ADDED: "Cosponsor added",
    BILL_COSPONSOR_WITHDRAWN: "Cosponsor withdrew",
    BILL_RELATED: "New related bill",
    BILL_TEXT: "New text version",
    ENDORSEMENT_STATUS: "New verified endorsement",
    ENDORSEMENT_VERIFIED: "New verified endorsement",
}
# Events committed slightly out of id order (concurrent transactions) are caught by re-reading this window.
LOOKBACK = timedelta(minutes=30)


class AlertError(Exception):
    """A user-facing problem with a follow request (unknown target...)."""


def is_alert_event(event: Event) -> bool:
    """True for the events followers hear about: bill changes and newly verified endorsements."""
    if event.kind in BILL_ALERT_KINDS or event.kind == ENDORSEMENT_VERIFIED:
        return True
    if event.kind == ENDORSEMENT_STATUS:
        data = event.data or {}
        return "verified" in (data.get("to"), data.get("status"))
    return False


# --------------------------------------------------------------------------------------------- follows


def resolve_target(target_type: str, target_key: str) -> tuple[str, str]:
    """Check a follow target exists; return its normalised key and a label. Raises AlertError."""
    key = (target_key or "").strip()
    if target_type == FOLLOW_BILL and key.isdigit():
        bill = db.session.get(Bill, int(key))
        if bill is not None:
            return str(bill.id), bill.label
    elif target_type == FOLLOW_CAMPAIGN and key.isdigit():
        campaign = db.session.get(Campaign, int(key))
        if campaign is not None:
            return str(campaign.id), campaign.name
    elif target_type == FOLLOW_MEMBER:
        member = db.session.get(Member, key)
        if member is not None:
            return member.bioguide_id, f"{member.title} {member.display_name} ({member.party_initial}-{member.seat})"
    elif target_type == FOLLOW_COMMITTEE:
        committee = db.session.get(Committee, key)
        if committee is not None:
            return committee.thomas_id, committee.name
    raise AlertError("There is nothing to follow at that address.")


def find_follow(user_id: int, target_type: str, target_key: str) -> Follow | None:
    return db.session.scalar(
        select(Follow).where(
            Follow.user_id == user_id, Follow.target_type == target_type, Follow.target_key == str(target_key)
        )
    )


def follow(user: User, target_type: str, target_key: str) -> tuple[Follow, bool]:
    """Follow a target (idempotent) and queue a receipt e-mail; returns (follow, created). The caller commits."""
    if target_type not in FOLLOW_TYPES:
        raise AlertError("There is nothing to follow at that address.")
    key, label = resolve_target(target_type, target_key)
    existing = find_follow(user.id, target_type, key)
    if existing is not None:
        return existing, False
    row = Follow(user_id=user.id, target_type=target_type, target_key=key, label=label[:300], created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    settings = settings_for(user)
    cadence = "as they happen" if settings.mode == IMMEDIATE else "in a daily digest"
    queue_mail(
        user.email,
        f"Following {label}"[:300],
        (
            f"You now follow {label}.\n\n"
            f"You will get an e-mail {cadence} when it moves: new actions, stage changes, cosponsors added or "
            "withdrawn, new related bills and newly verified endorsements.\n\n"
            f"Everything you follow: {absolute_url('/alerts/following')}\n\n"
            f"Stop these alerts (no login needed): {unsubscribe_url(user.id, row.id)}\n"
        ),
        headers=unsubscribe_headers(unsubscribe_url(user.id, row.id)),
    )
    logger.info("%s follows %s %s", user.email, target_type, key)
    return row, True


def unfollow(user: User, follow_id: int) -> bool:
    """Stop following (only the user's own follows); True when something was removed. The caller commits."""
    row = db.session.get(Follow, follow_id)
    if row is None or row.user_id != user.id:
        return False
    db.session.delete(row)
    logger.info("%s unfollows %s %s", user.email, row.target_type, row.target_key)
    return True


def settings_for(user: User) -> AlertSettings:
    """The user's alert settings, created with the defaults (immediate) on first use."""
    settings = db.session.get(AlertSettings, user.id)
    if settings is None:
        settings = AlertSettings(user_id=user.id, mode=IMMEDIATE, last_digest_at=utcnow())
        db.session.add(settings)
        db.session.flush()
    return settings


def set_mode(user: User, mode: str) -> AlertSettings:
    """Choose immediate e-mails or a daily digest. The caller commits."""
    if mode not in MODES:
        raise AlertError(f"Unknown alert mode {mode!r}.")
    settings = settings_for(user)
    if settings.mode != mode:
        settings.mode = mode
        settings.last_digest_at = utcnow()  # the first digest covers what happens from now on
        logger.info("%s alert mode -> %s", user.email, mode)
    return settings


def follows_of(user: User) -> list[Follow]:
    return list(
        db.session.scalars(
            select(Follow).where(Follow.user_id == user.id).order_by(Follow.target_type, Follow.label)
        ).all()
    )


# --------------------------------------------------------------------------------------------- unsubscribe


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="alerts-unsubscribe")


def unsubscribe_token(user_id: int, follow_id: int | None = None) -> str:
    """A signed, login-free token: stop one follow, or (follow_id None) every alert of the user."""
    return _serializer().dumps({"u": user_id, "f": follow_id})


def unsubscribe_headers(url: str) -> dict[str, str]:
    """List-Unsubscribe headers: mail clients show an unsubscribe button that POSTs to the link (RFC 8058)."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_url(user_id: int, follow_id: int | None = None) -> str:
    return absolute_url(f"/alerts/unsubscribe/{unsubscribe_token(user_id, follow_id)}")


@dataclass(frozen=True)
class UnsubscribeRequest:
    """What a valid unsubscribe token stands for."""

    user: User
    follow: Follow | None  # None: every follow of the user (or the follow is already gone)
    everything: bool


def read_unsubscribe_token(token: str) -> UnsubscribeRequest:
    """Check the signature and find the user and follow. Raises AlertError for a bad or foreign link."""
    try:
        data = _serializer().loads(token)
        user_id, follow_id = int(data["u"]), data.get("f")
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise AlertError("This unsubscribe link is not valid. Copy the whole link from the e-mail.") from exc
    user = db.session.get(User, user_id)
    if user is None:
        raise AlertError("This unsubscribe link is not valid any more.")
    if follow_id is None:
        return UnsubscribeRequest(user, None, True)
    row = db.session.get(Follow, int(follow_id))
    if row is not None and row.user_id != user.id:
        row = None
    return UnsubscribeRequest(user, row, False)


def unsubscribe(request: UnsubscribeRequest) -> int:
    """Remove the follow (or all of the user's follows); returns how many were removed. The caller commits."""
    rows = [request.follow] if request.follow is not None else []
    if request.everything:
        rows = follows_of(request.user)
    for row in rows:
        db.session.delete(row)
    logger.info("%s unsubscribed by link from %d follow(s)", request.user.email, len(rows))
    return len(rows)


# --------------------------------------------------------------------------------------------- fan-out


@dataclass
class BillContext:
    """Who and what a bill touches, for matching followers: campaigns, sponsor and cosponsors, committees."""

    campaigns: set[int] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    committees: set[str] = field(default_factory=set)  # thomas ids


def bill_contexts(bill_ids: Iterable[int]) -> dict[int, BillContext]:
    """Contexts of many bills in a fixed number of queries."""
    ids = set(bill_ids)
    contexts: dict[int, BillContext] = {bill_id: BillContext() for bill_id in ids}
    if not ids:
        return contexts
    for bill_id, campaign_id in db.session.execute(
        select(CampaignBill.bill_id, CampaignBill.campaign_id).where(CampaignBill.bill_id.in_(ids))
    ):
        contexts[bill_id].campaigns.add(campaign_id)
    for bill_id, sponsor_id in db.session.execute(select(Bill.id, Bill.sponsor_id).where(Bill.id.in_(ids))):
        if sponsor_id:
            contexts[bill_id].members.add(sponsor_id)
    for bill_id, member_id in db.session.execute(
        select(Cosponsorship.bill_id, Cosponsorship.member_id).where(Cosponsorship.bill_id.in_(ids))
    ):
        contexts[bill_id].members.add(member_id)
    thomas_by_code = {
        code: thomas for thomas, code in db.session.execute(select(Committee.thomas_id, Committee.system_code)) if code
    }
    for bill_id, code in db.session.execute(
        select(BillCommittee.bill_id, BillCommittee.committee_code).where(BillCommittee.bill_id.in_(ids))
    ):
        # Without the committee roster imported, hsfa00 still means HSFA.
        contexts[bill_id].committees.add(thomas_by_code.get(code) or code[:4].upper())
    return contexts


def event_targets(event: Event, contexts: dict[int, BillContext]) -> set[tuple[str, str]]:
    """Every (target_type, target_key) whose followers hear about this event."""
    targets: set[tuple[str, str]] = set()
    if event.campaign_id:
        targets.add((FOLLOW_CAMPAIGN, str(event.campaign_id)))
    if event.bill_id:
        targets.add((FOLLOW_BILL, str(event.bill_id)))
        context = contexts.get(event.bill_id) or BillContext()
        targets.update((FOLLOW_CAMPAIGN, str(c)) for c in context.campaigns)
        targets.update((FOLLOW_MEMBER, m) for m in context.members)
        targets.update((FOLLOW_COMMITTEE, t) for t in context.committees)
    return targets


def recipients(events: list[Event]) -> dict[int, set[int]]:
    """For each event, the ids of active users following something it touches (and following since before it)."""
    follows = db.session.execute(
        select(Follow.user_id, Follow.target_type, Follow.target_key, Follow.created_at)
        .join(User, User.id == Follow.user_id)
        .where(User.active.is_(True))
    ).all()
    by_target: dict[tuple[str, str], list[tuple[int, datetime]]] = defaultdict(list)
    for user_id, target_type, target_key, created_at in follows:
        by_target[(target_type, target_key)].append((user_id, created_at))
    contexts = bill_contexts(e.bill_id for e in events if e.bill_id)
    result: dict[int, set[int]] = {}
    for event in events:
        users = {
            user_id
            for target in event_targets(event, contexts)
            for user_id, since in by_target.get(target, ())
            if since <= event.created_at
        }
        if users:
            result[event.id] = users
    return result


def _subject_of(event: Event) -> str:
    if event.bill is not None:
        return event.bill.label
    if event.campaign is not None:
        return event.campaign.name
    return "Advocacy"


def _event_link(event: Event) -> str:
    if event.bill is not None:
        bill = event.bill
        return absolute_url(f"/bills/{bill.congress}/{bill.bill_type}/{bill.number}")
    if event.campaign is not None:
        return absolute_url(f"/campaigns/{event.campaign.slug}")
    return absolute_url("/dashboard")


def event_text(event: Event) -> str:
    """One event as a short plain-text paragraph (used by e-mails)."""
    label = KIND_LABELS.get(event.kind, event.kind)
    summary = event.summary
    if event.kind in (ENDORSEMENT_STATUS, ENDORSEMENT_VERIFIED) and event.endorsement is not None:
        summary = f"{event.endorsement.city.label} endorsed {event.endorsement.campaign.name} (verified)"
    return f"- {label}: {summary}\n  {event.created_at:%Y-%m-%d %H:%M} UTC · {_event_link(event)}"


def _grouped_body(events: list[Event]) -> str:
    groups: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        groups[_subject_of(event)].append(event)
    parts = []
    for subject in sorted(groups):
        first_bill = groups[subject][0].bill
        title = first_bill.display_title if first_bill is not None else ""
        heading = f"{subject}: {title}" if title else subject
        parts.append(heading + "\n" + "\n".join(event_text(e) for e in groups[subject]))
    return "\n\n".join(parts)


def _footer(user: User) -> str:
    return (
        f"\n\n--\nYou get this because you follow these in Advocacy: {absolute_url('/alerts/following')}\n"
        f"Stop all alerts (no login needed): {unsubscribe_url(user.id)}\n"
    )


def _alert_mail(user: User, events: list[Event], digest: bool) -> MailMessage:
    subjects = sorted({_subject_of(e) for e in events})
    if digest:
        subject = f"Daily digest: {len(events)} update{'s' if len(events) != 1 else ''} on {', '.join(subjects)}"
        intro = "Here is what happened since your last digest.\n\n"
    elif len(events) == 1:
        subject = f"{subjects[0]}: {KIND_LABELS.get(events[0].kind, events[0].kind)}"
        intro = ""
    else:
        subject = f"{len(events)} updates on {', '.join(subjects)}"
        intro = ""
    return queue_mail(
        user.email,
        subject[:300],
        intro + _grouped_body(events) + _footer(user),
        headers=unsubscribe_headers(unsubscribe_url(user.id)),
    )


def _load_events(ids: Iterable[int]) -> list[Event]:
    ids = list(ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.id.in_(ids))
            .options(selectinload(Event.bill), selectinload(Event.campaign), selectinload(Event.endorsement))
            .order_by(Event.id)
        ).all()
    )


def _commit_claims() -> None:
    """Commit the claims made so far (and the mail queued with them) so that a crash keeps them.

    The mail stays in the outbox: the run sends the outbox itself at the end and counts what it sent for the
    health page, so the checkpoint is told to forget it rather than send it now.
    """
    take_queued_mail()
    checkpoint()


def _claim_emails(user: User, event_ids: list[int], state: str) -> list[int]:
    """Insert the user's (event, e-mail) delivery rows not claimed yet; the ids of the events claimed now."""
    table = cast(Table, AlertDelivery.__table__)
    now = utcnow()
    rows = [
        {
            "event_id": event_id,
            "recipient": user.email,
            "channel": CHANNEL_EMAIL,
            "user_id": user.id,
            "state": state,
            "created_at": now,
            "updated_at": now,
        }
        for event_id in event_ids
    ]
    return insert_ignore(table, rows, ["event_id", "recipient", "channel"], table.c.event_id)


@transactional
def claim_and_queue(events: list[Event]) -> int:
    """Claim (event, follower, email) rows for new events; queue immediate mail in the same transaction.

    Commits (a checkpoint) once per user, so a crash loses at most that user's uncommitted claim (and its mail)
    together. Returns the number of alert e-mails queued.
    """
    by_event = recipients(events)
    per_user: dict[int, list[int]] = defaultdict(list)
    for event_id, users in by_event.items():
        for user_id in users:
            per_user[user_id].append(event_id)
    queued = 0
    for user_id, event_ids in sorted(per_user.items()):
        user = db.session.get_one(User, user_id)
        settings = settings_for(user)
        state = DIGEST_PENDING if settings.mode == DAILY else QUEUED
        claimed = _claim_emails(user, sorted(event_ids), state)
        if claimed and state == QUEUED:
            message = _alert_mail(user, _load_events(claimed), digest=False)
            db.session.flush()
            db.session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.event_id.in_(claimed),
                    AlertDelivery.recipient == user.email,
                    AlertDelivery.channel == CHANNEL_EMAIL,
                )
                .values(mail_message_id=message.id)
            )
            queued += 1
        _commit_claims()
    return queued


def digest_boundary(now: datetime) -> datetime:
    """The latest daily digest time (ALERTS_DIGEST_HOUR, UTC) at or before `now`."""
    hour = int(current_app.config.get("ALERTS_DIGEST_HOUR", 13))
    today = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return today if now >= today else today - timedelta(days=1)


@transactional
def queue_digests(now: datetime | None = None, *, force: bool = False) -> int:
    """Queue one digest e-mail per daily-mode user who is due and has pending events; returns how many."""
    now = now or utcnow()
    boundary = digest_boundary(now)
    user_ids = db.session.scalars(
        select(AlertDelivery.user_id)
        .where(AlertDelivery.state == DIGEST_PENDING, AlertDelivery.channel == CHANNEL_EMAIL)
        .distinct()
    ).all()
    queued = 0
    for user_id in sorted(u for u in user_ids if u is not None):
        user = db.session.get_one(User, user_id)
        settings = settings_for(user)
        if not force and settings.last_digest_at is not None and settings.last_digest_at >= boundary:
            continue
        rows = db.session.execute(
            select(AlertDelivery.id, AlertDelivery.event_id).where(
                AlertDelivery.user_id == user.id, AlertDelivery.state == DIGEST_PENDING
            )
        ).all()
        message = _alert_mail(user, _load_events(r.event_id for r in rows), digest=True)
        db.session.flush()
        # Take the rows only if still pending: a concurrent run that got there first makes this roll back.
        taken = cast(
            CursorResult[Any],
            db.session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id.in_([r.id for r in rows]), AlertDelivery.state == DIGEST_PENDING)
                .values(state=QUEUED, mail_message_id=message.id, updated_at=utcnow())
            ),
        ).rowcount
        if taken != len(rows):
            db.session.rollback()  # drops only this user's digest: earlier users are committed already
            continue
        settings.last_digest_at = now
        _commit_claims()
        queued += 1
        logger.info("digest of %d events queued for %s", len(rows), user.email)
    return queued


def refresh_delivery_states() -> None:
    """Copy the outbox's result onto the delivery log: sent, or failed for good after the last attempt."""
    sent_ids = select(MailMessage.id).where(MailMessage.status == MAIL_SENT)
    db.session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.state == QUEUED, AlertDelivery.mail_message_id.in_(sent_ids))
        .values(state=SENT, updated_at=utcnow())
    )
    dead_ids = select(MailMessage.id).where(MailMessage.status == MAIL_FAILED, MailMessage.attempts >= MAX_ATTEMPTS)
    db.session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.state == QUEUED, AlertDelivery.mail_message_id.in_(dead_ids))
        .values(state=FAILED, updated_at=utcnow())
    )


def candidate_events(since_id: int, now: datetime) -> list[Event]:
    """Events after the last run's high-water mark, plus a look-back window for late commits."""
    rows = db.session.scalars(
        select(Event)
        .where((Event.id > since_id) | (Event.created_at >= now - LOOKBACK))
        .options(selectinload(Event.bill), selectinload(Event.campaign), selectinload(Event.endorsement))
        .order_by(Event.id)
    ).all()
    return list(rows)


@transactional
def run_alerts(now: datetime | None = None, *, force_digest: bool = False) -> AlertRun:
    """Deliver what is due: claim and queue e-mails, queue due digests, webhooks, then send the outbox.

    Safe to run twice or concurrently, and after a crash: see the module docstring. Runs in the caller's unit of
    work (the command's or the job's), or its own; the run's record is committed when it starts and when it ends,
    so the health page shows a failed run even when the command then exits with an error.
    """
    now = now or utcnow()
    previous = db.session.scalar(select(AlertRun).order_by(AlertRun.id.desc()).limit(1))
    run = AlertRun(started_at=now, last_event_id=previous.last_event_id if previous else 0)
    db.session.add(run)
    checkpoint()
    try:
        events = candidate_events(run.last_event_id, now)
        high_water = max((e.id for e in events), default=run.last_event_id)
        event_ids = [e.id for e in events]
        counts = {"emails": claim_and_queue([e for e in events if is_alert_event(e)])}
        counts["digests"] = queue_digests(now, force=force_digest)
        webhooks.claim_deliveries(event_ids)
        counts["hooks_ok"], counts["hooks_failed"] = webhooks.deliver_due()
        counts["sent"], counts["failed"] = deliver_pending(limit=500)
        refresh_delivery_states()
        run = db.session.merge(run)
        run.emails_queued, run.digests_queued = counts["emails"], counts["digests"]
        run.webhooks_delivered, run.webhooks_failed = counts["hooks_ok"], counts["hooks_failed"]
        run.mails_sent, run.mails_failed = counts["sent"], counts["failed"]
        run.last_event_id = max(run.last_event_id, high_water)
    except Exception as exc:
        db.session.rollback()
        run = db.session.merge(run)
        run.error = f"{type(exc).__name__}: {exc}"[:1000]
        logger.exception("alerts run %s failed", run.id)
    run.finished_at = utcnow()
    checkpoint()
    return run


def summary(run: AlertRun) -> str:
    """One line for the CLI and logs."""
    text = (
        f"{run.emails_queued} alert e-mail(s) and {run.digests_queued} digest(s) queued; "
        f"mail: {run.mails_sent} sent, {run.mails_failed} failed; "
        f"webhooks: {run.webhooks_delivered} delivered, {run.webhooks_failed} failed"
    )
    return f"{text}; ERROR: {run.error}" if run.error else text
