"""What a House member's letter says of the endorsing cities of their district (issue #12): "in or partly in your
district" for a city only partly in it, nothing local for a city whose district is only a ZIP/GeoNames
approximation (it still signs; the batch report warns), "in your district" for a city wholly in it."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.letters.tasks import zip_name
from advocacy.models import Campaign, City, CityDistrict, Endorsement
from advocacy.models.campaigns import VERIFIED
from tests.conftest import submit
from tests.imports_fixtures import IMPORT_FIXTURES
from tests.letters_fixtures import pdf_pages

RELATIONSHIP = IMPORT_FIXTURES / "census" / "tab20_cd11920_place20_natl.txt"


def _endorse(city: City) -> None:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
    db.session.add(Endorsement(campaign=campaign, city=city, status=VERIFIED, signer_name="Test Signer"))


def test_letters_say_partly_leave_out_approximate_and_say_in_for_whole(letters_app, runner, demo, tmp_path):
    """Through `letters generate`: Meeks (NY-5, NYC partly by the Census file) reads "1 city in or partly in your
    district"; Wilson (SC-2, Columbia's district only approximate) gets no local paragraph but Columbia signs and the
    manifest warns; Lieu (CA-36, a city wholly in it) reads "1 city in your district"."""
    result = runner.invoke(args=["districts", "import-census", str(RELATIONSHIP)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with letters_app.app_context():
        for name in ("New York City", "Columbia"):
            _endorse(db.session.scalar(select(City).where(City.name == name)))
        whole = City(name="Wholeton", state="CA", population=50000)
        whole.districts = [CityDistrict(state="CA", district=36, source="census", share=1.0, whole=True)]
        _endorse(whole)
        db.session.commit()
    out = tmp_path / "out"
    result = _generate(runner, "member:M001137,W000795,L000582", out)
    assert result.exit_code == 0, result.output

    def text(fragment: str) -> str:
        (path,) = out.glob(f"0*{fragment}*.pdf")
        return " ".join(" ".join(pdf_pages(path.read_bytes())).split())

    meeks, wilson, lieu = text("Meeks"), text("Wilson"), text("Lieu")
    assert "1 city in or partly in your district has endorsed: New York City. Its mayor's office signs below." in meeks
    assert "1 city in your district has endorsed: Wholeton. Its mayor's office signs below." in lieu
    assert "partly" not in lieu
    assert "your district" not in wilson and "has endorsed" not in wilson
    assert "Test Signer, City of Columbia" in wilson  # still signs
    batch_id = int(re.search(r"Batch (\d+)", result.output).group(1))
    with zipfile.ZipFile(out / zip_name(batch_id)) as archive:
        rows = {r["bioguide_id"]: r for r in csv.DictReader(io.StringIO(archive.read("manifest.csv").decode()))}
    assert (
        "districts approximate (ZIP/GeoNames, not Census) for Columbia, SC: not named as in the district"
        in (rows["W000795"]["warnings"])
    )
    assert "approximate" not in rows["M001137"]["warnings"] + rows["L000582"]["warnings"]


def test_partly_when_any_counted_city_is_partial_and_five_named(letters_app, runner, demo, tmp_path):
    """Six cities of CA-36, one only partly in it: "6 cities in or partly in your district have endorsed, including"
    the five largest."""
    with letters_app.app_context():
        for i in range(1, 7):
            city = City(name=f"Partville {i}", state="CA", population=1000 * i)
            city.districts = [CityDistrict(state="CA", district=36, source="census", share=1.0, whole=True)]
            if i == 1:  # the smallest, not named: the count still covers it
                city.districts = [
                    CityDistrict(state="CA", district=36, source="census", share=0.4, whole=False),
                    CityDistrict(state="CA", district=37, source="census", share=0.6, whole=False),
                ]
            _endorse(city)
        db.session.commit()
    out = tmp_path / "out"
    result = _generate(runner, "member:L000582", out)
    assert result.exit_code == 0, result.output
    (path,) = out.glob("0*.pdf")
    lieu = " ".join(" ".join(pdf_pages(path.read_bytes())).split())
    assert (
        "6 cities in or partly in your district have endorsed, including Partville 6, Partville 5, Partville 4, "
        "Partville 3, and Partville 2. Their mayors' offices sign below." in lieu
    )


def test_editor_lists_the_new_keys_and_saves_a_template_that_branches_on_them(letters_app, client, login_as):
    """The editor page documents `local_approximate`, `.partial` and each city's flags, and a template using them
    passes the check on save (the sample data has them)."""
    login_as("advocate")
    page = client.get("/letters/templates/new").get_data(as_text=True)
    for key in ("endorsements.local_approximate", "… .partial", "city.partial / city.approximate",
                "city.districts / city.districts_approximate"):  # fmt: skip
        assert key in page
    body = (
        "{% set local = endorsements.local %}{% if local.partial %}in or partly{% endif %}"
        "{% for c in endorsements.local_approximate.cities %}{{ c.label }}{{ c.approximate }}{% endfor %}"
        "{% for c in endorsements.all.cities %}{{ c.districts_approximate }}"
        "{% for d in c.districts %}{{ d.label }}{{ d.whole }}{% endfor %}{% endfor %}"
    )
    form = {"name": "Branches", "slug": "branches", "re_line": "RE", "body_format": "markdown", "body": body,
            "closing": "Sincerely,", "signature_block": "Coalition", "letterhead_name": "Coalition",
            "letterhead_address": ""}  # fmt: skip
    response = submit(client, "/letters/templates/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]


def _generate(runner, to: str, out):
    """`flask letters generate` of the demo template and campaign to `to`, dated 2026-11-27, into `out`."""
    return runner.invoke(
        args=[
            "letters", "generate", "--template", "city-diplomacy-sign-on", "--campaign", "city-state-diplomacy",
            "--to", to, "--out", str(out), "--date", "2026-11-27",
        ]
    )  # fmt: skip
