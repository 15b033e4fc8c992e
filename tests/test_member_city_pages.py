"""Members, committees and cities pages, city editing, and the campaign target list (through the test client)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import City, CityDistrict, Endorsement, Event, Member
from advocacy.models.campaigns import VERIFIED
from tests.conftest import submit


@pytest.fixture
def imported(runner, import_file, demo):
    """Demo data, then the small roster, committees, places (with districts) and ZIP table imported over it."""
    for args in (
        ["members", "import", import_file("legislators.yaml")],
        ["committees", "import", import_file("committees.yaml"), import_file("membership.yaml")],
        ["cities", "import", import_file("places.csv"), "--districts", import_file("place_districts.csv")],
        ["districts", "import", import_file("zccd.csv")],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output


def _add_members(app, n: int, offset: int = 0) -> None:
    with app.app_context():
        for i in range(offset, offset + n):
            db.session.add(
                Member(
                    bioguide_id=f"T{i:06d}",
                    first_name="Test",
                    last_name=f"Member{i}",
                    chamber="house",
                    state="TX",
                    district=i % 30 + 1,
                    party="Democrat",
                )
            )
        db.session.commit()


def _add_cities(app, n: int, offset: int = 0) -> None:
    with app.app_context():
        for i in range(offset, offset + n):
            city = City(name=f"Testville {i}", state="TX", population=1000 + i)
            city.districts = [CityDistrict(state="TX", district=i % 30 + 1, source="manual")]
            db.session.add(city)
        db.session.commit()


def test_members_list_query_count_is_constant(app, client, login_as, imported, count_queries, assert_queries):
    """The members list makes the same number of queries with 10 or 40 more members (eager loading)."""
    login_as("viewer")
    _add_members(app, 10)
    with count_queries() as small:
        assert client.get("/members/").status_code == 200
    _add_members(app, 30, offset=10)
    with assert_queries(small.count):
        body = client.get("/members/").get_data(as_text=True)
    assert "Member39" in body


def test_cities_list_query_count_is_constant(app, client, login_as, imported, count_queries, assert_queries):
    """The cities list makes the same number of queries with 5 or 45 more cities on the page."""
    login_as("viewer")
    _add_cities(app, 5)
    with count_queries() as small:
        assert client.get("/cities/?state=TX").status_code == 200
    _add_cities(app, 40, offset=5)
    with assert_queries(small.count):
        body = client.get("/cities/?state=TX").get_data(as_text=True)
    assert "Testville 44" in body


def test_members_filters(client, login_as, imported):
    """Members filter by chamber, state, party and committee."""
    login_as("viewer")
    senate = client.get("/members/?chamber=senate").get_data(as_text=True)
    assert "James E. Risch" in senate and "Ted Lieu" not in senate
    florida = client.get("/members/?state=fl").get_data(as_text=True)
    assert "Brian J. Mast" in florida and "Ted Lieu" not in florida
    republicans = client.get("/members/?party=Republican").get_data(as_text=True)
    assert "Brian J. Mast" in republicans and "Gregory W. Meeks" not in republicans
    ssfr = client.get("/members/?committee=SSFR").get_data(as_text=True)
    assert "Jeanne Shaheen" in ssfr and "Brian J. Mast" not in ssfr


def test_member_page_shows_contact_committees_bills_and_endorsing_cities(client, login_as, imported):
    """A member page has the DC office, committee titles, tracked bills and verified endorsing cities in the seat."""
    login_as("viewer")
    body = client.get("/members/L000582").get_data(as_text=True)
    assert "2454 Rayburn House Office Building" in body and "202-225-3976" in body
    assert "Africa</a>: <strong>Ranking Member</strong>" in body
    assert "H.R. 5323 (119th)" in body and "sponsor" in body
    # Santa Monica (CA-36) has a verified sample endorsement; Los Angeles is in CA-34/36 after the import.
    assert "Santa Monica, CA" in body and "Los Angeles, CA" in body
    newcomer = client.get("/members/N000001").get_data(as_text=True)
    assert "does not have this member's DC office, phone, website yet" in newcomer


def test_committee_pages_list_leaders_first_and_subcommittees(client, login_as, imported):
    """The committee page puts chair and ranking member first, then sides by rank; the list page shows leaders."""
    login_as("viewer")
    page = client.get("/committees/HSFA").get_data(as_text=True)
    assert page.index("Brian J. Mast") < page.index("Gregory W. Meeks") < page.index("Ted Lieu")
    assert "Africa" in page and "hsfa00" in page
    listing = client.get("/committees/").get_data(as_text=True)
    assert "Chair: Brian J. Mast; Ranking Member: Gregory W. Meeks" in listing
    assert "Chairman: James E. Risch; Ranking Member: Jeanne Shaheen" in listing


def test_cities_search_and_filters(client, login_as, imported):
    """Cities search by name prefix (accent- and case-blind) and filter by state, population and endorsement."""
    login_as("viewer")
    assert "Cañon City, CO" in client.get("/cities/?q=CANON").get_data(as_text=True)
    san = client.get("/cities/?q=san").get_data(as_text=True)
    assert "San Diego, CA" in san and "Santa Monica, CA" in san and "Los Angeles" not in san
    big = client.get("/cities/?state=CA&population_min=1000000").get_data(as_text=True)
    assert "Los Angeles, CA" in big and "Santa Monica" not in big
    small = client.get("/cities/?population_max=1000").get_data(as_text=True)
    assert "Springfield, FL" not in small and "Los Angeles" not in small
    endorsed = client.get("/cities/?endorsement=endorsed").get_data(as_text=True)
    assert "Santa Monica, CA" in endorsed and "San Diego" not in endorsed
    not_endorsed = client.get("/cities/?endorsement=none&state=CA").get_data(as_text=True)
    assert "San Diego, CA" in not_endorsed and "Santa Monica" not in not_endorsed


def test_city_page_shows_districts_members_and_source(app, client, login_as, imported):
    """A city page lists its districts with how we know them, each district's representative, and senators."""
    login_as("viewer")
    with app.app_context():
        la = db.session.scalar(select(City).where(City.name == "Los Angeles"))
    body = client.get(f"/cities/{la.id}").get_data(as_text=True)
    assert "CA-36" in body and "approximate (place file, by ZIP)" in body and "Ted Lieu" in body
    assert "Set districts" not in body  # viewers read only


def test_advocate_adds_and_edits_a_city_with_validation(app, client, login_as, imported):
    """Advocates add and edit cities; bad state codes and domains are refused without losing the input."""
    login_as("advocate")
    bad = submit(
        client,
        "/cities/new",
        {"name": "Boise", "state": "XX", "population": "235684", "email_domains": "cityofboise.org, not a domain"},
    )
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "Not a valid choice" in text and "is not a domain name" in text and 'value="Boise"' in text
    created = submit(
        client,
        "/cities/new",
        {"name": "Boise", "state": "ID", "population": "235684", "email_domains": "CityOfBoise.org\n@boise.gov"},
    )
    assert created.status_code == 302
    with app.app_context():
        boise = db.session.scalar(select(City).where(City.name == "Boise"))
        assert boise.email_domains == ["cityofboise.org", "boise.gov"] and boise.name_key == "boise"
        boise_id = boise.id
    duplicate = submit(client, "/cities/new", {"name": "Boise", "state": "ID"})
    assert "Boise, ID is already on file" in duplicate.get_data(as_text=True)
    edited = submit(
        client,
        f"/cities/{boise_id}/edit",
        {"name": "Boise", "state": "ID", "population": "240000", "mayor_name": "Lauren McLean", "email_domains": ""},
    )
    assert edited.status_code == 302
    with app.app_context():
        boise = db.session.get(City, boise_id)
        assert (boise.population, boise.mayor_name, boise.email_domains) == (240000, "Lauren McLean", [])
        assert db.session.scalar(select(Event.actor).where(Event.kind == "city.updated")).startswith("advocate")


def test_viewer_cannot_edit_cities(app, client, login_as, imported):
    """Editing a city needs the advocate role."""
    login_as("viewer")
    assert client.get("/cities/new").status_code == 403


def test_districts_set_by_hand_and_from_zip_codes(app, client, login_as, imported):
    """Advocates set districts by hand or from ZIP codes; the page says which; an import then keeps them."""
    login_as("advocate")
    with app.app_context():
        la_id = db.session.scalar(select(City.id).where(City.name == "Los Angeles"))
    url = f"/cities/{la_id}"
    manual = submit(client, f"{url}/districts", {"districts": "CA-34, 37"}, form_url=url)
    assert manual.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "set by hand" in page and "CA-37" in page
    bad = submit(client, f"{url}/districts", {"districts": "ZZ-1"}, form_url=url)
    assert bad.status_code == 400 and "unknown state code" in bad.get_data(as_text=True)
    unknown = submit(client, f"{url}/zips", {"zips": "90012 00000"}, form_url=url)
    assert unknown.status_code == 400 and "Not in the ZIP → district table: 00000" in unknown.get_data(as_text=True)
    from_zips = submit(client, f"{url}/zips", {"zips": "90012, 90401"}, form_url=url)
    assert from_zips.status_code == 302
    with app.app_context():
        city = db.session.get(City, la_id)
        assert [(d.label, d.source) for d in city.districts] == [("CA-34", "zip"), ("CA-36", "zip"), ("CA-37", "zip")]
    assert "from ZIP codes" in client.get(url).get_data(as_text=True)


def test_targets_rank_committee_members_by_leverage_and_export_csv(app, client, login_as, imported):
    """Targets: referral-committee members, non-cosponsors first, leaders first, then endorsing population; CSV."""
    login_as("viewer")
    page = client.get("/campaigns/city-state-diplomacy/targets").get_data(as_text=True)
    # H.R. 5323 is referred to HSFA: Mast (chair) and Meeks (ranking, an original cosponsor) and Lieu (sponsor).
    assert page.index("Brian J. Mast") < page.index("Gregory W. Meeks")
    assert "James E. Risch" not in page  # SSFR is not a committee of referral of the House bill
    response = client.get("/campaigns/city-state-diplomacy/targets.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    order = [row["member"] for row in rows]
    assert order[0] == "Brian J. Mast"
    assert set(order[1:]) == {"Gregory W. Meeks", "Ted Lieu"}
    lieu = next(row for row in rows if row["member"] == "Ted Lieu")
    assert lieu["position on bill"] == "sponsor" and "Santa Monica, CA" in lieu["endorsing cities"]
    assert int(lieu["endorsing population"]) > 3_000_000  # Los Angeles and Santa Monica (verified samples)


def test_targets_endorsing_population_orders_members_and_csv_is_injection_safe(app, client, login_as, imported):
    """Among non-leaders, more endorsing population ranks higher; formula-like cells are neutralised in the CSV."""
    with app.app_context():
        db.session.add(
            Member(
                bioguide_id="Q000001",
                first_name="=HYPERLINK(1)",
                last_name="Quill",
                official_full_name='=HYPERLINK("http://evil")',
                chamber="house",
                state="FL",
                district=24,
                party="Democrat",
            )
        )
        from advocacy.models import CommitteeMembership

        db.session.add(CommitteeMembership(committee_id="HSFA", member_id="Q000001", party_side="minority", rank=9))
        miami = db.session.scalar(select(City).where(City.name == "Miami"))
        campaign_id = db.session.scalar(select(Endorsement.campaign_id).limit(1))
        db.session.add(Endorsement(campaign_id=campaign_id, city=miami, status=VERIFIED, signer_name="Sample"))
        db.session.commit()
    login_as("viewer")
    rows = list(
        csv.DictReader(io.StringIO(client.get("/campaigns/city-state-diplomacy/targets.csv").get_data(as_text=True)))
    )
    names = [row["member"] for row in rows]
    assert names[:2] == ["Brian J. Mast", '\'=HYPERLINK("http://evil")']
    assert rows[1]["endorsing cities"] == "Miami, FL (partly)"  # several (approximate) districts


def test_target_pages_404_and_login(client, login_as):
    """An unknown campaign is a 404; anonymous users are sent to the login page."""
    assert client.get("/campaigns/nope/targets").status_code == 302
    login_as("viewer")
    assert client.get("/campaigns/nope/targets").status_code == 404
    assert client.get("/campaigns/nope/targets.csv").status_code == 404


def test_city_page_offers_an_invitation_for_campaigns_not_yet_endorsed(client, login_as, demo, app):
    """An advocate can start an invitation from a city page; endorsed cities are not offered again."""
    from sqlalchemy import select

    from advocacy.extensions import db
    from advocacy.models import City

    login_as("advocate")
    with app.app_context():
        austin = db.session.scalar(select(City.id).where(City.name == "Austin"))
        atlanta = db.session.scalar(select(City.id).where(City.name == "Atlanta"))
    page = client.get(f"/cities/{austin}").get_data(as_text=True)
    assert "Invite Austin to endorse" in page
    link = page.split("Invite Austin to endorse")[0].rsplit('href="', 1)[1].split('"')[0]
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="Austin, TX"' in form
    assert "Invite Atlanta to endorse" not in client.get(f"/cities/{atlanta}").get_data(as_text=True)


def test_member_and_committee_pages_have_plain_titles_and_one_office_panel(client, login_as, imported):
    """The office contacts panel is in the page body once, never inside <title> (a merge once put it there)."""
    login_as("viewer")
    for url, title in (("/members/L000582", "Ted Lieu"), ("/committees/HSFA", "Foreign Affairs")):
        page = client.get(url).get_data(as_text=True)
        head = page[page.index("<title>") : page.index("</title>")]
        assert "office-contacts" not in head and title in head, url
        assert page.count('id="office-contacts"') == 1, url
