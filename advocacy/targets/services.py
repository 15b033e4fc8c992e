"""Ranking the members of the committees of referral of a campaign's current bill, and their CSV export.

The members come from the same committee roster read as committee letters (`advocacy.letters.recipients`), and
each member's position is their standing on the bill from the one rule of `advocacy.letters.standing`, so that
the Targets page and the letters say the same thing about everyone.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from advocacy.csv_safety import safe_row
from advocacy.letters.queries import verified_cities
from advocacy.letters.recipients import current_seats
from advocacy.letters.standing import POSITION_WORDS, load_bill_facts, referral_committees, standing_of
from advocacy.members.queries import leadership_order, membership_order
from advocacy.models import Bill, Campaign, City, Committee, CommitteeMembership
from advocacy.models.members import Member
from advocacy.representation import Coverage, cities_represented

NOT_COSPONSORING = POSITION_WORDS["none"]


@dataclass
class Target:
    """A member to work on: their seats on the referral committees, position on the bill, endorsing cities."""

    member: Member
    seats: list[CommitteeMembership]
    position: str = NOT_COSPONSORING  # the standing's position in words ("sponsor", "withdrawn cosponsor", ...)
    standing: dict = field(default_factory=dict)  # the member's standing on the bill (advocacy.letters.standing)
    cities: list[City] = field(default_factory=list)
    # How the member represents each of `cities`, by city id (partial: "in or partly in the district").
    coverage: dict[int, Coverage] = field(default_factory=dict)

    @property
    def supporter(self) -> bool:
        """Sponsor or (original) cosponsor: ranked after the members still to win over."""
        return bool(self.standing.get("is_supporter"))

    @property
    def position_text(self) -> str:
        """ "Sponsor of H.R. 5323", "Cosponsor of H.R. 5323 since March 4, 2025", "Not a cosponsor of …"."""
        return str(self.standing.get("position_text") or self.position)

    @property
    def leadership(self) -> int:
        """0 chair, 1 ranking member, 2 other title, 3 none (best over the member's referral committees)."""
        return min(leadership_order(seat.title) for seat in self.seats)

    @property
    def population(self) -> int:
        return sum(city.population or 0 for city in self.cities)

    @property
    def roles(self) -> str:
        """ "HSFA: Chair; HSFA16 (minority, rank 3)"."""
        parts = []
        for seat in sorted(self.seats, key=membership_order):
            detail = seat.title or f"{seat.party_side}, rank {seat.rank}"
            parts.append(f"{seat.committee.thomas_id}: {detail}")
        return "; ".join(parts)

    def sort_key(self) -> tuple:
        best = min(self.seats, key=membership_order)
        return (
            self.supporter,
            min(self.leadership, 2),
            -self.population,
            -len(self.cities),
            membership_order(best),
            self.member.last_name,
        )


@dataclass
class TargetList:
    bill: Bill | None
    committees: list[Committee]
    targets: list[Target]


def _place(target: Target, facts: dict, endorsed: list[City]) -> None:
    """Fill in the target's standing on the bill (`facts`: BillFacts.as_dict) and the endorsing cities it represents."""
    member = target.member
    target.standing = standing_of({"bioguide_id": member.bioguide_id, "chamber": member.chamber}, facts)
    target.position = POSITION_WORDS.get(target.standing["position"], NOT_COSPONSORING)
    represented = cities_represented(member, endorsed)
    target.cities = sorted((city for city, _ in represented), key=lambda c: (-(c.population or 0), c.name))
    target.coverage = {city.id: how for city, how in represented}


def campaign_targets(campaign: Campaign) -> TargetList:
    """Members of the committees of referral of the campaign's current bill, most leverage first.

    Leverage: members not yet sponsoring or cosponsoring first (standing on the bill); among them committee
    leaders (chair, ranking member) first, then those with the most endorsing population (verified endorsements
    of this campaign, samples included) in their district (House) or state (Senate). A fixed number of queries
    whatever the size of the committees.
    """
    bill = campaign.current_bill
    facts = load_bill_facts(campaign)
    if bill is None or facts is None:
        return TargetList(None, [], [])
    committees = referral_committees(bill)
    targets: dict[str, Target] = {}
    for seat in current_seats([c.thomas_id for c in committees]):
        targets.setdefault(seat.member_id, Target(member=seat.member, seats=[])).seats.append(seat)
    endorsed = verified_cities(campaign, include_samples=True)
    facts_data = facts.as_dict()
    for target in targets.values():
        _place(target, facts_data, endorsed)
    return TargetList(bill, committees, sorted(targets.values(), key=Target.sort_key))


CSV_HEADER = (
    "priority",
    "member",
    "party",
    "seat",
    "chamber",
    "committee roles",
    "position on bill",
    "standing",
    "endorsing cities",
    "endorsing population",
    "phone",
    "dc office",
    "contact",
)


def targets_csv(target_list: TargetList) -> str:
    """The target list as CSV text (one row per member, in priority order), safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for priority, t in enumerate(target_list.targets, start=1):
        m = t.member
        row = (
            priority,
            m.display_name,
            m.party,
            m.seat,
            m.chamber,
            t.roles,
            t.position,
            t.position_text,
            "; ".join(c.label + (" (partly)" if t.coverage[c.id].partial else "") for c in t.cities),
            t.population,
            m.phone,
            m.office,
            m.contact_form or m.website,
        )
        writer.writerow(safe_row(row))
    return out.getvalue()
