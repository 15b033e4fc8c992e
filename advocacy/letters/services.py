"""Letter writes: templates and their versions, batches (create, start, cancel, retry), the delivery log.

Plain functions that never touch `request` and never commit: views, the CLI, the API and tests call them inside
one unit of work (advocacy.uow), which commits once. They add and flush, and raise `LetterError` subclasses
(advocacy.letters.errors) with a message for the user. Reads live in `queries`, recipients in `recipients`,
the batch preview in `planning`, logo checking in `logos`.

Jobs read a batch from the database in other processes, so they are submitted only after the commit
(`after_commit`); cancelling must be seen by running workers at once, so it is its own unit of work.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, select, update

from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.jobs import JobRunner, JobTimeout, get_runner, local_pool
from advocacy.letters.context import SAMPLE_MEMBER, sample_shared
from advocacy.letters.errors import BatchStateError, LetterError, TemplateRejected
from advocacy.letters.logos import check_logo
from advocacy.letters.planning import letter_filename, plan_batch
from advocacy.letters.queries import batches_using, slug_taken
from advocacy.letters.recovery import submit_chunks
from advocacy.letters.tasks import DEFAULT_TIMEOUT, check_template, finalize_batch, lease_seconds, write_spec
from advocacy.models import Campaign, Letter, LetterBatch, LetterDelivery, LetterTemplate, LetterTemplateVersion
from advocacy.models.base import utcnow
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
from advocacy.uow import after_commit, unit_of_work

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
        return local_pool().call(check_template, snapshot, sample_shared(snapshot), [SAMPLE_MEMBER], timeout=timeout)
    except JobTimeout:
        return [{"field": "body", "label": "body", "line": None, "message": "took too long to render (time limit)"}]


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
    if slug_taken(slug, template.id if template else None):
        raise TemplateRejected(f"The slug “{slug}” is already used by another template.")
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
    while slug_taken(slug):
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
    used = batches_using(template)
    if used:
        raise TemplateRejected(
            f"“{template.name}” was used for {used} batch(es): delete those first, or keep the template."
        )
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


def create_batch(
    template: LetterTemplate,
    campaign: Campaign,
    selector: str,
    *,
    joint: bool = False,
    include_samples: bool = False,
    actor: str,
    letter_date: date | None = None,
) -> LetterBatch:
    """Create a batch with one queued Letter per recipient (or one joint letter) and write its spec.

    Each letter keeps its preview row (standing, ask, local cities); the batch keeps the notes (vacant seats).
    Then call `start_batch` in the same unit of work: its jobs are submitted once the batch is committed.
    """
    version = ensure_version(template, actor)
    letter_date = letter_date or date.today()
    snapshot = template_snapshot(version)
    plan = plan_batch(
        campaign, selector, joint=joint, include_samples=include_samples, template=snapshot, letter_date=letter_date
    )
    recipients = plan.recipients
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
        include_samples=include_samples,
        notes=list(plan.notes),
    )
    db.session.add(batch)
    for position, row in enumerate(plan.letters, start=1):
        members = row.members
        names = [m["full_name"] for m in members]
        batch.letters.append(
            Letter(
                position=position,
                member_id=members[0]["bioguide_id"] if len(members) == 1 else None,
                member_ids=[m["bioguide_id"] for m in members],
                template_version=version,
                recipient_name=(recipients.committee["name"] if recipients.committee else " and ".join(names))[:300],
                filename=letter_filename(position, members, recipients.committee),
                status=LETTER_QUEUED,
                standing=row.standing,
                ask=row.ask,
                local_cities=row.local_cities,
            )
        )
    db.session.flush()
    spec = {
        "template": snapshot,
        "shared": plan.shared,
        "letters": {
            str(letter.id): {
                "members": row.members,
                "filename": letter.filename,
                "committee": recipients.committee,
                "committee_letter": recipients.committee_letter,
            }
            for letter, row in zip(batch.letters, plan.letters, strict=True)
        },
        "timeout": current_app.config.get("LETTER_TIMEOUT", DEFAULT_TIMEOUT),
    }
    write_spec(batch.id, spec)
    record_event(
        "letter_batch.created",
        f"Letters to {recipients.description} ({batch.total}) from “{template.name}” v{version.number}"
        + (" with sample endorsements" if include_samples else ""),
        actor=actor,
        campaign_id=campaign.id,
        data={"batch_id": batch.id, "selector": batch.selector},
    )
    logger.info("%s created letter batch %s (%s, %d letters)", actor, batch.id, batch.selector, batch.total)
    return batch


def _submit_chunks(batch_id: int, letter_ids: list[int], runner: JobRunner, submitted: list[str]) -> None:
    """After the commit: queue the letters as chunk jobs and remember the job ids on the batch."""
    submitted += submit_chunks(batch_id, letter_ids, runner)
    with unit_of_work():
        db.session.execute(update(LetterBatch).where(LetterBatch.id == batch_id).values(job_ids=list(submitted)))


def start_batch(batch: LetterBatch, runner: JobRunner | None = None) -> list[str]:
    """Mark the batch running and queue its letters as chunk jobs once the unit of work has committed.

    Workers read the batch ("running", its letters) from the database, so nothing is submitted before the
    commit; a unit that rolls back submits nothing. Called outside a unit of work, it is its own unit. Returns the
    list of job ids, filled once the jobs are submitted (at once outside a unit, after the commit inside one).
    """
    runner = runner or get_runner()
    submitted: list[str] = []
    with unit_of_work():
        batch.status = BATCH_RUNNING
        batch.lease_expires_at = utcnow() + timedelta(seconds=lease_seconds())  # its jobs renew it as they work
        db.session.flush()
        after_commit(_submit_chunks, batch.id, [letter.id for letter in batch.letters], runner, submitted)
    return submitted


BATCH_CANCELLABLE_STATUSES = (BATCH_QUEUED, BATCH_RUNNING)


def _claim_cancel(batch: LetterBatch) -> None:
    """Claim the batch for cancelling with a conditional UPDATE, so that a batch that a worker is already
    finalising (or that another request is cancelling) is not finalised twice."""
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            update(LetterBatch)
            .where(LetterBatch.id == batch.id, LetterBatch.status.in_(BATCH_CANCELLABLE_STATUSES))
            .values(status=BATCH_CANCELLING)
        ),
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(batch)
        if batch.status in BATCH_FINAL_STATUSES:
            raise BatchStateError("This batch has already finished.")
        raise BatchStateError("This batch is already being finished.")


def cancel_batch(batch: LetterBatch, *, actor: str) -> None:
    """Cancel a batch: letters not yet started are marked cancelled; letters being rendered finish.

    Only a queued or running batch can be cancelled. The workers must see it at once, so this is a unit of work
    of its own when called outside one; once it is committed, the outputs are written if nothing is still running.
    """
    if batch.status in BATCH_FINAL_STATUSES:
        raise BatchStateError("This batch has already finished.")
    with unit_of_work():
        _claim_cancel(batch)
        count = cast(
            CursorResult[Any],
            db.session.execute(
                update(Letter)
                .where(Letter.batch_id == batch.id, Letter.status == LETTER_QUEUED)
                .values(status=LETTER_CANCELLED)
            ),
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
        after_commit(finalize_batch, batch.id)
    db.session.refresh(batch)


def retry_failed_letters(batch: LetterBatch, *, actor: str, interrupted: bool = False) -> int:
    """Put the batch's failed letters back in the queue (then call `start_batch` in the same unit of work).

    A finished batch retries its failed letters. With `interrupted`, a batch whose job died midway (the
    database or a worker went away: it stays "running") also retries the letters that job had claimed; only use
    it when no job of the batch is still running. Letters already made are kept. Returns how many were reset.
    """
    if batch.status == BATCH_CANCELLED:
        raise BatchStateError("This batch was cancelled; generate a new one.")
    if not batch.is_finished and not interrupted:
        raise BatchStateError("This batch is still running; retry when it has finished.")
    statuses = [LETTER_FAILED] + ([LETTER_RENDERING] if interrupted else [])
    letters = [letter for letter in batch.letters if letter.status in statuses]
    waiting = [letter for letter in batch.letters if letter.status == LETTER_QUEUED]
    if not letters and not waiting:
        raise BatchStateError("No letter of this batch needs retrying.")
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


# --- the delivery log ------------------------------------------------------------------------------------------


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
