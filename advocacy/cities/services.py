"""Cities: importing places, place → district and ZIP → district files; editing cities and their districts.

Imports preload the existing rows into dicts and write with bulk INSERT / UPDATE / DELETE statements, so that
21,783 places take seconds; they add and flush, and the unit of work of the command that runs them commits
once. The reads (the cities list, ZIP look-ups) are in `cities.queries`.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select

from advocacy.cities.census import CENSUS_ESTIMATE, apply_links, bulk_update_cities
from advocacy.cities.errors import CityNameTaken
from advocacy.cities.states import STATES, district_label, parse_district
from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.imports.sources import (
    PROGRESS_EVERY,
    CsvRow,
    ImportDataError,
    ImportReport,
    Progress,
    progress_or_default,
    read_coordinate,
    read_csv,
    read_source,
)
from advocacy.models import City, CityDistrict, ZipDistrict
from advocacy.models.cities import name_search_key

logger = logging.getLogger(__name__)

CITY_CREATED = "city.created"
CITY_UPDATED = "city.updated"
CITY_DISTRICTS = "city.districts"
CITIES_IMPORTED = "import.cities"
ZIP_DISTRICTS_IMPORTED = "import.zip_districts"

_CHUNK = 500

CITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "city", "city_name", "place", "place_name"),
    "state": ("state", "state_abbr", "state_code", "usps", "st"),
    "population": ("population", "pop"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
    "geonames_id": ("geonameid", "geonames_id", "geoname_id"),
    "geoid": ("geoid", "census_geoid", "place_geoid"),
    "districts": ("districts", "district_codes", "congressional_districts"),
}
PLACE_DISTRICT_COLUMNS: dict[str, tuple[str, ...]] = {
    "geonames_id": CITY_COLUMNS["geonames_id"],
    "name": CITY_COLUMNS["name"],
    "state": CITY_COLUMNS["state"],
    "district": ("district", "cd"),
    "district_code": ("district_code",),
}
ZIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "zcta": ("zcta", "zip", "zipcode", "zip_code"),
    "state": ("state_abbr", "state", "usps"),
    "district": ("cd", "district"),
}

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SPLIT = re.compile(r"[\s,;|]+")


# --- parsing helpers -------------------------------------------------------------------------------------------


def _state(row: CsvRow, name: str, column: str = "state") -> str:
    state = row.get(column).upper()
    if state not in STATES:
        raise ImportDataError(f"{name} line {row.line}: bad state code {row.get(column)!r}")
    return state


def _int(row: CsvRow, name: str, column: str, *, minimum: int = 0) -> int | None:
    raw = row.get(column).replace(",", "").replace("_", "")
    if not raw:
        return None
    try:
        value = int(float(raw)) if "." in raw else int(raw)
    except ValueError as exc:
        raise ImportDataError(f"{name} line {row.line}: {column} {row.get(column)!r} is not a whole number") from exc
    if value < minimum:
        raise ImportDataError(f"{name} line {row.line}: {column} {value} is below {minimum}")
    return value


def parse_district_list(text: str, default_state: str) -> set[tuple[str, int]]:
    """ "CA-36; CA-37" or "36, 37" or "AL" → {(state, district)}; ValueError on a bad entry."""
    return {parse_district(token, default_state) for token in _SPLIT.split(text.strip()) if token}


def parse_domains(text: str) -> list[str]:
    """E-mail domains from free text (commas, spaces or lines), lower-cased and validated; ValueError if bad."""
    domains: list[str] = []
    for token in _SPLIT.split(text.strip().lower()):
        token = token.lstrip("@").rstrip(".")
        if not token:
            continue
        if not _DOMAIN.match(token):
            raise ValueError(f"{token!r} is not a domain name (e.g. lacity.org)")
        if token not in domains:
            domains.append(token)
    return domains


@dataclass
class _Place:
    line: int
    name: str
    state: str
    population: int | None
    latitude: float | None
    longitude: float | None
    geonames_id: int | None
    geoid: str | None
    districts: set[tuple[str, int]] | None


def _parse_place(row: CsvRow, name: str, columns: set[str]) -> _Place:
    city_name = row.get("name")
    if not city_name:
        raise ImportDataError(f"{name} line {row.line}: empty name")
    if len(city_name) > 200:
        raise ImportDataError(f"{name} line {row.line}: name longer than 200 characters")
    state = _state(row, name)
    geoid = row.get("geoid") or None
    if geoid and len(geoid) > 20:
        raise ImportDataError(f"{name} line {row.line}: geoid longer than 20 characters")
    districts = None
    if "districts" in columns and row.get("districts"):
        try:
            districts = parse_district_list(row.get("districts"), state)
        except ValueError as exc:
            raise ImportDataError(f"{name} line {row.line}: bad districts {exc}") from exc
    return _Place(
        line=row.line,
        name=city_name,
        state=state,
        population=_int(row, name, "population"),
        latitude=read_coordinate(row, name, "latitude", 90),
        longitude=read_coordinate(row, name, "longitude", 180),
        geonames_id=_int(row, name, "geonames_id", minimum=1),
        geoid=geoid,
        districts=districts,
    )


# --- imports --------------------------------------------------------------------------------------------------


def import_cities(
    location: str | None,
    *,
    districts_location: str | None = None,
    progress: Progress | None = None,
    actor: str = "cli",
) -> ImportReport:
    """Import a CSV of places (at least name, state, population) and/or a place → district CSV.

    Places match existing cities by GeoNames id, else by name and state; of two rows with the same name and
    state the more populous is kept and the other reported as skipped (a city is unique by name and state).
    Imported districts never replace districts an advocate set (manual or from ZIP codes). The caller's unit of
    work commits.
    """
    if location is None and districts_location is None:
        raise ImportDataError("give a places file, a --districts file, or both")
    say = progress_or_default(progress)
    report = ImportReport("cities")
    wanted_districts: dict[int, set[tuple[str, int]]] = {}
    if location is not None:
        wanted_districts = _import_places(location, report, say)
    if districts_location is not None:
        wanted_districts.update(_read_place_districts(districts_location, report, say))
    if wanted_districts:
        _apply_imported_districts(wanted_districts, report)
        report.notes.append(
            "districts from a place file are approximate (shown as such everywhere); the Census relationship "
            "file (`districts import-census`) replaces them"
        )
    db.session.expire_all()  # bulk statements bypass the identity map
    if report.changed:
        record_event(CITIES_IMPORTED, report.summary().splitlines()[0], actor=actor)
        db.session.flush()
    logger.info("cities import (%s, districts %s) by %s: %s", location, districts_location, actor, report.summary())
    return report


def _import_places(location: str, report: ImportReport, say: Progress) -> dict[int, set[tuple[str, int]]]:
    """Read a place file, add and update its cities (bulk), and return the districts its rows give, by city id."""
    text, name = read_source(location)
    columns, rows = read_csv(text, name, aliases=CITY_COLUMNS, required=("name", "state", "population"))
    by_key = _read_places(rows, name, columns, report, say)
    population_source = "GeoNames" if "geonames_id" in columns else "place file"
    inserts, updates, matched = _plan_city_writes(by_key, population_source, report)
    for chunk_start in range(0, len(inserts), 5000):
        db.session.execute(insert(City), inserts[chunk_start : chunk_start + 5000])
        say(f"{name}: {min(chunk_start + 5000, len(inserts))} of {len(inserts)} new cities written")
    bulk_update_cities(updates)
    report.add("added", len(inserts))
    report.add("updated", len(updates))
    report.add("unchanged", matched - len(updates))
    with_districts = {key: p.districts for key, p in by_key.items() if p.districts is not None}
    if not with_districts:
        return {}
    ids = _city_ids_by_name()
    return {ids[key]: pairs for key, pairs in with_districts.items() if key in ids}


def _read_places(
    rows: Iterable[Any], name: str, columns: set[str], report: ImportReport, say: Progress
) -> dict[tuple[str, str], _Place]:
    """The file's places by (name, state): a repeated GeoNames id is an error; of two rows with the same name and
    state the more populous is kept and the other reported as skipped."""
    by_key: dict[tuple[str, str], _Place] = {}
    gid_lines: dict[int, int] = {}
    count = 0
    for row in rows:
        count += 1
        place = _parse_place(row, name, columns)
        if place.geonames_id is not None:
            if place.geonames_id in gid_lines:
                raise ImportDataError(
                    f"{name} line {row.line}: GeoNames id {place.geonames_id} already on line {gid_lines[place.geonames_id]}"
                )
            gid_lines[place.geonames_id] = row.line
        key = (place.name, place.state)
        kept = by_key.get(key)
        if kept is None:
            by_key[key] = place
        else:
            if (place.population or 0) > (kept.population or 0):
                by_key[key], place, kept = place, kept, place
            report.skipped.append(
                f"line {place.line}: {place.name}, {place.state} again (kept the more populous, line {kept.line})"
            )
        if count % PROGRESS_EVERY == 0:
            say(f"{name}: {count} rows read")
    report.read = count
    return by_key


def _stored_cities() -> tuple[dict[int, Any], dict[tuple[str, str], Any]]:
    """The stored cities' import-relevant columns, by GeoNames id and by (name, state)."""
    existing = db.session.execute(
        select(
            City.id,
            City.name,
            City.state,
            City.population,
            City.latitude,
            City.longitude,
            City.geonames_id,
            City.geoid,
            City.population_source,
        )
    ).all()
    by_gid = {c.geonames_id: c for c in existing if c.geonames_id is not None}
    by_name = {(c.name, c.state): c for c in existing}
    return by_gid, by_name


def _place_values(place: _Place, city: Any, population_source: str) -> dict[str, Any]:
    """The columns a place row sets; a stored Census population is kept (the better figure)."""
    values = {
        "name": place.name,
        "state": place.state,
        "population": place.population,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "geonames_id": place.geonames_id,
        "geoid": place.geoid,
        "population_source": population_source if place.population is not None else None,
    }
    if city is not None and city.population_source in CENSUS_POPULATION_SOURCES:
        values["population"] = values["population_source"] = None
    return values


def _plan_city_writes(
    by_key: dict[tuple[str, str], _Place], population_source: str, report: ImportReport
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Match each place to a stored city (GeoNames id, else name and state): the rows to insert, the changes to
    write, and how many stored cities the file matched. Conflicting matches are reported as skipped."""
    by_gid, by_name = _stored_cities()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    matched: set[int] = set()
    for place in by_key.values():
        found_gid = by_gid.get(place.geonames_id) if place.geonames_id is not None else None
        found_name = by_name.get((place.name, place.state))
        if found_gid is not None and found_name is not None and found_gid.id != found_name.id:
            report.skipped.append(
                f"line {place.line}: GeoNames id {place.geonames_id} is {found_gid.name}, {found_gid.state} "
                f"but {place.name}, {place.state} is another city"
            )
            continue
        city = found_gid or found_name
        if city is not None and city.id in matched:
            report.skipped.append(f"line {place.line}: {place.name}, {place.state} matches a city already imported")
            continue
        values = _place_values(place, city, population_source)
        if city is None:
            inserts.append({**values, "name_key": name_search_key(place.name), "email_domains": []})
            continue
        # Empty cells keep what is stored; only values the file gives are compared and written.
        changes = {k: v for k, v in values.items() if v is not None and getattr(city, k) != v}
        if changes:
            if "name" in changes:
                changes["name_key"] = name_search_key(place.name)
            updates.append({"id": city.id, **changes})
        matched.add(city.id)
    return inserts, updates, len(matched)


def _city_ids_by_name() -> dict[tuple[str, str], int]:
    return {(r.name, r.state): r.id for r in db.session.execute(select(City.id, City.name, City.state))}


def _check_place_district_columns(columns: set[str], name: str) -> None:
    if "geonames_id" not in columns and not {"name", "state"} <= columns:
        raise ImportDataError(f"{name} line 1: unknown column layout: need geonameid, or name and state")
    if not columns & {"district", "district_code"}:
        raise ImportDataError(f"{name} line 1: unknown column layout: need district or district_code")


def _row_district(row: Any, name: str, state: str | None) -> tuple[str, int]:
    code = row.get("district_code") or row.get("district")
    try:
        return parse_district(code, state)
    except ValueError as exc:
        raise ImportDataError(f"{name} line {row.line}: bad district {exc}") from exc


def _read_place_districts(location: str, report: ImportReport, say: Progress) -> dict[int, set[tuple[str, int]]]:
    """Read a place → district CSV (geonameid or name+state; district number or code) into city id → districts."""
    text, name = read_source(location)
    columns, rows = read_csv(text, name, aliases=PLACE_DISTRICT_COLUMNS, required=())
    _check_place_district_columns(columns, name)
    ids = db.session.execute(select(City.id, City.name, City.state, City.geonames_id)).all()
    by_gid = {r.geonames_id: r for r in ids if r.geonames_id is not None}
    by_name = {(r.name, r.state): r for r in ids}
    wanted: dict[int, set[tuple[str, int]]] = defaultdict(set)
    unknown = 0
    for count, row in enumerate(rows, start=1):
        state = _state(row, name) if "state" in columns else None
        pair = _row_district(row, name, state)
        gid = _int(row, name, "geonames_id", minimum=1) if "geonames_id" in columns else None
        city = by_gid.get(gid) if gid is not None else by_name.get((row.get("name"), state or ""))
        if city is None:
            unknown += 1
        else:
            wanted[city.id].add(pair)
        if count % PROGRESS_EVERY == 0:
            say(f"{name}: {count} district rows read")
    if unknown:
        report.notes.append(f"{unknown} district row(s) of {name} are for places not in the database")
    return dict(wanted)


def _apply_imported_districts(wanted: dict[int, set[tuple[str, int]]], report: ImportReport) -> None:
    """Approximate (place file) districts: they replace only demo or earlier approximate ones (apply_links)."""
    apply_links({city_id: dict.fromkeys(pairs, (None, None)) for city_id, pairs in wanted.items()}, "import", report)


def import_zip_districts(location: str, *, progress: Progress | None = None, actor: str = "cli") -> ImportReport:
    """Make the ZIP → district table equal to a zccd.csv-format file (state_fips,state_abbr,zcta,cd).

    Rows not in the file are removed, new ones added; the same file again changes nothing. The caller's unit of
    work commits.
    """
    say = progress_or_default(progress)
    text, name = read_source(location)
    _columns, rows = read_csv(text, name, aliases=ZIP_COLUMNS, required=("zcta", "state", "district"))
    wanted: set[tuple[str, str, int]] = set()
    count = 0
    for row in rows:
        count += 1
        zcta = row.get("zcta")
        if len(zcta) != 5 or not zcta.isdigit():
            raise ImportDataError(f"{name} line {row.line}: bad ZIP code {zcta!r} (5 digits expected)")
        state = _state(row, name)
        district = _int(row, name, "district")
        if district is None or district > 60:
            raise ImportDataError(f"{name} line {row.line}: bad district {row.get('district')!r}")
        wanted.add((zcta, state, district))
        if count % PROGRESS_EVERY == 0:
            say(f"{name}: {count} rows read")
    report = ImportReport("ZIP districts", read=count)
    current = {
        (r.zcta, r.state, r.district): r.id
        for r in db.session.execute(select(ZipDistrict.id, ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district))
    }
    stale = [row_id for key, row_id in current.items() if key not in wanted]
    new = [{"zcta": z, "state": s, "district": d} for z, s, d in sorted(wanted - current.keys())]
    for start in range(0, len(stale), _CHUNK):
        db.session.execute(delete(ZipDistrict).where(ZipDistrict.id.in_(stale[start : start + _CHUNK])))
    if new:
        db.session.execute(insert(ZipDistrict), new)
    report.add("added", len(new))
    report.add("removed", len(stale))
    report.add("unchanged", len(wanted) - len(new))
    if report.changed:
        record_event(ZIP_DISTRICTS_IMPORTED, report.summary(), actor=actor)
        db.session.flush()
    logger.info("ZIP districts import from %s by %s: %s", location, actor, report.summary())
    return report


# --- editing --------------------------------------------------------------------------------------------------

CITY_FIELDS = (
    "name",
    "state",
    "population",
    "mayor_name",
    "email_domains",
    "latitude",
    "longitude",
    "endorsable_override",
)
HAND_POPULATION = "set by hand"
CENSUS_POPULATION_SOURCES = (CENSUS_ESTIMATE, "2020 Census")


def _ensure_name_free(name: str, state: str) -> None:
    if db.session.scalar(select(City.id).where(City.name == name, City.state == state)) is not None:
        raise CityNameTaken(name, state)


def create_city(values: dict[str, Any], *, actor: str) -> City:
    """Add a city an advocate entered by hand (values already validated by the form); CityNameTaken when
    another city has its name in its state."""
    _ensure_name_free(values["name"], values["state"])
    city = City(**{k: values.get(k) for k in CITY_FIELDS if k != "email_domains"})
    city.email_domains = list(values.get("email_domains") or [])
    if city.population:
        city.population_source = HAND_POPULATION
    db.session.add(city)
    db.session.flush()
    record_event(CITY_CREATED, f"{city.label} added", actor=actor, data={"city_id": city.id})
    logger.info("city %s (%s) added by %s", city.id, city.label, actor)
    return city


def update_city(city: City, values: dict[str, Any], *, actor: str) -> list[str]:
    """Apply edited fields; return the names of those that changed (empty: nothing to save). CityNameTaken
    when the new name and state are another city's."""
    if (values.get("name", city.name), values.get("state", city.state)) != (city.name, city.state):
        _ensure_name_free(values.get("name", city.name), values.get("state", city.state))
    changed = [k for k in CITY_FIELDS if k in values and getattr(city, k) != values[k]]
    for key in changed:
        setattr(city, key, list(values[key]) if key == "email_domains" else values[key])
    if "population" in changed:
        city.population_source, city.population_year = (HAND_POPULATION, None) if city.population else (None, None)
    if changed:
        record_event(
            CITY_UPDATED, f"{city.label}: {', '.join(changed)} changed", actor=actor, data={"city_id": city.id}
        )
        db.session.flush()
        logger.info("city %s updated by %s: %s", city.id, actor, changed)
    return changed


def set_city_districts(city: City, pairs: set[tuple[str, int]], *, source: str, actor: str) -> bool:
    """Replace a city's districts with `pairs`, recording how we know (manual, zip); False if nothing changed."""
    current = {(d.state, d.district) for d in city.districts}
    if current == pairs and all(d.source == source for d in city.districts):
        return False
    city.districts.clear()
    db.session.flush()  # delete the old rows before inserting: the unit of work would insert first
    city.districts.extend(CityDistrict(state=s, district=d, source=source) for s, d in sorted(pairs))
    labels = ", ".join(district_label(s, d) for s, d in sorted(pairs)) or "none"
    record_event(CITY_DISTRICTS, f"{city.label}: districts {labels} ({source})", actor=actor, data={"city_id": city.id})
    db.session.flush()
    logger.info("city %s districts set to %s (%s) by %s", city.id, labels, source, actor)
    return True
