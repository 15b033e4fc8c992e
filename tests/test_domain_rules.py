"""The domain rules that issue 14 gives one home: representation on the models, the verified-endorsements
query, absolute links, typed errors of the city and campaign services, and the unit of work around their views."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.campaigns.errors import CampaignError
from advocacy.campaigns.services import create_campaign, link_bill
from advocacy.cities.errors import CityNameTaken
from advocacy.cities.services import create_city, update_city
from advocacy.endorsements import services as endorsements
from advocacy.endorsements.queries import find_city, verified_city_ids, verified_endorsements
from advocacy.extensions import db
from advocacy.models import Campaign, City, CityDistrict, Endorsement, Event, Invitation, Member
from advocacy.models.campaigns import CONFIRMED, VERIFIED
from advocacy.uow import unit_of_work
from advocacy.urls import absolute_url

pytest_plugins = ["tests.endorsements_fixtures"]


def _member(bioguide: str, chamber: str, state: str, district: int | None, **extra) -> Member:
    return Member(bioguide_id=bioguide, first_name="A", last_name=bioguide, chamber=chamber, state=state,
                  district=district, is_current=extra.pop("is_current", True), **extra)  # fmt: skip


def test_member_represents_and_city_representatives(app_ctx):
    """Member.represents and City.representatives apply the one rule: the district's member (partly, for a
    city in two districts), the senators, and not a member of another district or a former member."""
    city = City(name="Twin", state="CO", population=1000)
    city.districts = [CityDistrict(state="CO", district=1, source="census", share=0.6, whole=False),
                      CityDistrict(state="CO", district=2, source="census", share=0.4, whole=False)]  # fmt: skip
    rep1, rep3 = _member("R000001", "house", "CO", 1), _member("R000003", "house", "CO", 3)
    senator, former = (
        _member("S000001", "senate", "CO", None),
        _member("S000002", "senate", "CO", None, is_current=False),
    )
    db.session.add_all([city, rep1, rep3, senator, former])
    db.session.flush()

    how = rep1.represents(city)
    assert how is not None and how.partial and how.basis == "census" and how.share == 0.6
    assert rep3.represents(city) is None
    assert senator.represents({"state": "CO", "districts": []}) is not None  # a letter's plain city dict
    assert [(m.bioguide_id, c.partial) for m, c in city.representatives()] == [("R000001", True), ("S000001", False)]
    assert [m.bioguide_id for m, _ in city.representatives(Member.last_name.desc())] == ["S000001", "R000001"]


def test_verified_endorsements_is_one_definition(app_ctx):
    """Only verified endorsements of the campaign count; samples only when asked; the city ids agree."""
    campaign = Campaign(slug="c", name="C", ask="Ask")
    other = Campaign(slug="o", name="O", ask="Ask")
    cities = [City(name=f"City {i}", state="TX", population=i) for i in range(4)]
    db.session.add_all([campaign, other, *cities])
    db.session.flush()
    db.session.add_all([
        Endorsement(campaign_id=campaign.id, city_id=cities[0].id, status=VERIFIED, signer_name="S"),
        Endorsement(campaign_id=campaign.id, city_id=cities[1].id, status=VERIFIED, signer_name="S",
                    source_note="sample"),
        Endorsement(campaign_id=campaign.id, city_id=cities[2].id, status=CONFIRMED, signer_name="S"),
        Endorsement(campaign_id=other.id, city_id=cities[3].id, status=VERIFIED, signer_name="S"),
    ])  # fmt: skip
    db.session.flush()

    def names(query):
        return sorted(e.city.name for e in db.session.scalars(query))

    assert names(verified_endorsements(campaign)) == ["City 0", "City 1"]
    assert names(verified_endorsements(campaign, include_samples=False)) == ["City 0"]
    assert names(verified_endorsements([campaign.id, other.id])) == ["City 0", "City 1", "City 3"]
    assert names(verified_endorsements(campaign, state="CA")) == []
    ids = set(db.session.scalars(select(City.id).where(City.id.in_(verified_city_ids(campaign)))))
    assert ids == {cities[0].id, cities[1].id}


def test_absolute_url_joins_base_url_and_path_once(app_ctx):
    """One slash between BASE_URL and the path, whether the path starts with one or not."""
    base = app_ctx.config["BASE_URL"].rstrip("/")
    assert absolute_url("/sign/abc") == f"{base}/sign/abc"
    assert absolute_url("verify/123") == f"{base}/verify/123"


def test_city_name_rule_is_in_the_service(app_ctx):
    """create_city and update_city refuse a name and state another city has (a typed error, nothing written)."""
    create_city({"name": "Boise", "state": "ID", "email_domains": []}, actor="test")
    other = create_city({"name": "Nampa", "state": "ID", "email_domains": []}, actor="test")
    with pytest.raises(CityNameTaken, match="Boise, ID is already on file"):
        create_city({"name": "Boise", "state": "ID", "email_domains": []}, actor="test")
    with pytest.raises(CityNameTaken):
        update_city(other, {"name": "Boise", "state": "ID"}, actor="test")
    assert other.name == "Nampa"
    assert update_city(other, {"name": "Nampa", "state": "ID", "population": 5}, actor="test") == ["population"]


def test_a_unit_of_work_rolls_back_a_service_that_raised_after_writing(app):
    """A campaign created (flushed) and then refused a bill in the same unit of work is not stored at all."""
    with app.app_context(), pytest.raises(CampaignError, match="not stored yet"), unit_of_work():
        campaign = create_campaign("solo", {"name": "Solo", "ask": "Ask"}, actor="test")
        assert campaign.id is not None  # written to the transaction
        link_bill(campaign, "H.R. 1 (119th)", actor="test")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_invitation_mail_goes_only_after_the_commit(app, demo, smtp):
    """An invitation in a unit of work that rolls back sends no mail; one that commits sends it."""
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        with pytest.raises(RuntimeError), unit_of_work():
            endorsements.invite(campaign, find_city("Austin, TX"), "mayor@austintexas.gov", None, actor="test")
            raise RuntimeError("something after the invitation failed")
        assert smtp.messages == []
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
        with unit_of_work():
            endorsements.invite(campaign, find_city("Austin, TX"), "mayor@austintexas.gov", None, actor="test")
        assert [m["To"] for m in smtp.messages] == ["mayor@austintexas.gov"]
