"""The endorsement flow: invitations, signing, confirmation, review, withdrawal.

Plain functions that never touch `request`: views, the CLI and tests call them, passing the actor and (for
public actions) the client address. They add and flush, never commit: the caller's unit of work
(`advocacy.uow`) commits once and sends the mail queued here only after the commit, so that a mail failure never
loses what was stored.

States: a signed endorsement is `pending` until the signer follows the confirmation link; it then becomes
`verified` when the signer's address is on one of the city's official domains, else `confirmed` (waiting for
an advocate, who approves it to `verified` or rejects it). Signers and advocates can withdraw it.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import CursorResult, Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from advocacy.cities.services import set_city_districts
from advocacy.cities.states import parse_district
from advocacy.endorsements.errors import (
    CityAlreadyEndorsed,
    CityNotEndorsable,
    EndorsementError,
    TokenError,
)
from advocacy.endorsements.queries import active_endorsement, campaign_contact, find_city, is_official_email
from advocacy.endorsements.tokens import hash_token, looks_like_token, new_token, new_verification_code
from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.mail import queue_mail
from advocacy.models import Campaign, City, Endorsement, EndorsementToken, Invitation
from advocacy.models.base import utcnow
from advocacy.models.campaigns import ACTIVE_STATUSES, CONFIRMED, PENDING, REJECTED, VERIFIED, WITHDRAWN
from advocacy.models.endorsements import CONFIRM, INVITED, REVOKED, USED, WITHDRAW
from advocacy.models.events import (
    ENDORSEMENT_CREATED,
    ENDORSEMENT_STATUS,
    INVITATION_RESENT,
    INVITATION_REVOKED,
    INVITATION_SENT,
)
from advocacy.urls import absolute_url

logger = logging.getLogger(__name__)

PUBLIC_ACTOR = "public"
# A withdrawal link stays usable for as long as an endorsement is likely to matter.
WITHDRAW_TOKEN_DAYS = 3650
MAX_CSV_ROWS = 2000


def ensure_endorsable(city: City) -> None:
    """Refuse a place that cannot endorse (City.endorsable), on the invitation and signing paths alike."""
    if not city.endorsable:
        raise CityNotEndorsable(city)


@dataclass
class SignerDetails:
    """What a signer enters on the signing form; `districts`: the districts they confirmed or corrected
    (labels such as "NY-10"), None when they left them unanswered."""

    name: str
    title: str
    email: str
    phone: str | None = None
    statement: str | None = None
    signature: str = ""
    districts: list[str] | None = None


@dataclass
class ImportRow:
    """The outcome of one CSV row of a bulk invitation."""

    line: int
    ok: bool
    message: str


# --- helpers -------------------------------------------------------------------------------------------------


def token_days() -> int:
    """How long invitation and confirmation links stay valid (config ENDORSEMENT_TOKEN_DAYS, default 30)."""
    return int(current_app.config.get("ENDORSEMENT_TOKEN_DAYS", 30))


def normalise_email(address: str) -> str:
    """Validate an e-mail address (syntax only, no DNS) and return its normalised form."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise EndorsementError(f"{address!r} is not a valid e-mail address: {exc}") from exc


# --- invitations ---------------------------------------------------------------------------------------------


def _invitation_mail(invitation: Invitation, link: str) -> None:
    greeting = f"Dear {invitation.contact_name}," if invitation.contact_name else "Hello,"
    campaign = invitation.campaign
    body = (
        f"{greeting}\n\n"
        f"The campaign “{campaign.name}” invites {invitation.city.label} to endorse it.\n\n"
        f"The ask: {campaign.ask}\n\n"
        f"To sign on behalf of the city, open this personal link (valid until "
        f"{expires_label(invitation.expires_at)}):\n{link}\n\n"
        f"After signing you will get an e-mail to confirm your address. Questions: {campaign_contact(campaign)}\n"
    )
    queue_mail(invitation.email, f"Invitation: endorse {campaign.name}", body)


def invite(campaign: Campaign, city: City, email: str, contact_name: str | None, actor: str) -> tuple[Invitation, str]:
    """Invite a city's office to sign: store the invitation (token hashed), queue the e-mail, return the link."""
    ensure_endorsable(city)
    email = normalise_email(email)
    existing = active_endorsement(campaign.id, city.id)
    if existing is not None:
        raise EndorsementError(f"{city.label} has already endorsed this campaign ({existing.status}).")
    raw, digest = new_token()
    now = utcnow()
    invitation = Invitation(
        campaign=campaign,
        city=city,
        email=email,
        contact_name=(contact_name or "").strip() or None,
        token_hash=digest,
        expires_at=now + timedelta(days=token_days()),
        status=INVITED,
        send_count=1,
        created_by=actor,
        created_at=now,
        last_sent_at=now,
    )
    db.session.add(invitation)
    db.session.flush()
    link = absolute_url(f"/sign/{raw}")
    _invitation_mail(invitation, link)
    record_event(
        INVITATION_SENT,
        f"{city.label} invited to sign {campaign.name} ({email})",
        actor=actor,
        campaign_id=campaign.id,
        data={"invitation_id": invitation.id, "city_id": city.id},
    )
    logger.info("invitation %s to %s for %s sent by %s", invitation.id, city.label, campaign.slug, actor)
    return invitation, link


def resend_invitation(invitation: Invitation, actor: str) -> str:
    """Send the invitation again with a new link; the old link stops working. Returns the new link."""
    if invitation.status != INVITED:
        raise EndorsementError(f"This invitation is {invitation.status}; it cannot be sent again.")
    raw, digest = new_token()
    now = utcnow()
    invitation.token_hash = digest
    invitation.expires_at = now + timedelta(days=token_days())
    invitation.last_sent_at = now
    invitation.send_count += 1
    link = absolute_url(f"/sign/{raw}")
    _invitation_mail(invitation, link)
    record_event(
        INVITATION_RESENT,
        f"Invitation to {invitation.city.label} sent again ({invitation.email})",
        actor=actor,
        campaign_id=invitation.campaign_id,
        data={"invitation_id": invitation.id},
    )
    logger.info("invitation %s resent by %s", invitation.id, actor)
    return link


def revoke_invitation(invitation: Invitation, actor: str) -> None:
    """Kill an unused invitation's link."""
    if invitation.status != INVITED:
        raise EndorsementError(f"This invitation is already {invitation.status}.")
    invitation.status = REVOKED
    invitation.revoked_at = utcnow()
    record_event(
        INVITATION_REVOKED,
        f"Invitation to {invitation.city.label} revoked ({invitation.email})",
        actor=actor,
        campaign_id=invitation.campaign_id,
        data={"invitation_id": invitation.id},
    )
    logger.info("invitation %s revoked by %s", invitation.id, actor)


def invitation_for_token(raw: str) -> Invitation:
    """The invitation a signing link belongs to, if the link still works (else TokenError)."""
    invitation = None
    if looks_like_token(raw):
        invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(raw)))
    if invitation is None:
        raise TokenError("invalid")
    if invitation.status == REVOKED:
        raise TokenError("revoked")
    if invitation.status == USED:
        raise TokenError("used")
    if invitation.is_expired():
        raise TokenError("expired")
    return invitation


def import_invitations(campaign: Campaign, csv_text: str, actor: str) -> list[ImportRow]:
    """Invite every row of a CSV (columns city, state, email, name); report each row's outcome.

    Good rows are invited even when other rows fail; each failure says what was wrong with that line.
    """
    reader = csv.DictReader(io.StringIO(csv_text))
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = {"city", "state", "email"} - header
    if missing:
        raise EndorsementError(
            f"The CSV needs a header row with the columns city, state, email (and optionally name); "
            f"missing: {', '.join(sorted(missing))}."
        )
    results: list[ImportRow] = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_CSV_ROWS:
            results.append(ImportRow(number, False, f"stopped: at most {MAX_CSV_ROWS} rows per file"))
            break
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        result = _invite_row(campaign, number, cells, actor)
        if result is not None:
            results.append(result)
    return results


def _invite_row(campaign: Campaign, number: int, row: dict[str, str], actor: str) -> ImportRow | None:
    """Invite the city of one CSV line; what happened to the line (None for a blank line)."""
    if not any(row.values()):
        return None
    if any("\x00" in value for value in row.values()):
        return ImportRow(number, False, "contains a NUL character (\\x00): not a text CSV?")
    if not row.get("city") or not row.get("state") or not row.get("email"):
        return ImportRow(number, False, "city, state and email are all required")
    try:
        city = find_city(f"{row['city']}, {row['state']}")
        invitation, _ = invite(campaign, city, row["email"], row.get("name"), actor)
    except EndorsementError as exc:
        return ImportRow(number, False, str(exc))
    return ImportRow(number, True, f"invited {city.label} ({invitation.email})")


# --- signing and confirmation --------------------------------------------------------------------------------


def _lapse_if_unconfirmed(endorsement: Endorsement, client_ip: str | None) -> bool:
    """End a pending endorsement whose confirmation link has expired unused, so it no longer blocks its city.

    Without this, a signature with a mistyped e-mail address would hold the city until staff stepped in.
    Returns True when the endorsement was ended (withdrawn, with the reason in the audit trail).
    """
    if endorsement.status != PENDING:
        return False
    live = db.session.scalar(_live_confirm_token(endorsement.id, utcnow()))
    if live is not None:
        return False
    _lapse(endorsement, client_ip)
    return True


def _live_confirm_token(endorsement_id: Any, now: datetime) -> Select[Any]:
    """The endorsement's unused confirmation tokens that have not expired at `now` (`endorsement_id` may be a
    column, for a correlated EXISTS)."""
    return select(EndorsementToken.id).where(
        EndorsementToken.endorsement_id == endorsement_id,
        EndorsementToken.purpose == CONFIRM,
        EndorsementToken.used_at.is_(None),
        EndorsementToken.expires_at > now,
    )


def _lapse(endorsement: Endorsement, client_ip: str | None) -> None:
    _set_status(
        endorsement,
        WITHDRAWN,
        actor="system",
        client_ip=client_ip,
        reason="never confirmed: the confirmation link expired",
    )
    db.session.flush()


@dataclass(frozen=True)
class ExpiryResult:
    """What the scheduled expiry did: signatures ended unconfirmed, and invitations whose link has expired."""

    lapsed: int
    expired_invitations: int

    def line(self) -> str:
        return (
            f"{self.lapsed} unconfirmed signature(s) ended (confirmation link expired); "
            f"{self.expired_invitations} invitation link(s) expired unused (resend from the invitations page)"
        )


def expire_stale(now: datetime | None = None) -> ExpiryResult:
    """End every pending endorsement whose confirmation link expired unused (so it stops holding its city), and
    count the invitations whose link expired unused. Run by the schedule; flushes, the caller's unit of work commits."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Endorsement)
        .where(Endorsement.status == PENDING, ~_live_confirm_token(Endorsement.id, now).exists())
        .options(selectinload(Endorsement.city))
    ).all()
    for endorsement in stale:
        _lapse(endorsement, None)
    lapsed = len(stale)
    expired = db.session.scalar(select(func.count()).where(Invitation.status == INVITED, Invitation.expires_at <= now))
    return ExpiryResult(lapsed, int(expired or 0))


def _issue_token(endorsement: Endorsement, purpose: str, days: int) -> str:
    raw, digest = new_token()
    db.session.add(
        EndorsementToken(
            endorsement=endorsement, purpose=purpose, token_hash=digest, expires_at=utcnow() + timedelta(days=days)
        )
    )
    return raw


def sign(
    campaign: Campaign,
    city: City,
    details: SignerDetails,
    *,
    client_ip: str | None,
    invitation: Invitation | None = None,
) -> Endorsement:
    """Store a new pending endorsement and queue the confirmation e-mail.

    The database allows one active endorsement per city and campaign; when another signer got there first
    (even at the same moment, on another connection) this raises CityAlreadyEndorsed. It must be the first
    write of the caller's unit of work: on that conflict the transaction is rolled back.
    """
    ensure_endorsable(city)
    contact = campaign_contact(campaign)
    existing = active_endorsement(campaign.id, city.id)
    if existing is not None and _lapse_if_unconfirmed(existing, client_ip):
        existing = None
    if existing is not None:
        raise CityAlreadyEndorsed(city, campaign, existing.status, contact)
    endorsement = Endorsement(
        campaign_id=campaign.id,
        city_id=city.id,
        status=PENDING,
        signer_name=details.name,
        signer_title=details.title,
        signer_email=details.email,
        signer_phone=details.phone or None,
        statement=details.statement or None,
        signature=details.signature,
        signer_districts=(
            {"before": [d.label for d in city.districts], "after": list(details.districts)}
            if details.districts is not None
            else None
        ),
    )
    db.session.add(endorsement)
    try:
        db.session.flush()
    except IntegrityError:
        # Another submission for this city won the race (the partial unique index said no).
        db.session.rollback()
        logger.info("duplicate endorsement of %s for %s refused", city.label, campaign.slug)
        raise CityAlreadyEndorsed(city, campaign, None, contact) from None
    if invitation is not None:
        invitation.status = USED
        invitation.used_at = utcnow()
        invitation.endorsement_id = endorsement.id
    confirm_raw = _issue_token(endorsement, CONFIRM, token_days())
    withdraw_raw = _issue_token(endorsement, WITHDRAW, WITHDRAW_TOKEN_DAYS)
    record_event(
        ENDORSEMENT_CREATED,
        f"{city.label} signed {campaign.name} (pending confirmation)"
        + (" through an invitation" if invitation else " through open sign-on"),
        actor=PUBLIC_ACTOR,
        client_ip=client_ip,
        campaign_id=campaign.id,
        endorsement_id=endorsement.id,
        data={"invitation_id": invitation.id if invitation else None, "to": PENDING},
    )
    queue_mail(
        details.email,
        f"Please confirm: {city.label} endorses {campaign.name}",
        (
            f"Dear {details.name},\n\n"
            f"Thank you for signing “{campaign.name}” on behalf of {city.label}.\n\n"
            f"Please confirm your e-mail address by opening this link (valid for {token_days()} days):\n"
            f"{absolute_url('/confirm/' + confirm_raw)}\n\n"
            "Until you confirm, the endorsement is pending and is not shown publicly.\n\n"
            "If you did not sign, or want to withdraw the endorsement later, use this link:\n"
            f"{absolute_url('/withdraw/' + withdraw_raw)}\n\n"
            f"Questions: {contact}\n"
        ),
    )
    logger.info("endorsement %s of %s for %s signed from %s", endorsement.id, city.label, campaign.slug, client_ip)
    return endorsement


def _token(raw: str, purpose: str) -> EndorsementToken:
    token = None
    if looks_like_token(raw):
        token = db.session.scalar(
            select(EndorsementToken).where(
                EndorsementToken.token_hash == hash_token(raw), EndorsementToken.purpose == purpose
            )
        )
    if token is None:
        raise TokenError("invalid")
    if token.used_at is not None:
        raise TokenError("used")
    if utcnow() >= token.expires_at:
        raise TokenError("expired")
    return token


def _spend(token: EndorsementToken) -> None:
    """Mark a link token used, atomically: of two concurrent uses (a double click) only one gets through."""
    result = db.session.execute(
        update(EndorsementToken)
        .where(EndorsementToken.id == token.id, EndorsementToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    spent = cast(CursorResult[Any], result).rowcount
    if spent != 1:
        raise TokenError("used")


def endorsement_for_token(raw: str, purpose: str) -> Endorsement:
    """The endorsement a confirmation or withdrawal link is for, if the link still works (else TokenError)."""
    return _token(raw, purpose).endorsement


def _set_status(
    endorsement: Endorsement, status: str, *, actor: str, client_ip: str | None = None, reason: str | None = None
) -> None:
    before = endorsement.status
    endorsement.status = status
    now = utcnow()
    if status in (CONFIRMED, VERIFIED) and endorsement.confirmed_at is None:
        endorsement.confirmed_at = now
    if status == VERIFIED:
        endorsement.verified_at = now
        endorsement.verification_code = endorsement.verification_code or new_verification_code()
        _apply_signer_districts(endorsement)
    if status in (REJECTED, WITHDRAWN):
        endorsement.ended_at = now
        endorsement.reason = reason
    record_event(
        ENDORSEMENT_STATUS,
        f"{endorsement.city.label}: {before} → {status}" + (f" ({reason})" if reason else ""),
        actor=actor,
        client_ip=client_ip,
        campaign_id=endorsement.campaign_id,
        endorsement_id=endorsement.id,
        data={"from": before, "to": status, "reason": reason},
    )
    logger.info("endorsement %s %s -> %s by %s", endorsement.id, before, status, actor)


def _apply_signer_districts(endorsement: Endorsement) -> None:
    """Once an endorsement is verified (official address, or approved by staff who saw the change), the
    districts its signer confirmed become the city's, with basis "signer" (which no import overwrites)."""
    given = endorsement.signer_districts
    if not given:
        return
    pairs = {parse_district(label) for label in given["after"]}
    set_city_districts(endorsement.city, pairs, source="signer", actor=f"signer of endorsement {endorsement.id}")


def _verified_mail(endorsement: Endorsement) -> None:
    code = endorsement.verification_code
    queue_mail(
        endorsement.signer_email or "",
        f"Verified: {endorsement.city.label} endorses {endorsement.campaign.name}",
        (
            f"Dear {endorsement.signer_name},\n\n"
            f"The endorsement of “{endorsement.campaign.name}” by {endorsement.city.label} is verified.\n\n"
            f"Verification code: {code}\n"
            f"Anyone can check it, and download the receipt (PDF), at:\n{absolute_url('/verify/' + str(code))}\n"
        ),
    )


def confirm(raw: str, *, client_ip: str | None) -> Endorsement:
    """Confirm the signer's address: verified on an official city domain, else confirmed for review."""
    token = _token(raw, CONFIRM)
    endorsement = token.endorsement
    if endorsement.status != PENDING:
        raise TokenError("used")
    _spend(token)
    if is_official_email(endorsement.signer_email, endorsement.city.email_domains):
        _set_status(endorsement, VERIFIED, actor=PUBLIC_ACTOR, client_ip=client_ip)
        _verified_mail(endorsement)
    else:
        _set_status(endorsement, CONFIRMED, actor=PUBLIC_ACTOR, client_ip=client_ip)
        queue_mail(
            endorsement.signer_email or "",
            f"Confirmed: {endorsement.city.label} endorses {endorsement.campaign.name}",
            (
                f"Dear {endorsement.signer_name},\n\n"
                "Thank you: your address is confirmed. Because it is not on one of the city's official e-mail "
                "domains we know of, the campaign staff will review the endorsement and write to you.\n\n"
                f"Questions: {campaign_contact(endorsement.campaign)}\n"
            ),
        )
    return endorsement


def withdraw_by_signer(raw: str, *, client_ip: str | None, reason: str | None = None) -> Endorsement:
    """The signer withdraws through the link in their e-mail."""
    token = _token(raw, WITHDRAW)
    endorsement = token.endorsement
    if endorsement.status not in ACTIVE_STATUSES:
        raise EndorsementError(f"This endorsement is already {endorsement.status}.")
    _spend(token)
    _set_status(
        endorsement,
        WITHDRAWN,
        actor=PUBLIC_ACTOR,
        client_ip=client_ip,
        reason=(reason or "").strip() or "withdrawn by the signer",
    )
    return endorsement


def approve(endorsement: Endorsement, actor: str) -> None:
    """An advocate verifies a confirmed endorsement (signer's address off the official domains)."""
    if endorsement.status != CONFIRMED:
        raise EndorsementError(f"Only confirmed endorsements can be approved; this one is {endorsement.status}.")
    _set_status(endorsement, VERIFIED, actor=actor)
    _verified_mail(endorsement)


def reject(endorsement: Endorsement, reason: str, actor: str) -> None:
    """An advocate rejects a pending or confirmed endorsement, with a reason the signer is told."""
    reason = (reason or "").strip()
    if not reason:
        raise EndorsementError("Give a reason for the rejection.")
    if endorsement.status not in (PENDING, CONFIRMED):
        raise EndorsementError(
            f"Only pending or confirmed endorsements can be rejected; this one is {endorsement.status}."
        )
    _set_status(endorsement, REJECTED, actor=actor, reason=reason)
    if endorsement.signer_email:
        queue_mail(
            endorsement.signer_email,
            f"Not accepted: {endorsement.city.label} endorsement of {endorsement.campaign.name}",
            (
                f"Dear {endorsement.signer_name},\n\n"
                f"The campaign staff could not accept this endorsement. Reason: {reason}\n\n"
                f"Questions: {campaign_contact(endorsement.campaign)}\n"
            ),
        )


def withdraw_by_staff(endorsement: Endorsement, reason: str, actor: str) -> None:
    """An advocate withdraws an active endorsement, with a reason (kept in the audit trail)."""
    reason = (reason or "").strip()
    if not reason:
        raise EndorsementError("Give a reason for the withdrawal.")
    if endorsement.status not in ACTIVE_STATUSES:
        raise EndorsementError(f"This endorsement is already {endorsement.status}.")
    _set_status(endorsement, WITHDRAWN, actor=actor, reason=reason)


def expires_label(when: datetime) -> str:
    """ "July 31, 2026" for e-mails and pages."""
    return f"{when:%B} {when.day}, {when.year}"
