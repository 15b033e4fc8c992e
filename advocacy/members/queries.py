"""Reads about members of Congress and committees: which cities a member represents, how committee seats are
ordered, what contact details are missing (the members pages, the API, letters and targets)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from advocacy.extensions import db
from advocacy.models import City, CityDistrict, CommitteeMembership, Endorsement, Member
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
