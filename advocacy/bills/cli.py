"""`flask --app wsgi bills ...`: track, sync and show bills."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from advocacy.bills.documents import bill_document
from advocacy.bills.errors import InvalidCitation, SyncError
from advocacy.bills.queries import load_bill, tracked_citations
from advocacy.bills.results import SyncStatus
from advocacy.bills.services import parse_bill_citation
from advocacy.bills.sync import sync_enabled, sync_many, track
from advocacy.congress.citations import Citation

cli = AppGroup("bills", help="Track and sync bills from Congress.gov.")


def _parse(text: str, congress: int | None) -> Citation:
    try:
        return parse_bill_citation(text, congress=congress)
    except InvalidCitation as exc:
        raise click.BadParameter(exc.message, param_hint="CITATION") from exc


@cli.command("track")
@click.argument("citation")
@click.option("--congress", type=int, help="Congress number when the citation has none (default: current).")
@click.option("--campaign", "campaign_slug", help="Also add the bill to this campaign (slug).")
def track_command(citation: str, congress: int | None, campaign_slug: str | None) -> None:
    """Track CITATION (e.g. "H.R. 5323", "116 S. 4426", a congress.gov URL): fetch and store it."""
    parsed = _parse(citation, congress)
    try:
        result = track(parsed, campaign_slug=campaign_slug, actor="cli")
    except SyncError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(result.line())
    if result.status == SyncStatus.FAILED:
        raise SystemExit(1)


@cli.command("sync")
@click.argument("citations", nargs=-1)
@click.option("--force", is_flag=True, help="Fetch everything even when Congress.gov reports no update.")
@click.option("--concurrency", type=click.IntRange(1, 8), default=4, show_default=True)
def sync_command(citations: tuple[str, ...], force: bool, concurrency: int) -> None:
    """Sync all tracked bills (or the CITATIONS given); prints a line per bill and totals."""
    if not sync_enabled():
        raise click.ClickException(
            "Syncing is off: get a free key at https://api.congress.gov/sign-up/ and set CONGRESS_API_KEY."
        )
    targets = [_parse(c, None) for c in citations] if citations else tracked_citations()
    if not targets:
        click.echo("No tracked bills.")
        return
    results = sync_many(
        targets, actor="cli", force=force, concurrency=concurrency, progress=lambda r: click.echo(r.line())
    )
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    requests = sum(r.requests for r in results)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    click.echo(f"Total: {len(results)} bills ({summary}); {requests} requests to Congress.gov.")
    if counts.get(SyncStatus.FAILED):
        raise SystemExit(1)


@cli.command("show")
@click.argument("citation")
@click.option("--json", "as_json", is_flag=True, help="Print the stored bill as JSON.")
@click.option("--congress", type=int)
def show_command(citation: str, as_json: bool, congress: int | None) -> None:
    """Show a stored bill (stage, actions, cosponsors, committees, related bills)."""
    parsed = _parse(citation, congress)
    bill = load_bill(parsed.congress, parsed.bill_type, parsed.number)
    if bill is None:
        raise click.ClickException(f'{parsed.label} is not stored. Track it first: flask bills track "{parsed.label}"')
    document = bill_document(bill)
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    click.echo(f"{document['label']}: {document['short_title'] or document['title']}")
    click.echo(f"Stage: {document['stage']['label']}")
    click.echo(f"Latest action: {document['latest_action']['date']}: {document['latest_action']['text']}")
    subcommittees = sum(1 for c in document["committees"] if c["parent"])
    click.echo(
        f"{len(document['actions'])} actions, {len(document['cosponsors'])} cosponsors, "
        f"{len(document['committees']) - subcommittees} committees "
        f"({subcommittees} subcommittee{'' if subcommittees == 1 else 's'}), "
        f"{len(document['related_bills'])} related bills"
    )
    for text in document["text_versions"]:
        click.echo(f"Text: {text['type']} ({text['date']}), {len(text['sections'])} sections: {text['source_url']}")
    if document["sync_deferred_until"]:
        click.echo(f"Deferred until {document['sync_deferred_until']} (Congress.gov asked to wait)")
    if document["sync_error"]:
        click.echo(f"Last sync failed ({document['sync_error_kind']}): {document['sync_error']}")
