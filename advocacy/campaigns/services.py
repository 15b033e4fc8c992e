"""Campaign services."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from advocacy.campaigns.errors import CampaignError
from advocacy.congress.citations import CitationError, parse_citation
from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.models import Bill, Campaign, CampaignBill
from advocacy.models.events import CAMPAIGN_BILL_LINKED, CAMPAIGN_BILL_UNLINKED, CAMPAIGN_CREATED, CAMPAIGN_UPDATED

logger = logging.getLogger(__name__)
EDITABLE = ("name", "ask", "description", "allow_open_signon", "attestation", "contact_email", "letter_asks")


def update_campaign(campaign: Campaign, changes: dict[str, Any], actor: str) -> list[str]:
    """Apply edits to a campaign and record what changed; returns the changed field names."""
    changed = []
    for field in EDITABLE:
        if field in changes and getattr(campaign, field) != changes[field]:
            setattr(campaign, field, changes[field])
            changed.append(field)
    if changed:
        record_event(
            CAMPAIGN_UPDATED,
            f"Campaign {campaign.name} edited ({', '.join(changed)})",
            actor=actor,
            campaign_id=campaign.id,
            data={"fields": changed},
        )
        logger.info("campaign %s edited by %s: %s", campaign.slug, actor, changed)
    return changed


def create_campaign(slug: str, values: dict[str, Any], actor: str) -> Campaign:
    """Create a campaign with a unique slug."""
    if db.session.scalar(select(Campaign.id).where(Campaign.slug == slug)) is not None:
        raise CampaignError(f"The slug {slug!r} is already used by another campaign.")
    campaign = Campaign(slug=slug, **{k: v for k, v in values.items() if k in EDITABLE})
    db.session.add(campaign)
    db.session.flush()
    record_event(CAMPAIGN_CREATED, f"Campaign {campaign.name} created", actor=actor, campaign_id=campaign.id)
    logger.info("campaign %s created by %s", slug, actor)
    return campaign


def link_bill(campaign: Campaign, citation_text: str, actor: str) -> Bill:
    """Link a stored bill, named by a citation ("H.R. 3571 (116th)"), to the campaign."""
    try:
        citation = parse_citation(citation_text)
    except CitationError as exc:
        raise CampaignError(f"Could not read that bill citation: {exc}") from exc
    bill = db.session.scalar(
        select(Bill).where(
            Bill.congress == citation.congress, Bill.bill_type == citation.bill_type, Bill.number == citation.number
        )
    )
    if bill is None:
        raise CampaignError(
            f"{citation.label} is not stored yet. Add it on the Bills page (track it), then link it here."
        )
    if any(link.bill_id == bill.id for link in campaign.bill_links):
        raise CampaignError(f"{bill.label} is already linked to this campaign.")
    campaign.bill_links.append(CampaignBill(bill=bill, position=len(campaign.bill_links)))
    record_event(
        CAMPAIGN_BILL_LINKED,
        f"{bill.label} linked to campaign {campaign.name}",
        actor=actor,
        campaign_id=campaign.id,
        bill_id=bill.id,
    )
    logger.info("bill %s linked to campaign %s by %s", bill.label, campaign.slug, actor)
    return bill


def unlink_bill(campaign: Campaign, bill_id: int, actor: str) -> None:
    """Remove a bill version from the campaign (the bill itself stays)."""
    link = next((link for link in campaign.bill_links if link.bill_id == bill_id), None)
    if link is None:
        raise CampaignError("That bill is not linked to this campaign.")
    campaign.bill_links.remove(link)
    record_event(
        CAMPAIGN_BILL_UNLINKED,
        f"{link.bill.label} unlinked from campaign {campaign.name}",
        actor=actor,
        campaign_id=campaign.id,
        bill_id=bill_id,
    )
    logger.info("bill %s unlinked from campaign %s by %s", link.bill.label, campaign.slug, actor)
