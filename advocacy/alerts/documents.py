"""Plain JSON-ready documents of events, shared by webhooks and the API."""

from __future__ import annotations

from typing import Any

from advocacy.models import Event


def iso(value) -> str | None:
    """A naive-UTC datetime as RFC 3339 with a Z."""
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def event_document(event: Event) -> dict[str, Any]:
    """An event without who did it or from where (actors and client IPs stay inside the app)."""
    bill = event.bill
    campaign = event.campaign
    return {
        "id": event.id,
        "kind": event.kind,
        "summary": event.summary,
        "created_at": iso(event.created_at),
        "bill": (
            {"congress": bill.congress, "type": bill.bill_type, "number": bill.number, "label": bill.label}
            if bill is not None
            else None
        ),
        "campaign": {"slug": campaign.slug, "name": campaign.name} if campaign is not None else None,
        "endorsement_id": event.endorsement_id,
        "data": event.data or {},
    }
