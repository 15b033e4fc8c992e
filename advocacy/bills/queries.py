"""Reads of bills shared by the pages and the API (added by the API's part of issue 14; the bills part owns it)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from advocacy.models import Bill, Campaign, CampaignBill


def bills_matching(
    congress: int | None = None, stage: str | None = None, campaign_slug: str | None = None
) -> Select[Bill]:
    """Bills (sponsor loaded) of a Congress, at a stage, of a campaign: the filters of the Bills page and of
    GET /api/v1/bills. Each caller adds its own order and paging. A filter left None is not applied (nor a
    congress of 0 or an empty stage); an empty campaign slug matches no campaign."""
    query = select(Bill).options(selectinload(Bill.sponsor))
    if congress:
        query = query.where(Bill.congress == congress)
    if stage:
        query = query.where(Bill.stage == stage)
    if campaign_slug is not None:
        query = (
            query.join(CampaignBill, CampaignBill.bill_id == Bill.id)
            .join(Campaign)
            .where(Campaign.slug == campaign_slug)
        )
    return query
