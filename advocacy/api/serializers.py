"""JSON documents of the API's resources: public fields only (never a signer's e-mail or phone)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.alerts.documents import iso
from advocacy.endorsements import queries as endorsement_queries
from advocacy.extensions import db
from advocacy.models import Bill, Campaign, City, CityDistrict, Committee, Endorsement, Member
from advocacy.models.base import utcnow
from advocacy.representation import Coverage


def now() -> datetime:
    return utcnow()


def short_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def bill_path(bill: Bill) -> str:
    return f"/api/v1/bills/{bill.congress}/{bill.bill_type}/{bill.number}"


def bill_ref(bill: Bill) -> dict[str, Any]:
    return {
        "congress": bill.congress,
        "type": bill.bill_type,
        "number": bill.number,
        "label": bill.label,
        "url": bill_path(bill),
    }


def bill_summary(bill: Bill) -> dict[str, Any]:
    """A bill in a list."""
    sponsor = bill.sponsor
    return {
        **bill_ref(bill),
        "citation": bill.display,
        "title": bill.title,
        "short_title": bill.short_title,
        "stage": bill.stage,
        "tracked": bill.tracked,
        "introduced_date": bill.introduced_date.isoformat() if bill.introduced_date else None,
        "latest_action": {
            "date": bill.latest_action_date.isoformat() if bill.latest_action_date else None,
            "text": bill.latest_action_text,
        },
        "sponsor": {"bioguide_id": sponsor.bioguide_id, "name": sponsor.display_name} if sponsor else None,
    }


def verified_endorsements(campaign_ids: list[int]) -> dict[int, list[Endorsement]]:
    """Verified endorsements of these campaigns, with their cities, in one query."""
    if not campaign_ids:
        return {}
    rows = db.session.scalars(
        endorsement_queries.verified_endorsements(campaign_ids)
        .options(selectinload(Endorsement.city))
        .order_by(Endorsement.verified_at, Endorsement.id)
    ).all()
    grouped: dict[int, list[Endorsement]] = defaultdict(list)
    for row in rows:
        grouped[row.campaign_id].append(row)
    return grouped


def endorsement_document(endorsement: Endorsement) -> dict[str, Any]:
    """Public fields of a verified endorsement."""
    city = endorsement.city
    return {
        "city": {"id": city.id, "name": city.name, "state": city.state, "population": city.population},
        "signer_name": endorsement.signer_name,
        "signer_title": endorsement.signer_title,
        "verified_at": iso(endorsement.verified_at),
        "sample": endorsement.is_sample,
    }


def campaign_document(campaign: Campaign, endorsements: list[Endorsement], limit: int | None = None) -> dict[str, Any]:
    """A campaign with its verified endorsements (the first `limit` of them in lists; all in the single resource)."""
    shown = endorsements if limit is None else endorsements[:limit]
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "ask": campaign.ask,
        "description": campaign.description,
        "url": f"/api/v1/campaigns/{campaign.slug}",
        "bills": [bill_ref(b) for b in campaign.bills],
        "verified_count": len(endorsements),
        "verified_endorsements": [endorsement_document(e) for e in shown],
        "verified_endorsements_truncated": len(shown) < len(endorsements),
    }


def district_document(link: CityDistrict) -> dict[str, Any]:
    """A city's district link: `basis` (census, zip, import, demo: approximate; manual; signer), the share of the
    city's land in the district and whether the city lies wholly in it (None when the basis does not say)."""
    return {
        "code": link.label,
        "state": link.state,
        "district": link.district,
        "basis": link.source,
        "basis_label": link.basis_label,
        "approximate": link.approximate,
        "share": link.share,
        "whole": link.whole,
    }


def city_document(city: City, represented_by: list[tuple[Member, Coverage]] | None = None) -> dict[str, Any]:
    """A city; with `represented_by` (the single resource) the current members who represent it."""
    document = {
        "id": city.id,
        "name": city.name,
        "state": city.state,
        "geoid": city.geoid,
        "geonames_id": city.geonames_id,
        "census_name": city.census_name,
        "kind": city.kind,
        "endorsable": city.endorsable,
        "population": city.population,
        "population_source": city.population_source,
        "population_year": city.population_year,
        "latitude": city.latitude,
        "longitude": city.longitude,
        "districts": [district_document(d) for d in city.districts],
        "url": f"/api/v1/cities/{city.id}",
    }
    if represented_by is not None:
        document["represented_by"] = [
            {**member_summary(m), "partial": how.partial, "approximate": how.approximate} for m, how in represented_by
        ]
    return document


def member_summary(member: Member) -> dict[str, Any]:
    return {
        "bioguide_id": member.bioguide_id,
        "name": member.display_name,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "party": member.party,
        "chamber": member.chamber,
        "state": member.state,
        "district": member.district,
        "seat": member.seat,
        "is_current": member.is_current,
        "url": f"/api/v1/members/{member.bioguide_id}",
    }


def member_document(member: Member) -> dict[str, Any]:
    sponsored = db.session.scalars(
        select(Bill).where(Bill.sponsor_id == member.bioguide_id).order_by(Bill.congress.desc(), Bill.number)
    ).all()
    return {
        **member_summary(member),
        "office": member.office,
        "phone": member.phone,
        "website": member.website,
        "contact_form": member.contact_form,
        "term_start": member.term_start.isoformat() if member.term_start else None,
        "term_end": member.term_end.isoformat() if member.term_end else None,
        "committees": [
            {
                "thomas_id": m.committee.thomas_id,
                "name": m.committee.name,
                "side": m.party_side,
                "rank": m.rank,
                "title": m.title,
            }
            for m in sorted(member.memberships, key=lambda m: m.committee_id)
        ],
        "sponsored_bills": [bill_ref(b) for b in sponsored],
    }


def committee_summary(committee: Committee) -> dict[str, Any]:
    return {
        "thomas_id": committee.thomas_id,
        "system_code": committee.system_code,
        "name": committee.name,
        "chamber": committee.chamber,
        "parent_id": committee.parent_id,
        "url": f"/api/v1/committees/{committee.thomas_id}",
    }


def committee_document(committee: Committee) -> dict[str, Any]:
    members = sorted(committee.memberships, key=lambda m: (m.party_side or "", m.rank if m.rank is not None else 9999))
    return {
        **committee_summary(committee),
        "members": [
            {
                "bioguide_id": m.member.bioguide_id,
                "name": m.member.display_name,
                "side": m.party_side,
                "rank": m.rank,
                "title": m.title,
            }
            for m in members
        ],
    }


def invitation_document(invitation: Any) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "campaign": invitation.campaign.slug,
        "city": {"id": invitation.city.id, "name": invitation.city.name, "state": invitation.city.state},
        "email": invitation.email,
        "status": invitation.status,
        "expires_at": iso(invitation.expires_at),
    }


def batch_document(batch: Any) -> dict[str, Any]:
    return {
        "id": batch.id,
        "campaign": batch.campaign.slug,
        "selector": batch.selector,
        "status": batch.status,
        "total": batch.total,
    }
