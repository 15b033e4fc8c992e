"""One-page PDF receipts for verified endorsements, rendered through advocacy.pdf (assets only)."""

from __future__ import annotations

from flask import render_template

from advocacy.models import Endorsement
from advocacy.models.campaigns import VERIFIED
from advocacy.pdf import render_pdf
from advocacy.urls import absolute_url


def receipt_data(endorsement: Endorsement) -> dict:
    """Plain data for the receipt template (no ORM objects reach the renderer)."""
    campaign = endorsement.campaign
    code = endorsement.verification_code or ""
    return {
        "campaign_name": campaign.name,
        "ask": campaign.ask,
        "attestation": campaign.attestation,
        "bills": [bill.label for bill in campaign.bills],
        "city": endorsement.city.label,
        "signer_name": endorsement.signer_name,
        "signer_title": endorsement.signer_title,
        "signature": endorsement.signature,
        "statement": endorsement.statement,
        "signed_at": endorsement.created_at,
        "verified_at": endorsement.verified_at,
        "status": endorsement.status,
        "active": endorsement.status == VERIFIED,
        "ended_at": endorsement.ended_at,
        "sample": endorsement.is_sample,
        "code": code,
        "verify_url": absolute_url(f"/verify/{code}"),
    }


def receipt_pdf(endorsement: Endorsement) -> bytes:
    """The receipt as PDF bytes. Signer text is escaped by Jinja's autoescape (the template is .html)."""
    html = render_template("endorsements/receipt.html", r=receipt_data(endorsement))
    return render_pdf(html)
