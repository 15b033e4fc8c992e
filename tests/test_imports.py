"""The import commands (members, committees, cities, districts) on small fixture files, through the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import City, CityDistrict, Committee, CommitteeMembership, Event, Member, ZipDistrict


def _invoke(runner, *args):
    return runner.invoke(args=list(args), catch_exceptions=False)


def _snapshot(app) -> dict:
    """Row counts of the imported tables plus a few member fields: what must not move on a failed import."""
    with app.app_context():
        counts = {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Member, Committee, CommitteeMembership, City, CityDistrict, ZipDistrict, Event)
        }
        counts["members"] = sorted(
            db.session.execute(select(Member.bioguide_id, Member.phone, Member.is_current)).all()
        )
        return counts


@pytest.fixture
def roster(runner, import_file):
    """The small roster and its committees imported."""
    assert _invoke(runner, "members", "import", import_file("legislators.yaml")).exit_code == 0
    result = _invoke(runner, "committees", "import", import_file("committees.yaml"), import_file("membership.yaml"))
    assert result.exit_code == 0, result.output


def test_members_import_adds_members_and_reimport_is_a_no_op(app, runner, import_file):
    """A first import adds every member with the last term's seat; the same file again reports 0 changed."""
    result = _invoke(runner, "members", "import", import_file("legislators.yaml"))
    assert result.exit_code == 0, result.output
    assert "6 added" in result.output and "6 changed" in result.output
    with app.app_context():
        lieu = db.session.get(Member, "L000582")
        assert (lieu.chamber, lieu.state, lieu.district, lieu.seat) == ("house", "CA", 36, "CA-36")
        assert lieu.office == "2454 Rayburn House Office Building" and lieu.source == "unitedstates"
        risch = db.session.get(Member, "R000584")
        assert risch.chamber == "senate" and risch.district is None and risch.contact_form.endswith("p=Email")
        newcomer = db.session.get(Member, "N000001")
        assert newcomer.office is None and newcomer.phone is None and newcomer.seat == "AK-AL"
    before = _snapshot(app)
    again = _invoke(runner, "members", "import", import_file("legislators.yaml"))
    assert again.exit_code == 0 and "0 changed" in again.output
    assert _snapshot(app) == before


def test_members_reimport_updates_adds_and_retires(app, runner, import_file, roster):
    """A newer roster updates changed fields, adds newcomers, and marks the departed not current (kept)."""
    result = _invoke(runner, "members", "import", import_file("legislators-v2.yaml"))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output and "1 updated" in result.output and "1 marked not current" in result.output
    with app.app_context():
        assert db.session.get(Member, "L000582").phone == "202-225-0000"
        assert db.session.get(Member, "M001169").is_current is True
        shaheen = db.session.get(Member, "S001181")
        assert shaheen is not None and shaheen.is_current is False
        # Her committee seat (history) is still there until the membership file says otherwise.
        assert db.session.scalar(select(func.count()).where(CommitteeMembership.member_id == "S001181")) == 1


def test_members_import_updates_demo_members_in_place(app, runner, import_file, demo):
    """Demo members (same bioguide ids) are updated by the import, not duplicated, and keep their bill links."""
    with app.app_context():
        demo_members = db.session.scalar(select(func.count(Member.bioguide_id)))
    result = _invoke(runner, "members", "import", import_file("legislators.yaml"))
    assert result.exit_code == 0, result.output
    with app.app_context():
        meeks = db.session.get(Member, "M001137")
        assert (meeks.state, meeks.district, meeks.is_current, meeks.source) == ("NY", 5, True, "unitedstates")
        # Demo members absent from this small roster stay, marked not current.
        assert db.session.scalar(select(func.count(Member.bioguide_id))) == demo_members + 1
        assert db.session.get(Member, "W000795").is_current is False


def test_members_import_from_a_url(app, runner, fixtures_server):
    """The roster can be imported from an http URL (a real server on 127.0.0.1)."""
    result = _invoke(runner, "members", "import", f"{fixtures_server}/legislators.yaml")
    assert result.exit_code == 0, result.output
    assert "6 added" in result.output
    missing = _invoke(runner, "members", "import", f"{fixtures_server}/nope.yaml")
    assert missing.exit_code == 1 and "HTTP 404" in missing.output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("legislators-malformed.yaml", "legislators-malformed.yaml line 6: malformed YAML"),
        ("legislators-bad-state.yaml", "legislators-bad-state.yaml line 19 (Z000001): bad state code 'XX'"),
        ("missing.yaml", "no such file"),
    ],
)
def test_bad_roster_gives_a_clear_error_and_changes_nothing(app, runner, import_file, roster, name, message):
    """Malformed YAML or a bad state code fails with file and line, and nothing is half-imported."""
    before = _snapshot(app)
    result = _invoke(runner, "members", "import", import_file(name))
    assert result.exit_code == 1
    assert message in result.output and "Nothing was imported" in result.output
    assert _snapshot(app) == before


def test_committees_import_maps_system_codes_sides_and_titles(app, runner, import_file, roster):
    """Committees and subcommittees get Congress.gov codes (HSFA→hsfa00, HSFA16→hsfa16) and seats with titles."""
    with app.app_context():
        hsfa = db.session.get(Committee, "HSFA")
        africa = db.session.get(Committee, "HSFA16")
        assert (hsfa.system_code, hsfa.chamber, hsfa.parent_id) == ("hsfa00", "house", None)
        assert (africa.system_code, africa.parent_id, africa.name) == ("hsfa16", "HSFA", "Africa")
        assert db.session.get(Committee, "JSEC").system_code == "jsec00"
        seats = {
            (m.committee_id, m.member_id): (m.party_side, m.rank, m.title)
            for m in db.session.scalars(select(CommitteeMembership))
        }
    assert seats[("HSFA", "M001199")] == ("majority", 1, "Chair")
    assert seats[("HSFA", "M001137")] == ("minority", 1, "Ranking Member")
    assert seats[("HSFA16", "L000582")] == ("minority", 1, "Ranking Member")
    assert seats[("SSFR", "R000584")] == ("majority", 1, "Chairman")
    before = _snapshot(app)
    again = _invoke(runner, "committees", "import", import_file("committees.yaml"), import_file("membership.yaml"))
    assert again.exit_code == 0 and "0 changed" in again.output
    assert _snapshot(app) == before


def test_committees_import_updates_demo_committees(app, runner, import_file, demo):
    """The demo's HSFA/SSFR rows are updated in place; seats of members missing from the file are removed."""
    assert _invoke(runner, "members", "import", import_file("legislators.yaml")).exit_code == 0
    result = _invoke(runner, "committees", "import", import_file("committees.yaml"), import_file("membership.yaml"))
    assert result.exit_code == 0, result.output
    with app.app_context():
        hsfa_members = set(
            db.session.scalars(select(CommitteeMembership.member_id).where(CommitteeMembership.committee_id == "HSFA"))
        )
        assert hsfa_members == {"M001199", "M001137", "L000582"}
        assert db.session.get(Committee, "SSFR").url == "https://www.foreign.senate.gov/"


def test_committee_membership_with_unknown_member_fails_cleanly(app, runner, import_file, roster):
    """A seat for a member not in the roster is a clear error with the line; no seats change."""
    before = _snapshot(app)
    result = _invoke(
        runner, "committees", "import", import_file("committees.yaml"), import_file("membership-unknown-member.yaml")
    )
    assert result.exit_code == 1
    assert "membership-unknown-member.yaml line 7: HSFA member X999999 is not in the roster" in result.output
    assert _snapshot(app) == before


def test_cities_import_geonames_layout_with_districts(app, runner, import_file):
    """The GeoNames layout imports; a duplicate name+state keeps the more populous; districts come from the file."""
    result = _invoke(
        runner, "cities", "import", import_file("places.csv"), "--districts", import_file("place_districts.csv")
    )
    assert result.exit_code == 0, result.output
    assert "10 read" in result.output and "9 added" in result.output
    assert "line 7: Springfield, FL again (kept the more populous, line 6)" in result.output
    assert "1 district row(s) of place_districts.csv are for places not in the database" in result.output
    with app.app_context():
        la = db.session.scalar(select(City).where(City.geonames_id == 5368361))
        assert (la.name, la.state, la.population, la.latitude) == ("Los Angeles", "CA", 3820914, 34.05223)
        assert [(d.label, d.source) for d in la.districts] == [("CA-34", "import"), ("CA-36", "import")]
        springfield = db.session.scalar(select(City).where(City.name == "Springfield"))
        assert springfield.population == 8000
        assert db.session.scalar(select(City.name_key).where(City.geonames_id == 4562635)) == "canon city"
    before = _snapshot(app)
    again = _invoke(
        runner, "cities", "import", import_file("places.csv"), "--districts", import_file("place_districts.csv")
    )
    assert again.exit_code == 0 and "0 changed" in again.output
    assert _snapshot(app) == before


def test_cities_import_updates_demo_cities_and_keeps_hand_set_districts(app, runner, import_file, demo):
    """Demo cities are matched by GeoNames id and updated; districts an advocate set are never overwritten."""
    from advocacy.cities.services import set_city_districts

    with app.app_context():
        demo_count = db.session.scalar(select(func.count(City.id)))
        santa_monica = db.session.scalar(select(City).where(City.name == "Santa Monica"))
        set_city_districts(santa_monica, {("CA", 32)}, source="manual", actor="test")
        db.session.commit()
    result = _invoke(
        runner, "cities", "import", import_file("places.csv"), "--districts", import_file("place_districts.csv")
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = db.session.scalars(select(City.name).where(City.name == "Los Angeles")).all()
        assert names == ["Los Angeles"]
        la = db.session.scalar(select(City).where(City.name == "Los Angeles"))
        assert {(d.label, d.source) for d in la.districts} == {("CA-34", "import"), ("CA-36", "import")}
        assert la.email_domains == ["lacity.org"]  # advocate data untouched
        santa_monica = db.session.scalar(select(City).where(City.name == "Santa Monica"))
        assert [(d.label, d.source) for d in santa_monica.districts] == [("CA-32", "manual")]
        assert db.session.scalar(select(func.count(City.id))) > demo_count


def test_cities_import_other_layout_with_a_districts_column(app, runner, import_file, fixtures_server):
    """A plain City,State,Population,Districts CSV imports too (here from a URL)."""
    result = _invoke(runner, "cities", "import", f"{fixtures_server}/places-simple.csv")
    assert result.exit_code == 0, result.output
    with app.app_context():
        twin_falls = db.session.scalar(select(City).where(City.name == "Twin Falls"))
        assert twin_falls.population == 51807 and twin_falls.geonames_id is None
        assert [(d.label, d.source) for d in twin_falls.districts] == [("ID-2", "import")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("places-bad-state.csv", "places-bad-state.csv line 3: bad state code 'XX'"),
        ("places-unknown-layout.csv", "places-unknown-layout.csv line 1: unknown column layout: missing name, state"),
        ("places-malformed.csv", "places-malformed.csv line 3: malformed CSV: 4 fields where the header has 3"),
    ],
)
def test_bad_places_file_gives_a_clear_error_and_changes_nothing(app, runner, import_file, name, message):
    """A bad state code, an unknown layout or a malformed row fails with the line; no city is imported."""
    assert _invoke(runner, "cities", "import", import_file("places.csv")).exit_code == 0
    before = _snapshot(app)
    result = _invoke(runner, "cities", "import", import_file(name))
    assert result.exit_code == 1
    assert message in result.output and "Nothing was imported" in result.output
    assert _snapshot(app) == before


def test_zip_districts_import_and_reimport(app, runner, import_file):
    """The zccd.csv format loads into the ZIP table (split ZIPs keep both rows); a second run changes nothing."""
    result = _invoke(runner, "districts", "import", import_file("zccd.csv"))
    assert result.exit_code == 0, result.output
    assert "6 added" in result.output
    with app.app_context():
        rows = db.session.scalars(select(ZipDistrict).where(ZipDistrict.zcta == "90012")).all()
        assert sorted(r.label for r in rows) == ["CA-34", "CA-37"]
    again = _invoke(runner, "districts", "import", import_file("zccd.csv"))
    assert "0 changed" in again.output
    bad = _invoke(runner, "districts", "import", import_file("zccd-bad-state.csv"))
    assert bad.exit_code == 1 and "zccd-bad-state.csv line 3: bad state code 'ZZ'" in bad.output
    with app.app_context():
        assert db.session.scalar(select(func.count(ZipDistrict.id))) == 6


def test_long_imports_print_progress_to_stderr(app, runner, tmp_path):
    """An import of more than 5,000 rows prints a progress line to stderr (not mixed into the summary)."""
    path = tmp_path / "zips.csv"
    lines = ["state_fips,state_abbr,zcta,cd"] + [f"06,CA,{90000 + i:05d},1" for i in range(6000)]
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(args=["districts", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "zips.csv: 5000 rows read" in result.stderr
    assert "6000 added" in result.stdout
