"""Endorsement paths with Census places: only municipalities endorse (unless staff mark a place endorsable), and
the signer confirms or corrects the city's districts on the signing form, through the pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import Campaign, City, CityDistrict
from tests.conftest import submit
from tests.imports_fixtures import IMPORT_FIXTURES
from tests.test_endorsements_flow import endorsement_for, sign_data

RELATIONSHIP = IMPORT_FIXTURES / "census" / "tab20_cd11920_place20_natl.txt"
SLUG = "city-state-diplomacy"
INVITE = f"/endorsements/campaign/{SLUG}/invite"
INVITATIONS = f"/endorsements/campaign/{SLUG}/invitations"


def _census(app, runner) -> None:
    """Demo data plus Levittown, NY (a CDP in the Census file), with the relationship file imported."""
    with app.app_context():
        db.session.add(City(name="Levittown", state="NY", population=51758, email_domains=["example.org"]))
        db.session.commit()
    result = runner.invoke(args=["districts", "import-census", str(RELATIONSHIP)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _links(app, name: str) -> list[tuple[str, str]]:
    with app.app_context():
        city = db.session.scalar(select(City).where(City.name == name))
        return [(d.label, d.source) for d in city.districts]


def test_cdp_is_refused_on_invitation_and_open_signing_until_staff_mark_it(app, client, demo, runner, login_as, smtp):
    """Inviting Levittown (a census-designated place) is refused with a clear message, so is signing for it on
    the open form; once an advocate marks it endorsable on the city page, the invitation goes out."""
    _census(app, runner)
    login_as("advocate")
    refused = submit(client, INVITE, {"city": "Levittown, NY", "email": "clerk@example.org"}, form_url=INVITATIONS)
    page = refused.get_data(as_text=True)
    assert "Levittown, NY cannot endorse: it is census-designated place (no municipal government)" in page
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        campaign.allow_open_signon = True
        levittown_id = db.session.scalar(select(City.id).where(City.name == "Levittown"))
        db.session.commit()
    open_form = submit(client, f"/c/{SLUG}/sign", sign_data(city="Levittown, NY", signer_email="clerk@example.org"))
    assert open_form.status_code == 200 and "Levittown, NY cannot endorse" in open_form.get_data(as_text=True)
    assert endorsement_for(app, "Levittown") is None

    edit = f"/cities/{levittown_id}/edit"
    response = submit(client, edit, {"name": "Levittown", "state": "NY", "endorsable_override": "yes"})
    assert response.status_code == 302
    assert "yes" in client.get(f"/cities/{levittown_id}").get_data(as_text=True).split("Can endorse", 1)[1][:80]
    invited = submit(client, INVITE, {"city": "Levittown, NY", "email": "clerk@example.org"}, form_url=INVITATIONS)
    assert invited.status_code == 302
    assert "/sign/" in smtp.body(smtp.last_to("clerk@example.org"))


def test_signer_corrects_districts_staff_see_it_and_it_survives_reimport(
    app, client, demo, runner, smtp, invite_city, login_as
):
    """The signing form shows NYC's Census districts with their basis; the signer corrects them; staff see the
    correction in the review; on approval the city's links become "confirmed by the signer", and a re-import of
    the Census file keeps them."""
    _census(app, runner)
    sign_path = invite_city("New York City, NY", "office@nyc.gov")
    form = client.get(sign_path).get_data(as_text=True)
    assert "<strong>NY-5</strong> — Census relationship file" in form
    assert re.search(r'<textarea[^>]*name="districts"[^>]*>\s*NY-3, NY-5, NY-6, NY-7', form)
    response = submit(client, sign_path, sign_data(signer_email="mayor@gmail.com", districts="NY-10, ny-12, 7"))
    assert response.status_code == 302
    submit(client, smtp.link("mayor@gmail.com", "/confirm/"), {})
    endorsement = endorsement_for(app, "New York City")
    assert endorsement.status == "confirmed"
    assert endorsement.signer_districts["after"] == ["NY-7", "NY-10", "NY-12"]
    assert len(_links(app, "New York City")) == 13  # not applied before verification

    login_as("advocate")
    review = client.get(f"/endorsements/{endorsement.id}").get_data(as_text=True)
    assert "corrected by the signer</strong>: NY-7, NY-10, NY-12 (the app had NY-3, NY-5" in review
    submit(client, f"/endorsements/{endorsement.id}/approve", {}, form_url=f"/endorsements/{endorsement.id}")
    assert _links(app, "New York City") == [("NY-7", "signer"), ("NY-10", "signer"), ("NY-12", "signer")]
    again = runner.invoke(args=["districts", "import-census", str(RELATIONSHIP)], catch_exceptions=False)
    assert "unchanged (districts set by hand or confirmed by the signer)" in again.output
    assert _links(app, "New York City") == [("NY-7", "signer"), ("NY-10", "signer"), ("NY-12", "signer")]
    page = client.get(f"/cities/{endorsement.city_id}").get_data(as_text=True)
    assert page.count("confirmed by the signer") == 3


def test_bad_district_on_the_signing_form_is_explained(app, client, demo, runner, smtp, invite_city):
    """A district that does not exist is refused on the form, with an example; nothing is stored."""
    _census(app, runner)
    sign_path = invite_city("New York City, NY", "office@nyc.gov")
    response = submit(client, sign_path, sign_data(signer_email="mayor@nyc.gov", districts="NY-99"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "not a district number" in page and "“NY-1”" in page
    assert endorsement_for(app, "New York City") is None
    with app.app_context():
        assert db.session.scalar(select(CityDistrict.source).join(City).where(City.name == "New York City")) == "census"
