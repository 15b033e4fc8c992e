"""Each recipient's standing on a campaign's current bill, and the ask that fits it (one home for the rule).

`load_bill_facts(campaign)` reads what the rule needs from the stored bill data (sponsor, cosponsors with dates and
withdrawals, committees of referral and who sits on them with which title, the companion bill in the other chamber)
into plain data, so that the rule itself (`standing_of`, `ask_for`, `joint_ask`) runs on dicts in worker processes,
in the batch preview, and in tests over the whole roster.

Segments, in the order they are decided (the first that applies wins):
  withdrawn         withdrew as a cosponsor of the bill (or of the companion, in the other chamber)
  supporter         sponsor or cosponsor of the bill (or of the companion, in the other chamber): thank and move it
  committee_leader  chair or ranking member of a committee or subcommittee of referral: a hearing and a markup
  same_chamber      any other member of the bill's chamber: cosponsor the bill
  other_companion   the other chamber, which has a companion bill this Congress: cosponsor the companion by citation
  other_no_companion the other chamber without a companion: introduce or support one
Joint letters use one segment when all their addressees share it; a letter to a committee of referral (or its
leaders) uses `committee_letter`; any other mix uses `joint`, whose default asks nobody to cosponsor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.bills.queries import get_bill
from advocacy.extensions import db
from advocacy.letters.addressing import committee_short_name, long_date
from advocacy.members.queries import leadership_order
from advocacy.models import Bill, BillCommittee, Campaign, Committee, CommitteeMembership, Cosponsorship

SEGMENTS: dict[str, tuple[str, str]] = {
    "supporter": (
        "Sponsor and cosponsors",
        "Thank you for {support} {bill}. We ask you to help move it forward: urge the {committee} to mark it up, "
        "and invite your colleagues to join you as cosponsors.",
    ),
    "committee_leader": (
        "Chair or ranking member of a committee of referral",
        "As {role} of the {committee}, you can move {bill}: we ask you to hold a hearing on it and to schedule a "
        "markup.",
    ),
    "same_chamber": (
        "Other members of the bill's chamber",
        "We ask you to cosponsor {bill} and to urge the {committee} to take it up.",
    ),
    "other_companion": (
        "Other chamber, with a companion bill",
        "We ask you to cosponsor {companion}, the {chamber} companion of {bill}.",
    ),
    "other_no_companion": (
        "Other chamber, no companion bill yet",
        "{bill} is before the {bill_chamber}. We ask you to introduce a companion bill in the {chamber}, or to "
        "support one when it is introduced.",
    ),
    "withdrawn": (
        "Withdrawn cosponsors",
        "We ask you to rejoin the cosponsors of {bill}.",
    ),
    "committee_letter": (
        "Joint letter to a committee of referral or its leaders",
        "We ask the {committee} to hold a hearing on {bill} and to mark it up.",
    ),
    "joint": (
        "Other joint letters (mixed standing)",
        "We ask for your support of {bill} as it moves through Congress.",
    ),
}
PLACEHOLDERS = {
    "bill": "the current bill's citation (H.R. 5323)",
    "companion": "the companion bill in the other chamber (S. 1234), when there is one",
    "committee": "the committee of referral (Committee on Foreign Affairs); a leader's own committee",
    "role": "the leader's title (Chair, Ranking Member)",
    "support": "“introducing” (sponsor) or “cosponsoring”",
    "chamber": "the recipient's chamber (House, Senate)",
    "bill_chamber": "the bill's chamber (House, Senate)",
}
_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_]*)\}")
CHAMBER_WORDS = {"house": "House", "senate": "Senate"}
SUPPORTER_POSITIONS = ("sponsor", "original_cosponsor", "cosponsor")
# A position in a word or two (the batch preview's counts, the Targets page and its CSV).
POSITION_WORDS = {
    "sponsor": "sponsor", "original_cosponsor": "original cosponsor", "cosponsor": "cosponsor",
    "withdrawn": "withdrawn cosponsor", "none": "not cosponsoring",
}  # fmt: skip


class AskError(ValueError):
    """An ask text with a placeholder that does not exist (the message names it)."""


def check_ask(text: str) -> None:
    """Refuse an ask text with an unknown placeholder, or a lone brace."""
    for name in _PLACEHOLDER_RE.findall(text):
        if name not in PLACEHOLDERS:
            raise AskError(f"Unknown placeholder {{{name}}}: use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}.")
    if _PLACEHOLDER_RE.sub("", text).count("{") or _PLACEHOLDER_RE.sub("", text).count("}"):
        raise AskError("A brace that is not part of a placeholder such as {bill}.")


def fill(text: str, values: dict[str, str]) -> str:
    """Replace the placeholders (plain substitution: no format-string attribute access)."""
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), ""), text).strip()


def campaign_asks(stored: dict | None) -> dict[str, str]:
    """The campaign's ask per segment: its own wording where it has one, else the default."""
    stored = stored or {}
    return {key: (stored.get(key) or "").strip() or default for key, (_, default) in SEGMENTS.items()}


def bill_chamber(bill_type: str) -> str:
    return "senate" if bill_type.startswith("s") else "house"


# --- facts from the database -------------------------------------------------------------------------------------


@dataclass
class BillFacts:
    """Plain data about the current bill that the rule needs (JSON-able: it goes into the batch spec)."""

    citation: str
    chamber: str
    sponsor_id: str | None
    # bioguide id -> {"original": bool, "date": iso|None, "withdrawn": iso|None}
    cosponsors: dict[str, dict]
    # bioguide id -> [{"thomas_id", "committee", "role", "leader"}] on committees/subcommittees of referral
    seats: dict[str, list[dict]]
    committee: str  # the main committee of referral, short name ("Committee on Foreign Affairs")
    companion: dict | None = None  # {"citation", "sponsor_id", "cosponsors"} in the other chamber
    referral_committees: list[str] = field(default_factory=list)  # thomas ids

    def as_dict(self) -> dict:
        return {
            "citation": self.citation, "chamber": self.chamber, "sponsor_id": self.sponsor_id,
            "cosponsors": self.cosponsors, "seats": self.seats, "committee": self.committee,
            "companion": self.companion, "referral_committees": self.referral_committees,
        }  # fmt: skip


def _cosponsors(bill: Bill) -> dict[str, dict]:
    return {
        c.member_id: {
            "original": bool(c.is_original),
            "date": c.sponsorship_date.isoformat() if c.sponsorship_date else None,
            "withdrawn": c.withdrawn_date.isoformat() if c.withdrawn_date else None,
        }
        for c in db.session.scalars(select(Cosponsorship).where(Cosponsorship.bill_id == bill.id))
    }


def _companion(campaign: Campaign, bill: Bill) -> dict | None:
    """The other chamber's bill of the same Congress: a campaign version, or a related "Identical bill"."""
    other = "house" if bill_chamber(bill.bill_type) == "senate" else "senate"
    for version in campaign.bills:
        if version.congress == bill.congress and bill_chamber(version.bill_type) == other:
            return {"citation": version.display, "sponsor_id": version.sponsor_id, "cosponsors": _cosponsors(version)}
    for related in bill.related_bills:
        if (
            related.relationship_type == "Identical bill"
            and related.related_congress == bill.congress
            and bill_chamber(related.related_type) == other
        ):
            stored = get_bill(related.related_congress, related.related_type, related.related_number)
            return {
                "citation": related.display,
                "sponsor_id": stored.sponsor_id if stored else None,
                "cosponsors": _cosponsors(stored) if stored else {},
            }
    return None


def committee_title_name(committee: Committee) -> str:
    """ "Committee on Foreign Affairs"; a subcommittee with its parent: "Subcommittee on Africa, Committee on …"."""
    if committee.parent is None:
        return committee_short_name(committee.name)
    name = committee.name if committee.name.lower().startswith("subcommittee") else f"Subcommittee on {committee.name}"
    return f"{name}, {committee_short_name(committee.parent.name)}"


def referral_committees(bill: Bill) -> list[Committee]:
    """The committees (not subcommittees) the bill was referred to, by thomas id (the Targets page's too)."""
    codes = select(BillCommittee.committee_code).where(
        BillCommittee.bill_id == bill.id,
        BillCommittee.parent_code.is_(None),  # committees, not subcommittees
    )
    return list(
        db.session.scalars(
            select(Committee)
            .where(Committee.system_code.in_(codes))
            .options(selectinload(Committee.parent))
            .order_by(Committee.thomas_id)
        )
    )


def load_bill_facts(campaign: Campaign) -> BillFacts | None:
    """What the standing rule needs about the campaign's current bill (None when it has no bill)."""
    bill = campaign.current_bill
    if bill is None:
        return None
    committees = referral_committees(bill)
    seats: dict[str, list[dict]] = {}
    memberships = db.session.scalars(
        select(CommitteeMembership)
        .where(CommitteeMembership.committee_id.in_([c.thomas_id for c in committees]))
        .options(selectinload(CommitteeMembership.committee).selectinload(Committee.parent))
        .order_by(CommitteeMembership.committee_id)
    )
    for seat in memberships:
        order = leadership_order(seat.title)
        seats.setdefault(seat.member_id, []).append(
            {
                "thomas_id": seat.committee_id,
                "committee": committee_title_name(seat.committee),
                "role": seat.title if order < 2 else (seat.title or "Member"),
                "leader": order < 2,
            }
        )
    main = next((c for c in committees if c.parent is None), committees[0] if committees else None)
    return BillFacts(
        citation=bill.display,
        chamber=bill_chamber(bill.bill_type),
        sponsor_id=bill.sponsor_id,
        cosponsors=_cosponsors(bill),
        seats=seats,
        committee=committee_title_name(main) if main else "committee of jurisdiction",
        companion=_companion(campaign, bill),
        referral_committees=[c.thomas_id for c in committees],
    )


# --- the rule (plain data) ---------------------------------------------------------------------------------------


def _date_text(iso: str | None) -> str:
    return long_date(date.fromisoformat(iso)) if iso else ""


def _position(bioguide_id: str, sponsor_id: str | None, cosponsors: dict[str, dict]) -> tuple[str, dict]:
    if bioguide_id == sponsor_id:
        return "sponsor", {}
    row = cosponsors.get(bioguide_id)
    if row is None:
        return "none", {}
    if row.get("withdrawn"):
        return "withdrawn", row
    return ("original_cosponsor" if row.get("original") else "cosponsor"), row


def _position_text(position: str, citation: str, row: dict) -> str:
    when = _date_text(row.get("date"))
    if position == "sponsor":
        return f"Sponsor of {citation}"
    if position == "original_cosponsor":
        return f"Original cosponsor of {citation}" + (f" ({when})" if when else "")
    if position == "cosponsor":
        return f"Cosponsor of {citation}" + (f" since {when}" if when else "")
    if position == "withdrawn":
        return f"Withdrew as cosponsor of {citation} on {_date_text(row.get('withdrawn'))}"
    return f"Not a cosponsor of {citation}"


def _position_on(member: dict, facts: dict, same: bool) -> tuple[str, str, dict]:
    """(the bill the position is about, the position, its cosponsorship row): the bill in its own chamber, the
    companion in the other chamber, nothing without a companion."""
    companion = facts.get("companion")
    if same:
        return facts["citation"], *_position(member["bioguide_id"], facts["sponsor_id"], facts["cosponsors"])
    if companion:
        return companion["citation"], *_position(
            member["bioguide_id"], companion.get("sponsor_id"), companion.get("cosponsors", {})
        )
    return facts["citation"], "none", {}


def _segment(position: str, leading: bool, same: bool, companion: bool) -> str:
    """The first segment that applies, in the order of the module docstring."""
    if position == "withdrawn":
        return "withdrawn"
    if position in SUPPORTER_POSITIONS:
        return "supporter"
    if leading:
        return "committee_leader"
    if same:
        return "same_chamber"
    return "other_companion" if companion else "other_no_companion"


def _chamber_text(chamber: str, same: bool, facts: dict) -> str:
    companion = facts.get("companion")
    if same:
        return f"{CHAMBER_WORDS[facts['chamber']]}, the bill's chamber"
    if companion:
        return f"{CHAMBER_WORDS.get(chamber, chamber)}, the other chamber (companion: {companion['citation']})"
    return f"{CHAMBER_WORDS.get(chamber, chamber)}, the other chamber (no companion bill)"


def standing_of(member: dict, facts: dict) -> dict:
    """One member's standing on the bill (see the module docstring), as the `standing` merge field."""
    chamber = member.get("chamber") or "house"
    same = chamber == facts["chamber"]
    companion = facts.get("companion")
    about, position, row = _position_on(member, facts, same)
    seats = facts["seats"].get(member["bioguide_id"], []) if same else []
    leading = [s for s in seats if s["leader"]]
    segment = _segment(position, bool(leading), same, bool(companion))
    chamber_text = _chamber_text(chamber, same, facts)
    committees = [{**s, "text": f"{s['role']}, {s['committee']}"} for s in seats]
    return {
        "bioguide_id": member["bioguide_id"],
        "chamber": chamber,
        "position": position,
        "position_text": _position_text(position, about, row),
        "about": about,
        "sponsorship_date": row.get("date"),
        "withdrawn_date": row.get("withdrawn"),
        "is_sponsor": position == "sponsor",
        "is_cosponsor": position in ("original_cosponsor", "cosponsor"),
        "is_supporter": position in SUPPORTER_POSITIONS,
        "is_withdrawn": position == "withdrawn",
        "committees": committees,
        "committee_text": "; ".join(c["text"] for c in committees),
        "is_committee_leader": bool(leading),
        "leader_role": leading[0]["role"] if leading else "",
        "leader_committee": leading[0]["committee"] if leading else "",
        "same_chamber": same,
        "chamber_text": chamber_text,
        "companion": companion["citation"] if companion else "",
        "segment": segment,
        "summary": "; ".join(
            p for p in (_position_text(position, about, row), "; ".join(c["text"] for c in committees), chamber_text)
            if p
        ),
    }  # fmt: skip


def _values(standing: dict, facts: dict) -> dict[str, str]:
    companion = facts.get("companion")
    return {
        "bill": standing["about"] if standing["segment"] in ("supporter", "withdrawn") else facts["citation"],
        "companion": companion["citation"] if companion else "",
        "committee": standing["leader_committee"] or facts["committee"],
        "role": standing["leader_role"],
        "support": "introducing" if standing["is_sponsor"] else "cosponsoring",
        "chamber": CHAMBER_WORDS.get(standing["chamber"], "House"),
        "bill_chamber": CHAMBER_WORDS[facts["chamber"]],
    }


def ask_for(standing: dict, facts: dict, asks: dict[str, str]) -> str:
    """The campaign's ask for one recipient, with its placeholders filled."""
    return fill(asks[standing["segment"]], _values(standing, facts))


def joint_ask(standings: list[dict], facts: dict, asks: dict[str, str], *, committee_letter: bool) -> tuple[str, str]:
    """(segment, ask) of a joint letter: a shared segment, the committee ask, or the mixed `joint` ask."""
    segments = {s["segment"] for s in standings}
    if committee_letter and all(s["same_chamber"] for s in standings) and "withdrawn" not in segments:
        values = _values(standings[0], facts)
        values["committee"] = facts["committee"]
        return "committee_letter", fill(asks["committee_letter"], values)
    if len(segments) == 1 and len({s["leader_committee"] for s in standings}) == 1:
        first = standings[0]
        values = _values(first, facts)
        if first["segment"] == "supporter" and len({s["is_sponsor"] for s in standings}) > 1:
            values["support"] = "supporting"
        if first["segment"] == "committee_leader":
            values["role"] = " and ".join(dict.fromkeys(s["leader_role"] for s in standings))
        return first["segment"], fill(asks[first["segment"]], values)
    return "joint", fill(asks["joint"], _values(standings[0], facts))


def joint_standing(standings: list[dict]) -> dict:
    """The `standing` merge field of a joint letter: what all addressees share, and each one's standing."""
    return {
        "position": "mixed" if len({s["position"] for s in standings}) > 1 else standings[0]["position"],
        "position_text": "; ".join(s["position_text"] for s in standings),
        "is_sponsor": any(s["is_sponsor"] for s in standings),
        "is_cosponsor": all(s["is_cosponsor"] for s in standings),
        "is_supporter": all(s["is_supporter"] for s in standings),
        "is_withdrawn": all(s["is_withdrawn"] for s in standings),
        "is_committee_leader": any(s["is_committee_leader"] for s in standings),
        "same_chamber": all(s["same_chamber"] for s in standings),
        "committees": [c for s in standings for c in s["committees"]],
        "committee_text": "; ".join(s["committee_text"] for s in standings if s["committee_text"]),
        "companion": standings[0]["companion"],
        "chamber_text": "; ".join(dict.fromkeys(s["chamber_text"] for s in standings)),
        "each": standings,
    }
