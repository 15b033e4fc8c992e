"""Reads about members of Congress and committees: which cities a member represents, how committee seats are
ordered, what contact details are missing (the members pages, the API, letters and targets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from advocacy.extensions import db
from advocacy.models import Bill, City, CityDistrict, Committee, CommitteeMembership, Cosponsorship, Endorsement, Member
from advocacy.models.campaigns import VERIFIED
from advocacy.representation import Coverage, cities_represented, seat_of

# Titles that lead a committee, in the order pages list them.
CHAIR_TITLES = ("chair", "chairman", "chairwoman", "cochairman", "co-chair", "co-chairman")
RANKING_TITLES = ("ranking member",)


def candidate_cities(member: Member | Any, city_ids: Select[Any] | None = None) -> list[City]:
    """Cities the member may represent (those of the member's state or linked to a district there), districts
    loaded; `city_ids` (a select of ids) narrows them, e.g. to verified endorsers. Filter with the rule."""
    seat = seat_of(member)
    in_state = select(CityDistrict.city_id).where(CityDistrict.state == seat.state)
    query = select(City).where(or_(City.state == seat.state, City.id.in_(in_state)))
    if city_ids is not None:
        query = query.where(City.id.in_(city_ids))
    query = query.options(selectinload(City.districts)).order_by(City.population.desc().nulls_last(), City.name)
    return list(db.session.scalars(query))


def represented_cities(member: Member | Any, city_ids: Select[Any] | None = None) -> list[tuple[City, Coverage]]:
    """The cities the member represents (optionally among `city_ids`), most populous first, with how."""
    return cities_represented(member, candidate_cities(member, city_ids))


def endorsing_cities_for(member: Member) -> list[tuple[City, Coverage]]:
    """Cities with a verified endorsement (any campaign) that the member represents (advocacy.representation),
    most populous first, each with how (partly in the district, approximate link)."""
    endorsed = select(Endorsement.city_id).where(Endorsement.status == VERIFIED)
    return represented_cities(member, endorsed)


def leadership_order(title: str | None) -> int:
    """0 for a chair, 1 for a ranking member, 2 for another title (vice chair, ex officio), 3 for none."""
    if not title:
        return 3
    lowered = title.strip().lower()
    if lowered in CHAIR_TITLES:
        return 0
    if lowered in RANKING_TITLES:
        return 1
    return 2


def is_leader(title: str | None) -> bool:
    """True for a committee's chair or ranking member."""
    return leadership_order(title) < 2


def membership_order(membership: CommitteeMembership) -> tuple[int, int, int]:
    """Sort key: chair and ranking member first, then the majority by rank, then the minority by rank."""
    return (
        0 if is_leader(membership.title) else 1,
        0 if membership.party_side == "majority" else 1,
        membership.rank if membership.rank is not None else 999,
    )


def missing_contact_fields(member: Member) -> list[str]:
    """The contact details the roster does not (yet) have for a member, e.g. ["DC office", "phone"]."""
    labels = {"office": "DC office", "phone": "phone", "website": "website"}
    return [label for attr, label in labels.items() if not getattr(member, attr)]


# --- the members and committees pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFilters:
    """The members list's filters (None: any); former members only with `former`."""

    chamber: str | None = None
    state: str | None = None
    party: str | None = None
    committee: str | None = None
    former: bool = False


def members_list(filters: MemberFilters) -> list[Member]:
    """Members matching the filters by state, chamber (Senate first), district and name, seats loaded."""
    query = select(Member).options(selectinload(Member.memberships).selectinload(CommitteeMembership.committee))
    if not filters.former:
        query = query.where(Member.is_current.is_(True))
    if filters.chamber in ("house", "senate"):
        query = query.where(Member.chamber == filters.chamber)
    if filters.state:
        query = query.where(Member.state == filters.state)
    if filters.party:
        query = query.where(Member.party == filters.party)
    if filters.committee:
        seats = select(CommitteeMembership.member_id).where(CommitteeMembership.committee_id == filters.committee)
        query = query.where(Member.bioguide_id.in_(seats))
    return list(
        db.session.scalars(query.order_by(Member.state, Member.chamber.desc(), Member.district, Member.last_name))
    )


def top_committees() -> list[Committee]:
    """Committees that are not subcommittees, by chamber and name."""
    return list(
        db.session.scalars(
            select(Committee).where(Committee.parent_id.is_(None)).order_by(Committee.chamber, Committee.name)
        )
    )


def parties() -> list[str]:
    """The parties members have, sorted."""
    return sorted(db.session.scalars(select(Member.party).where(Member.party.is_not(None)).distinct()))


def member_by_id(bioguide_id: str) -> Member | None:
    """A member with their committee seats loaded."""
    return db.session.scalar(
        select(Member)
        .where(Member.bioguide_id == bioguide_id)
        .options(selectinload(Member.memberships).selectinload(CommitteeMembership.committee))
    )


def sponsored_bills(member: Member) -> list[Bill]:
    """Tracked bills the member sponsors, newest Congress first."""
    return list(
        db.session.scalars(
            select(Bill)
            .where(Bill.sponsor_id == member.bioguide_id, Bill.tracked.is_(True))
            .order_by(Bill.congress.desc())
        )
    )


def cosponsorships(member: Member) -> list[Cosponsorship]:
    """The member's cosponsorships of tracked bills, newest Congress first, bills loaded."""
    return list(
        db.session.scalars(
            select(Cosponsorship)
            .join(Bill)
            .where(Cosponsorship.member_id == member.bioguide_id, Bill.tracked.is_(True))
            .options(selectinload(Cosponsorship.bill))
            .order_by(Bill.congress.desc())
        )
    )


@dataclass(frozen=True)
class CommitteesOverview:
    """The committees page: top committees (subcommittees loaded), seats per committee, leaders per committee."""

    committees: list[Committee]
    seats: dict[str, int]
    leaders: dict[str, list[CommitteeMembership]]


def committees_overview() -> CommitteesOverview:
    """Every top committee with its number of seats and its chair and ranking member(s), in three queries."""
    parents = db.session.scalars(
        select(Committee)
        .where(Committee.parent_id.is_(None))
        .options(selectinload(Committee.subcommittees))
        .order_by(Committee.chamber, Committee.name)
    ).all()
    counts = db.session.execute(
        select(CommitteeMembership.committee_id, func.count(CommitteeMembership.id)).group_by(
            CommitteeMembership.committee_id
        )
    ).all()
    titled = db.session.scalars(
        select(CommitteeMembership)
        .where(CommitteeMembership.title.is_not(None))
        .options(selectinload(CommitteeMembership.member))
    ).all()
    leaders: dict[str, list[CommitteeMembership]] = {}
    for seat in sorted(titled, key=membership_order):
        if is_leader(seat.title):
            leaders.setdefault(seat.committee_id, []).append(seat)
    return CommitteesOverview(list(parents), {committee_id: count for committee_id, count in counts}, leaders)


def committee_by_thomas_id(thomas_id: str) -> Committee | None:
    """A committee (thomas id in any case) with its seats, their members and its subcommittees loaded."""
    return db.session.scalar(
        select(Committee)
        .where(Committee.thomas_id == thomas_id.upper())
        .options(
            selectinload(Committee.memberships).selectinload(CommitteeMembership.member),
            selectinload(Committee.subcommittees),
        )
    )
