"""The API's writes, reusing each feature's own service: track a bill, invite a city, make a letter batch."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import Bill, Campaign, City

logger = logging.getLogger(__name__)


def _error(status: int, code: str, message: str) -> Exception:
    from advocacy.api.views import ApiError

    return ApiError(status, code, message)


def track_bill(app: Flask, citation_text: str, campaign_slug: str | None, actor: str) -> tuple[Bill, bool]:
    """Track (fetch and store) a bill through advocacy.bills.sync.track; returns (bill, newly stored)."""
    from advocacy.bills.services import get_bill
    from advocacy.bills.sync import SyncError, track
    from advocacy.congress.citations import CitationError, parse_citation

    try:
        citation = parse_citation(citation_text)
    except CitationError as exc:
        raise _error(400, "invalid_citation", str(exc)) from exc
    existed = get_bill(citation.congress, citation.bill_type, citation.number) is not None
    db.session.commit()  # track() works in its own app context and transactions
    try:
        result = track(citation, campaign_slug=campaign_slug, actor=actor)
    except SyncError as exc:
        status, code = (404, "not_found") if "campaign" in str(exc) else (503, "sync_disabled")
        raise _error(status, code, str(exc)) from exc
    if result.status == "failed" and (result.message or "").startswith("No such bill"):
        raise _error(404, "not_found", result.message or "No such bill on Congress.gov.")
    if result.status in ("failed", "deferred"):
        raise _error(502 if result.status == "failed" else 503, "upstream_error", result.message or "sync failed")
    db.session.expire_all()
    from advocacy.bills.documents import load_bill

    bill = load_bill(citation.congress, citation.bill_type, citation.number)
    logger.info("API: %s tracked %s", actor, citation.label)
    return bill, not existed


def invite(campaign: Campaign, city_id: int, email: str, contact_name: str | None, actor: str) -> Any:
    """Invite a city's office through the endorsements feature's service (501 when that feature is absent)."""
    try:
        from advocacy.endorsements import services as endorsements
    except ImportError as exc:  # pragma: no cover - the feature ships with the app
        raise _error(501, "not_implemented", "Invitations are not available in this installation.") from exc
    from email_validator import EmailNotValidError, validate_email

    city = db.session.get(City, city_id)
    if city is None:
        raise _error(404, "not_found", "No such city.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise _error(400, "invalid_email", str(exc)) from exc
    try:
        invitation, _link = endorsements.invite(campaign, city, email, contact_name, actor=actor)
    except endorsements.EndorsementError as exc:
        db.session.rollback()
        raise _error(409, "conflict", str(exc)) from exc
    db.session.commit()
    return invitation


def letter_batch(campaign_slug: str, template_slug: str, selector: str, joint: bool, actor: str) -> Any:
    """Create and start a letter batch through the letters feature's service (501 when it is absent)."""
    try:
        from advocacy.letters import services as letters
        from advocacy.models import LetterTemplate
    except ImportError as exc:  # pragma: no cover
        raise _error(501, "not_implemented", "Letter batches are not available in this installation.") from exc
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == campaign_slug))
    if campaign is None:
        raise _error(404, "not_found", "No such campaign.")
    template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == template_slug))
    if template is None:
        raise _error(404, "not_found", "No such letter template.")
    try:
        batch = letters.create_batch(template, campaign, selector, joint=joint, actor=actor)
    except letters.LetterError as exc:
        db.session.rollback()
        raise _error(400, "invalid_selector", str(exc)) from exc
    db.session.commit()
    letters.start_batch(batch)
    db.session.commit()
    return batch
