"""Demo data, first-run set-up, and the staff pages over it."""

from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import (
    Bill,
    BillAction,
    Campaign,
    City,
    Committee,
    CommitteeMembership,
    Cosponsorship,
    Endorsement,
    Member,
    User,
)

COUNTED = (Bill, BillAction, Cosponsorship, Member, Committee, CommitteeMembership, City, Campaign, Endorsement)


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def test_demo_load_twice_gives_same_counts(runner, app):
    """`flask demo load` is idempotent: the second run adds nothing and says so."""
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and "Added 6 bills" in first.output
    with app.app_context():
        counts = _counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "nothing to add" in second.output
    with app.app_context():
        assert _counts() == counts
        assert counts["Bill"] == 6 and counts["City"] == 12 and counts["Campaign"] == 1


def _hr4526_cosponsors() -> set[str]:
    bill = db.session.scalar(select(Bill).where(Bill.congress == 117, Bill.bill_type == "hr", Bill.number == 4526))
    return {c.member_id for c in bill.cosponsorships}


def _as_an_older_demo(app, data_source: str = "demo") -> None:
    """Make the database look like one an older demo made: Albio Sires under S000522 (Christopher H. Smith's id)."""
    with app.app_context():
        db.session.add(Member(bioguide_id="S000522", first_name="Albio", last_name="Sires", chamber="house",
                              state="NJ", district=8, party="Democrat", is_current=False, source="demo"))  # fmt: skip
        db.session.flush()
        row = db.session.scalar(select(Cosponsorship).where(Cosponsorship.member_id == "S001165"))
        row.member_id = "S000522"
        row.bill.data_source = data_source
        db.session.commit()


def test_demo_load_repairs_an_older_demos_wrong_bioguide_id(runner, app, demo):
    """On a database an older demo made, `flask demo load` points H.R. 4526's original cosponsor row to Sires's
    S001165, not Smith's S000522; a second run changes nothing."""
    _as_an_older_demo(app)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0 and "Corrected H.R. 4526 (117th): cosponsor S000522 is S001165." in result.output
    with app.app_context():
        cosponsors = _hr4526_cosponsors()
        row = db.session.scalar(select(Cosponsorship).where(Cosponsorship.member_id == "S001165"))
        assert row.is_original and row.bill.label == "H.R. 4526 (117th)"
        counts = _counts()
    assert "S001165" in cosponsors and "S000522" not in cosponsors and len(cosponsors) == 8
    assert "Albio Sires is S001165: the demo's row under S000522 removed." in result.output
    with app.app_context():
        assert db.session.get(Member, "S000522") is None
        assert db.session.get(Member, "S001165").last_name == "Sires"
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "nothing to add" in again.output
    with app.app_context():
        assert _hr4526_cosponsors() == cosponsors and _counts() == counts


def test_demo_load_leaves_a_synced_bills_cosponsors_alone(runner, app, demo):
    """A bill synced from Congress.gov keeps the cosponsors it was given, even S000522: only demo bills are fixed."""
    _as_an_older_demo(app, data_source="congress.gov")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0 and "nothing to add" in result.output
    with app.app_context():
        assert "S000522" in _hr4526_cosponsors() and "S001165" not in _hr4526_cosponsors()
        assert db.session.get(Member, "S000522") is not None  # still referred to by the synced bill


def test_demo_bills_have_honest_stages(app, demo):
    """Demo bills of ended Congresses show 'ended' with how far they got; the 119th bill is in committee."""
    with app.app_context():
        stages = {b.label: (b.stage, b.stage_furthest) for b in db.session.scalars(select(Bill))}
    assert stages["H.R. 3571 (116th)"] == ("ended", "reported")
    assert stages["S. 4426 (116th)"] == ("ended", "in_committee")
    assert stages["H.R. 4526 (117th)"] == ("ended", "reported")
    assert stages["H.R. 5323 (119th)"] == ("in_committee", "in_committee")


def test_setup_loads_once_and_prints_admin_password_once(runner, app, auth):
    """`flask setup` on an empty database loads the demo and prints an admin login; the second run keeps data."""
    first = runner.invoke(args=["setup", "--admin-email", "first@example.org"])
    assert first.exit_code == 0, first.output
    assert "Added 6 bills" in first.output
    password = first.output.split("password: ")[1].split()[0]
    assert auth.login("first@example.org", password).status_code == 302
    second = runner.invoke(args=["setup", "--admin-email", "first@example.org"])
    assert "already done" in second.output and "password:" not in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_dashboard_shows_bills_stage_endorsements_and_events(client, login_as, demo):
    """The dashboard lists tracked bills with stages, the campaign's endorsement count and recent events."""
    login_as("viewer")
    body = client.get("/dashboard").get_data(as_text=True)
    assert "H.R. 5323 (119th)" in body and "In committee" in body
    assert "Ended with its Congress" in body and "furthest: reported by committee" in body
    assert "<strong>5</strong> verified endorsements" in body
    assert "CONGRESS_API_KEY" in body  # says how to enable syncing


def test_bill_page_shows_actions_cosponsors_and_sources(client, login_as, demo):
    """The bill page shows the stage tracker, actions with [M] sources, cosponsors with party split."""
    login_as("viewer")
    body = client.get("/bills/117/hr/4526").get_data(as_text=True)
    assert "City and State Diplomacy Act" in body
    assert 'aria-current="step"' in body
    assert "Referred to the House Committee on Foreign Affairs." in body
    assert "[M] secondary source" in body
    assert "Cosponsors (8: 6 D, 2 R)" in body
    assert "Santa Monica, CA" in body


def test_unknown_bill_is_a_404_page(client, login_as):
    """An unknown bill (or bill type) gives the 404 page, not a stack trace."""
    login_as("viewer")
    for url in ("/bills/116/hr/99999", "/bills/116/xx/1", "/members/X000000", "/cities/999999", "/campaigns/nope"):
        response = client.get(url)
        assert response.status_code == 404, url
        body = response.get_data(as_text=True)
        assert "Not found" in body and "Traceback" not in body


def test_server_error_page_has_no_stack_trace(app, client, login_as, monkeypatch):
    """An unexpected exception renders the 500 page without internals."""
    from advocacy.members import views

    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    login_as("viewer")
    monkeypatch.setattr(views, "render_template", boom)
    response = client.get("/members/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "secret internal detail" not in body and "Traceback" not in body


def test_members_committee_and_city_pages(client, login_as, demo):
    """Members filter by chamber; the committee page lists chair and ranking member first; cities show reps."""
    login_as("viewer")
    senate = client.get("/members/?chamber=senate").get_data(as_text=True)
    assert "Christopher Murphy" in senate and "Ted Lieu" not in senate
    committee = client.get("/committees/HSFA").get_data(as_text=True)
    assert committee.index("Brian J. Mast") < committee.index("Gregory W. Meeks") < committee.index("Joe Wilson")
    member = client.get("/members/L000582").get_data(as_text=True)
    assert "2454 Rayburn House Office Building" in member and "Santa Monica, CA" in member
    city_list = client.get("/cities/?q=san").get_data(as_text=True)
    assert "San Antonio, TX" in city_list and "Los Angeles" not in city_list


def test_pages_render_for_every_nav_entry(client, login_as, demo):
    """Every navigation entry renders for an admin."""
    login_as("admin")
    for url in (
        "/dashboard",
        "/bills/",
        "/campaigns/",
        "/campaigns/city-state-diplomacy",
        "/letters/",
        "/members/",
        "/cities/",
        "/admin/users",
        "/admin/outbox",
        "/bills/?congress=116&stage=ended",
    ):
        assert client.get(url).status_code == 200, url


def test_bills_list_query_count_does_not_grow(client, login_as, demo, app, count_queries, assert_queries):
    """The bills list and a bill page make a fixed number of queries, whatever the number of rows."""
    login_as("viewer")
    with count_queries() as small:
        client.get("/bills/")
    with app.app_context():
        for n in range(1, 31):
            db.session.add(
                Bill(congress=119, bill_type="hres", number=n, title=f"Resolution {n}", sponsor_id="L000582")
            )
        db.session.commit()
    with assert_queries(small.count):
        client.get("/bills/")


def test_bill_page_query_count_does_not_grow_with_campaign_versions(
    client, login_as, demo, app, count_queries, assert_queries
):
    """A bill page makes the same number of queries whether its campaign has six or twelve bill versions."""
    from advocacy.models import CampaignBill

    login_as("viewer")
    with count_queries() as six:
        client.get("/bills/119/hr/5323")
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        for n in range(1, 7):
            bill = Bill(congress=119, bill_type="s", number=n, title=f"Companion {n}")
            db.session.add(CampaignBill(campaign=campaign, bill=bill, position=10 + n))
        db.session.commit()
    with assert_queries(six.count):
        client.get("/bills/119/hr/5323")
