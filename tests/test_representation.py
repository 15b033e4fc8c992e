"""Who represents which city: the rule (advocacy.representation) once on plain values, then letters, targets,
member and city pages and the API agreeing on the demo data with the Census relationship file imported."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import Campaign, City, Endorsement, Letter, Member
from advocacy.models.campaigns import VERIFIED
from advocacy.representation import Coverage, Link, Seat, coverage, population_total
from tests.imports_fixtures import IMPORT_FIXTURES
from tests.letters_fixtures import pdf_pages, run_batch

RELATIONSHIP = IMPORT_FIXTURES / "census" / "tab20_cd11920_place20_natl.txt"
SLUG = "city-state-diplomacy"
NORTON = dict(bioguide_id="N000147", first_name="Eleanor", last_name="Norton", official_full_name="Eleanor Holmes Norton",
              chamber="house", state="DC", district=0, party="Democrat", is_current=True)  # fmt: skip


@pytest.mark.parametrize(
    ("seat", "city_state", "links", "expected"),
    [
        # House: a Census link, partial or whole, gives the share and says partial.
        (Seat("house", "NY", 5), "NY", [Link("NY", 5, "census", 0.09, False), Link("NY", 6, "census", 0.07, False)],
         Coverage(partial=True, basis="census", share=0.09)),
        (Seat("house", "CO", 1), "CO", [Link("CO", 1, "census", 1.0, True)], Coverage(basis="census", share=1.0)),
        (Seat("house", "CO", 4), "CO", [Link("CO", 1, "census", 1.0, True)], None),
        # An approximate link is flagged; with several districts it is taken as partial.
        (Seat("house", "CA", 36), "CA", [Link("CA", 36, "demo"), Link("CA", 37, "demo")],
         Coverage(partial=True, approximate=True, basis="demo")),
        (Seat("house", "CA", 36), "CA", [Link("CA", 36, "zip")], Coverage(approximate=True, basis="zip")),
        # At-large representative and delegate: the whole state or territory, links or not.
        (Seat("house", "WY", 0), "WY", [], Coverage()),
        (Seat("house", "DC", 0), "DC", [Link("DC", 0, "census", 1.0, True)], Coverage()),
        (Seat("house", "DC", 0), "MD", [], None),
        # Senators: the cities of their state, whatever the districts.
        (Seat("senate", "NY", None), "NY", [Link("NY", 10)], Coverage()),
        (Seat("senate", "NJ", None), "NY", [Link("NY", 10)], None),
        (Seat("house", "NY", None), "NY", [Link("NY", 10)], None),
    ],
)  # fmt: skip
def test_the_rule(seat, city_state, links, expected):
    """House by district link (partial where partial), at-large and delegates their state, senators their state."""
    assert coverage(seat, city_state, links) == expected


def test_totals_count_each_city_once_and_name_their_sources():
    """A city given twice counts once; the total says where the figures come from."""
    cities = [
        {"id": 1, "population": 8478072, "population_note": "Census estimate 2024"},
        {"id": 1, "population": 8478072, "population_note": "Census estimate 2024"},
        {"id": 2, "population": 93220, "population_note": "GeoNames"},
    ]
    total = population_total(cities)
    assert (total.cities, total.population) == (2, 8571292)
    assert total.about == "about 8.6 million residents" and total.note == "Census estimate 2024; GeoNames"


@pytest.fixture
def census_demo(app, runner, demo):
    """The demo data with the Census relationship file imported, Norton (DC's delegate) on the roster and verified
    endorsements from New York City, Washington and Columbia (SC, demo districts: approximate)."""
    result = runner.invoke(args=["districts", "import-census", str(RELATIONSHIP)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.add(Member(**NORTON))
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        for name in ("New York City", "Washington", "Columbia"):
            city = db.session.scalar(select(City).where(City.name == name))
            db.session.add(Endorsement(campaign_id=campaign.id, city_id=city.id, status=VERIFIED, signer_name="Test"))
        db.session.commit()


def test_member_and_city_pages_targets_and_api_agree(app, client, login_as, census_demo):
    """Meeks (NY-5) represents NYC partly, Norton all of Washington: the member page, the targets CSV, the city
    page and the API city resource all say so, from the one rule."""
    login_as("viewer")
    meeks = client.get("/members/M001137").get_data(as_text=True)
    assert re.search(r"New York City, NY</a> \([\d,]+\) — partly in the district", meeks)
    norton = client.get("/members/N000147").get_data(as_text=True)
    assert "Washington, DC</a>" in norton and "partly" not in norton.split("Endorsing cities", 1)[1]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/campaigns/{SLUG}/targets.csv").get_data(as_text=True))))
    meeks_row = next(r for r in rows if r["member"] == "Gregory W. Meeks")
    assert "New York City, NY (partly)" in meeks_row["endorsing cities"]
    with app.app_context():
        nyc = db.session.scalar(select(City).where(City.name == "New York City"))
        dc = db.session.scalar(select(City).where(City.name == "Washington"))
    page = client.get(f"/cities/{nyc.id}").get_data(as_text=True)
    assert "Census relationship file" in page and "(partly in the district)" in page and "Gregory W. Meeks" in page
    document = client.get(f"/api/v1/cities/{nyc.id}").get_json()["data"]
    assert [d["code"] for d in document["districts"]][:3] == ["NY-3", "NY-5", "NY-6"]
    ny5 = next(d for d in document["districts"] if d["code"] == "NY-5")
    assert ny5["basis"] == "census" and ny5["whole"] is False and 0 < ny5["share"] < 1
    assert {(m["bioguide_id"], m["partial"]) for m in document["represented_by"]} == {("M001137", True)}
    dc_doc = client.get(f"/api/v1/cities/{dc.id}").get_json()["data"]
    assert dc_doc["districts"] == [
        {"code": "DC-AL", "state": "DC", "district": 0, "basis": "census", "basis_label": "Census relationship file",
         "approximate": False, "share": 1.0, "whole": True}
    ]  # fmt: skip
    assert [(m["bioguide_id"], m["partial"]) for m in dc_doc["represented_by"]] == [("N000147", False)]
    listed = client.get("/api/v1/cities?q=new%20y").get_json()["data"]
    assert [c["name"] for c in listed] == ["New York City"] and listed[0]["geoid"] == "3651000"
    assert listed[0]["kind"] == "municipality" and listed[0]["population_source"] == "GeoNames"


def test_letters_agree_and_label_approximate_districts(app, census_demo):
    """Meeks's letter names NYC as a city partly in his district (Census link: no warning); Wilson's local city,
    Columbia, has demo (approximate) districts, and the batch report says so."""
    batch_id = run_batch(app, "city-diplomacy-sign-on", "member:M001137,W000795")
    with app.app_context():
        letters = db.session.scalars(select(Letter).where(Letter.batch_id == batch_id).order_by(Letter.position)).all()
        by_member = {letter.member_id: letter for letter in letters}
        meeks, wilson = by_member["M001137"], by_member["W000795"]
        from advocacy.letters.tasks import batch_dir

        text = "\n".join(pdf_pages((batch_dir(batch_id) / "letters" / meeks.filename).read_bytes()))
        wilson_warnings = wilson.warnings or ""
        meeks_warnings = meeks.warnings or ""
    assert "1 city in or partly in your district has endorsed: New York City." in text
    assert "approximate" not in meeks_warnings
    assert "districts approximate (ZIP/GeoNames, not Census) for Columbia, SC: not named as in the district; " \
        "check before sending" in wilson_warnings  # fmt: skip


def test_local_cities_flags_partial_cities_for_letters():
    """letters.context.local_cities keeps its signature and marks each local city partial/approximate."""
    from advocacy.letters.context import local_cities

    endorsers = [
        {"label": "New York, NY", "state": "NY", "districts": [
            {"state": "NY", "district": 5, "basis": "census", "share": 0.09, "whole": False},
            {"state": "NY", "district": 6, "basis": "census", "share": 0.07, "whole": False}]},
        {"label": "Denver, CO", "state": "CO", "districts": [["CO", 1]]},
    ]  # fmt: skip
    meeks = {"chamber": "house", "state": "NY", "district": 5}
    degette = {"chamber": "house", "state": "CO", "district": 1}
    assert [(c["label"], c["partial"], c["approximate"]) for c in local_cities(endorsers, [meeks, degette])] == [
        ("New York, NY", True, False),
        ("Denver, CO", False, False),
    ]


# A second copy of the rule would compare a member's seat with a city's district links somewhere else.
_SECOND_COPY = re.compile(
    r"\.district\s*==\s*\w+(\.|\[\")district|\(\s*\w+\.state\s*,\s*\w+\.district\s*\)\s+(not\s+)?in\b"
    r"|\[\s*member\[\"state\"\]\s*,\s*member\[\"district\"\]\s*\]"
)


def test_no_second_copy_of_the_rule():
    """Duplicate-code scan: no module but advocacy/representation.py matches a seat against district links."""
    root = Path(__file__).resolve().parents[1] / "advocacy"
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if path.name != "representation.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _SECOND_COPY.search(line)
    ]
    assert offenders == []
