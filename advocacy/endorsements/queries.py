"""Reads of the endorsement flow, shared by the staff pages, the public pages, letters, targets and the API.

`verified_endorsements` is the one definition of "the verified endorsements of a campaign": every public page,
export, widget, letter batch, targets list and API document starts from it, adding only its own ordering and
loading options.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select

from advocacy.models import Campaign, City, Endorsement
from advocacy.models.campaigns import VERIFIED


def _campaign_ids(campaigns: Campaign | Iterable[int]) -> list[int]:
    return [campaigns.id] if isinstance(campaigns, Campaign) else list(campaigns)


def verified_endorsements(
    campaigns: Campaign | Iterable[int], *, include_samples: bool = True, state: str | None = None
) -> Select[Endorsement]:
    """Verified endorsements of a campaign (or of several campaign ids), joined to their city so that callers can
    filter and order by it; `include_samples=False` leaves out the demo's sample endorsements, `state` keeps one
    state's cities. Unordered: each caller orders (public pages by state and city, the API by verification)."""
    query = (
        select(Endorsement)
        .join(City, Endorsement.city_id == City.id)
        .where(Endorsement.campaign_id.in_(_campaign_ids(campaigns)), Endorsement.status == VERIFIED)
    )
    if not include_samples:
        query = query.where(Endorsement.source_note.is_(None))
    if state:
        query = query.where(City.state == state)
    return query


def verified_city_ids(campaigns: Campaign | Iterable[int], *, include_samples: bool = True) -> Select[Any]:
    """The ids of the cities with a verified endorsement of the campaign (a subquery for `City.id.in_(...)`)."""
    return (
        verified_endorsements(campaigns, include_samples=include_samples)
        .with_only_columns(Endorsement.city_id)
        .order_by(None)
    )
