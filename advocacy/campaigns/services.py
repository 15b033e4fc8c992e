"""Campaign services."""

from __future__ import annotations

import logging
from typing import Any

from advocacy.events import record_event
from advocacy.models import Campaign
from advocacy.models.events import CAMPAIGN_UPDATED

logger = logging.getLogger(__name__)
EDITABLE = ("name", "ask", "description", "allow_open_signon", "attestation")


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
