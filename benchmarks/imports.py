"""Benchmark: importing the real roster, committees and places (../shared/data, or --data DIR).

Prints wall times for the first import and for the re-import (which must change nothing), next to a baseline
measured in the same run: only reading and parsing the same files, without the database. Targets: the full
roster (537 members, ~230 committee keys, ~3,900 seats) under 10 s; 21,783 places under 30 s.

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
from advocacy.cities.services import import_cities, import_zip_districts  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.members.services import import_committees, import_members  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


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
            results[f"{run} roster"] = roster
            results[f"{run} places"] = places
        db.session.remove()
        db.engine.dispose()

    print("Summary:")
    for run in ("first import", "re-import (no-op)"):
        roster, places = results[f"{run} roster"], results[f"{run} places"]
        print(
            f"  {run:<18} roster {roster:6.2f} s (target < 10 s, {roster / parse_roster:4.1f}x parsing)   "
            f"places {places:6.2f} s (target < 30 s, {places / parse_places:4.1f}x parsing)"
        )
    ok = all(results[f"{r} roster"] < 10 and results[f"{r} places"] < 30 for r in ("first import", "re-import (no-op)"))
    print("Targets met." if ok else "TARGETS MISSED.")


if __name__ == "__main__":
    main()
