"""Reads of the campaigns feature: campaigns with their linked bills, and a campaign's endorsements for staff."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.extensions import db
from advocacy.models import Campaign, CampaignBill, City, Endorsement


def campaign_by_slug(slug: str) -> Campaign | None:
    """The campaign with this slug, its bill links and bills loaded."""
    return db.session.scalar(
        select(Campaign)
        .where(Campaign.slug == slug)
        .options(selectinload(Campaign.bill_links).selectinload(CampaignBill.bill))
    )


def all_campaigns() -> list[Campaign]:
    """Every campaign by name, bill links and bills loaded (the campaigns list)."""
    return list(
        db.session.scalars(
            select(Campaign)
            .options(selectinload(Campaign.bill_links).selectinload(CampaignBill.bill))
            .order_by(Campaign.name)
        )
    )


def staff_endorsements(campaign: Campaign) -> list[Endorsement]:
    """Every endorsement of the campaign, whatever its status (staff pages), by state and city, cities and their
    districts loaded. The public pages show only the verified ones (`endorsements.queries`)."""
    return list(
        db.session.scalars(
            select(Endorsement)
            .join(City)
            .where(Endorsement.campaign_id == campaign.id)
            .options(selectinload(Endorsement.city).selectinload(City.districts))
            .order_by(City.state, City.name, Endorsement.created_at)
        )
    )
