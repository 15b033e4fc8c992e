"""Background jobs for bills (run by `advocacy.jobs`: RQ workers, or the in-process pool)."""

from __future__ import annotations

from advocacy.bills.queries import tracked_citations
from advocacy.bills.sync import sync_many
from advocacy.congress.citations import Citation
from advocacy.jobs import job


@job
def sync_bills(citations: list[tuple[int, str, int]] | None, actor: str, force: bool = False) -> list[str]:
    """Sync the given bills (all tracked bills when None); returns the summary line of each bill."""
    targets = [Citation(*c) for c in citations] if citations else tracked_citations()
    return [result.line() for result in sync_many(targets, actor=actor, force=force)]
