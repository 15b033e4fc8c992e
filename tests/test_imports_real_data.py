"""Imports of the real data files in ../shared/data (by path; never copied into the repository)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import City, CityDistrict, CommitteeMembership, Member, ZipDistrict
from tests.imports_fixtures import SHARED_DATA

LEGISLATORS = SHARED_DATA / "congress-legislators"
PLACES = SHARED_DATA / "us-places"
ZIPS = SHARED_DATA / "us-zipcodes-congress"

# A fresh machine without ../shared may skip these; CI (CI=true) must run them, so there a missing folder fails.
pytestmark = pytest.mark.skipif(
    not SHARED_DATA.is_dir() and not os.environ.get("CI"), reason=f"real data not found at {SHARED_DATA}"
)


def _leaders(committee: str) -> dict[str, str]:
    rows = db.session.execute(
        select(CommitteeMembership.title, Member.official_full_name)
        .join(Member)
        .where(CommitteeMembership.committee_id == committee, CommitteeMembership.title.is_not(None))
    )
    return {title: name for title, name in rows}


def test_real_roster_and_committees(app, runner, demo):
    """The real roster has 100 senators and 437 House members; HSFA/SSFR leaders are right; re-import is a no-op."""
    commands = [
        ["members", "import", str(LEGISLATORS / "legislators-current.yaml")],
        [
            "committees",
            "import",
            str(LEGISLATORS / "committees-current.yaml"),
            str(LEGISLATORS / "committee-membership-current.yaml"),
        ],
    ]
    for args in commands:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        current = select(func.count(Member.bioguide_id)).where(Member.is_current.is_(True))
        assert db.session.scalar(current.where(Member.chamber == "senate")) == 100
        assert db.session.scalar(current.where(Member.chamber == "house")) == 437
        hsfa, ssfr = _leaders("HSFA"), _leaders("SSFR")
        assert hsfa["Chair"] == "Brian J. Mast" and hsfa["Ranking Member"] == "Gregory W. Meeks"
        assert ssfr["Chairman"] == "James E. Risch" and ssfr["Ranking Member"] == "Jeanne Shaheen"
        assert db.session.scalar(select(func.count(CommitteeMembership.id))) == 3879
    for args in commands:
        result = runner.invoke(args=args)
        assert result.exit_code == 0 and "; 0 changed." in result.output, result.output


def test_real_places_districts_and_zips(app, runner, demo):
    """All 21,783 GeoNames rows are read (duplicate name+state reported), with districts; re-import is a no-op."""
    commands = [
        [
            "cities",
            "import",
            str(PLACES / "us_places_geonames.csv"),
            "--districts",
            str(PLACES / "us_place_districts_approx.csv"),
        ],
        ["districts", "import", str(ZIPS / "zccd.csv")],
    ]
    first = runner.invoke(args=commands[0])
    assert first.exit_code == 0, first.output
    assert "21783 read" in first.output and "329 skipped" in first.output
    assert runner.invoke(args=commands[1]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(City.id))) == 21783 - 329
        assert db.session.scalar(select(func.count(ZipDistrict.id))) == 42033
        anchorage = db.session.scalar(select(City).where(City.geonames_id == 5879400))
        assert [(d.label, d.source) for d in anchorage.districts] == [("AK-AL", "import")]
        assert db.session.scalar(select(func.count(CityDistrict.id)).where(CityDistrict.source == "demo")) == 0
    for args in commands:
        result = runner.invoke(args=args)
        assert result.exit_code == 0 and "; 0 changed." in result.output, result.output
