"""The API's writes, reusing each feature's own service: track a bill, invite a city, make a letter batch.

Each function runs inside the request's unit of work (advocacy.uow wraps every view): it flushes, never commits,
and turns the feature's typed errors into ApiError (the JSON error shape) by type, never by matching text.
"""

from __future__ import annotations

import logging

from email_validator import EmailNotValidError, validate_email
from flask import Flask
from sqlalchemy import select

from advocacy.api.errors import ApiError
from advocacy.bills.documents import load_bill
from advocacy.bills.services import get_bill
from advocacy.bills.sync import SyncError, track
from advocacy.congress.citations import CitationError, parse_citation
from advocacy.endorsements import services as endorsements
from advocacy.extensions import db
from advocacy.letters import services as letters
from advocacy.letters.errors import LetterError
from advocacy.models import Bill, Campaign, City, Invitation, LetterBatch, LetterTemplate
from advocacy.uow import checkpoint

logger = logging.getLogger(__name__)


def track_bill(app: Flask, citation_text: str, campaign_slug: str | None, actor: str) -> tuple[Bill, bool]:
    """Track (fetch and store) a bill through advocacy.bills.sync.track; returns (bill, newly stored)."""
    try:
        citation = parse_citation(citation_text)
    except CitationError as exc:
        raise ApiError(400, "invalid_citation", str(exc)) from exc
    existed = get_bill(citation.congress, citation.bill_type, citation.number) is not None
    checkpoint()  # track() works in its own app context and transactions
    try:
        result = track(app, citation, campaign_slug=campaign_slug, actor=actor)
    except SyncError as exc:
        status, code = (404, "not_found") if "campaign" in str(exc) else (503, "sync_disabled")
        raise ApiError(status, code, str(exc)) from exc
    if result.status == "failed" and (result.error or "").startswith("No such bill"):
        raise ApiError(404, "not_found", result.error or "No such bill on Congress.gov.")
    if result.status in ("failed", "deferred"):
        raise ApiError(502 if result.status == "failed" else 503, "upstream_error", result.error or "sync failed")
    db.session.expire_all()
    bill = load_bill(citation.congress, citation.bill_type, citation.number)
    if bill is None:  # removed by another request between the sync and this read
        raise ApiError(404, "not_found", "No such bill.")
    logger.info("API: %s tracked %s", actor, citation.label)
    return bill, not existed


def invite(campaign: Campaign, city_id: int, email: str, contact_name: str | None, actor: str) -> Invitation:
    """Invite a city's office through the endorsements feature's service; the e-mail goes after the commit."""
    city = db.session.get(City, city_id)
    if city is None:
        raise ApiError(404, "not_found", "No such city.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ApiError(400, "invalid_email", str(exc)) from exc
    try:
        invitation, _link = endorsements.invite(campaign, city, email, contact_name, actor=actor)
    except endorsements.EndorsementError as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    return invitation


def letter_batch(
    campaign_slug: str, template_slug: str, selector: str, *, joint: bool, include_samples: bool, actor: str
) -> LetterBatch:
    """Create and start a letter batch through the letters feature's service (as the Letters page does).

    `include_samples` lets the demo's sample endorsements into the letters, each marked, with the
    "SAMPLE — NOT FOR SENDING" mark on every page (issue 11); without it they never appear or count.
    """
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == campaign_slug))
    if campaign is None:
        raise ApiError(404, "not_found", "No such campaign.")
    template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == template_slug))
    if template is None:
        raise ApiError(404, "not_found", "No such letter template.")
    try:
        batch = letters.create_batch(
            template, campaign, selector, joint=joint, include_samples=include_samples, actor=actor
        )
    except LetterError as exc:
        raise ApiError(400, "invalid_selector", str(exc)) from exc
    checkpoint()  # the batch's jobs read its letters from other processes: they must be committed first
    letters.start_batch(batch)
    return batch
