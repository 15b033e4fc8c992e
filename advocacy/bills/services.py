"""Bill services (writes, and the parsing they need) shared by the sync, the demo loader and the pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from advocacy.bills.actions import action_key, normalise_text
from advocacy.bills.errors import InvalidCitation
from advocacy.bills.queries import get_bill as get_bill  # a read, kept importable from its old home
from advocacy.bills.stage import StageResult, derive_stage
from advocacy.congress.citations import Citation, CitationError, parse_citation
from advocacy.models import Bill, Campaign, RelatedBill


def action_dedupe_key(action_date: date, text: str, occurrence: int = 0) -> str:
    """Identity of an action: see `advocacy.bills.actions` (the one home of the rule)."""
    return action_key(action_date, text, occurrence)


def refresh_stage(bill: Bill, today: date | None = None) -> StageResult:
    """Recompute and store the bill's stage from its actions; returns the result."""
    result = derive_stage(bill.actions, bill.congress, today, bill.bill_type)
    bill.stage = result.stage
    bill.stage_furthest = result.furthest
    return result


def parse_bill_citation(text: str, congress: int | None = None) -> Citation:
    """The citation in `text` (see `parse_citation`); raises InvalidCitation saying what could not be read."""
    try:
        return parse_citation(text, congress=congress)
    except CitationError as exc:
        raise InvalidCitation(str(exc)) from exc


def _norm_title(title: str | None) -> str:
    return normalise_text(title or "")


def campaign_suggestions(bill: Bill, campaigns: Sequence[Campaign]) -> list[tuple[RelatedBill, Campaign]]:
    """Related bills that look like reintroductions of a campaign's bill: (related bill, campaign) pairs.

    A related bill is suggested for a campaign when its title matches the title of one of the campaign's
    bills and it is not linked to that campaign yet.
    """
    suggestions = []
    for campaign in campaigns:
        titles = {_norm_title(b.title) for b in campaign.bills} | {_norm_title(b.short_title) for b in campaign.bills}
        titles.discard("")
        linked = {(b.congress, b.bill_type, b.number) for b in campaign.bills}
        seen = set()
        for related in bill.related_bills:
            key = (related.related_congress, related.related_type, related.related_number)
            if key in linked or key in seen or _norm_title(related.title) not in titles:
                continue
            seen.add(key)
            suggestions.append((related, campaign))
    return suggestions
