"""Reads of the cities feature: the cities list (search and endorsement filters), each city's endorsement
standing, ZIP code look-ups. Used by the pages and the forms; the writes are in `cities.services`."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from advocacy.extensions import db
from advocacy.models import City, Endorsement, ZipDistrict
from advocacy.models.campaigns import ACTIVE_STATUSES, CONFIRMED, PENDING, VERIFIED
from advocacy.models.cities import name_search_key


def districts_for_zips(zips: list[str]) -> tuple[dict[str, list[tuple[str, int]]], list[str]]:
    """Look ZIP codes up in the ZIP → district table: ({zip: [(state, district)]}, [ZIPs not found])."""
    rows = db.session.execute(
        select(ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district).where(ZipDistrict.zcta.in_(zips))
    ).all()
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in rows:
        found[row.zcta].append((row.state, row.district))
    return dict(found), [z for z in zips if z not in found]


ENDORSEMENT_FILTERS = {"endorsed": "Endorsed (verified)", "in_progress": "In progress", "none": "Not endorsed"}


def city_search(
    q: str | None = None,
    state: str | None = None,
    population_min: int | None = None,
    population_max: int | None = None,
    endorsement: str | None = None,
) -> Select:
    """The cities list query: name prefix (indexed), state, population range, endorsement status."""
    query = select(City)
    key = name_search_key(q or "")
    if key:
        query = query.where(City.name_key >= key, City.name_key < key + "\x7f")
    if state:
        query = query.where(City.state == state)
    if population_min is not None:
        query = query.where(City.population >= population_min)
    if population_max is not None:
        query = query.where(City.population <= population_max)
    if endorsement == "endorsed":
        query = query.where(exists().where(Endorsement.city_id == City.id, Endorsement.status == VERIFIED))
    elif endorsement == "in_progress":
        query = query.where(
            exists().where(Endorsement.city_id == City.id, Endorsement.status.in_((PENDING, CONFIRMED))),
            ~exists().where(Endorsement.city_id == City.id, Endorsement.status == VERIFIED),
        )
    elif endorsement == "none":
        query = query.where(~exists().where(Endorsement.city_id == City.id, Endorsement.status.in_(ACTIVE_STATUSES)))
    return query.order_by(City.population.desc().nulls_last(), City.name, City.id)


def endorsement_status_by_city(city_ids: list[int]) -> dict[int, str]:
    """The most advanced active endorsement status of each city (verified > confirmed > pending), one query."""
    order = {VERIFIED: 0, CONFIRMED: 1, PENDING: 2}
    best: dict[int, str] = {}
    if not city_ids:
        return best
    rows = db.session.execute(
        select(Endorsement.city_id, Endorsement.status).where(
            Endorsement.city_id.in_(city_ids), Endorsement.status.in_(ACTIVE_STATUSES)
        )
    )
    for city_id, status in rows:
        if city_id not in best or order[status] < order[best[city_id]]:
            best[city_id] = status
    return best


def city_by_id(city_id: int) -> City | None:
    """A city with its district links loaded."""
    return db.session.scalar(select(City).where(City.id == city_id).options(selectinload(City.districts)))


def endorsements_of(city: City) -> list[Endorsement]:
    """Every endorsement the city made (any campaign, any status), newest first, campaigns loaded."""
    return list(
        db.session.scalars(
            select(Endorsement)
            .where(Endorsement.city_id == city.id)
            .options(selectinload(Endorsement.campaign))
            .order_by(Endorsement.created_at.desc())
        )
    )
