"""Letter services: templates and their versions, logos, recipients, batches, cancelling, the delivery log.

Plain functions that never touch `request`: views, the CLI and tests call them. They add and flush; the caller
commits (a batch must be committed before `start_batch`, because worker processes read it from the database).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.jobs import JobRunner, JobTimeout, PoolRunner, get_runner, local_pool
from advocacy.letters.addressing import long_date, member_data
from advocacy.letters.context import SAMPLE_MEMBER, sample_shared
from advocacy.letters.errors import LetterError
from advocacy.letters.logos import LOGO_MAX_BYTES, check_logo, sanitise_svg
from advocacy.letters.tasks import DEFAULT_TIMEOUT, finalize_batch, lease_seconds, write_spec
from advocacy.models import (
    Campaign,
    City,
    Committee,
    CommitteeMembership,
    Cosponsorship,
    Endorsement,
    Letter,
    LetterBatch,
    LetterDelivery,
    LetterTemplate,
    LetterTemplateVersion,
    Member,
)
from advocacy.models.base import utcnow
from advocacy.models.campaigns import VERIFIED
from advocacy.models.letters import (
    BATCH_CANCELLED,
    BATCH_CANCELLING,
    BATCH_FINAL_STATUSES,
    BATCH_QUEUED,
    BATCH_RUNNING,
    DELIVERY_METHODS,
    LETTER_CANCELLED,
    LETTER_FAILED,
    LETTER_QUEUED,
    LETTER_RENDERING,
    VERSIONED_FIELDS,
)
from advocacy.representation import cities_represented, states_touched

logger = logging.getLogger(__name__)

TEMPLATE_TEXT_FIELDS = (
    "slug",
    "name",
    "re_line",
    "body",
    "body_format",
    "closing",
    "signature_block",
    "letterhead_name",
    "letterhead_address",
)


# --- logos: advocacy.letters.logos (check_logo, sanitise_svg, LOGO_MAX_BYTES are re-exported here) -------------


# --- templates -------------------------------------------------------------------------------------------------


def template_snapshot(template: LetterTemplate | LetterTemplateVersion) -> dict:
    """The renderer's view of a template (plain data)."""
    return {name: getattr(template, name) for name in VERSIONED_FIELDS}


def check_template_fields(data: dict[str, Any], *, timeout: float | None = None) -> list[dict]:
    """Dry-render the template's fields against sample data, in a worker (time- and memory-limited).

    Returns the problems: [{"field", "label", "line", "message"}]; empty when the template is fine.
    """
    snapshot = {name: data.get(name) for name in VERSIONED_FIELDS}
    timeout = timeout or current_app.config.get("LETTER_CHECK_TIMEOUT", 5.0)
    try:
        return local_pool().call(
            "advocacy.letters.tasks.check_template", snapshot, sample_shared(snapshot), [SAMPLE_MEMBER], timeout=timeout
        )
    except JobTimeout:
        return [{"field": "body", "label": "body", "line": None, "message": "took too long to render (time limit)"}]


def _slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    query = select(LetterTemplate.id).where(LetterTemplate.slug == slug)
    if exclude_id is not None:
        query = query.where(LetterTemplate.id != exclude_id)
    return db.session.scalar(query) is not None


def add_version(template: LetterTemplate, actor: str) -> LetterTemplateVersion:
    """Freeze the template as it is now as its next version."""
    template.version = (template.version or 0) + 1
    version = LetterTemplateVersion(number=template.version, created_by=actor, **template_snapshot(template))
    template.versions.append(version)
    return version


def save_template(
    template: LetterTemplate | None,
    data: dict[str, Any],
    *,
    actor: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> LetterTemplate:
    """Create (template None) or update a template from form data; every save keeps a new version."""
    slug = (data.get("slug") or "").strip()
    if _slug_taken(slug, template.id if template else None):
        raise LetterError(f"The slug “{slug}” is already used by another template.")
    creating = template is None
    if template is None:
        template = LetterTemplate()
        db.session.add(template)
    for name in TEMPLATE_TEXT_FIELDS:
        if name in data:
            setattr(template, name, (data[name] or "").replace("\r\n", "\n"))
    if logo is not None:
        template.logo, template.logo_mime = check_logo(logo)
    elif remove_logo:
        template.logo, template.logo_mime = None, None
    version = add_version(template, actor)
    db.session.flush()
    record_event(
        "letter_template.created" if creating else "letter_template.saved",
        f"Letter template “{template.name}” {'created' if creating else 'saved'} (version {version.number})",
        actor=actor,
    )
    logger.info("%s saved letter template %s version %s", actor, template.slug, version.number)
    return template


def duplicate_template(template: LetterTemplate, *, actor: str) -> LetterTemplate:
    """A copy of a template under a new slug ("…-copy", "…-copy-2"), starting at version 1."""
    base = f"{template.slug}-copy"[:74]
    slug, n = base, 1
    while _slug_taken(slug):
        n += 1
        slug = f"{base}-{n}"
    data = {name: getattr(template, name) for name in TEMPLATE_TEXT_FIELDS}
    data.update(slug=slug, name=f"Copy of {template.name}"[:200])
    copy = save_template(None, data, actor=actor)
    copy.logo, copy.logo_mime = template.logo, template.logo_mime
    copy.versions[0].logo, copy.versions[0].logo_mime = template.logo, template.logo_mime
    return copy


def delete_template(template: LetterTemplate, *, actor: str) -> None:
    """Delete a template and its versions; refused while batches made from it are kept."""
    used = db.session.scalar(select(func.count(LetterBatch.id)).where(LetterBatch.template_id == template.id))
    if used:
        raise LetterError(f"“{template.name}” was used for {used} batch(es): delete those first, or keep the template.")
    record_event("letter_template.deleted", f"Letter template “{template.name}” deleted", actor=actor)
    logger.info("%s deleted letter template %s", actor, template.slug)
    db.session.delete(template)
    db.session.flush()


def ensure_version(template: LetterTemplate, actor: str = "system") -> LetterTemplateVersion:
    """The template's latest version (made now for a template that was never saved through the app)."""
    latest = db.session.scalar(
        select(LetterTemplateVersion)
        .where(LetterTemplateVersion.template_id == template.id)
        .order_by(LetterTemplateVersion.number.desc())
        .limit(1)
    )
    if latest is None:
        latest = add_version(template, actor)
        db.session.flush()
    return latest


# --- recipients ------------------------------------------------------------------------------------------------

SELECTOR_HELP = (
    "committee:HSFA (or a subcommittee such as HSFA16), leaders:HSFA (chair and ranking member, one joint letter), "
    "state:CA, member:L000582 (or several: member:L000582,M001137), endorsers, cosponsors, noncosponsors, all"
)
LEADER_TITLES = ("Chair", "Chairman", "Chairwoman")


@dataclass
class Recipients:
    """The addressees of a batch: one list of members per letter; `joint` forces one letter to all."""

    letters: list[list[dict]]
    description: str


def _order(members: list[Member]) -> list[Member]:
    return sorted(members, key=lambda m: (m.state or "", m.chamber != "senate", m.district or 0, m.last_name))


def _current(query: Any) -> list[Member]:
    return list(db.session.scalars(query.where(Member.is_current.is_(True))))


def _verified_cities(campaign: Campaign) -> list[City]:
    return list(
        db.session.scalars(
            select(City)
            .join(Endorsement, Endorsement.city_id == City.id)
            .where(Endorsement.campaign_id == campaign.id, Endorsement.status == VERIFIED)
            .options(selectinload(City.districts))
            .order_by(City.state, City.name)
        )
    )


def resolve_recipients(selector: str, campaign: Campaign, *, joint: bool = False) -> Recipients:
    """Turn a selector (see SELECTOR_HELP) into the members each letter goes to."""
    kind, _, arg = selector.strip().partition(":")
    kind, arg = kind.strip().lower(), arg.strip()
    titles: dict[str, tuple[str | None, str | None]] = {}
    if kind in ("committee", "leaders"):
        committee = db.session.get(Committee, arg.upper())
        if committee is None:
            raise LetterError(f"No committee “{arg}” (use its thomas id, e.g. HSFA, SSFR or HSFA16).")
        seats = db.session.scalars(
            select(CommitteeMembership)
            .join(Member)
            .where(CommitteeMembership.committee_id == committee.thomas_id, Member.is_current.is_(True))
            .options(selectinload(CommitteeMembership.member))
            .order_by(CommitteeMembership.party_side, CommitteeMembership.rank)
        ).all()
        if kind == "leaders":
            chair = [s for s in seats if s.title in LEADER_TITLES]
            ranking = [s for s in seats if s.title == "Ranking Member"]
            seats = chair[:1] + ranking[:1]
            if len(seats) < 2:
                raise LetterError(f"{committee.name}: no chair and ranking member on file.")
            joint = True
        members = [s.member for s in seats]
        titles = {s.member_id: (s.title, committee.name) for s in seats}
        description = f"{'leaders of ' if kind == 'leaders' else ''}{committee.name}"
    elif kind == "state":
        members = _order(_current(select(Member).where(Member.state == arg.upper())))
        description = f"delegation of {arg.upper()}"
    elif kind == "member":
        ids = [part.strip().upper() for part in re.split(r"[,\s]+", arg) if part.strip()]
        found = {m.bioguide_id: m for m in db.session.scalars(select(Member).where(Member.bioguide_id.in_(ids)))}
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise LetterError(f"Unknown bioguide id(s): {', '.join(unknown)}.")
        members = [found[i] for i in dict.fromkeys(ids)]
        description = "hand-picked members"
    elif kind == "endorsers":
        cities = _verified_cities(campaign)
        candidates = _current(select(Member).where(Member.state.in_(states_touched(cities))))
        members = _order([m for m in candidates if cities_represented(m, cities)])
        description = "members representing endorsing cities"
    elif kind in ("cosponsors", "noncosponsors"):
        bill = campaign.current_bill
        if bill is None:
            raise LetterError("The campaign has no bill.")
        cosponsor_ids = set(
            db.session.scalars(
                select(Cosponsorship.member_id).where(
                    Cosponsorship.bill_id == bill.id, Cosponsorship.withdrawn_date.is_(None)
                )
            )
        )
        if kind == "cosponsors":
            members = _order(_current(select(Member).where(Member.bioguide_id.in_(cosponsor_ids))))
            description = f"cosponsors of {bill.display}"
        else:
            chamber = "senate" if bill.bill_type.startswith("s") else "house"
            excluded = cosponsor_ids | {bill.sponsor_id}
            members = _order(
                [m for m in _current(select(Member).where(Member.chamber == chamber)) if m.bioguide_id not in excluded]
            )
            description = f"{chamber.title()} members not cosponsoring {bill.display}"
    elif kind == "all":
        members = _order(_current(select(Member)))
        description = "all current members"
    else:
        raise LetterError(f"Unknown recipients “{selector}”. Use one of: {SELECTOR_HELP}.")
    if not members:
        raise LetterError(f"No current members match “{selector}”.")
    data = [member_data(m, *titles.get(m.bioguide_id, (None, None))) for m in members]
    letters = [data] if joint else [[d] for d in data]
    return Recipients(letters=letters, description=description)


# --- batches ---------------------------------------------------------------------------------------------------


def _bill_data(bill: Any) -> dict:
    return {
        "citation": bill.display,
        "title": bill.display_title.rstrip("."),
        "official_title": bill.title,
        "short_title": bill.short_title,
        "congress": bill.congress,
        "label": bill.label,
    }


def shared_data(campaign: Campaign, template: dict, letter_date: date) -> dict:
    """What every letter of a batch shares: the campaign, the verified endorsing cities, sender and date."""
    endorsements = db.session.scalars(
        select(Endorsement)
        .join(City)
        .where(Endorsement.campaign_id == campaign.id, Endorsement.status == VERIFIED)
        .options(selectinload(Endorsement.city).selectinload(City.districts))
        .order_by(City.state, City.name)
    ).all()
    endorsers = [
        {
            "name": e.city.name,
            "state": e.city.state,
            "label": e.city.label,
            "population": e.city.population or 0,
            "districts": [
                {
                    "state": d.state,
                    "district": d.district,
                    "label": d.label,
                    "basis": d.source,
                    "share": d.share,
                    "whole": d.whole,
                    "approximate": d.approximate,
                }
                for d in e.city.districts
            ],
            "districts_approximate": any(d.approximate for d in e.city.districts),
            "signer_name": e.signer_name,
            "signer_title": e.signer_title or "",
        }
        for e in endorsements
    ]
    bills = campaign.bills
    current = campaign.current_bill
    empty_bill = {"citation": "", "title": "", "official_title": "", "short_title": "", "congress": None, "label": ""}
    return {
        "campaign": {
            "name": campaign.name,
            "slug": campaign.slug,
            "ask": campaign.ask or "",
            "bill": _bill_data(current) if current else empty_bill,
            "bills": [_bill_data(b) for b in bills],
        },
        "endorsers": endorsers,
        "sender": {
            "organisation": template.get("letterhead_name") or "",
            "address": template.get("letterhead_address") or "",
            "signature": template.get("signature_block") or "",
        },
        "date_text": long_date(letter_date),
    }


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-")


def letter_filename(position: int, members: list[dict]) -> str:
    """ "001-Rep-Ted-Lieu-CA-36.pdf"; joint letters: "001-Joint-Mast-Meeks.pdf"."""
    from advocacy.letters.addressing import seat

    if len(members) == 1:
        m = members[0]
        prefix = "Sen" if m["chamber"] == "senate" else "Rep"
        name = f"{prefix}-{m['full_name']}-{seat(m)}"
    else:
        name = "Joint-" + "-".join(m["last_name"] for m in members[:6])
    return f"{position:03d}-{_ascii(name)[:80]}.pdf"


def create_batch(
    template: LetterTemplate,
    campaign: Campaign,
    selector: str,
    *,
    joint: bool = False,
    actor: str,
    letter_date: date | None = None,
) -> LetterBatch:
    """Create a batch with one queued Letter per recipient (or one joint letter) and write its spec.

    The caller commits, then calls `start_batch`.
    """
    recipients = resolve_recipients(selector, campaign, joint=joint)
    version = ensure_version(template, actor)
    letter_date = letter_date or date.today()
    snapshot = template_snapshot(version)
    batch = LetterBatch(
        template=template,
        template_version=version,
        campaign=campaign,
        selector=selector.strip()[:200],
        joint=len(recipients.letters) == 1 and len(recipients.letters[0]) > 1,
        letter_date=letter_date,
        status=BATCH_QUEUED,
        total=len(recipients.letters),
        created_by=actor,
        job_ids=[],
    )
    db.session.add(batch)
    for position, members in enumerate(recipients.letters, start=1):
        names = [m["full_name"] for m in members]
        batch.letters.append(
            Letter(
                position=position,
                member_id=members[0]["bioguide_id"] if len(members) == 1 else None,
                member_ids=[m["bioguide_id"] for m in members],
                template_version=version,
                recipient_name=(" and ".join(names))[:300],
                filename=letter_filename(position, members),
                status=LETTER_QUEUED,
            )
        )
    db.session.flush()
    spec = {
        "template": snapshot,
        "shared": shared_data(campaign, snapshot, letter_date),
        "letters": {
            str(letter.id): {"members": members, "filename": letter.filename}
            for letter, members in zip(batch.letters, recipients.letters, strict=True)
        },
        "timeout": current_app.config.get("LETTER_TIMEOUT", DEFAULT_TIMEOUT),
    }
    write_spec(batch.id, spec)
    record_event(
        "letter_batch.created",
        f"Letters to {recipients.description} ({batch.total}) from “{template.name}” v{version.number}",
        actor=actor,
        campaign_id=campaign.id,
        data={"batch_id": batch.id, "selector": batch.selector},
    )
    logger.info("%s created letter batch %s (%s, %d letters)", actor, batch.id, batch.selector, batch.total)
    return batch


def start_batch(batch: LetterBatch, runner: JobRunner | None = None) -> list[str]:
    """Queue the batch's letters as chunk jobs (the batch must be committed first); the caller commits."""
    runner = runner or get_runner()
    ids = [letter.id for letter in batch.letters]
    workers = runner.workers if isinstance(runner, PoolRunner) else 4
    size = max(1, math.ceil(len(ids) / (workers * 3)))
    batch.status = BATCH_RUNNING
    batch.lease_expires_at = utcnow() + timedelta(seconds=lease_seconds())  # its jobs renew it as they work
    db.session.commit()  # workers must see "running" before they can finish the batch
    job_ids = [
        runner.submit("advocacy.letters.tasks.run_chunk", batch.id, ids[i : i + size]) for i in range(0, len(ids), size)
    ]
    batch.job_ids = job_ids
    return job_ids


BATCH_CANCELLABLE_STATUSES = (BATCH_QUEUED, BATCH_RUNNING)


def cancel_batch(batch: LetterBatch, *, actor: str) -> None:
    """Cancel a batch: letters not yet started are marked cancelled; letters being rendered finish.

    Commits (the workers must see it at once) and writes the outputs if nothing is still running. Only a queued
    or running batch can be cancelled: the status is claimed with a conditional UPDATE, so a batch that a worker is
    already finalising (or that another request is cancelling) is not finalised twice.
    """
    if batch.status in BATCH_FINAL_STATUSES:
        raise LetterError("This batch has already finished.")
    claimed = db.session.execute(
        update(LetterBatch)
        .where(LetterBatch.id == batch.id, LetterBatch.status.in_(BATCH_CANCELLABLE_STATUSES))
        .values(status=BATCH_CANCELLING)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(batch)
        if batch.status in BATCH_FINAL_STATUSES:
            raise LetterError("This batch has already finished.")
        raise LetterError("This batch is already being finished.")
    count = db.session.execute(
        update(Letter)
        .where(Letter.batch_id == batch.id, Letter.status == LETTER_QUEUED)
        .values(status=LETTER_CANCELLED)
    ).rowcount
    db.session.execute(
        update(LetterBatch).where(LetterBatch.id == batch.id).values(settled=LetterBatch.settled + count)
    )
    record_event(
        "letter_batch.cancelled",
        f"Letter batch {batch.id} cancelled ({count} letters not made)",
        actor=actor,
        campaign_id=batch.campaign_id,
    )
    logger.info("%s cancelled letter batch %s (%d letters not made)", actor, batch.id, count)
    db.session.commit()
    finalize_batch(batch.id)
    db.session.refresh(batch)


def retry_failed_letters(batch: LetterBatch, *, actor: str, interrupted: bool = False) -> int:
    """Put the batch's failed letters back in the queue (the caller commits, then calls `start_batch`).

    A finished batch retries its failed letters. With `interrupted`, a batch whose job died midway (the
    database or a worker went away: it stays "running") also retries the letters that job had claimed; only use
    it when no job of the batch is still running. Letters already made are kept. Returns how many were reset.
    """
    if batch.status == BATCH_CANCELLED:
        raise LetterError("This batch was cancelled; generate a new one.")
    if not batch.is_finished and not interrupted:
        raise LetterError("This batch is still running; retry when it has finished.")
    statuses = [LETTER_FAILED] + ([LETTER_RENDERING] if interrupted else [])
    letters = [letter for letter in batch.letters if letter.status in statuses]
    waiting = [letter for letter in batch.letters if letter.status == LETTER_QUEUED]
    if not letters and not waiting:
        raise LetterError("No letter of this batch needs retrying.")
    failed = sum(1 for letter in letters if letter.status == LETTER_FAILED)
    for letter in letters:
        letter.status, letter.error, letter.warnings = LETTER_QUEUED, None, None
    batch.settled -= failed
    batch.failed -= failed
    batch.status, batch.error, batch.finished_at = BATCH_RUNNING, None, None
    record_event(
        "letter_batch.retried",
        f"Letter batch {batch.id}: {len(letters) + len(waiting)} letter(s) retried",
        actor=actor,
        campaign_id=batch.campaign_id,
        data={"batch_id": batch.id},
    )
    logger.info("%s retried %d letter(s) of batch %s", actor, len(letters) + len(waiting), batch.id)
    db.session.flush()
    return len(letters) + len(waiting)


def batch_progress(batch: LetterBatch) -> dict:
    """The batch's state for the progress bar's JSON endpoint."""
    return {
        "id": batch.id,
        "status": batch.status,
        "total": batch.total,
        "done": batch.done,
        "failed": batch.failed,
        "settled": batch.settled,
        "percent": batch.percent,
        "finished": batch.status in BATCH_FINAL_STATUSES,
        "interrupted": batch.is_interrupted,
    }


def record_delivery(
    letter: Letter, *, method: str, sent_on: date, person: str, note: str | None, actor: str
) -> LetterDelivery:
    """Log that a letter was sent (e-mail to a staffer, fax, hand delivery, district office mail)."""
    if method not in DELIVERY_METHODS:
        raise LetterError(f"Unknown delivery method “{method}”.")
    delivery = LetterDelivery(
        letter=letter, method=method, sent_on=sent_on, person=person.strip(), note=(note or "").strip() or None,
        recorded_by=actor,
    )  # fmt: skip
    db.session.add(delivery)
    db.session.flush()
    record_event(
        "letter.sent",
        f"Letter to {letter.recipient_name} sent by {DELIVERY_METHODS[method].lower()} on {sent_on.isoformat()}",
        actor=actor,
        campaign_id=letter.batch.campaign_id,
    )
    logger.info("%s logged delivery of letter %s (%s)", actor, letter.id, method)
    return delivery


def campaign_deliveries(campaign_id: int) -> list[LetterDelivery]:
    """Every logged delivery of the campaign's letters, newest first (eager-loaded for the campaign page)."""
    return list(
        db.session.scalars(
            select(LetterDelivery)
            .join(Letter)
            .join(LetterBatch)
            .where(LetterBatch.campaign_id == campaign_id)
            .options(selectinload(LetterDelivery.letter))
            .order_by(LetterDelivery.sent_on.desc(), LetterDelivery.id.desc())
        )
    )


__all__ = [
    "BATCH_CANCELLING",
    "LOGO_MAX_BYTES",
    "sanitise_svg",
    "date",
    "member_data",
    "LetterError",
    "cancel_batch",
    "check_logo",
    "create_batch",
    "resolve_recipients",
    "save_template",
    "start_batch",
]
