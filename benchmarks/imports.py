"""Benchmark: importing the real roster, committees and places (../shared/data, or --data DIR), then a Census
place <-> district relationship file of ~34,000 rows.

Prints wall times for the first import and for the re-import (which must change nothing), next to a baseline
measured in the same run: only reading and parsing the same files, without the database. Targets: the full
roster (537 members, ~230 committee keys, ~3,900 seats) under 10 s; 21,783 places under 30 s; the relationship
file (~34,000 rows) under 20 s.

The real relationship file cannot be downloaded here, so one is generated in its official layout
(advocacy.imports.census; header as published) from the GeoNames places and their approximate districts: each
place becomes "<name> city" with a GEOID, one row per (district, place) overlap, plus a remainder row per
district, ZZ water rows and CDP rows for places not stored, so that matching by name, link replacement and
the skipped rows are all exercised.

    .venv/bin/python benchmarks/imports.py [--data ../shared/data] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.cities.census import import_census_districts  # noqa: E402
from advocacy.cities.services import import_cities, import_zip_districts  # noqa: E402
from advocacy.cities.states import STATE_FIPS  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.imports.census import parse_relationship  # noqa: E402
from advocacy.members.services import import_committees, import_members  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RELATIONSHIP_HEADER = (
    "OID_CD119_20|GEOID_CD119_20|NAMELSAD_CD119_20|AREALAND_CD119_20|AREAWATER_CD119_20|MTFCC_CD119_20|"
    "FUNCSTAT_CD119_20|OID_PLACE_20|GEOID_PLACE_20|NAMELSAD_PLACE_20|AREALAND_PLACE_20|AREAWATER_PLACE_20|"
    "MTFCC_PLACE_20|CLASSFP_PLACE_20|FUNCSTAT_PLACE_20|AREALAND_PART|AREAWATER_PART"
)
TARGET_ROWS = 34_000


def write_relationship_file(places_csv: Path, districts_csv: Path, out: Path) -> int:
    """A relationship file in the official layout built from the GeoNames places and their districts."""
    fips_of = {state: fips for fips, state in STATE_FIPS.items()}
    with places_csv.open(encoding="utf-8") as f:
        places = {row["geonameid"]: row for row in csv.DictReader(f)}
    overlaps: dict[str, list[int]] = {}
    with districts_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["geonameid"] in places:
                overlaps.setdefault(row["geonameid"], []).append(int(row["district"]))
    rows: list[str] = []
    districts: set[tuple[str, int]] = set()
    for number, (gid, found) in enumerate(sorted(overlaps.items()), start=1):
        place = places[gid]
        fips = fips_of[place["state"]]
        geoid = f"{fips}{number:05d}"
        land = 1_000_000 * len(found)
        for district in found:
            districts.add((fips, district))
            code = "98" if place["state"] in ("DC", "PR") else f"{district:02d}"
            rows.append(
                f"{number}|{fips}{code}|Congressional District {district}|900000000|1000|G5200|N|{number}|{geoid}|"
                f"{place['name']} city|{land}|0|G4110|C1|A|1000000|0"
            )
    for fips, district in sorted(districts):
        rows.append(f"0|{fips}{district:02d}|Congressional District {district}|900000000|1000|G5200|N|||||||||5000|0")
    for fips in sorted({fips for fips, _ in districts}):
        rows.append(f"0|{fips}ZZ|Congressional Districts not defined|0|9000|G5200|N|||||||||0|9000")
    cdp = 0
    while len(rows) < TARGET_ROWS:
        cdp += 1
        fips = sorted({fips for fips, _ in districts})[cdp % 50]
        rows.append(
            f"0|{fips}01|Congressional District 1|900000000|1000|G5200|N|{cdp}|{fips}{90000 + cdp % 9999:05d}|"
            f"Benchmark Place {cdp} CDP|2000000|0|G4210|U1|S|1000000|0"
        )
    out.write_text(RELATIONSHIP_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8-sig")
    return len(rows)


def timed(label: str, action) -> float:
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    summary = result.summary().splitlines()[0] if hasattr(result, "summary") else ""
    print(f"  {label:<34} {elapsed:7.2f} s   {summary}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--database-url", help="default: a new SQLite file; PostgreSQL databases are emptied")
    args = parser.parse_args()
    leg = args.data / "congress-legislators"
    files = {
        "legislators": leg / "legislators-current.yaml",
        "committees": leg / "committees-current.yaml",
        "membership": leg / "committee-membership-current.yaml",
        "places": args.data / "us-places" / "us_places_geonames.csv",
        "place_districts": args.data / "us-places" / "us_place_districts_approx.csv",
        "zips": args.data / "us-zipcodes-congress" / "zccd.csv",
    }
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    print(f"Database: {url.split('@')[-1]}")
    print("Baseline (read and parse only, no database):")
    parse_roster = timed(
        "roster YAML (3 files)",
        lambda: [yaml.load(files[k].read_text(), Loader=loader) for k in ("legislators", "committees", "membership")],  # noqa: S506
    )
    parse_places = timed(
        "places CSV (+ districts CSV)",
        lambda: [list(csv.reader(files[k].open())) for k in ("places", "place_districts")],
    )
    relationship = Path(tempfile.mkdtemp()) / "tab20_cd11920_place20_natl.txt"
    relationship_rows = write_relationship_file(files["places"], files["place_districts"], relationship)
    rel_text = relationship.read_text(encoding="utf-8-sig")
    parse_rel = timed(f"relationship file ({relationship_rows:,} rows)", lambda: parse_relationship(rel_text, "rel"))

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        results: dict[str, float] = {}
        for run in ("first import", "re-import (no-op)"):
            print(f"{run.capitalize()}:")
            roster = timed("members", lambda: import_members(str(files["legislators"])))
            roster += timed(
                "committees + membership",
                lambda: import_committees(str(files["committees"]), str(files["membership"])),
            )
            db.session.commit()
            places = timed(
                "places + place districts",
                lambda: import_cities(str(files["places"]), districts_location=str(files["place_districts"])),
            )
            db.session.commit()
            timed("ZIP districts", lambda: import_zip_districts(str(files["zips"])))
            db.session.commit()
            census = timed("Census relationship file", lambda: import_census_districts(str(relationship)))
            db.session.commit()
            results[f"{run} roster"] = roster
            results[f"{run} places"] = places
            results[f"{run} census"] = census
        db.session.remove()
        db.engine.dispose()

    print("Summary:")
    for run in ("first import", "re-import (no-op)"):
        roster, places, census = results[f"{run} roster"], results[f"{run} places"], results[f"{run} census"]
        print(
            f"  {run:<18} roster {roster:6.2f} s (target < 10 s, {roster / parse_roster:4.1f}x parsing)   "
            f"places {places:6.2f} s (target < 30 s, {places / parse_places:4.1f}x parsing)   "
            f"Census districts {census:6.2f} s (target < 20 s, {census / parse_rel:4.1f}x parsing)"
        )
    ok = all(
        results[f"{r} roster"] < 10 and results[f"{r} places"] < 30 and results[f"{r} census"] < 20
        for r in ("first import", "re-import (no-op)")
    )
    print("Targets met." if ok else "TARGETS MISSED.")


if __name__ == "__main__":
    main()
