"""Tracking and syncing bills from Congress.gov.

Each bill syncs in two phases: fetch everything over HTTP (no database transaction open), then apply it in
one transaction. A failure in either phase rolls the bill back to exactly what it was and records the error
on the bill; other bills go on. A bill whose Congress.gov `updateDate` has not changed costs one request.
Bills sync a few at a time (threads, each with its own client and session) within an hourly request budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from flask import Flask, current_app
from sqlalchemy import select

from advocacy.bills.services import action_dedupe_key, get_bill, refresh_stage
from advocacy.bills.stage import STAGE_LABELS
from advocacy.bills.texts import sync_bill_texts
from advocacy.congress.citations import Citation
from advocacy.congress.client import CongressClient, CongressError
from advocacy.congress.types import (
    ActionData,
    BillCommitteeData,
    BillData,
    CosponsorData,
    MemberRef,
    RelatedBillData,
    TitleData,
)
from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.models import (
    Bill,
    BillAction,
    BillCommittee,
    BillTitle,
    Campaign,
    CampaignBill,
    Cosponsorship,
    Member,
    RelatedBill,
)
from advocacy.models.base import utcnow
from advocacy.models.events import (
    BILL_ACTION,
    BILL_COSPONSOR_ADDED,
    BILL_COSPONSOR_WITHDRAWN,
    BILL_RELATED,
    BILL_STAGE,
    BILL_TITLE,
    BILL_TRACKED,
)

logger = logging.getLogger(__name__)

# Requests one full fetch costs at most, when nothing needs a second page: bill + five sub-resources.
FULL_FETCH_REQUESTS = 6
DEFAULT_CONCURRENCY = 4


class SyncError(Exception):
    """A user-facing problem with a tracking request (unknown campaign, no API key...)."""


@dataclass(frozen=True)
class FetchedBill:
    """Everything Congress.gov says about one bill, normalised."""

    bill: BillData
    actions: list[ActionData]
    cosponsors: list[CosponsorData]
    committees: list[BillCommitteeData]
    related: list[RelatedBillData]
    titles: list[TitleData]


@dataclass
class SyncResult:
    """What one bill's sync did: status is created, updated, unchanged, failed or deferred."""

    citation: Citation
    status: str
    changes: list[str] = field(default_factory=list)
    requests: int = 0
    error: str | None = None

    def line(self) -> str:
        """One line for the CLI summary."""
        if self.status == "failed":
            return f"{self.citation.label}: FAILED: {self.error}"
        if self.status == "deferred":
            return f"{self.citation.label}: deferred ({self.error})"
        detail = "; ".join(self.changes) if self.changes else "no changes"
        return f"{self.citation.label}: {self.status} ({detail}) [{self.requests} requests]"


class RequestBudget:
    """Counts Congress.gov requests in a sliding hour, so that syncs stay under the API's 5,000 an hour."""

    def __init__(self, per_hour: int):
        self.per_hour = per_hour
        self._log: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()

    def _used(self, now: float) -> int:
        while self._log and self._log[0][0] < now - 3600:
            self._log.popleft()
        return sum(n for _, n in self._log)

    def reserve(self, requests: int) -> bool:
        """Reserve `requests` now; False (nothing reserved) when that would exceed the hourly budget."""
        with self._lock:
            now = time.monotonic()
            if self._used(now) + requests > self.per_hour:
                return False
            self._log.append((now, requests))
            return True

    def adjust(self, reserved: int, used: int) -> None:
        """Correct a reservation with the number of requests actually made."""
        if used != reserved:
            with self._lock:
                self._log.append((time.monotonic(), used - reserved))

    @property
    def used(self) -> int:
        with self._lock:
            return self._used(time.monotonic())


_budgets: dict[int, RequestBudget] = {}
_budgets_lock = threading.Lock()


def request_budget(app: Flask) -> RequestBudget:
    """The process-wide request budget of this app (CONGRESS_REQUESTS_PER_HOUR)."""
    with _budgets_lock:
        budget = _budgets.get(id(app))
        if budget is None:
            budget = _budgets[id(app)] = RequestBudget(app.config.get("CONGRESS_REQUESTS_PER_HOUR", 4500))
        return budget


def make_client(app: Flask) -> CongressClient:
    """A new Congress.gov client from the app's config (one per thread: sessions are not shared)."""
    factory = app.extensions.get("congress_client_factory")
    if factory is not None:
        return factory()
    return CongressClient.from_config(app.config)


def sync_enabled(app: Flask | None = None) -> bool:
    app = app or current_app
    return bool(app.config.get("CONGRESS_API_KEY")) or "congress_client_factory" in app.extensions


# ------------------------------------------------------------------------------------------------ fetching


def fetch_full(client: CongressClient, citation: Citation, bill_data: BillData | None = None) -> FetchedBill:
    """Fetch the bill and its actions, cosponsors, committees, related bills and titles."""
    args = (citation.congress, citation.bill_type, citation.number)
    return FetchedBill(
        bill=bill_data or client.get_bill(*args),
        actions=client.get_actions(*args),
        cosponsors=client.get_cosponsors(*args),
        committees=client.get_committees(*args),
        related=client.get_related_bills(*args),
        titles=client.get_titles(*args),
    )


# ------------------------------------------------------------------------------------------------ applying


def _ensure_member(ref: MemberRef, chamber_hint: str | None) -> Member:
    member = db.session.get(Member, ref.bioguide_id)
    if member is None:
        # Cosponsors sit in the bill's chamber; a district settles it for House members.
        chamber = "house" if ref.district is not None else chamber_hint
        member = Member(
            bioguide_id=ref.bioguide_id,
            first_name=ref.first_name or ref.name,
            last_name=ref.last_name or ref.name,
            party=_party_name(ref.party),
            state=ref.state,
            district=ref.district,
            chamber=chamber,
            # Current-ness comes from the roster import; a member first seen on a bill is not assumed current.
            is_current=False,
            source="congress.gov",
        )
        db.session.add(member)
    return member


def _party_name(code: str | None) -> str | None:
    return {"D": "Democrat", "R": "Republican", "I": "Independent", "ID": "Independent"}.get(code or "", code)


def _short_title(titles: list[TitleData]) -> str | None:
    for title in titles:
        if title.title_type and title.title_type.lower().startswith("short title"):
            return title.title
    return None


def _set(obj: object, name: str, value: object) -> bool:
    """Set an attribute only when it differs, so an unchanged sync writes nothing."""
    if getattr(obj, name) != value:
        setattr(obj, name, value)
        return True
    return False


def apply_fetched(
    bill: Bill | None, data: FetchedBill, actor: str, today: date | None = None
) -> tuple[Bill, list[str]]:
    """Write what Congress.gov reported into the bill (creating it if needed); record events for changes.

    Returns the bill and human-readable change descriptions. Adds and flushes; the caller commits.
    """
    created = bill is None
    info = data.bill
    if bill is None:
        bill = Bill(
            congress=info.congress, bill_type=info.bill_type, number=info.number, title=info.title, tracked=True
        )
        db.session.add(bill)
    was_demo = bill.data_source == "demo"
    changes: list[str] = []
    events: list[tuple[str, str, dict]] = []

    chamber_hint = "senate" if info.bill_type.startswith("s") else "house"
    sponsor = _ensure_member(info.sponsors[0], chamber_hint) if info.sponsors else None
    old_titles = (bill.title, bill.short_title)
    short_title = _short_title(data.titles)
    for name, value in (
        ("title", info.title),
        ("short_title", short_title),
        ("introduced_date", info.introduced_date),
        ("origin_chamber", info.origin_chamber),
        ("policy_area", info.policy_area),
        ("latest_action_date", info.latest_action_date),
        ("latest_action_text", info.latest_action_text),
        ("api_update_date", info.update_date),
        ("sponsor_id", sponsor.bioguide_id if sponsor else None),
        ("data_source", "congress.gov"),
        ("source_note", None),
    ):
        _set(bill, name, value)
    if not created and (bill.title, bill.short_title) != old_titles:
        events.append((BILL_TITLE, f"Title changed to “{bill.display_title}”", {"before": list(old_titles)}))
        changes.append("title changed")

    # Actions: one per (date, text) whatever the source system.
    existing = {a.dedupe_key: a for a in bill.actions}
    incoming: dict[str, ActionData] = {}
    for action in data.actions:
        incoming.setdefault(action_dedupe_key(action.action_date, action.text), action)
    new_actions = 0
    for key, action in sorted(incoming.items(), key=lambda kv: (kv[1].action_date, kv[1].action_time or "")):
        committee = action.committees[0] if action.committees else None
        if key in existing:
            row = existing[key]
            for name, value in (
                ("action_time", action.action_time),
                ("action_type", action.type),
                ("action_code", action.action_code),
                ("source_system", action.source_system),
                ("committee_code", committee.system_code if committee else None),
                ("committee_name", committee.name if committee else None),
                ("source_note", None),
            ):
                _set(row, name, value)
            continue
        bill.actions.append(
            BillAction(
                action_date=action.action_date,
                action_time=action.action_time,
                text=action.text,
                action_type=action.type,
                action_code=action.action_code,
                source_system=action.source_system,
                committee_code=committee.system_code if committee else None,
                committee_name=committee.name if committee else None,
                dedupe_key=key,
            )
        )
        new_actions += 1
        if not created:
            events.append(
                (
                    BILL_ACTION,
                    f"New action ({action.action_date.isoformat()}): {action.text}",
                    {"date": action.action_date.isoformat(), "text": action.text},
                )
            )
    for key, action in existing.items():
        if key not in incoming and action.source_system == "demo":
            bill.actions.remove(action)  # demo facts give way to the official record
    if new_actions:
        changes.append(f"{new_actions} new action{'s' if new_actions != 1 else ''}")

    # Cosponsors, including withdrawals.
    current = {c.member_id: c for c in bill.cosponsorships}
    seen: set[str] = set()
    added = withdrawn = 0
    for item in data.cosponsors:
        member = _ensure_member(item.member, chamber_hint)
        seen.add(member.bioguide_id)
        row = current.get(member.bioguide_id)
        if row is None:
            row = Cosponsorship(
                member=member,
                sponsorship_date=item.sponsorship_date,
                is_original=item.is_original,
                withdrawn_date=item.withdrawn_date,
            )
            bill.cosponsorships.append(row)
            if not created and not was_demo and item.withdrawn_date is None:
                added += 1
                events.append(
                    (
                        BILL_COSPONSOR_ADDED,
                        f"Cosponsor added: {item.member.full_name}",
                        {"bioguide_id": member.bioguide_id},
                    )
                )
            continue
        _set(row, "sponsorship_date", item.sponsorship_date)
        _set(row, "is_original", item.is_original)
        if row.withdrawn_date is None and item.withdrawn_date is not None:
            withdrawn += 1
            events.append(
                (
                    BILL_COSPONSOR_WITHDRAWN,
                    f"Cosponsor withdrew: {item.member.full_name}",
                    {"bioguide_id": member.bioguide_id, "date": item.withdrawn_date.isoformat()},
                )
            )
        _set(row, "withdrawn_date", item.withdrawn_date)
    for member_id, row in current.items():
        if member_id not in seen and was_demo:
            bill.cosponsorships.remove(row)
    if added:
        changes.append(f"{added} cosponsor{'s' if added != 1 else ''} added")
    if withdrawn:
        changes.append(f"{withdrawn} cosponsor{'s' if withdrawn != 1 else ''} withdrew")

    # Committees and their activities.
    committees = {c.committee_code: c for c in bill.committees}
    reported_codes = set()
    for item in data.committees:
        reported_codes.add(item.system_code)
        activities = [{"name": a.name, "date": a.date.isoformat() if a.date else None} for a in item.activities]
        row = committees.get(item.system_code)
        if row is None:
            bill.committees.append(
                BillCommittee(
                    committee_code=item.system_code, name=item.name, chamber=item.chamber, activities=activities
                )
            )
            continue
        _set(row, "name", item.name)
        _set(row, "chamber", item.chamber)
        _set(row, "activities", activities)
    for code, row in committees.items():
        if code not in reported_codes:
            bill.committees.remove(row)

    # Related bills.
    related = {
        (r.related_congress, r.related_type, r.related_number, r.relationship_type, r.identified_by): r
        for r in bill.related_bills
    }
    new_related = 0
    for item in data.related:
        for relationship in item.relationships or ():
            key = (item.congress, item.bill_type, item.number, relationship.type, relationship.identified_by or "")
            row = related.get(key)
            if row is None:
                row = RelatedBill(
                    related_congress=item.congress,
                    related_type=item.bill_type,
                    related_number=item.number,
                    relationship_type=relationship.type,
                    identified_by=relationship.identified_by or "",
                )
                bill.related_bills.append(row)
                related[key] = row
                new_related += 1
                if not created:
                    events.append(
                        (
                            BILL_RELATED,
                            f"New related bill: {row.label} ({relationship.type})",
                            {"related": [item.congress, item.bill_type, item.number]},
                        )
                    )
            _set(row, "title", item.title)
            _set(row, "latest_action_date", item.latest_action_date)
            _set(row, "latest_action_text", item.latest_action_text)
    if new_related and not created:
        changes.append(f"{new_related} new related bill{'s' if new_related != 1 else ''}")

    # Titles: replaced when they differ.
    wanted = [(t.title_type or "", t.title) for t in data.titles]
    if sorted(wanted) != sorted((t.title_type, t.title) for t in bill.titles):
        bill.titles.clear()
        bill.titles.extend(BillTitle(title_type=kind, title=title) for kind, title in wanted)

    old_stage = bill.stage
    db.session.flush()
    db.session.refresh(bill, ["actions"])
    result = refresh_stage(bill, today)
    if not created and result.stage != old_stage:
        events.append(
            (
                BILL_STAGE,
                f"Stage: {STAGE_LABELS.get(old_stage, old_stage)} → {result.label}",
                {"before": old_stage, "after": result.stage},
            )
        )
        changes.append(f"stage {old_stage} → {result.stage}")

    bill.tracked = True
    bill.sync_error = None
    bill.last_synced_at = utcnow()
    if created:
        events.append((BILL_TRACKED, f"Now tracking {bill.label}: {bill.display_title}", {}))
    for kind, summary, payload in events:
        record_event(kind, summary, actor=actor, bill_id=bill.id, data=payload)
    return bill, changes


# ------------------------------------------------------------------------------------------------ one bill


def _record_failure(citation: Citation, message: str) -> None:
    db.session.rollback()
    bill = get_bill(citation.congress, citation.bill_type, citation.number)
    if bill is not None:
        bill.sync_error = message[:1000]
        db.session.commit()


def sync_citation(
    app: Flask,
    citation: Citation,
    *,
    actor: str = "sync",
    force: bool = False,
    create: bool = False,
    client: CongressClient | None = None,
) -> SyncResult:
    """Sync one bill in its own app context and transaction; never raises for Congress.gov problems.

    `create` allows a bill that is not stored yet (tracking); `force` fetches everything even when the
    `updateDate` is unchanged.
    """
    own_client = client is None
    client = client or make_client(app)
    before = client.request_count
    budget = request_budget(app)
    if not budget.reserve(FULL_FETCH_REQUESTS):
        return SyncResult(citation, "deferred", error="hourly Congress.gov request budget used up; try later")
    result = SyncResult(citation, "unchanged")
    try:
        with app.app_context():
            bill = get_bill(citation.congress, citation.bill_type, citation.number)
            if bill is None and not create:
                return SyncResult(citation, "failed", error="not tracked: use `bills track` first")
            try:
                info = client.get_bill(citation.congress, citation.bill_type, citation.number)
                if (
                    bill is not None
                    and not force
                    and bill.data_source != "demo"
                    and info.update_date
                    and bill.api_update_date == info.update_date
                ):
                    bill.last_synced_at = utcnow()
                    bill.sync_error = None
                    refresh_stage(bill)  # a Congress can end without any new action
                    db.session.commit()
                    return result
                fetched = fetch_full(client, citation, info)
            except CongressError as exc:
                _record_failure(citation, str(exc))
                result.status, result.error = "failed", str(exc)
                return result
            try:
                bill_obj, changes = apply_fetched(bill, fetched, actor)
                db.session.commit()
            except Exception as exc:
                logger.exception("applying %s failed", citation.label)
                _record_failure(citation, f"could not store the data: {type(exc).__name__}")
                result.status, result.error = "failed", f"could not store the data: {type(exc).__name__}: {exc}"
                return result
            result.status = "created" if bill is None else ("updated" if changes else "unchanged")
            result.changes = changes
            logger.info("synced %s by %s: %s", citation.label, actor, result.status)
            return result
    finally:
        if result.status != "failed":  # text versions (issue #16): own transaction, never fails the bill
            sync_bill_texts(app, citation, client, result, actor=actor, force=force, budget=budget)
        result.requests = client.request_count - before
        budget.adjust(FULL_FETCH_REQUESTS, result.requests)
        if own_client:
            client.close()


def sync_many(
    app: Flask,
    citations: Iterable[Citation],
    *,
    actor: str = "sync",
    force: bool = False,
    create: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[SyncResult], None] | None = None,
) -> list[SyncResult]:
    """Sync several bills, `concurrency` at a time, each in its own thread, client and transaction."""
    citations = list(citations)
    if concurrency <= 1:
        results = []
        for citation in citations:
            results.append(sync_citation(app, citation, actor=actor, force=force, create=create))
            if progress:
                progress(results[-1])
        return results
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bill-sync") as pool:
        futures = [pool.submit(sync_citation, app, c, actor=actor, force=force, create=create) for c in citations]
        results = []
        for future in futures:
            results.append(future.result())
            if progress:
                progress(results[-1])
        return results


def tracked_citations() -> list[Citation]:
    """Citations of every tracked bill, oldest sync first."""
    rows = db.session.execute(
        select(Bill.congress, Bill.bill_type, Bill.number)
        .where(Bill.tracked.is_(True))
        .order_by(Bill.last_synced_at.asc().nulls_first(), Bill.id)
    ).all()
    return [Citation(*row) for row in rows]


def link_to_campaign(bill: Bill, campaign_slug: str, actor: str) -> Campaign:
    """Add the bill to a campaign's versions (no-op when already linked). Raises SyncError for a bad slug."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == campaign_slug))
    if campaign is None:
        raise SyncError(f"No campaign with the slug {campaign_slug!r}.")
    if all(link.bill_id != bill.id for link in campaign.bill_links):
        campaign.bill_links.append(CampaignBill(bill=bill, position=len(campaign.bill_links)))
        record_event(
            BILL_TRACKED,
            f"{bill.label} added to campaign {campaign.name}",
            actor=actor,
            bill_id=bill.id,
            campaign_id=campaign.id,
        )
    return campaign


def track(app: Flask, citation: Citation, *, campaign_slug: str | None = None, actor: str = "cli") -> SyncResult:
    """Track a bill: fetch and store it with everything Congress.gov has on it, optionally adding it to a campaign."""
    if campaign_slug:
        with app.app_context():
            if db.session.scalar(select(Campaign.id).where(Campaign.slug == campaign_slug)) is None:
                raise SyncError(f"No campaign with the slug {campaign_slug!r}.")
    if not sync_enabled(app):
        raise SyncError(
            "Syncing with Congress.gov is off: get a free API key at https://api.congress.gov/sign-up/ "
            "and set CONGRESS_API_KEY."
        )
    result = sync_citation(app, citation, actor=actor, create=True, force=True)
    if result.status != "failed" and campaign_slug:
        with app.app_context():
            bill = get_bill(citation.congress, citation.bill_type, citation.number)
            link_to_campaign(bill, campaign_slug, actor)
            bill.tracked = True
            db.session.commit()
    return result
