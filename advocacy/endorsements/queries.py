"""Reads of the endorsement flow, shared by the staff pages, the public pages, letters, targets and the API:
finding the city a person names, a city's active endorsement, the campaign's contact, official addresses.

`verified_endorsements` is the one definition of "the verified endorsements of a campaign": every public page,
export, widget, letter batch, targets list and API document starts from it, adding only its own ordering and
loading options.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from advocacy.endorsements.errors import CityLookupError
from advocacy.extensions import db
from advocacy.models import Campaign, City, Endorsement, Event, Invitation
from advocacy.models.campaigns import ACTIVE_STATUSES, VERIFIED


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


def campaign_contact(campaign: Campaign) -> str:
    """Where people write about the campaign: its contact e-mail, else the app's sender address."""
    return campaign.contact_email or current_app.config["MAIL_DEFAULT_SENDER"]


def is_official_email(address: str | None, domains: list[str] | None) -> bool:
    """True when the address is on one of the domains, or a subdomain of one (case-insensitive)."""
    if not address or "@" not in address:
        return False
    host = address.rsplit("@", 1)[1].strip().lower().rstrip(".")
    for domain in domains or []:
        domain = domain.strip().lower().lstrip("@").rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def find_city(text: str) -> City:
    """Resolve "Austin, TX" (or a name alone, when only one city has it) to a stored city."""
    text = " ".join((text or "").split())
    if not text:
        raise CityLookupError("Enter the city as “City, ST”, for example “Austin, TX”.")
    name, state = text, None
    if "," in text:
        name, state = (part.strip() for part in text.rsplit(",", 1))
        if len(state) != 2 or not state.isalpha():
            raise CityLookupError(f"“{state}” is not a two-letter state code. Write the city as “City, ST”.")
        state = state.upper()
    query = select(City).where(func.lower(City.name) == name.lower())
    if state:
        query = query.where(City.state == state)
    matches = db.session.scalars(query.order_by(City.population.desc().nulls_last()).limit(6)).all()
    if not matches:
        raise CityLookupError(f"We have no city called “{text}”. Write it as “City, ST”, for example “Austin, TX”.")
    if len(matches) > 1:
        names = "; ".join(m.label for m in matches[:5])
        raise CityLookupError(
            f"Several cities are called “{name}” ({names}). Add the state, e.g. “{matches[0].label}”."
        )
    return matches[0]


def active_endorsement(campaign_id: int, city_id: int) -> Endorsement | None:
    """The city's active (pending, confirmed or verified) endorsement of the campaign, if any."""
    return db.session.scalar(
        select(Endorsement).where(
            Endorsement.campaign_id == campaign_id,
            Endorsement.city_id == city_id,
            Endorsement.status.in_(ACTIVE_STATUSES),
        )
    )


def endorsement_by_id(endorsement_id: int) -> Endorsement | None:
    """One endorsement with its city and campaign loaded (the staff detail page, the receipt)."""
    return db.session.scalar(
        select(Endorsement)
        .where(Endorsement.id == endorsement_id)
        .options(selectinload(Endorsement.city), selectinload(Endorsement.campaign))
    )


def audit_trail(endorsement: Endorsement) -> list[Event]:
    """The events of an endorsement, oldest first (its audit trail)."""
    return list(
        db.session.scalars(
            select(Event).where(Event.endorsement_id == endorsement.id).order_by(Event.created_at, Event.id)
        )
    )


def invitation_of(endorsement: Endorsement) -> Invitation | None:
    """The invitation the endorsement was signed through, if any."""
    return db.session.scalar(select(Invitation).where(Invitation.endorsement_id == endorsement.id))


def invitations_of(campaign: Campaign) -> list[Invitation]:
    """A campaign's invitations, newest first, their cities loaded."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.campaign_id == campaign.id)
            .options(selectinload(Invitation.city))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )
