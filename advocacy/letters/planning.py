"""What a batch of letters will make, worked out before anything is written: the data every letter shares, each
recipient's standing and ask, the local cities, the warnings (the batch preview table), and the file names.

Reads only: `create_batch` (advocacy.letters.services) stores the plan; the preview page only shows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from advocacy.bills.texts import letter_changes
from advocacy.letters.addressing import long_date, seat
from advocacy.letters.context import build_context, signs_as, text_changes
from advocacy.letters.queries import verified_endorsements
from advocacy.letters.recipients import Recipients, resolve_recipients
from advocacy.letters.standing import POSITION_WORDS, load_bill_facts
from advocacy.models import Campaign, Endorsement
from advocacy.representation import approximate_warnings

EMPTY_BILL = {"citation": "", "title": "", "official_title": "", "short_title": "", "phrase": "",
              "congress": None, "label": ""}  # fmt: skip


def bill_phrase(bill: Any) -> str:
    """The bill as a sentence names it: "the City and State Diplomacy Act", else from its official title:
    "a bill to enhance subnational diplomacy efforts within the Department of State"."""
    if bill.short_title:
        return f"the {bill.short_title.strip().rstrip('.')}"
    title = re.sub(r",? and for other purposes\.?$", "", (bill.title or "").strip()).rstrip(".")
    if title[:3].lower() == "to ":
        return f"a bill to {title[3:]}"
    return title


def _bill_data(bill: Any) -> dict:
    return {
        "citation": bill.display,
        "title": bill.display_title.rstrip("."),
        "official_title": bill.title,
        "short_title": bill.short_title,
        "phrase": bill_phrase(bill),
        "congress": bill.congress,
        "label": bill.label,
    }


def _endorser_data(e: Endorsement) -> dict:
    """One endorsing city as the letters see it: its districts, population, and who signs for it."""
    return {
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
        "signs_as": signs_as(e.signer_name, e.signer_title, e.city.name),
        "sample": e.is_sample,
    }


def shared_data(campaign: Campaign, template: dict, letter_date: date, *, include_samples: bool = False) -> dict:
    """What every letter of a batch shares: the campaign, the verified endorsing cities, the bill facts behind each
    recipient's standing, the campaign's asks, sender and date. Sample endorsements only with `include_samples`."""
    endorsements = verified_endorsements(campaign, include_samples=include_samples)
    current = campaign.current_bill
    facts = load_bill_facts(campaign)
    return {
        "campaign": {
            "name": campaign.name,
            "slug": campaign.slug,
            "ask": campaign.ask or "",
            "bill": _bill_data(current) if current else dict(EMPTY_BILL),
            "bills": [_bill_data(b) for b in campaign.bills],
            "changes": text_changes(letter_changes(campaign)),
        },
        "endorsers": [_endorser_data(e) for e in endorsements],
        "facts": facts.as_dict() if facts else None,
        "asks": dict(campaign.letter_asks or {}),
        "include_samples": include_samples,
        "sender": {
            "organisation": template.get("letterhead_name") or "",
            "address": template.get("letterhead_address") or "",
            "signature": template.get("signature_block") or "",
        },
        "date_text": long_date(letter_date),
    }


def _joint_summary(members: list[dict], standings: list[dict]) -> str:
    """A joint letter's standing in the preview: each addressee for a few, counts by position for a committee."""
    if len(members) <= 4:
        return "; ".join(
            f"{m['last_name']}: {s['position_text']}" + (f", {s['committee_text']}" if s["committee_text"] else "")
            for m, s in zip(members, standings, strict=True)
        )
    parts = []
    for position, word in POSITION_WORDS.items():
        names = [m["last_name"] for m, s in zip(members, standings, strict=True) if s["position"] == position]
        if names:
            parts.append(f"{word}: {len(names)}" + (f" ({', '.join(names)})" if len(names) <= 3 else ""))
    leaders = [f"{s['leader_role']} {m['last_name']}" for m, s in zip(members, standings, strict=True)
               if s["is_committee_leader"]]  # fmt: skip
    return f"{len(members)} members; " + "; ".join(parts) + (f"; {', '.join(leaders)}" if leaders else "")


@dataclass
class PlannedLetter:
    """One row of the batch preview: who the letter goes to, their standing, the ask used, local cities."""

    members: list[dict]
    recipient: str
    standing: str
    segment: str
    ask: str
    local_cities: str
    warnings: list[str]


@dataclass
class BatchPlan:
    """What a batch will make, shown before generating (and kept with each letter for the report)."""

    recipients: Recipients
    shared: dict
    letters: list[PlannedLetter]

    @property
    def notes(self) -> list[str]:
        return self.recipients.notes


def _local_cities_text(local: dict) -> str:
    return (
        f"{local['count_text']}" + (f": {local['named_text']}" if local["count"] else "")
        + ("" if local["all_named"] else ", …")
    )  # fmt: skip


def _warnings(context: dict, shared: dict) -> list[str]:
    warnings = [f"missing {m}" for m in context["recipient"]["missing"]]
    if not context["endorsements"]["local"]["count"]:
        warnings.append("no endorsing city among those they represent")
    warnings.extend(approximate_warnings(context["endorsements"]["local_approximate"]["cities"]))
    if not shared["facts"]:
        warnings.append("the campaign has no bill: no standing, no ask")
    return warnings


def _planned_letter(shared: dict, members: list[dict], recipients: Recipients) -> PlannedLetter:
    """One preview row: the letter's context worked out as the worker will, reduced to what the table shows."""
    context = build_context(
        shared, members, committee=recipients.committee, committee_letter=recipients.committee_letter
    )
    standing = context["standing"]
    one = len(members) == 1
    return PlannedLetter(
        members=members,
        recipient=context["recipient"]["full_name"] + (f" ({context['recipient']['seat']})" if one else ""),
        standing=(standing.get("summary") or "") if one else _joint_summary(members, standing["each"]),
        segment=standing.get("segment", ""),
        ask=context["ask"],
        local_cities=_local_cities_text(context["endorsements"]["local"]),
        warnings=_warnings(context, shared),
    )


def plan_batch(
    campaign: Campaign,
    selector: str,
    *,
    joint: bool = False,
    include_samples: bool = False,
    template: dict | None = None,
    letter_date: date | None = None,
) -> BatchPlan:
    """Resolve the recipients and work out each letter's standing, ask and local cities (the preview table)."""
    recipients = resolve_recipients(selector, campaign, joint=joint, include_samples=include_samples)
    shared = shared_data(campaign, template or {}, letter_date or date.today(), include_samples=include_samples)
    rows = [_planned_letter(shared, members, recipients) for members in recipients.letters]
    if include_samples and any(c["sample"] for c in shared["endorsers"]):
        recipients.notes.append("Includes sample endorsements: every page is marked “SAMPLE — NOT FOR SENDING”.")
    if not shared["endorsers"]:
        recipients.notes.append(
            "No verified endorsement yet: these letters have no signatories (a signature block that says "
            "“listed below” lists nobody). Verify endorsements first"
            + (", or include the sample ones to try the letters out." if not include_samples else ".")
        )
    return BatchPlan(recipients=recipients, shared=shared, letters=rows)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-")


def letter_filename(position: int, members: list[dict], committee: dict | None = None) -> str:
    """ "001-Rep-Ted-Lieu-CA-36.pdf"; joint letters: "001-Joint-Mast-Meeks.pdf"; a committee: "001-Committee-HSFA.pdf"."""

    if committee:
        name = f"Committee-{committee['thomas_id']}"
    elif len(members) == 1:
        m = members[0]
        prefix = "Sen" if m["chamber"] == "senate" else "Rep"
        name = f"{prefix}-{m['full_name']}-{seat(m)}"
    else:
        name = "Joint-" + "-".join(m["last_name"] for m in members[:6])
    return f"{position:03d}-{_ascii(name)[:80]}.pdf"
