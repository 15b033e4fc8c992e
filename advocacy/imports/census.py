"""Parsers for the U.S. Census Bureau files about places (public domain), in their official layouts.

- The place <-> 119th congressional district relationship file `tab20_cd11920_place20_natl.txt` (rel2020/cd-sld):
  pipe-delimited, UTF-8 with a byte-order mark, one row per (district, place) overlap.
- The Gazetteer places file `<year>_Gaz_place_national.txt`: tab-delimited, read by header name.
- The population estimates for places `sub-est<year>.csv`: comma-separated, Latin-1.

Each returns plain records; errors are ImportDataError with the file name and line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from advocacy.cities.states import MAX_DISTRICT, STATE_FIPS
from advocacy.imports.sources import CsvRow, ImportDataError, read_coordinate, read_csv
from advocacy.models.cities import CDP, CONSOLIDATED, MUNICIPALITY, OTHER

RELATIONSHIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "cd_geoid": ("geoid_cd119_20",),
    "place_geoid": ("geoid_place_20",),
    "place_name": ("namelsad_place_20",),
    "place_land": ("arealand_place_20",),
    "place_class": ("classfp_place_20",),
    "part_land": ("arealand_part",),
}
GAZETTEER_COLUMNS: dict[str, tuple[str, ...]] = {
    "usps": ("usps",),
    "geoid": ("geoid",),
    "name": ("name",),
    "lsad": ("lsad",),
    "funcstat": ("funcstat",),
    "latitude": ("intptlat",),
    "longitude": ("intptlong",),
}
# Legal/statistical area descriptions that end Census place names ("Denver city"), longest first.
_SUFFIXES = (
    " consolidated government (balance)",
    " metropolitan government (balance)",
    " unified government (balance)",
    " metro government (balance)",
    " consolidated government",
    " metropolitan government",
    " unified government",
    " city and borough",
    " urban county",
    " municipality",
    " zona urbana",
    " (balance)",
    " comunidad",
    " borough",
    " village",
    " city",
    " town",
    " CDP",
)
WATER_DISTRICT = "ZZ"
DELEGATE_DISTRICT = "98"
AT_LARGE_DISTRICT = "00"
_POPESTIMATE = re.compile(r"^popestimate(\d{4})$")


def display_name(census_name: str) -> str:
    """The name people use, without the legal suffix: "Denver city" -> "Denver", "Juneau city and borough" ->
    "Juneau", "Indianapolis city (balance)" -> "Indianapolis", "Carson City" stays (the suffix is lower case)."""
    name = census_name.strip()
    for _ in range(2):  # "... city (balance)": the balance, then the city
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)].rstrip()
                break
        else:
            break
    return name


def kind_from_class(class_code: str) -> str:
    """City kind from a place's Census class code (CLASSFP): C* incorporated (C8 a consolidated city's
    balance), U*/M* census-designated places."""
    code = class_code.strip().upper()
    if code == "C8":
        return CONSOLIDATED
    if code.startswith("C"):
        return MUNICIPALITY
    if code.startswith(("U", "M")):
        return CDP
    return OTHER


def kind_from_gazetteer(name: str, lsad: str, funcstat: str) -> str:
    """City kind from a Gazetteer row: LSAD 57 or functional status S is a CDP; F or "(balance)" the balance of a
    consolidated city; A/B/C/G an active government."""
    status = funcstat.strip().upper()
    if lsad.strip() == "57" or status == "S":
        return CDP
    if status == "F" or name.endswith("(balance)"):
        return CONSOLIDATED
    if status in ("A", "B", "C", "G"):
        return MUNICIPALITY
    return OTHER


def _where(name: str, row: CsvRow) -> str:
    return f"{name} line {row.line}"


def _whole(row: CsvRow, name: str, column: str) -> int:
    raw = row.get(column)
    if not raw.isdigit():
        raise ImportDataError(f"{_where(name, row)}: {column.upper()} {raw!r} is not a whole number")
    return int(raw)


def state_of_fips(fips: str, row: CsvRow, name: str) -> str:
    state = STATE_FIPS.get(fips)
    if state is None:
        raise ImportDataError(f"{_where(name, row)}: unknown state FIPS code {fips!r}")
    return state


def parse_district_geoid(geoid: str, row: CsvRow, name: str) -> tuple[str, int] | None:
    """ "3610" -> ("NY", 10); "1198" (DC's delegate) and "5000" (at-large) -> district 0; "36ZZ" (water) -> None."""
    if len(geoid) != 4:
        raise ImportDataError(f"{_where(name, row)}: bad district GEOID {geoid!r} (state FIPS + 2 characters)")
    state = state_of_fips(geoid[:2], row, name)
    code = geoid[2:].upper()
    if code == WATER_DISTRICT:
        return None
    if code in (AT_LARGE_DISTRICT, DELEGATE_DISTRICT):
        return state, 0
    if not code.isdigit() or not 1 <= int(code) <= MAX_DISTRICT:
        raise ImportDataError(f"{_where(name, row)}: bad district GEOID {geoid!r}")
    return state, int(code)


@dataclass
class PlaceDistricts:
    """A Census place and the districts its land lies in, from the relationship file."""

    geoid: str
    state: str
    census_name: str
    kind: str
    land: int
    line: int
    # (state, district) -> land area of the place in the district (square metres)
    parts: dict[tuple[str, int], int] = field(default_factory=dict)

    def share(self, key: tuple[str, int]) -> float | None:
        """The share of the place's land in the district (0..1), rounded so that re-imports compare equal."""
        return round(self.parts[key] / self.land, 6) if self.land else None

    def whole(self, key: tuple[str, int]) -> bool:
        """Blocks nest in both districts and places: a place lies wholly in a district when the areas match."""
        return self.parts[key] == self.land


@dataclass
class RelationshipFile:
    places: dict[str, PlaceDistricts]
    rows: int = 0
    water_rows: int = 0
    remainder_rows: int = 0
    water_only_rows: int = 0
    states: set[str] = field(default_factory=set)


def parse_relationship(text: str, name: str) -> RelationshipFile:
    """Parse tab20_cd11920_place20_natl.txt into places with their districts (skipping ZZ water districts, the
    rows of a district's part outside any place, and overlaps of water only)."""
    _columns, rows = read_csv(
        text, name, aliases=RELATIONSHIP_COLUMNS, required=tuple(RELATIONSHIP_COLUMNS), delimiter="|"
    )
    result = RelationshipFile(places={})
    for row in rows:
        result.rows += 1
        district = parse_district_geoid(row.get("cd_geoid"), row, name)
        if district is None:
            result.water_rows += 1
            continue
        result.states.add(district[0])
        geoid = row.get("place_geoid")
        if not geoid:
            result.remainder_rows += 1
            continue
        if len(geoid) != 7 or not geoid.isdigit():
            raise ImportDataError(f"{_where(name, row)}: bad place GEOID {geoid!r} (7 digits expected)")
        part = _whole(row, name, "part_land")
        if part == 0:
            result.water_only_rows += 1
            continue
        place = result.places.get(geoid)
        if place is None:
            census_name = row.get("place_name")
            if not census_name:
                raise ImportDataError(f"{_where(name, row)}: empty place name")
            place = result.places[geoid] = PlaceDistricts(
                geoid=geoid,
                state=state_of_fips(geoid[:2], row, name),
                census_name=census_name,
                kind=kind_from_class(row.get("place_class")),
                land=_whole(row, name, "place_land"),
                line=row.line,
            )
        place.parts[district] = place.parts.get(district, 0) + part
    for place in result.places.values():
        if sum(place.parts.values()) > place.land:
            raise ImportDataError(
                f"{name} line {place.line}: the district parts of {place.census_name} ({place.geoid}) add up to "
                f"more land than the place has"
            )
    return result


@dataclass
class GazetteerPlace:
    line: int
    geoid: str
    state: str
    census_name: str
    kind: str
    latitude: float | None
    longitude: float | None

    @property
    def name(self) -> str:
        return display_name(self.census_name)


def _coordinate(row: CsvRow, name: str, column: str, limit: float) -> float | None:
    return read_coordinate(row, name, column, limit, label=column.upper())


def parse_gazetteer(text: str, name: str) -> Iterator[GazetteerPlace]:
    """Rows of a Gazetteer places file (tab-delimited; columns found by name, so newer layouts read too)."""
    _columns, rows = read_csv(
        text, name, aliases=GAZETTEER_COLUMNS, required=("usps", "geoid", "name", "funcstat"), delimiter="\t"
    )
    for row in rows:
        geoid = row.get("geoid")
        if len(geoid) != 7 or not geoid.isdigit():
            raise ImportDataError(f"{_where(name, row)}: bad place GEOID {geoid!r} (7 digits expected)")
        state = state_of_fips(geoid[:2], row, name)
        if row.get("usps").upper() != state:
            raise ImportDataError(f"{_where(name, row)}: USPS {row.get('usps')!r} does not match GEOID {geoid}")
        census_name = row.get("name")
        if not census_name or len(census_name) > 200:
            raise ImportDataError(f"{_where(name, row)}: empty or over-long place name")
        yield GazetteerPlace(
            line=row.line,
            geoid=geoid,
            state=state,
            census_name=census_name,
            kind=kind_from_gazetteer(census_name, row.get("lsad"), row.get("funcstat")),
            latitude=_coordinate(row, name, "latitude", 90),
            longitude=_coordinate(row, name, "longitude", 180),
        )


@dataclass
class Estimates:
    """Population of places by GEOID for one vintage year (the latest POPESTIMATE column of the file)."""

    year: int
    by_geoid: dict[str, int]
    rows: int


# Summary levels that are whole places: incorporated place, consolidated city balance. County parts (157)
# would count a place twice; consolidated cities (170) have no place GEOID of their own.
PLACE_SUMMARY_LEVELS = ("162", "172")


def parse_estimates(text: str, name: str) -> Estimates:
    """Read sub-est<year>.csv: each place's population in the latest POPESTIMATE<year> column."""
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    years = [int(m.group(1)) for h in header if (m := _POPESTIMATE.match(h.strip().lower()))]
    if not years:
        found = ", ".join(h.strip() for h in header) or "(nothing)"
        raise ImportDataError(f"{name} line 1: unknown column layout: no POPESTIMATE<year> column (found {found})")
    year = max(years)
    aliases: dict[str, tuple[str, ...]] = {
        "sumlev": ("sumlev",),
        "state": ("state",),
        "county": ("county",),
        "place": ("place",),
        "population": (f"popestimate{year}",),
    }
    _columns, rows = read_csv(text, name, aliases=aliases, required=tuple(aliases))
    by_geoid: dict[str, int] = {}
    count = 0
    for row in rows:
        count += 1
        if row.get("sumlev") not in PLACE_SUMMARY_LEVELS:
            continue
        if row.get("county") not in ("", "000"):
            continue
        geoid = row.get("state") + row.get("place")
        if len(geoid) != 7 or not geoid.isdigit():
            raise ImportDataError(f"{_where(name, row)}: bad STATE/PLACE {row.get('state')!r}/{row.get('place')!r}")
        population = row.get("population")
        if not population.isdigit():
            raise ImportDataError(f"{_where(name, row)}: POPESTIMATE{year} {population!r} is not a whole number")
        by_geoid[geoid] = int(population)
    return Estimates(year=year, by_geoid=by_geoid, rows=count)
