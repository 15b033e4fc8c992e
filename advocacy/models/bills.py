"""Bills and what Congress.gov reports about them: actions, cosponsors, committees, related bills, titles."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from advocacy.congress.citations import BILL_TYPES as CITATION_BILL_TYPES
from advocacy.congress.citations import Citation
from advocacy.models.base import Base, utcnow
from advocacy.models.members import Member

BILL_TYPES = CITATION_BILL_TYPES
DEFAULT_STALE_HOURS = 48


def stale_after() -> timedelta:
    """How long a synced bill stays fresh: SYNC_STALE_HOURS of the running app (48 hours without one)."""
    hours = current_app.config.get("SYNC_STALE_HOURS", DEFAULT_STALE_HOURS) if has_app_context() else None
    return timedelta(hours=int(hours if hours is not None else DEFAULT_STALE_HOURS))


class Bill(Base):
    """A bill in one Congress. Tracked bills are synced from Congress.gov; demo bills carry `source_note`."""

    __tablename__ = "bill"
    __table_args__ = (UniqueConstraint("congress", "bill_type", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    congress: Mapped[int] = mapped_column(Integer)
    bill_type: Mapped[str] = mapped_column(String(8))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    short_title: Mapped[str | None] = mapped_column(Text)
    introduced_date: Mapped[date | None] = mapped_column(Date)
    origin_chamber: Mapped[str | None] = mapped_column(String(10))
    sponsor_id: Mapped[str | None] = mapped_column(ForeignKey("member.bioguide_id"), index=True)
    policy_area: Mapped[str | None] = mapped_column(String(200))
    latest_action_date: Mapped[date | None] = mapped_column(Date)
    latest_action_text: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(30), default="introduced", server_default="introduced")
    # How far it got (differs from `stage` for ended, failed and vetoed bills).
    stage_furthest: Mapped[str] = mapped_column(String(30), default="introduced", server_default="introduced")
    # Congress.gov's updateDate as reported (ISO text): an unchanged value means nothing to fetch.
    api_update_date: Mapped[str | None] = mapped_column(String(40))
    tracked: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    last_synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    sync_error: Mapped[str | None] = mapped_column(Text)
    # What kind of failure `sync_error` is: "outage" (Congress.gov failing for a bill it has: the stored record
    # is kept), "missing" (no such bill), "rate_limited", "error" (anything else); None after a good sync.
    sync_error_kind: Mapped[str | None] = mapped_column(String(20))
    # A long Retry-After defers the bill: no request for it before this time (UTC); the next sync after it resumes.
    sync_deferred_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Where the stored facts come from: "demo" (hand-written, with sources) until a real sync.
    data_source: Mapped[str] = mapped_column(String(20), default="congress.gov", server_default="congress.gov")
    source_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    sponsor: Mapped[Member | None] = relationship()
    actions: Mapped[list[BillAction]] = relationship(
        back_populates="bill",
        cascade="all, delete-orphan",
        # Oldest first; within a day in the order Congress.gov reported them (the sync inserts them so).
        order_by="(BillAction.action_date, BillAction.id)",
    )
    cosponsorships: Mapped[list[Cosponsorship]] = relationship(
        back_populates="bill", cascade="all, delete-orphan", order_by="Cosponsorship.sponsorship_date"
    )
    committees: Mapped[list[BillCommittee]] = relationship(back_populates="bill", cascade="all, delete-orphan")
    related_bills: Mapped[list[RelatedBill]] = relationship(back_populates="bill", cascade="all, delete-orphan")
    titles: Mapped[list[BillTitle]] = relationship(back_populates="bill", cascade="all, delete-orphan")

    @property
    def citation(self) -> Citation:
        return Citation(self.congress, self.bill_type, self.number)

    @property
    def display(self) -> str:
        """ "H.R. 3571"."""
        return self.citation.display

    @property
    def label(self) -> str:
        """ "H.R. 3571 (116th)"."""
        return self.citation.label

    @property
    def display_title(self) -> str:
        return self.short_title or self.title

    @property
    def congress_gov_url(self) -> str:
        return self.citation.congress_gov_url

    def is_stale(self, now: datetime, max_age: timedelta | None = None) -> bool:
        """Whether the stored record may be out of date: a tracked bill with Congress.gov data (demo data is
        never stale) that was never synced, or not within `max_age` (default: `stale_after()`) before `now`.

        The one definition of "stale" (the dashboard's badge, the health page's list); a failed last sync is
        shown next to it (`sync_error`), not folded into it.
        """
        if not self.tracked or self.data_source == "demo":
            return False
        return self.last_synced_at is None or self.last_synced_at < now - (max_age or stale_after())

    @classmethod
    def stale_clause(cls, now: datetime, max_age: timedelta | None = None) -> ColumnElement[bool]:
        """`is_stale` as a SQL condition, for queries that list stale bills."""
        before = now - (max_age or stale_after())
        return and_(
            cls.tracked.is_(True),
            cls.data_source != "demo",
            or_(cls.last_synced_at.is_(None), cls.last_synced_at < before),
        )

    def __repr__(self) -> str:
        return f"<Bill {self.label}>"


class BillAction(Base):
    """One action on a bill. The same action reported by two source systems is stored once (dedupe_key), with
    every copy's source, code and type in `reported_as` so that nothing the record says is lost."""

    __tablename__ = "bill_action"
    __table_args__ = (UniqueConstraint("bill_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), index=True)
    action_date: Mapped[date] = mapped_column(Date)
    action_time: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    # API types (Floor, BecameLaw...) and, in older records, long descriptive ones ("Last Senate Action Being
    # Considered by Other Type of Consideration").
    action_type: Mapped[str | None] = mapped_column(String(120))
    action_code: Mapped[str | None] = mapped_column(String(20))
    source_system: Mapped[str | None] = mapped_column(String(80))
    committee_code: Mapped[str | None] = mapped_column(String(10))
    committee_name: Mapped[str | None] = mapped_column(String(300))
    # sha256 of (date, normalised text, occurrence): see advocacy.bills.actions.
    dedupe_key: Mapped[str] = mapped_column(String(64))
    source_note: Mapped[str | None] = mapped_column(Text)
    # Every copy of this action in the record: [{"source": "House floor actions", "code": "E30000",
    # "type": "President"}, {"source": "Library of Congress", "code": "36000", "type": "BecameLaw"}].
    reported_as: Mapped[list[dict] | None] = mapped_column(JSON)

    @property
    def action_types(self) -> list[str]:
        """Every type the copies of this action carry (the stage reads all of them)."""
        types = [str(entry["type"]) for entry in self.reported_as or () if entry.get("type")]
        if self.action_type and self.action_type not in types:
            types.insert(0, self.action_type)
        return types

    bill: Mapped[Bill] = relationship(back_populates="actions")


class Cosponsorship(Base):
    """A member cosponsoring a bill; withdrawn cosponsorships keep their row with `withdrawn_date`."""

    __tablename__ = "cosponsorship"
    __table_args__ = (UniqueConstraint("bill_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.bioguide_id"), index=True)
    sponsorship_date: Mapped[date | None] = mapped_column(Date)
    is_original: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_date: Mapped[date | None] = mapped_column(Date)

    bill: Mapped[Bill] = relationship(back_populates="cosponsorships")
    member: Mapped[Member] = relationship()


class BillCommittee(Base):
    """A committee a bill was referred to, with its activities (Referred to, Markup by, Reported by...).

    Subcommittees are rows too, with `parent_code` set to their committee's system code."""

    __tablename__ = "bill_committee"
    __table_args__ = (UniqueConstraint("bill_id", "committee_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), index=True)
    committee_code: Mapped[str] = mapped_column(String(10))  # Congress.gov system code, e.g. hsfa00
    name: Mapped[str] = mapped_column(String(300))
    chamber: Mapped[str | None] = mapped_column(String(10))
    # [{"name": "Referred to", "date": "2019-06-27"}, ...]
    activities: Mapped[list[dict]] = mapped_column(JSON, default=list)
    parent_code: Mapped[str | None] = mapped_column(String(10))  # set on subcommittees: their committee's code

    bill: Mapped[Bill] = relationship(back_populates="committees")


class RelatedBill(Base):
    """Another bill Congress.gov relates to this one (identical bill, reintroduction...)."""

    __tablename__ = "related_bill"
    __table_args__ = (
        UniqueConstraint(
            "bill_id", "related_congress", "related_type", "related_number", "relationship_type", "identified_by"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), index=True)
    related_congress: Mapped[int] = mapped_column(Integer)
    related_type: Mapped[str] = mapped_column(String(8))
    related_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    relationship_type: Mapped[str] = mapped_column(String(80))
    identified_by: Mapped[str] = mapped_column(String(40))
    latest_action_date: Mapped[date | None] = mapped_column(Date)
    latest_action_text: Mapped[str | None] = mapped_column(Text)

    bill: Mapped[Bill] = relationship(back_populates="related_bills")

    @property
    def citation(self) -> Citation:
        return Citation(self.related_congress, self.related_type, self.related_number)

    @property
    def display(self) -> str:
        return self.citation.display

    @property
    def label(self) -> str:
        return self.citation.label


class BillTitle(Base):
    """A title of a bill with its Congress.gov title type ("Display Title", "Short Title(s) as Introduced"...)."""

    __tablename__ = "bill_title"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), index=True)
    title_type: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)

    bill: Mapped[Bill] = relationship(back_populates="titles")
