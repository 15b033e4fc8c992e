"""`flask --app wsgi letters generate ...`: make a batch of letters and copy its PDFs, merged PDF and ZIP."""

from __future__ import annotations

import shutil
import time
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import click
from flask.cli import AppGroup
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.jobs import local_pool
from advocacy.letters import sending
from advocacy.letters.errors import LetterError
from advocacy.letters.recipients import SELECTOR_HELP
from advocacy.letters.services import create_batch, retry_failed_letters, start_batch
from advocacy.letters.tasks import batch_dir, merged_name, zip_name
from advocacy.models import Campaign, LetterBatch, LetterTemplate
from advocacy.uow import checkpoint

T = TypeVar("T", Campaign, LetterTemplate)

cli = AppGroup("letters", help="Letters to Congress.")


def _one(model: type[T], slug: str, what: str) -> T:
    found = db.session.scalar(select(model).where(model.slug == slug))
    if found is None:
        raise click.ClickException(f"No {what} “{slug}”.")
    return found


def _run(batch: LetterBatch) -> LetterBatch:
    """Start the batch in the in-process pool and wait until it has finished.

    `checkpoint()` commits the batch so that its jobs, submitted right after the commit, can read it; the loop
    then reads the progress the jobs commit."""
    batch_id = batch.id
    start_batch(batch, local_pool())
    checkpoint()
    while True:
        db.session.expire_all()
        current = db.session.get(LetterBatch, batch_id)
        if current is None:
            raise click.ClickException(f"Letter batch {batch_id} disappeared.")
        if current.is_finished:
            return current
        time.sleep(0.2)


def _copy_outputs(batch: LetterBatch, out_dir: Path) -> None:
    """Copy the batch's letters, merged PDF and ZIP to OUT, with a line for each warning and failure."""
    folder = batch_dir(batch.id)
    out_dir.mkdir(parents=True, exist_ok=True)
    for letter in batch.letters:
        if letter.status == "done" and letter.filename:
            shutil.copyfile(folder / "letters" / letter.filename, out_dir / letter.filename)
        if letter.warnings:
            click.echo(f"  warning: {letter.recipient_name}: {letter.warnings}")
        if letter.error:
            click.echo(f"  FAILED: {letter.recipient_name}: {letter.error}")
    for name in (merged_name(batch.id), zip_name(batch.id)):
        if (folder / name).exists():
            shutil.copyfile(folder / name, out_dir / name)


@cli.command("generate")
@click.option("--template", "template_slug", required=True, help="Template slug.")
@click.option("--campaign", "campaign_slug", required=True, help="Campaign slug.")
@click.option("--to", "selector", required=True, help="Recipients: committee:HSFA, leaders:HSFA, state:CA, ...")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--joint", is_flag=True, help="One joint letter to all recipients.")
@click.option("--date", "letter_date", type=click.DateTime(["%Y-%m-%d"]), help="Letter date (default: today).")
@click.option("--include-samples", is_flag=True, help="Include sample (demo) endorsements; every page is marked.")
def generate_command(
    template_slug: str,
    campaign_slug: str,
    selector: str,
    out_dir: Path,
    joint: bool,
    letter_date: datetime | None,
    include_samples: bool,
) -> None:
    """Generate letters with the in-process worker pool and copy them to OUT."""
    template = _one(LetterTemplate, template_slug, "letter template")
    campaign = _one(Campaign, campaign_slug, "campaign")
    try:
        batch = create_batch(
            template,
            campaign,
            selector,
            joint=joint,
            include_samples=include_samples,
            actor="cli",
            letter_date=letter_date.date() if letter_date else date.today(),
        )
    except LetterError as exc:
        raise click.ClickException(f"{exc}\nRecipients: {SELECTOR_HELP}") from exc
    click.echo(f"Batch {batch.id}: {batch.total} letter(s) to {selector}.")
    for note in batch.notes or []:
        click.echo(f"  note: {note}")
    for letter in batch.letters:
        click.echo(f"  {letter.position}. {letter.recipient_name}: {letter.standing} | ask: {letter.ask}")
    batch = _run(batch)
    _copy_outputs(batch, out_dir)
    click.echo(f"Batch {batch.id} {batch.status}: {batch.done} made, {batch.failed} failed; files in {out_dir}.")
    if batch.done == 0:
        raise click.ClickException("No letter could be made.")


@cli.command("retry")
@click.argument("batch_id", type=int)
@click.option("--interrupted", is_flag=True, help="Also retry letters a dead job had started (batch stuck running).")
def retry_command(batch_id: int, interrupted: bool) -> None:
    """Make a batch's failed letters again (in the in-process pool) and rewrite its merged PDF and ZIP."""
    batch = db.session.get(LetterBatch, batch_id)
    if batch is None:
        raise click.ClickException(f"No letter batch {batch_id}.")
    try:
        count = retry_failed_letters(batch, actor="cli", interrupted=interrupted)
    except LetterError as exc:
        raise click.ClickException(str(exc)) from exc
    batch = _run(batch)
    click.echo(f"Batch {batch_id} {batch.status}: retried {count}; {batch.done} made, {batch.failed} failed.")
    if batch.failed:
        raise click.ClickException(f"{batch.failed} letter(s) still failed.")


@cli.command("send")
@click.argument("batch_id", type=int)
@click.option("--role", required=True, help="Role of the office contact to send to, e.g. 'Foreign Affairs LA'.")
@click.option("--fallback-role", help="Role to use where an office has no contact with --role.")
@click.option("--dry-run", is_flag=True, help="Show who would get each letter; send nothing.")
@click.option("--subject", help="Subject template (merge fields as in letters; default: the standard subject).")
@click.option("--body-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Body template file.")
def send_command(
    batch_id: int, role: str, fallback_role: str | None, dry_run: bool, subject: str | None, body_file: Path | None
) -> None:
    """E-mail each letter of a finished batch, PDF attached, to its office's contact; one line per letter.

    Each letter is sent at most once: a second run reports it "already sent" and sends nothing new.
    """
    batch = db.session.get(LetterBatch, batch_id)
    if batch is None:
        raise click.ClickException(f"No letter batch {batch_id}.")
    subject = subject or sending.DEFAULT_SUBJECT
    body = body_file.read_text(encoding="utf-8") if body_file else sending.DEFAULT_BODY
    try:
        plan = sending.plan_send(batch, role, fallback_role)
        if dry_run:
            sending.render_messages(batch, plan.ready, subject, body)  # template problems show now, not later
            for item in plan.items:
                click.echo(f"{item.letter.position:>4}  {item.letter.recipient_name}: {sending.planned_text(item)}")
            click.echo(
                f"Dry run: {len(plan.ready)} would be sent, {plan.count(sending.ALREADY)} already sent, "
                f"{plan.count(sending.NO_CONTACT)} without a contact, {plan.count(sending.NOT_MADE)} not made."
            )
            return
        lines = sending.queue_emails(plan, subject, body, actor="cli")
    except sending.SendError as exc:
        raise click.ClickException(str(exc)) from None
    sending.send_now([line.email for line in lines if line.outcome == sending.QUEUED_NOW and line.email is not None])
    db.session.expire_all()
    totals: dict[str, int] = {}
    for line in lines:
        key, text = sending.line_outcome(line)
        totals[key] = totals.get(key, 0) + 1
        click.echo(f"{line.letter.position:>4}  {line.letter.recipient_name}: {text}")
    click.echo("Totals: " + ", ".join(f"{count} {name}" for name, count in sorted(totals.items())) + ".")
    if totals.get("failed"):
        raise click.ClickException(f"{totals['failed']} e-mail(s) failed; retry them from the batch page.")
