"""Importing the Census files: places (Gazetteer + population estimates) and place <-> district relationships.

Also the one home of the link replacement rule: a link of a better basis replaces a worse one on import
(models.cities.BASIS_RANK); links set by hand or confirmed by the signer are never overwritten by an import.
Each import is one transaction owned by the caller: the services add and flush, never commit.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update

from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.imports.census import (
    Estimates,
    GazetteerPlace,
    display_name,
    parse_estimates,
    parse_gazetteer,
    parse_relationship,
)
from advocacy.imports.sources import ImportDataError, ImportReport, Progress, progress_or_default, read_source
from advocacy.models import City, CityDistrict
from advocacy.models.cities import BASIS_RANK, OTHER, PROTECTED_BASES, name_search_key

logger = logging.getLogger(__name__)

CENSUS_DISTRICTS_IMPORTED = "import.census_districts"
CENSUS_PLACES_IMPORTED = "import.census_places"
CENSUS_ESTIMATE = "Census estimate"
# A GeoNames point and a Census internal point of the same city are within this distance (large cities too).
MATCH_KM = 50.0
_CHUNK = 500
_NOTES_SHOWN = 10

# (state, district) -> (share, whole); share and whole are None for links that are not Census ones.
WantedLinks = dict[tuple[str, int], tuple[float | None, bool | None]]


# --- matching Census places to the cities already stored ------------------------------------------------------

_PUNCTUATION = re.compile(r"[.'’]")
_ABBREVIATIONS = ((r"\bsaint\b", "st"), (r"\bsainte\b", "ste"), (r"\bmount\b", "mt"), (r"\bfort\b", "ft"))


def match_key(name: str) -> str:
    """Names compared for matching: "St. Louis" = "Saint Louis", "Winston-Salem" = "Winston Salem"."""
    key = _PUNCTUATION.sub("", name_search_key(name)).replace("-", " ")
    for pattern, short in _ABBREVIATIONS:
        key = re.sub(pattern, short, key)
    return " ".join(key.split())


def _without_city(key: str) -> str | None:
    """ "new york city" -> "new york": how GeoNames' "New York City" meets the Census "New York city"."""
    return key[: -len(" city")] if key.endswith(" city") and len(key) > len(" city") else None


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class CensusPlace:
    geoid: str
    state: str
    census_name: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class Matches:
    """Census place GEOID -> city id; `by_name` lists the matches made by name (and distance) for the report."""

    by_geoid: dict[str, int]
    by_name: list[str]


def _name_pools(existing: list[Any]) -> tuple[dict[tuple[str, str], list[Any]], dict[tuple[str, str], list[Any]]]:
    """Stored cities by (state, normalised name), and by that name without a trailing "city"."""
    exact: dict[tuple[str, str], list[Any]] = defaultdict(list)
    loose: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for city in existing:
        key = match_key(city.name)
        exact[(city.state, key)].append(city)
        shorter = _without_city(key)
        if shorter:
            loose[(city.state, shorter)].append(city)
    return exact, loose


def _choose_city(place: CensusPlace, pool: list[Any]) -> tuple[Any | None, float | None]:
    """The stored city of `pool` (same state and name) that the place is, with the distance when both have
    coordinates: the nearest within MATCH_KM; without coordinates only a pool of one."""
    if place.latitude is None or place.longitude is None:
        return (pool[0], None) if len(pool) == 1 else (None, None)
    here = (place.latitude, place.longitude)
    near = sorted(
        (_km((c.latitude, c.longitude), here), c.id, c)
        for c in pool
        if c.latitude is not None and c.longitude is not None
    )
    within = [(d, c) for d, _id, c in near if d <= MATCH_KM]
    if within:
        return within[0][1], within[0][0]
    if len(pool) == 1 and (pool[0].latitude is None or pool[0].longitude is None):
        return pool[0], None
    return None, None


def match_places(places: Iterable[CensusPlace], existing: list[Any]) -> Matches:
    """Match Census places to stored cities: by GEOID, else by state + normalised name (an exact name before one
    without a trailing "city"), and within MATCH_KM when both have coordinates (the nearest wins).

    Deliberately conservative so that a re-import gives the same answer: a name shared by several stored cities
    with nothing to tell them apart, or a city claimed by two places, matches nothing (reported as not stored).
    """
    by_geoid = {c.geoid: c.id for c in existing if c.geoid}
    exact, loose = _name_pools(existing)
    result = Matches({}, [])
    claims: dict[int, list[tuple[CensusPlace, Any, float | None]]] = defaultdict(list)
    for place in places:
        if place.geoid in by_geoid:
            result.by_geoid[place.geoid] = by_geoid[place.geoid]
            continue
        wanted = (place.state, match_key(display_name(place.census_name)))
        chosen, distance = _choose_city(place, exact.get(wanted) or loose.get(wanted) or [])
        if chosen is not None and not chosen.geoid:
            claims[chosen.id].append((place, chosen, distance))
    for claimants in claims.values():
        if len(claimants) != 1:
            continue
        place, city, distance = claimants[0]
        result.by_geoid[place.geoid] = city.id
        how = f", {distance:.0f} km apart" if distance is not None else ", by name"
        result.by_name.append(f"{city.name}, {city.state} = {place.census_name} ({place.geoid}{how})")
    return result


def _existing_cities() -> list[Any]:
    rows = db.session.execute(
        select(
            City.id,
            City.name,
            City.state,
            City.geoid,
            City.kind,
            City.census_name,
            City.latitude,
            City.longitude,
            City.population,
            City.population_source,
            City.population_year,
        )
    ).all()
    return list(rows)


def _note_matches(report: ImportReport, matches: Matches) -> None:
    if not matches.by_name:
        return
    shown = "; ".join(matches.by_name[:_NOTES_SHOWN])
    more = f" (and {len(matches.by_name) - _NOTES_SHOWN} more)" if len(matches.by_name) > _NOTES_SHOWN else ""
    report.notes.append(f"{len(matches.by_name)} stored cities matched to Census places by name: {shown}{more}")
    report.add("cities matched by name", len(matches.by_name))


def _mark_unmatched(existing: list[Any], matched_ids: set[int], states: set[str], report: ImportReport) -> None:
    """Stored cities of the file's states that match no Census place (GeoNames neighbourhoods, boroughs, bases)
    are not municipalities: kind "other", so that they cannot endorse unless staff mark them endorsable."""
    ids = [c.id for c in existing if c.id not in matched_ids and c.state in states and not c.geoid and c.kind is None]
    for start in range(0, len(ids), _CHUNK):
        db.session.execute(update(City).where(City.id.in_(ids[start : start + _CHUNK])).values(kind=OTHER))
    if ids:
        report.add("cities matching no Census place (marked not a municipality)", len(ids))
        shown = set(ids[:_NOTES_SHOWN])
        names = [f"{c.name}, {c.state}" for c in existing if c.id in shown]
        more = f" (and {len(ids) - _NOTES_SHOWN} more)" if len(ids) > _NOTES_SHOWN else ""
        report.notes.append(
            f"{len(ids)} stored cities match no Census place and can no longer endorse unless staff mark them "
            f"endorsable: {'; '.join(names)}{more}"
        )


def bulk_update_cities(updates: list[dict[str, Any]]) -> None:
    """UPDATE cities by primary key, grouped by the set of columns changed (one executemany per group)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for values in updates:
        groups[tuple(sorted(values))].append(values)
    for group in groups.values():
        db.session.execute(update(City), group)


# --- links and their basis ------------------------------------------------------------------------------------


def _current_links(city_ids: list[int]) -> dict[int, list[Any]]:
    """The stored district links of these cities, by city id (read in chunks)."""
    current: dict[int, list[Any]] = defaultdict(list)
    for start in range(0, len(city_ids), _CHUNK):
        for row in db.session.execute(
            select(
                CityDistrict.id,
                CityDistrict.city_id,
                CityDistrict.state,
                CityDistrict.district,
                CityDistrict.source,
                CityDistrict.share,
                CityDistrict.whole,
            ).where(CityDistrict.city_id.in_(city_ids[start : start + _CHUNK]))
        ):
            current[row.city_id].append(row)
    return current


def apply_links(wanted: dict[int, WantedLinks], basis: str, report: ImportReport) -> None:
    """Make each city's district links those of `wanted`, with `basis`, unless the city has a link of a better
    basis (hand-set and signer-confirmed links always survive an import). A repeated import changes nothing."""
    rank = BASIS_RANK[basis]
    current = _current_links(list(wanted))
    to_delete: list[int] = []
    to_insert: list[dict[str, Any]] = []
    for city_id, links in wanted.items():
        rows = current.get(city_id, [])
        better = [r for r in rows if BASIS_RANK.get(r.source, 0) > rank]
        if better:
            protected = any(r.source in PROTECTED_BASES for r in better)
            report.add(
                "unchanged (districts set by hand or confirmed by the signer)"
                if protected
                else "unchanged (districts of a better basis)"
            )
            continue
        have = {(r.state, r.district): (r.source, r.share, r.whole) for r in rows}
        if have == {key: (basis, share, whole) for key, (share, whole) in links.items()}:
            report.add("unchanged districts")
            continue
        to_delete.extend(r.id for r in rows)
        to_insert.extend(
            {"city_id": city_id, "state": s, "district": d, "source": basis, "share": share, "whole": whole}
            for (s, d), (share, whole) in sorted(links.items())
        )
        report.add("cities with districts updated")
    for start in range(0, len(to_delete), _CHUNK):
        db.session.execute(delete(CityDistrict).where(CityDistrict.id.in_(to_delete[start : start + _CHUNK])))
    for start in range(0, len(to_insert), 5000):
        db.session.execute(insert(CityDistrict), to_insert[start : start + 5000])


# --- the relationship file ------------------------------------------------------------------------------------


def import_census_districts(location: str, *, progress: Progress | None = None, actor: str = "cli") -> ImportReport:
    """Import the place <-> 119th district relationship file: each stored city matched to a Census place (by
    GEOID, else by name) gets the districts its land lies in, with the share and whole/partial, basis "census".

    Places not stored are counted, not created (import the Gazetteer with `cities import-census` for them).
    The caller's unit of work commits.
    """
    say = progress_or_default(progress)
    text, name = read_source(location)
    say(f"{name}: reading")
    parsed = parse_relationship(text, name)
    report = ImportReport("Census districts", read=parsed.rows)
    say(f"{name}: {parsed.rows} rows, {len(parsed.places)} places")
    existing = _existing_cities()
    places = [CensusPlace(p.geoid, p.state, p.census_name) for p in parsed.places.values()]
    matches = match_places(places, existing)
    _note_matches(report, matches)
    by_id = {c.id: c for c in existing}
    updates = []
    wanted: dict[int, WantedLinks] = {}
    for geoid, city_id in matches.by_geoid.items():
        place = parsed.places[geoid]
        city = by_id[city_id]
        values = {"geoid": geoid, "census_name": place.census_name, "kind": place.kind}
        changes = {k: v for k, v in values.items() if getattr(city, k) != v}
        if changes:
            updates.append({"id": city_id, **changes})
        wanted[city_id] = {key: (place.share(key), place.whole(key)) for key in place.parts}
    bulk_update_cities(updates)
    report.add("cities given their Census identity", len(updates))
    apply_links(wanted, "census", report)
    _mark_unmatched(existing, set(matches.by_geoid.values()), parsed.states, report)
    skipped = len(parsed.places) - len(matches.by_geoid)
    if skipped:
        report.notes.append(
            f"{skipped} Census places of {name} are not stored cities (add them with `cities import-census`)"
        )
    report.notes.append(
        f"skipped {parsed.water_rows} water-district (ZZ) rows, {parsed.remainder_rows} rows outside any place, "
        f"{parsed.water_only_rows} water-only overlaps"
    )
    db.session.expire_all()
    if report.changed:
        record_event(CENSUS_DISTRICTS_IMPORTED, report.summary().splitlines()[0], actor=actor)
        db.session.flush()
    logger.info("Census districts import from %s by %s: %s", location, actor, report.summary())
    return report


# --- the Gazetteer and the population estimates ---------------------------------------------------------------


def _unique_name(place: GazetteerPlace, used: set[tuple[str, str]]) -> str | None:
    """The display name, or the Census name when another city of the state has it ("Franklin CDP")."""
    for candidate in (place.name, place.census_name):
        if (candidate, place.state) not in used:
            return candidate
    return None


def _read_estimates(location: str | None, say: Progress) -> Estimates | None:
    """The population estimates file, when one is given."""
    if location is None:
        return None
    pop_text, pop_name = read_source(location, fallback_encoding="latin-1")
    estimates = parse_estimates(pop_text, pop_name)
    say(f"{pop_name}: populations of {len(estimates.by_geoid)} places, {estimates.year}")
    return estimates


def _check_unique_geoids(places: list[GazetteerPlace], name: str) -> None:
    seen: dict[str, int] = {}
    for place in places:
        if place.geoid in seen:
            raise ImportDataError(f"{name} line {place.line}: GEOID {place.geoid} already on line {seen[place.geoid]}")
        seen[place.geoid] = place.line


def _gazetteer_values(place: GazetteerPlace, estimates: Estimates | None) -> dict[str, Any]:
    """The columns a Gazetteer place sets, with its estimated population when the estimates have it."""
    values: dict[str, Any] = {
        "geoid": place.geoid,
        "census_name": place.census_name,
        "kind": place.kind,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
    if estimates is not None and place.geoid in estimates.by_geoid:
        values.update(
            population=estimates.by_geoid[place.geoid],
            population_source=CENSUS_ESTIMATE,
            population_year=estimates.year,
        )
    return values


def _plan_place_writes(
    places: list[GazetteerPlace],
    estimates: Estimates | None,
    matches: Matches,
    existing: list[Any],
    report: ImportReport,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """New cities to insert and changes to matched cities (stored cities keep their name; a new place whose
    name is taken in its state is skipped)."""
    by_id = {c.id: c for c in existing}
    used = {(c.name, c.state) for c in existing}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for place in places:
        values = _gazetteer_values(place, estimates)
        city_id = matches.by_geoid.get(place.geoid)
        if city_id is not None:
            city = by_id[city_id]
            changes = {k: v for k, v in values.items() if v is not None and getattr(city, k) != v}
            if changes:
                updates.append({"id": city_id, **changes})
            continue
        display = _unique_name(place, used)
        if display is None:
            report.skipped.append(f"line {place.line}: {place.census_name}, {place.state}: name already taken")
            continue
        used.add((display, place.state))
        inserts.append({**values, "name": display, "state": place.state, "name_key": name_search_key(display),
                        "email_domains": []})  # fmt: skip
    return inserts, updates


def import_census_places(
    location: str,
    *,
    population_location: str | None = None,
    progress: Progress | None = None,
    actor: str = "cli",
) -> ImportReport:
    """Import a Gazetteer places file (identity, kind, coordinates) and optionally the population estimates.

    A place matches a stored city by GEOID, else by state + normalised name + distance (reported); stored
    cities keep their name. New places are added under their display name (no legal suffix). Populations
    from the estimates carry their source and vintage year. The caller's unit of work commits.
    """
    say = progress_or_default(progress)
    text, name = read_source(location)
    places = list(parse_gazetteer(text, name))
    report = ImportReport("Census places", read=len(places))
    say(f"{name}: {len(places)} places")
    estimates = _read_estimates(population_location, say)
    _check_unique_geoids(places, name)
    existing = _existing_cities()
    matches = match_places(
        (CensusPlace(p.geoid, p.state, p.census_name, p.latitude, p.longitude) for p in places), existing
    )
    _note_matches(report, matches)
    inserts, updates = _plan_place_writes(places, estimates, matches, existing, report)
    for start in range(0, len(inserts), 5000):
        db.session.execute(insert(City), inserts[start : start + 5000])
        say(f"{name}: {min(start + 5000, len(inserts))} of {len(inserts)} new places written")
    bulk_update_cities(updates)
    report.add("added", len(inserts))
    report.add("updated", len(updates))
    report.add("unchanged", len(matches.by_geoid) - len(updates))
    _mark_unmatched(existing, set(matches.by_geoid.values()), {p.state for p in places}, report)
    db.session.expire_all()
    if report.changed:
        record_event(CENSUS_PLACES_IMPORTED, report.summary().splitlines()[0], actor=actor)
        db.session.flush()
    logger.info("Census places import from %s by %s: %s", location, actor, report.summary())
    return report
