"""Reads about bills, shared by the pages, the API, the CLI and the jobs (writes live in `services.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from advocacy.congress.citations import Citation
from advocacy.extensions import db
from advocacy.models import (
    Bill,
    Campaign,
    CampaignBill,
    Committee,
    CommitteeMembership,
    Cosponsorship,
    Endorsement,
)
from advocacy.models.campaigns import ACTIVE_STATUSES


def get_bill(congress: int, bill_type: str, number: int) -> Bill | None:
    """The stored bill with this citation (nothing loaded eagerly)."""
    return db.session.scalar(
        select(Bill).where(Bill.congress == congress, Bill.bill_type == bill_type, Bill.number == number)
    )


def load_bill(congress: int, bill_type: str, number: int) -> Bill | None:
    """A bill with everything its document or page shows, eagerly loaded (a fixed number of queries)."""
    return db.session.scalar(
        select(Bill)
        .where(Bill.congress == congress, Bill.bill_type == bill_type, Bill.number == number)
        .options(
            selectinload(Bill.sponsor),
            selectinload(Bill.actions),
            selectinload(Bill.cosponsorships).selectinload(Cosponsorship.member),
            selectinload(Bill.committees),
            selectinload(Bill.related_bills),
            selectinload(Bill.titles),
        )
    )


def bills_select(
    *, congress: int | None = None, stage: str | None = None, campaign_slug: str | None = None
) -> Select[Bill]:
    """Bills (with their sponsor) filtered as the bills page and the API's list filter them; unordered, so
    that each caller orders (and pages) as it shows them. An empty or None filter is no filter."""
    query = select(Bill).options(selectinload(Bill.sponsor))
    if congress:
        query = query.where(Bill.congress == congress)
    if stage:
        query = query.where(Bill.stage == stage)
    if campaign_slug:
        query = (
            query.join(CampaignBill, CampaignBill.bill_id == Bill.id)
            .join(Campaign)
            .where(Campaign.slug == campaign_slug)
        )
    return query


def stored_congresses() -> Sequence[int]:
    """The Congresses that have a stored bill, newest first (the bills page's filter)."""
    return db.session.scalars(select(Bill.congress).distinct().order_by(Bill.congress.desc())).all()


def campaigns_by_name() -> Sequence[Campaign]:
    return db.session.scalars(select(Campaign).order_by(Campaign.name)).all()


def campaigns_of(bill: Bill) -> Sequence[Campaign]:
    """The campaigns the bill belongs to, each with its bills loaded (for reintroduction suggestions)."""
    return db.session.scalars(
        select(Campaign)
        .join(CampaignBill)
        .where(CampaignBill.bill_id == bill.id)
        .options(selectinload(Campaign.bill_links).selectinload(CampaignBill.bill))
        .order_by(Campaign.name)
    ).all()


def active_endorsements(campaigns: Sequence[Campaign]) -> Sequence[Endorsement]:
    """The active endorsements of these campaigns, with their cities."""
    return db.session.scalars(
        select(Endorsement)
        .where(Endorsement.campaign_id.in_([c.id for c in campaigns]), Endorsement.status.in_(ACTIVE_STATUSES))
        .options(selectinload(Endorsement.city))
    ).all()


def members_on_committees(system_codes: set[str], member_ids: list[str]) -> set[str]:
    """Which of these members sit on a committee of referral (by Congress.gov system code)."""
    if not system_codes or not member_ids:
        return set()
    rows = db.session.scalars(
        select(CommitteeMembership.member_id)
        .join(Committee)
        .where(Committee.system_code.in_(system_codes), CommitteeMembership.member_id.in_(member_ids))
    ).all()
    return set(rows)


def stored_related(bill: Bill) -> set[tuple[int, str, int]]:
    """Which of the bill's related bills are stored (so the page links instead of offering to track)."""
    keys = {(r.related_congress, r.related_type, r.related_number) for r in bill.related_bills}
    if not keys:
        return set()
    congresses = {k[0] for k in keys}
    rows = db.session.execute(
        select(Bill.congress, Bill.bill_type, Bill.number).where(Bill.congress.in_(congresses))
    ).all()
    return {(congress, bill_type, number) for congress, bill_type, number in rows} & keys


def tracked_citations() -> list[Citation]:
    """Citations of every tracked bill, oldest sync first."""
    rows = db.session.execute(
        select(Bill.congress, Bill.bill_type, Bill.number)
        .where(Bill.tracked.is_(True))
        .order_by(Bill.last_synced_at.asc().nulls_first(), Bill.id)
    ).all()
    return [Citation(*row) for row in rows]
