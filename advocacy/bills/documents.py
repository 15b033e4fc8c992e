"""The JSON document of a stored bill: used by `flask bills show --json` and the API's bill resource."""

from __future__ import annotations

from typing import Any

from advocacy.bills.stage import STAGE_LABELS, StageResult
from advocacy.bills.texts import text_versions_document
from advocacy.models import Bill, Member


def _member(member: Member | None) -> dict[str, Any] | None:
    if member is None:
        return None
    return {
        "bioguide_id": member.bioguide_id,
        "name": member.display_name,
        "party": member.party,
        "state": member.state,
        "district": member.district,
    }


def _date(value) -> str | None:
    return value.isoformat() if value else None


def bill_document(bill: Bill) -> dict[str, Any]:
    """Everything stored about a bill, as plain JSON-ready data."""
    stage = StageResult(bill.stage, bill.stage_furthest)
    return {
        "congress": bill.congress,
        "type": bill.bill_type,
        "number": bill.number,
        "citation": bill.display,
        "label": bill.label,
        "title": bill.title,
        "short_title": bill.short_title,
        "introduced_date": _date(bill.introduced_date),
        "origin_chamber": bill.origin_chamber,
        "policy_area": bill.policy_area,
        "sponsor": _member(bill.sponsor),
        "stage": {
            "code": bill.stage,
            "label": stage.label,
            "furthest": bill.stage_furthest,
            "furthest_label": STAGE_LABELS.get(bill.stage_furthest),
        },
        "latest_action": {"date": _date(bill.latest_action_date), "text": bill.latest_action_text},
        "congress_gov_url": bill.congress_gov_url,
        "update_date": bill.api_update_date,
        "last_synced_at": bill.last_synced_at.isoformat() + "Z" if bill.last_synced_at else None,
        "sync_error": bill.sync_error,
        "sync_error_kind": bill.sync_error_kind,
        "sync_deferred_until": bill.sync_deferred_until.isoformat() + "Z" if bill.sync_deferred_until else None,
        "data_source": bill.data_source,
        "source_note": bill.source_note,
        "actions": [
            {
                "date": _date(a.action_date),
                "time": a.action_time,
                "text": a.text,
                "type": a.action_type,
                "action_code": a.action_code,
                "source_system": a.source_system,
                "committee": a.committee_code,
                "source_note": a.source_note,
                "reported_as": a.reported_as or [],
            }
            for a in bill.actions
        ],
        "cosponsors": [
            {
                **(_member(c.member) or {}),
                "sponsorship_date": _date(c.sponsorship_date),
                "original": c.is_original,
                "withdrawn_date": _date(c.withdrawn_date),
            }
            for c in bill.cosponsorships
        ],
        "committees": [
            {
                "system_code": c.committee_code,
                "name": c.name,
                "chamber": c.chamber,
                "activities": c.activities,
                "parent": c.parent_code,
            }
            for c in bill.committees
        ],
        "related_bills": [
            {
                "congress": r.related_congress,
                "type": r.related_type,
                "number": r.related_number,
                "label": r.label,
                "title": r.title,
                "relationship": r.relationship_type,
                "identified_by": r.identified_by,
            }
            for r in bill.related_bills
        ],
        "titles": [{"type": t.title_type, "title": t.title} for t in bill.titles],
        "text_versions": text_versions_document(bill),
    }
