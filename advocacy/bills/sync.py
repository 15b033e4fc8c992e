"""Tracking and syncing bills from Congress.gov.

Each bill syncs in three steps: read what is stored (and end that transaction), fetch everything over HTTP (no
database transaction open), then write it in one short transaction. A failure rolls the bill back to exactly what
it was and records the error (and its kind: outage, missing...) on the bill; other bills go on. A bill whose
Congress.gov `updateDate` has not changed costs one request; a long Retry-After defers the bill.
Bills sync a few at a time (threads, each with its own client and session) within an hourly request budget.

Transactions: a bill's sync runs in the caller's unit of work (or its own) and ends each step with
`checkpoint()`, so one bill's data is committed when that bill is done and a later failure cannot undo it.
No function here takes the app object: they use the running app (`current_app`); `sync_many` alone captures
it, to push it in each pool thread (a thread has no app context, and its own context gives it its own session).
Outcomes are typed: `SyncResult.status` is a `SyncStatus`, `SyncResult.error` a `bills.errors.SyncError`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from advocacy.bills.actions import MergedAction, merge_actions, normalise_text
from advocacy.bills.errors import (
    ERROR,
    BillRemoved,
    CampaignNotFound,
    NotTracked,
    StoreFailed,
    SyncDeferred,
    SyncDisabled,
    SyncError,
    from_congress,
)
from advocacy.bills.results import SyncResult, SyncStatus
from advocacy.bills.services import get_bill, refresh_stage
from advocacy.bills.stage import STAGE_LABELS
from advocacy.bills.texts import sync_bill_texts
from advocacy.congress import client as congress
from advocacy.congress.citations import Citation
from advocacy.congress.client import CongressClient
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
from advocacy.extensions import db, real_app
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
from advocacy.uow import checkpoint, unit_of_work

logger = logging.getLogger(__name__)

# Requests one full fetch costs at most, when nothing needs a second page: bill + five sub-resources.
FULL_FETCH_REQUESTS = 6
DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class FetchedBill:
    """Everything Congress.gov says about one bill, normalised."""

    bill: BillData
    actions: list[ActionData]
    cosponsors: list[CosponsorData]
    committees: list[BillCommitteeData]
    related: list[RelatedBillData]
    titles: list[TitleData]


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


def request_budget() -> RequestBudget:
    """The process-wide request budget of the running app (CONGRESS_REQUESTS_PER_HOUR)."""
    app = real_app()  # keyed by the real app, not the proxy
    with _budgets_lock:
        budget = _budgets.get(id(app))
        if budget is None:
            budget = _budgets[id(app)] = RequestBudget(app.config.get("CONGRESS_REQUESTS_PER_HOUR", 4500))
        return budget


def make_client() -> CongressClient:
    """A new Congress.gov client from the running app's config (one per thread: sessions are not shared)."""
    factory = current_app.extensions.get("congress_client_factory")
    if factory is not None:
        client: CongressClient = factory()
        return client
    return CongressClient.from_config(current_app.config)


def sync_enabled() -> bool:
    """Whether bills can be synced: an API key is configured (or tests wired a fake Congress.gov)."""
    return bool(current_app.config.get("CONGRESS_API_KEY")) or "congress_client_factory" in current_app.extensions


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


def _shouting(value: str | None) -> bool:
    return value is not None and len(value) > 1 and value.isupper()


def _record_name(ref: MemberRef) -> tuple[str, str]:
    """(first, last) from a record, with names in capitals ("NYDIA", "VELAZQUEZ") taken from the display name
    ("Rep. Velazquez, Nydia M. [D-NY-7]") or, failing that, title-cased."""
    first, last = ref.first_name or ref.name, ref.last_name or ref.name
    if not (_shouting(first) or _shouting(last)):
        return first, last
    match = _FULL_NAME.match(ref.full_name or "")
    if match and not (_shouting(match["first"]) or _shouting(match["last"])):
        return match["first"].split()[0], match["last"]
    return first.title(), last.title()


_FULL_NAME = re.compile(
    r"^(?:(?:Rep|Sen|Del|Resident Commissioner)\.?\s+)?(?P<last>[^,\[]+),\s*(?P<first>[^\[]+?)\s*(?:\[|$)"
)


def _ensure_member(ref: MemberRef, chamber_hint: str | None, known: dict[str, Member] | None = None) -> Member:
    """The member a record names: the stored one (the roster's name wins), else a new one from the record.

    A member first met on a record keeps the record's name until a better one arrives: a record that writes
    the name properly replaces one rebuilt from capitals; the roster's name (the import) is never overwritten.
    `known`: the members already read (by bioguide id), looked up there instead of the database, a new one added."""
    member = db.session.get(Member, ref.bioguide_id) if known is None else known.get(ref.bioguide_id)
    first, last = _record_name(ref)
    if member is None:
        # Cosponsors sit in the bill's chamber; a district settles it for House members.
        chamber = "house" if ref.district is not None else chamber_hint
        member = Member(
            bioguide_id=ref.bioguide_id,
            first_name=first,
            last_name=last,
            party=_party_name(ref.party),
            state=ref.state,
            district=ref.district,
            chamber=chamber,
            # Current-ness comes from the roster import; a member first seen on a bill is not assumed current.
            is_current=False,
            source="congress.gov",
        )
        db.session.add(member)
        if known is not None:
            known[member.bioguide_id] = member
    elif member.source == "congress.gov" and not (_shouting(ref.first_name) or _shouting(ref.last_name)):
        # A properly written name in a record is better than one rebuilt from capitals.
        _set(member, "first_name", first)
        _set(member, "last_name", last)
    return member


def _stored_members(cosponsors: Iterable[CosponsorData]) -> dict[str, Member]:
    """The stored members of these cosponsors, by bioguide id, in one query (not one SELECT per cosponsor)."""
    ids = {c.member.bioguide_id for c in cosponsors}
    return {m.bioguide_id: m for m in db.session.scalars(select(Member).where(Member.bioguide_id.in_(ids)))}


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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


@dataclass
class _Apply:
    """One bill's write: the bill, what it was before, and the events and change lines it produces."""

    bill: Bill
    data: FetchedBill
    created: bool
    was_demo: bool
    chamber_hint: str
    changes: list[str] = field(default_factory=list)
    events: list[tuple[str, str, dict]] = field(default_factory=list)

    def event(self, kind: str, summary: str, payload: dict | None = None) -> None:
        self.events.append((kind, summary, payload or {}))


def apply_bill(ctx: _Apply) -> None:
    """The bill item: titles, dates, sponsor, latest action, update date."""
    bill, info = ctx.bill, ctx.data.bill
    sponsor = _ensure_member(info.sponsors[0], ctx.chamber_hint) if info.sponsors else None
    old_titles = (bill.title, bill.short_title)
    for name, value in (
        ("title", info.title),
        ("short_title", _short_title(ctx.data.titles)),
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
    if not ctx.created and (bill.title, bill.short_title) != old_titles:
        ctx.event(BILL_TITLE, f"Title changed to “{bill.display_title}”", {"before": list(old_titles)})
        ctx.changes.append("title changed")


def _action_values(item: MergedAction) -> tuple[tuple[str, Any], ...]:
    """The columns of an action row besides its date, text and key, from the merged action."""
    action, committee = item.primary, item.committee
    return (
        ("action_time", action.action_time),
        ("action_type", action.type),
        ("action_code", action.action_code),
        ("source_system", action.source_system),
        ("committee_code", committee.system_code if committee else None),
        ("committee_name", committee.name if committee else None),
        ("reported_as", item.reported_as),
        ("source_note", None),
    )


def apply_actions(ctx: _Apply) -> None:
    """Every real action (advocacy.bills.actions says which rows are one action), each copy's type kept."""
    bill = ctx.bill
    existing = {a.dedupe_key: a for a in bill.actions}
    # A further row of a (date, text) already stored is no news: it is a record read under the rule that keeps
    # same-system rows apart (bills stored before it had them merged), not a new step.
    known_days = {(a.action_date, normalise_text(a.text)) for a in bill.actions if a.source_system != "demo"}
    merged = merge_actions(ctx.data.actions)
    incoming = {m.key for m in merged}
    new_actions = 0
    for item in merged:
        action = item.primary
        values = _action_values(item)
        row = existing.get(item.key)
        if row is not None:
            _set(row, "text", action.text)
            for name, value in values:
                _set(row, name, value)
            continue
        row = BillAction(action_date=action.action_date, text=action.text, dedupe_key=item.key)
        for name, value in values:
            setattr(row, name, value)
        bill.actions.append(row)
        new_actions += 1
        if not ctx.created and (action.action_date, normalise_text(action.text)) not in known_days:
            ctx.event(
                BILL_ACTION,
                f"New action ({action.action_date.isoformat()}): {action.text}",
                {"date": action.action_date.isoformat(), "text": action.text},
            )
    for key, row in existing.items():
        # Demo facts give way to the official record; so does a row the record no longer has (a merge rule
        # that changed, or a correction by Congress.gov).
        if key not in incoming:
            bill.actions.remove(row)
    if new_actions:
        ctx.changes.append(_plural(new_actions, "new action"))


def apply_cosponsors(ctx: _Apply) -> None:
    """Cosponsors, withdrawals included."""
    bill = ctx.bill
    current = {c.member_id: c for c in bill.cosponsorships}
    known = _stored_members(ctx.data.cosponsors)
    seen: set[str] = set()
    added = withdrawn = 0
    for item in ctx.data.cosponsors:
        member = _ensure_member(item.member, ctx.chamber_hint, known)
        if member.bioguide_id in seen:
            continue
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
            if not ctx.created and not ctx.was_demo and item.withdrawn_date is None:
                added += 1
                ctx.event(
                    BILL_COSPONSOR_ADDED,
                    f"Cosponsor added: {item.member.full_name}",
                    {"bioguide_id": member.bioguide_id},
                )
            continue
        _set(row, "sponsorship_date", item.sponsorship_date)
        _set(row, "is_original", item.is_original)
        if row.withdrawn_date is None and item.withdrawn_date is not None:
            withdrawn += 1
            ctx.event(
                BILL_COSPONSOR_WITHDRAWN,
                f"Cosponsor withdrew: {item.member.full_name}",
                {"bioguide_id": member.bioguide_id, "date": item.withdrawn_date.isoformat()},
            )
        _set(row, "withdrawn_date", item.withdrawn_date)
    for member_id, row in current.items():
        if member_id not in seen and ctx.was_demo:
            bill.cosponsorships.remove(row)
    if added:
        ctx.changes.append(f"{_plural(added, 'cosponsor')} added")
    if withdrawn:
        ctx.changes.append(f"{_plural(withdrawn, 'cosponsor')} withdrew")


def _committee_rows(items: list[BillCommitteeData]) -> Iterable[tuple[BillCommitteeData, str | None, str | None]]:
    """Committees and, after each, its subcommittees: (record, parent code, chamber)."""
    for item in items:
        yield item, None, item.chamber
        for sub in item.subcommittees:
            yield sub, item.system_code, sub.chamber or item.chamber


def apply_committees(ctx: _Apply) -> None:
    """Committees and subcommittees with their activities (subcommittees point at their committee)."""
    bill = ctx.bill
    committees = {c.committee_code: c for c in bill.committees}
    reported: set[str] = set()
    for item, parent, chamber in _committee_rows(ctx.data.committees):
        if item.system_code in reported:
            continue
        reported.add(item.system_code)
        activities = [{"name": a.name, "date": a.date.isoformat() if a.date else None} for a in item.activities]
        row = committees.get(item.system_code)
        if row is None:
            bill.committees.append(
                BillCommittee(
                    committee_code=item.system_code,
                    name=item.name,
                    chamber=chamber,
                    activities=activities,
                    parent_code=parent,
                )
            )
            continue
        _set(row, "name", item.name)
        _set(row, "chamber", chamber)
        _set(row, "activities", activities)
        _set(row, "parent_code", parent)
    for code, row in committees.items():
        if code not in reported:
            bill.committees.remove(row)


def apply_related(ctx: _Apply) -> None:
    """Related bills, one row per (bill, relationship, identified by)."""
    bill = ctx.bill
    related = {
        (r.related_congress, r.related_type, r.related_number, r.relationship_type, r.identified_by): r
        for r in bill.related_bills
    }
    new_related = 0
    for item in ctx.data.related:
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
                if not ctx.created:
                    ctx.event(
                        BILL_RELATED,
                        f"New related bill: {row.label} ({relationship.type})",
                        {"related": [item.congress, item.bill_type, item.number]},
                    )
            _set(row, "title", item.title)
            _set(row, "latest_action_date", item.latest_action_date)
            _set(row, "latest_action_text", item.latest_action_text)
    if new_related and not ctx.created:
        ctx.changes.append(_plural(new_related, "new related bill"))


def apply_titles(ctx: _Apply) -> None:
    """All titles, replaced when they differ."""
    bill = ctx.bill
    wanted = [(t.title_type or "", t.title) for t in ctx.data.titles]
    if sorted(wanted) != sorted((t.title_type, t.title) for t in bill.titles):
        bill.titles.clear()
        bill.titles.extend(BillTitle(title_type=kind, title=title) for kind, title in wanted)


# The sections of a bill's write, in order; each reads `ctx.data` and updates `ctx.bill`.
SECTIONS: tuple[Callable[[_Apply], None], ...] = (
    apply_bill,
    apply_actions,
    apply_cosponsors,
    apply_committees,
    apply_related,
    apply_titles,
)


def apply_fetched(
    bill: Bill | None, data: FetchedBill, actor: str, today: date | None = None
) -> tuple[Bill, list[str]]:
    """Write what Congress.gov reported into the bill (creating it if needed); record events for changes.

    Runs each section of SECTIONS, then derives the stage. Returns the bill and human-readable change
    descriptions. Adds and flushes; the caller commits.
    """
    created = bill is None
    info = data.bill
    if bill is None:
        bill = Bill(
            congress=info.congress, bill_type=info.bill_type, number=info.number, title=info.title, tracked=True
        )
        db.session.add(bill)
    ctx = _Apply(
        bill=bill,
        data=data,
        created=created,
        was_demo=bill.data_source == "demo",
        chamber_hint="senate" if info.bill_type.startswith("s") else "house",
    )
    for section in SECTIONS:
        section(ctx)

    old_stage = bill.stage
    db.session.flush()
    db.session.refresh(bill, ["actions"])
    result = refresh_stage(bill, today)
    if not created and result.stage != old_stage:
        ctx.event(
            BILL_STAGE,
            f"Stage: {STAGE_LABELS.get(old_stage, old_stage)} → {result.label}",
            {"before": old_stage, "after": result.stage},
        )
        ctx.changes.append(f"stage {old_stage} → {result.stage}")

    bill.tracked = True
    _clear_sync_state(bill)
    if created:
        ctx.event(BILL_TRACKED, f"Now tracking {bill.label}: {bill.display_title}")
    for kind, summary, payload in ctx.events:
        record_event(kind, summary, actor=actor, bill_id=bill.id, data=payload)
    return bill, ctx.changes


def _clear_sync_state(bill: Bill) -> None:
    bill.sync_error = None
    bill.sync_error_kind = None
    bill.sync_deferred_until = None
    bill.last_synced_at = utcnow()


# ------------------------------------------------------------------------------------------------ one bill


@dataclass(frozen=True)
class _Stored:
    """What phase 1 reads about a stored bill, so that no transaction stays open during the fetch."""

    demo: bool
    api_update_date: str | None
    deferred_until: datetime | None


class RunGate:
    """Shared by the bills of one sync run: once Congress.gov asks to wait (a long Retry-After), every bill
    after it is deferred to that time without a request."""

    def __init__(self) -> None:
        self._until: datetime | None = None
        self._lock = threading.Lock()

    def close_until(self, until: datetime) -> None:
        with self._lock:
            if self._until is None or until > self._until:
                self._until = until

    def closed_until(self, now: datetime) -> datetime | None:
        with self._lock:
            return self._until if self._until is not None and self._until > now else None


def _read_stored(citation: Citation) -> _Stored | None:
    """Phase 1: read what the sync needs about the stored bill, then end the transaction (checkpoint)."""
    bill = get_bill(citation.congress, citation.bill_type, citation.number)
    stored = (
        None if bill is None else _Stored(bill.data_source == "demo", bill.api_update_date, bill.sync_deferred_until)
    )
    checkpoint()  # gives the connection back: nothing is held while Congress.gov is asked
    return stored


def _record_failure(citation: Citation, message: str, kind: str | None) -> None:
    """Note the failure on the stored bill (its data stays exactly as it was: the bill's work is rolled back)."""
    db.session.rollback()
    bill = get_bill(citation.congress, citation.bill_type, citation.number)
    if bill is not None:
        bill.sync_error = message[:1000]
        bill.sync_error_kind = kind
        checkpoint()


def _record_deferral(citation: Citation, until: datetime) -> None:
    db.session.rollback()
    bill = get_bill(citation.congress, citation.bill_type, citation.number)
    if bill is not None:
        bill.sync_deferred_until = until
        checkpoint()


def _recorded(citation: Citation, error: SyncError) -> SyncError:
    """The error, once noted on the stored bill."""
    _record_failure(citation, error.message, error.kind)
    return error


def _deferred_line(until: datetime) -> str:
    return f"deferred until {until:%Y-%m-%d %H:%M} UTC (Congress.gov asked to wait)"


def _check_before_fetch(citation: Citation, create: bool, gate: RunGate) -> _Stored | None:
    """Phase 1: what is stored; raises NotTracked or SyncDeferred when the bill must not be fetched now."""
    stored = _read_stored(citation)
    if stored is None and not create:
        raise NotTracked("not tracked: use `bills track` first")
    now = utcnow()
    if stored is not None and stored.deferred_until is not None and stored.deferred_until > now:
        raise SyncDeferred(_deferred_line(stored.deferred_until), until=stored.deferred_until)
    closed = gate.closed_until(now)
    if closed is not None:
        _record_deferral(citation, closed)
        raise SyncDeferred(_deferred_line(closed), until=closed)
    return stored


def _fetch(
    client: CongressClient, citation: Citation, stored: _Stored | None, *, force: bool, gate: RunGate
) -> FetchedBill | None:
    """Phase 2, no transaction open: everything Congress.gov has, or None when its `updateDate` is unchanged.

    Client errors become sync errors (noted on the stored bill); a Retry-After longer than the client waits
    defers this bill and closes the gate for the rest of the run.
    """
    try:
        info = client.get_bill(citation.congress, citation.bill_type, citation.number, known=stored is not None)
        unchanged = (
            stored is not None
            and not force
            and not stored.demo
            and info.update_date
            and stored.api_update_date == info.update_date
        )
        return None if unchanged else fetch_full(client, citation, info)
    except congress.RateLimited as exc:
        if exc.retry_after is not None and exc.retry_after > client.max_backoff:
            until = utcnow() + timedelta(seconds=exc.retry_after)
            gate.close_until(until)
            _record_deferral(citation, until)
            raise SyncDeferred(_deferred_line(until), until=until, cause=exc) from exc
        raise _recorded(citation, from_congress(exc, stored=stored is not None)) from exc
    except congress.CongressError as exc:
        raise _recorded(citation, from_congress(exc, stored=stored is not None)) from exc


def _store(citation: Citation, fetched: FetchedBill | None, actor: str) -> tuple[SyncStatus, list[str]]:
    """Phase 3: write what was fetched in one short transaction (checkpoint); its status and changes.

    Anything that fails while storing rolls the bill back to what it was and is noted on it (StoreFailed).
    """
    bill = get_bill(citation.congress, citation.bill_type, citation.number)
    if bill is None and fetched is None:  # removed while Congress.gov was being asked
        raise BillRemoved("the bill was removed meanwhile")
    try:
        if fetched is None:
            assert bill is not None
            _clear_sync_state(bill)
            refresh_stage(bill)  # a Congress can end without any new action
            changes: list[str] = []
        else:
            _bill, changes = apply_fetched(bill, fetched, actor)
        checkpoint()
    except Exception as exc:
        logger.exception("applying %s failed", citation.label)
        _record_failure(citation, f"could not store the data: {type(exc).__name__}", ERROR)
        raise StoreFailed(f"could not store the data: {type(exc).__name__}: {exc}", cause=exc) from exc
    if fetched is None:
        return SyncStatus.UNCHANGED, changes
    return (SyncStatus.CREATED if bill is None else (SyncStatus.UPDATED if changes else SyncStatus.UNCHANGED)), changes


def sync_citation(
    citation: Citation,
    *,
    actor: str = "sync",
    force: bool = False,
    create: bool = False,
    client: CongressClient | None = None,
    gate: RunGate | None = None,
) -> SyncResult:
    """Sync one bill; never raises for Congress.gov problems (they are the result's `error`).

    Three steps, so that no database transaction is open while Congress.gov is asked: read what is stored
    (and end that transaction), fetch over HTTP, then write everything in one short transaction. It runs in the
    caller's unit of work (or its own) and commits each step with `checkpoint()`: what the caller did before is
    committed with the first step, and a failure rolls back this bill's work only. `create` allows a bill that
    is not stored yet (tracking); `force` fetches everything even when the `updateDate` is unchanged. A bill
    deferred by a long Retry-After is skipped without a request until its time has come.
    """
    gate = gate or RunGate()
    with unit_of_work():
        try:
            stored = _check_before_fetch(citation, create, gate)
        except SyncError as exc:
            return SyncResult.of_error(citation, exc)
        own_client = client is None
        active = client or make_client()
        try:
            return _fetch_and_store(citation, stored, active, actor=actor, force=force, gate=gate)
        finally:
            if own_client:
                active.close()


def _fetch_and_store(
    citation: Citation, stored: _Stored | None, client: CongressClient, *, actor: str, force: bool, gate: RunGate
) -> SyncResult:
    before = client.request_count
    budget = request_budget()
    if not budget.reserve(FULL_FETCH_REQUESTS):
        return SyncResult.of_error(citation, SyncDeferred("hourly Congress.gov request budget used up; try later"))
    result = SyncResult(citation, SyncStatus.UNCHANGED)
    try:
        try:
            fetched = _fetch(client, citation, stored, force=force, gate=gate)
            result.status, result.changes = _store(citation, fetched, actor)
            logger.info("synced %s by %s: %s", citation.label, actor, result.status)
        except SyncError as exc:
            result.fail(exc)
        if result.status not in (SyncStatus.FAILED, SyncStatus.DEFERRED):  # texts (#16): not when deferred
            sync_bill_texts(citation, client, result, actor=actor, force=force, budget=budget)
    finally:  # an unexpected error too: the budget counts the requests really made
        result.requests = client.request_count - before
        budget.adjust(FULL_FETCH_REQUESTS, result.requests)
    return result


def _sync_in_thread(app: Flask, citation: Citation, **options: Any) -> SyncResult:
    """A pool thread's work: the caller's app, pushed here, gives the thread its own session and unit of work."""
    with app.app_context():
        return sync_citation(citation, **options)


def sync_many(
    citations: Iterable[Citation],
    *,
    actor: str = "sync",
    force: bool = False,
    create: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[SyncResult], None] | None = None,
) -> list[SyncResult]:
    """Sync several bills, `concurrency` at a time, each in its own thread, client and transaction.

    Once Congress.gov asks to wait (a long Retry-After), the remaining bills are deferred without requests.
    With `concurrency` 1 the bills sync one after the other in the caller's unit of work (each committed as it
    ends); otherwise each thread pushes the running app (captured here, the one place that needs it) for a
    session of its own.
    """
    citations = list(citations)
    gate = RunGate()
    options: dict[str, Any] = {"actor": actor, "force": force, "create": create, "gate": gate}
    results: list[SyncResult] = []
    if concurrency <= 1:
        for citation in citations:
            results.append(sync_citation(citation, **options))
            if progress:
                progress(results[-1])
        return results
    app = real_app()  # for the threads
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bill-sync") as pool:
        futures = [pool.submit(_sync_in_thread, app, c, **options) for c in citations]
        for future in futures:
            results.append(future.result())
            if progress:
                progress(results[-1])
    return results


def _campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise CampaignNotFound(f"No campaign with the slug {slug!r}.")
    return campaign


def link_to_campaign(bill: Bill, campaign_slug: str, actor: str) -> Campaign:
    """Add the bill to a campaign's versions (no-op when already linked). Raises CampaignNotFound for a bad slug."""
    campaign = _campaign(campaign_slug)
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


def track(citation: Citation, *, campaign_slug: str | None = None, actor: str = "cli") -> SyncResult:
    """Track a bill: fetch and store it with everything Congress.gov has on it, optionally adding it to a campaign.

    Raises CampaignNotFound or SyncDisabled before anything is asked; a failed fetch is the result's `error`.
    Runs in the caller's unit of work: the bill is committed by the sync, the campaign link with the caller.
    """
    with unit_of_work():
        if campaign_slug:
            _campaign(campaign_slug)
        if not sync_enabled():
            raise SyncDisabled(
                "Syncing with Congress.gov is off: get a free API key at https://api.congress.gov/sign-up/ "
                "and set CONGRESS_API_KEY."
            )
        result = sync_citation(citation, actor=actor, create=True, force=True)
        if result.status != SyncStatus.FAILED and campaign_slug:
            bill = get_bill(citation.congress, citation.bill_type, citation.number)
            if bill is not None:  # None: a new bill whose fetch was deferred
                link_to_campaign(bill, campaign_slug, actor)
                bill.tracked = True
        return result
