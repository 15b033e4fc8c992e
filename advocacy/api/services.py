"""The API's writes, reusing each feature's own service: track a bill, invite a city, make a letter batch.

Each function runs inside the request's unit of work (advocacy.uow wraps every view): it flushes, never commits,
and turns the feature's typed errors into ApiError (the JSON error shape) by type, never by matching text.
"""

from __future__ import annotations

import logging

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from advocacy.api.errors import ApiError
from advocacy.bills.errors import BillNotFound, CampaignNotFound, SyncDisabled
from advocacy.bills.queries import get_bill, load_bill
from advocacy.bills.results import SyncResult, SyncStatus
from advocacy.bills.sync import track
from advocacy.congress.citations import CitationError, parse_citation
from advocacy.endorsements import services as endorsements
from advocacy.extensions import db
from advocacy.letters import services as letters
from advocacy.letters.errors import LetterError
from advocacy.models import Bill, Campaign, City, Invitation, LetterBatch, LetterTemplate

logger = logging.getLogger(__name__)


def track_bill(citation_text: str, campaign_slug: str | None, actor: str) -> tuple[Bill, bool]:
    """Track (fetch and store) a bill through advocacy.bills.sync.track; returns (bill, newly stored).

    One unit of work: track() runs in the request's unit (its sync commits the bill with checkpoints, which
    also expire what this session had loaded, so the bill read afterwards is the stored one). Errors are told
    apart by type: a citation that cannot be read 400, no such campaign or bill 404, syncing off 503, a deferred
    sync 503, any other failure of Congress.gov 502.
    """
    try:
        citation = parse_citation(citation_text)
    except CitationError as exc:  # InvalidCitation is a CitationError too
        raise ApiError(400, "invalid_citation", str(exc)) from exc
    existed = get_bill(citation.congress, citation.bill_type, citation.number) is not None
    try:
        result = track(citation, campaign_slug=campaign_slug, actor=actor)
    except CampaignNotFound as exc:
        raise ApiError(404, "not_found", exc.message) from exc
    except SyncDisabled as exc:
        raise ApiError(503, "sync_disabled", exc.message) from exc
    _raise_for(result)
    bill = load_bill(citation.congress, citation.bill_type, citation.number)
    if bill is None:  # removed by another request between the sync and this read
        raise ApiError(404, "not_found", "No such bill.")
    logger.info("API: %s tracked %s", actor, citation.label)
    return bill, not existed


def _raise_for(result: SyncResult) -> None:
    """The ApiError for a sync that did not go through (nothing for one that did)."""
    error = result.error
    if error is None:
        return
    if isinstance(error, BillNotFound):
        raise ApiError(404, "not_found", error.message) from error
    status = 503 if result.status == SyncStatus.DEFERRED else 502
    raise ApiError(status, "upstream_error", error.message) from error


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
    letters.start_batch(batch)  # its jobs are submitted once the request's unit of work has committed
    return batch
