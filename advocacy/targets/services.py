"""Ranking the members of the committees of referral of a campaign's current bill, and their CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.csv_safety import safe_row
from advocacy.endorsements.queries import verified_city_ids
from advocacy.extensions import db
from advocacy.members.queries import leadership_order, membership_order
from advocacy.models import (
    Bill,
    BillCommittee,
    Campaign,
    City,
    Committee,
    CommitteeMembership,
    Cosponsorship,
)
from advocacy.models.members import Member
from advocacy.representation import Coverage, cities_represented

SPONSOR = "sponsor"
COSPONSOR = "cosponsor"
WITHDRAWN = "withdrew cosponsorship"
NOT_COSPONSORING = "not cosponsoring"


@dataclass
class Target:
    """A member to work on: their seats on the referral committees, position on the bill, endorsing cities."""

    member: Member
    seats: list[CommitteeMembership]
    position: str = NOT_COSPONSORING
    cities: list[City] = field(default_factory=list)
    # How the member represents each of `cities`, by city id (partial: "in or partly in the district").
    coverage: dict[int, Coverage] = field(default_factory=dict)

    @property
    def supporter(self) -> bool:
        return self.position in (SPONSOR, COSPONSOR)

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


def campaign_targets(campaign: Campaign) -> TargetList:
    """Members of the committees of referral of the campaign's current bill, most leverage first.

    Leverage: members not yet cosponsoring first; among them committee leaders (chair, ranking member) first,
    then those with the most endorsing population (verified endorsements of this campaign) in their district
    (House) or state (Senate). A fixed number of queries whatever the size of the committees.
    """
    bill = campaign.current_bill
    if bill is None:
        return TargetList(None, [], [])
    codes = select(BillCommittee.committee_code).where(
        BillCommittee.bill_id == bill.id,
        BillCommittee.parent_code.is_(None),  # committees, not subcommittees
    )
    committees = list(
        db.session.scalars(select(Committee).where(Committee.system_code.in_(codes)).order_by(Committee.thomas_id))
    )
    seats = db.session.scalars(
        select(CommitteeMembership)
        .join(Member)
        .where(
            CommitteeMembership.committee_id.in_([c.thomas_id for c in committees]),
            Member.is_current.is_(True),
        )
        .options(selectinload(CommitteeMembership.member), selectinload(CommitteeMembership.committee))
    ).all()
    targets: dict[str, Target] = {}
    for seat in seats:
        targets.setdefault(seat.member_id, Target(member=seat.member, seats=[])).seats.append(seat)
    cosponsors = {
        c.member_id: c for c in db.session.scalars(select(Cosponsorship).where(Cosponsorship.bill_id == bill.id))
    }
    endorsing = verified_city_ids(campaign)
    endorsed = db.session.scalars(
        select(City).where(City.id.in_(endorsing)).options(selectinload(City.districts))
    ).all()
    for target in targets.values():
        member = target.member
        if bill.sponsor_id == member.bioguide_id:
            target.position = SPONSOR
        elif member.bioguide_id in cosponsors:
            target.position = WITHDRAWN if cosponsors[member.bioguide_id].withdrawn_date else COSPONSOR
        represented = cities_represented(member, endorsed)
        target.cities = sorted((city for city, _ in represented), key=lambda c: (-(c.population or 0), c.name))
        target.coverage = {city.id: how for city, how in represented}
    return TargetList(bill, committees, sorted(targets.values(), key=Target.sort_key))


CSV_HEADER = (
    "priority",
    "member",
    "party",
    "seat",
    "chamber",
    "committee roles",
    "position on bill",
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
            "; ".join(c.label + (" (partly)" if t.coverage[c.id].partial else "") for c in t.cities),
            t.population,
            m.phone,
            m.office,
            m.contact_form or m.website,
        )
        writer.writerow(safe_row(row))
    return out.getvalue()
