"""The Census imports (`districts import-census`, `cities import-census`) on files in the official layouts
(tests/fixtures/imports/census, see SOURCE.md there), through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import City, CityDistrict, Event

CENSUS = "census/"
RELATIONSHIP = CENSUS + "tab20_cd11920_place20_natl.txt"
GAZETTEER = CENSUS + "2020_Gaz_place_national.txt"
ESTIMATES = CENSUS + "sub-est2024.csv"
NYC_DISTRICTS = [3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]


def _invoke(runner, *args):
    return runner.invoke(args=list(args), catch_exceptions=False)


def _add_geonames_cities(app) -> None:
    """Cities as the GeoNames import leaves them (no GEOID): NYC under its GeoNames name, an approximate district
    from the place file (NY-10 only), and two GeoNames entries that are no municipalities."""
    with app.app_context():
        nyc = City(name="New York City", state="NY", population=8804190, latitude=40.71427, longitude=-74.00597,
                   geonames_id=5128581, population_source="GeoNames")  # fmt: skip
        nyc.districts = [CityDistrict(state="NY", district=10, source="import")]
        db.session.add_all(
            [
                nyc,
                City(name="Levittown", state="NY", population=51758, latitude=40.72593, longitude=-73.51429),
                City(name="Central 14th Street / WMATA Northern Bus Barn", state="DC", population=11147),
                City(name="Washington", state="DC", population=689545, latitude=38.89511, longitude=-77.03637),
                City(name="Denver", state="CO", population=729019),
            ]
        )
        db.session.commit()


def _links(app, name: str, state: str) -> list[tuple]:
    with app.app_context():
        city = db.session.scalar(select(City).where(City.name == name, City.state == state))
        return [(d.state, d.district, d.source, d.share, d.whole) for d in city.districts]


def _city(app, name: str, state: str) -> City:
    with app.app_context():
        city = db.session.scalar(select(City).where(City.name == name, City.state == state))
        db.session.expunge(city)
        return city


def test_relationship_import_gives_new_york_every_district_with_shares(app, runner, import_file):
    """NYC (stored under its GeoNames name) gets its 13 districts from the Census file, each partial with its share
    of the city's land; the approximate NY-10 link is replaced; the match by name is reported."""
    _add_geonames_cities(app)
    result = _invoke(runner, "districts", "import-census", import_file(RELATIONSHIP))
    assert result.exit_code == 0, result.output
    assert "New York City, NY = New York city (3651000, by name)" in result.output
    links = _links(app, "New York City", "NY")
    assert [d for _s, d, *_ in links] == NYC_DISTRICTS
    assert {(s, basis, whole) for s, _d, basis, _share, whole in links} == {("NY", "census", False)}
    shares = {d: share for _s, d, _b, share, _w in links}
    assert shares[16] == pytest.approx(152390000 / 778190000, abs=1e-6)
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-5)
    nyc = _city(app, "New York City", "NY")
    assert (nyc.geoid, nyc.census_name, nyc.kind, nyc.endorsable) == ("3651000", "New York city", "municipality", True)


def test_relationship_import_at_large_delegate_water_and_remainder_rows(app, runner, import_file):
    """DC's delegate district (98) and an at-large state (00) become district 0, whole; ZZ water rows, the rows
    outside any place and water-only overlaps are skipped and counted."""
    _add_geonames_cities(app)
    with app.app_context():
        db.session.add(City(name="Cheyenne", state="WY", population=65132))
        db.session.commit()
    result = _invoke(runner, "districts", "import-census", import_file(RELATIONSHIP))
    assert result.exit_code == 0, result.output
    assert _links(app, "Washington", "DC") == [("DC", 0, "census", 1.0, True)]
    assert _links(app, "Cheyenne", "WY") == [("WY", 0, "census", 1.0, True)]
    # Denver's row in CO-7 overlaps water only: Denver lies wholly in CO-1.
    assert _links(app, "Denver", "CO") == [("CO", 1, "census", 1.0, True)]
    assert "skipped 1 water-district (ZZ) rows, 1 rows outside any place, 1 water-only overlaps" in result.output
    assert "places of tab20_cd11920_place20_natl.txt are not stored cities" in result.output


def test_cdp_and_geonames_neighbourhood_are_not_endorsable(app, runner, import_file):
    """A stored city matched to a CDP gets kind "cdp"; a GeoNames entry of a covered state with no Census place
    becomes "other": neither can endorse until staff mark it endorsable."""
    _add_geonames_cities(app)
    result = _invoke(runner, "districts", "import-census", import_file(RELATIONSHIP))
    assert (
        "1 stored cities match no Census place and can no longer endorse unless staff mark them endorsable: "
        "Central 14th Street / WMATA Northern Bus Barn, DC" in result.output
    )
    levittown = _city(app, "Levittown", "NY")
    assert (levittown.kind, levittown.endorsable) == ("cdp", False)
    barn = _city(app, "Central 14th Street / WMATA Northern Bus Barn", "DC")
    assert (barn.kind, barn.endorsable) == ("other", False)


def test_reimport_changes_nothing_and_keeps_signer_confirmed_links(app, runner, import_file):
    """The same file again reports 0 changed and records no event; links confirmed by the signer or set by hand
    survive a re-import."""
    _add_geonames_cities(app)
    assert _invoke(runner, "districts", "import-census", import_file(RELATIONSHIP)).exit_code == 0
    with app.app_context():
        events = db.session.scalar(select(func.count(Event.id)))
    again = _invoke(runner, "districts", "import-census", import_file(RELATIONSHIP))
    assert again.exit_code == 0 and "; 0 changed." in again.output, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == events
        nyc = db.session.scalar(select(City).where(City.name == "New York City"))
        denver = db.session.scalar(select(City).where(City.name == "Denver"))
        nyc.districts.clear()
        denver.districts.clear()
        db.session.flush()
        nyc.districts = [CityDistrict(state="NY", district=d, source="signer") for d in (5, 6)]
        denver.districts = [CityDistrict(state="CO", district=4, source="manual")]
        db.session.commit()
    third = _invoke(runner, "districts", "import-census", import_file(RELATIONSHIP))
    assert third.exit_code == 0
    assert "unchanged (districts set by hand or confirmed by the signer)" in third.output
    assert _links(app, "New York City", "NY") == [("NY", 5, "signer", None, None), ("NY", 6, "signer", None, None)]
    assert _links(app, "Denver", "CO") == [("CO", 4, "manual", None, None)]


def test_approximate_import_never_replaces_census_links(app, runner, import_file, tmp_path: Path):
    """The GeoNames/ZIP place file (approximate) does not overwrite a better basis."""
    _add_geonames_cities(app)
    assert _invoke(runner, "districts", "import-census", import_file(RELATIONSHIP)).exit_code == 0
    approx = tmp_path / "approx.csv"
    approx.write_text("geonameid,name,state,district,district_code\n5128581,New York City,NY,10,NY-10\n")
    result = _invoke(runner, "cities", "import", "--districts", str(approx))
    assert result.exit_code == 0, result.output
    assert [d for _s, d, *_ in _links(app, "New York City", "NY")] == NYC_DISTRICTS


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("OID|GEOID|NAME\n1|2|3\n", "line 1: unknown column layout"),
        (None, "line 5: bad district GEOID '36X5'"),
        (None, "line 6: bad place GEOID '365100'"),
        (None, "line 3: unknown state FIPS code '99'"),
    ],
)
def test_bad_relationship_file_fails_with_the_line_and_changes_nothing(
    app, runner, import_file, tmp_path: Path, content, message
):
    """A wrong layout or a bad code stops with file and line; nothing is imported."""
    _add_geonames_cities(app)
    text = Path(import_file(RELATIONSHIP)).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    if content is None:
        if "36X5" in message:
            lines[4] = lines[4].replace("|3605|", "|36X5|")
        elif "365100" in message:
            lines[5] = lines[5].replace("|3651000|", "|365100|", 1)
        else:
            lines[2] = lines[2].replace("|3603|", "|9903|")
        content = "\n".join(lines) + "\n"
    bad = tmp_path / "tab20_cd11920_place20_natl.txt"
    bad.write_text(content, encoding="utf-8-sig")
    before = _links(app, "New York City", "NY")
    result = _invoke(runner, "districts", "import-census", str(bad))
    assert result.exit_code == 1
    assert message in result.output and "Nothing was imported" in result.output, result.output
    assert _links(app, "New York City", "NY") == before


def test_relationship_import_from_a_url(app, runner, fixtures_server):
    """The relationship file can be read from an http URL (a real server on 127.0.0.1)."""
    _add_geonames_cities(app)
    result = _invoke(runner, "districts", "import-census", f"{fixtures_server}/{RELATIONSHIP}")
    assert result.exit_code == 0, result.output
    assert len(_links(app, "New York City", "NY")) == 13


def test_gazetteer_and_estimates_give_identity_kind_and_population_with_its_year(app, runner, import_file):
    """Places are matched (NYC by name and distance) or added under their display name; the population comes from
    the estimates' latest year with its source; county-part rows do not double count; a CDP is not endorsable."""
    _add_geonames_cities(app)
    result = _invoke(runner, "cities", "import-census", import_file(GAZETTEER), "--population", import_file(ESTIMATES))
    assert result.exit_code == 0, result.output
    assert "New York City, NY = New York city (3651000, " in result.output and "km apart" in result.output
    nyc = _city(app, "New York City", "NY")
    assert (nyc.geoid, nyc.population, nyc.population_source, nyc.population_year) == (
        "3651000",
        8478072,
        "Census estimate",
        2024,
    )
    canon = _city(app, "Cañon City", "CO")  # added, display name without the legal suffix, read from Latin-1
    assert (canon.geoid, canon.census_name, canon.population, canon.kind) == (
        "0811810",
        "Cañon City city",
        17544,
        "municipality",
    )
    indy = _city(app, "Indianapolis", "IN")
    assert (indy.kind, indy.population) == ("consolidated", 865316)
    assert _city(app, "Levittown", "NY").kind == "cdp"
    again = _invoke(runner, "cities", "import-census", import_file(GAZETTEER), "--population", import_file(ESTIMATES))
    assert again.exit_code == 0 and "; 0 changed." in again.output, again.output


@pytest.mark.parametrize(
    ("census_name", "shown"),
    [
        ("Denver city", "Denver"),
        ("Juneau city and borough", "Juneau"),
        ("Butte-Silver Bow (balance)", "Butte-Silver Bow"),
        ("Indianapolis city (balance)", "Indianapolis"),
        ("Nashville-Davidson metropolitan government (balance)", "Nashville-Davidson"),
        ("Carson City", "Carson City"),
        ("Oklahoma City city", "Oklahoma City"),
        ("Levittown CDP", "Levittown"),
        ("Anchorage municipality", "Anchorage"),
    ],
)
def test_display_name_drops_the_legal_suffix(census_name, shown):
    """The name people use: the Census legal/statistical suffix goes, a capitalised "City" in the name stays."""
    from advocacy.imports.census import display_name

    assert display_name(census_name) == shown


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("2020_Gaz_place_national.txt", "USPS\tNAME\nNY\tX\n", "line 1: unknown column layout: missing geoid"),
        ("2020_Gaz_place_national.txt", None, "line 3: USPS 'NJ' does not match GEOID 3642081"),
        (
            "sub-est2024.csv",
            "SUMLEV,STATE,PLACE,NAME\n162,36,51000,x\n",
            "line 1: unknown column layout: no POPESTIMATE",
        ),
    ],
)
def test_bad_gazetteer_or_estimates_fail_with_the_line(
    app, runner, import_file, tmp_path: Path, name, content, message
):
    """A wrong layout or an inconsistent row stops the places import with file and line; nothing is imported."""
    if content is None:
        content = Path(import_file(GAZETTEER)).read_text(encoding="utf-8").replace("NY\t3642081", "NJ\t3642081")
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    args = ["cities", "import-census"]
    args += [str(bad)] if name.startswith("2020") else [import_file(GAZETTEER), "--population", str(bad)]
    result = _invoke(runner, *args)
    assert result.exit_code == 1 and message in result.output and "Nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(City.id))) == 0


def _stored(id_: int, name: str, state: str, lat=None, lon=None, geoid=None):
    from types import SimpleNamespace

    return SimpleNamespace(id=id_, name=name, state=state, latitude=lat, longitude=lon, geoid=geoid)


def test_matching_by_name_uses_distance_and_refuses_ambiguity():
    """Same name far away: no match; two candidates: the one within 50 km; a shared name without coordinates, or
    one city claimed by two places: no match (so that a re-import gives the same answer)."""
    from advocacy.cities.census import CensusPlace, match_places

    stored = [
        _stored(1, "Springfield", "IL", 39.80, -89.64),
        _stored(2, "Franklin", "TN", 35.92, -86.87),
        _stored(3, "Saint Paul", "MN", 44.95, -93.09),
        _stored(4, "Lakewood", "OH"),
        _stored(5, "Lakewood", "OH"),  # (cannot happen in the table; stands for any two equal match keys)
        _stored(6, "Newport", "RI"),
    ]
    places = [
        CensusPlace("1772000", "IL", "Springfield city", 41.0, -87.0),  # ~190 km away
        CensusPlace("4727740", "TN", "Franklin city", 35.93, -86.86),
        CensusPlace("2758000", "MN", "St. Paul city"),
        CensusPlace("3942000", "OH", "Lakewood city"),
        CensusPlace("4449960", "RI", "Newport city"),
        CensusPlace("4449961", "RI", "Newport CDP"),
    ]
    matches = match_places(places, stored)
    assert matches.by_geoid == {"4727740": 2, "2758000": 3}
    assert matches.by_name == [
        "Franklin, TN = Franklin city (4727740, 1 km apart)",
        "Saint Paul, MN = St. Paul city (2758000, by name)",
    ]


def test_geonames_reimport_keeps_the_census_population(app, runner, import_file, tmp_path: Path):
    """A place file (GeoNames) re-imported after the Census estimates does not put its older figure back."""
    _add_geonames_cities(app)
    assert (
        _invoke(
            runner, "cities", "import-census", import_file(GAZETTEER), "--population", import_file(ESTIMATES)
        ).exit_code
        == 0
    )
    places = tmp_path / "places.csv"
    places.write_text("geonameid,name,state,population\n5128581,New York City,NY,8804190\n5419384,Bozeman,MT,43405\n")
    result = _invoke(runner, "cities", "import", str(places))
    assert result.exit_code == 0, result.output
    nyc = _city(app, "New York City", "NY")
    assert (nyc.population, nyc.population_source, nyc.population_year) == (8478072, "Census estimate", 2024)
    bozeman = _city(app, "Bozeman", "MT")  # added by the Census import; its GeoNames row matches by name
    assert (bozeman.population, bozeman.population_source) == (58021, "Census estimate")
