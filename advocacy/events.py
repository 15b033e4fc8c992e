"""Recording events (activity feed and audit trail)."""

from __future__ import annotations

from typing import Any

from advocacy.extensions import db
from advocacy.models import Event


def record_event(
    kind: str,
    summary: str,
    *,
    actor: str = "system",
    client_ip: str | None = None,
    bill_id: int | None = None,
    campaign_id: int | None = None,
    endorsement_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Add an event to the session; the caller's unit of work commits it with the change it describes."""
    event = Event(
        kind=kind,
        summary=summary,
        actor=actor,
        client_ip=client_ip,
        bill_id=bill_id,
        campaign_id=campaign_id,
        endorsement_id=endorsement_id,
        data=data or {},
    )
    db.session.add(event)
    return event
