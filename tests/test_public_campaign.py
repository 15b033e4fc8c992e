"""The public campaign page, its exports and widget, and staff campaign creation and bill linking."""

from __future__ import annotations

import re

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import Bill, Campaign, City, Endorsement
from advocacy.public.usmap import LOWER48, MapPoint, project
from tests.conftest import submit
from tests.factories import make_campaign, make_endorsement

SLUG = "city-state-diplomacy"


def _add_verified(app, n: int) -> None:
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        for _ in range(n):
            make_endorsement(campaign)
        db.session.commit()


def test_public_page_shows_bills_cities_by_state_totals_and_samples(client, demo):
    """No login needed: the ask, the six bill versions with stages, cities by state, totals, sample badges."""
    response = client.get(f"/c/{SLUG}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Create a permanent office" in page
    for label in ("H.R. 3571 (116th)", "S. 4426 (116th)", "H.R. 5323 (119th)"):
        assert label in page
    assert "Ended with its Congress" in page and "In committee" in page
    assert "<strong>5</strong> cities have endorsed" in page
    assert f"{3820914 + 93220 + 1526656 + 350964 + 510823:,}" in page
    assert page.count(">sample</span>") == 5
    assert re.search(
        r"<h3>CA <span[^>]*>\(2 cities, pop. 3,914,134\)</span></h3>.*Los Angeles.*Santa Monica", page, re.S
    )


def test_public_page_map_is_inline_svg_with_a_dot_per_city(client, demo):
    """The map is server-rendered SVG (no external tiles or scripts) with one dot per endorsing city."""
    page = client.get(f"/c/{SLUG}").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('class="city-dot') == 5
    assert "Honolulu, HI (sample)" in svg and "Alaska" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (the static confirm.js only)


def test_map_projection_places_cities_sensibly():
    """Seattle is left of and above Miami; Honolulu and San Juan go to their insets; other territories are not drawn."""
    seattle = project(MapPoint("Seattle", 47.6, -122.3, "WA"))
    miami = project(MapPoint("Miami", 25.8, -80.2, "FL"))
    honolulu = project(MapPoint("Honolulu", 21.3, -157.9, "HI"))
    assert seattle[0] < miami[0] and seattle[1] < miami[1]
    assert 210 <= honolulu[0] <= 340 and 500 <= honolulu[1] <= 590
    san_juan = project(MapPoint("San Juan", 18.4, -66.1, "PR"))
    assert 350 <= san_juan[0] <= 460 and 530 <= san_juan[1] <= 590  # the Puerto Rico inset
    assert project(MapPoint("Hagåtña", 13.5, 144.8, "GU")) is None
    assert project(MapPoint("Nowhere", None, None, "OH")) is None
    assert 0 <= LOWER48(37.0, -96.0)[0] <= 960


def test_public_page_query_count_does_not_grow_with_cities(app, client, demo, count_queries, assert_queries):
    """The public page runs the same number of queries for 5 and for 25 endorsing cities."""
    with count_queries() as few:
        client.get(f"/c/{SLUG}")
    _add_verified(app, 20)
    with assert_queries(few.count):
        page = client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert "<strong>25</strong> cities" in page


def test_exports_and_widget(client, demo):
    """CSV and JSON list the public fields only, samples flagged; the widget shows the live count and is embeddable."""
    csv_text = client.get(f"/c/{SLUG}/endorsements.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("city,state,population,status,signer_name") and len(lines) == 6
    assert all(line.endswith(",yes") for line in lines[1:]) and "@" not in csv_text
    data = client.get(f"/c/{SLUG}/endorsements.json").get_json()
    assert data["cities"] == 5 and all(row["sample"] for row in data["endorsements"])
    widget = client.get(f"/c/{SLUG}/widget")
    assert 'data-count="5"' in widget.get_data(as_text=True) and "sample" in widget.get_data(as_text=True)
    assert "frame-ancestors *" in widget.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget.headers
    assert client.get("/c/no-such-campaign").status_code == 404


def test_verify_unknown_code_is_404(client, demo):
    """An unknown verification code is a plain 404 page."""
    response = client.get("/verify/AAAAAAAAAAAAAAAA")
    assert response.status_code == 404 and "Traceback" not in response.get_data(as_text=True)


def test_advocate_creates_campaign_and_links_bills(app, client, demo, login_as):
    """Create a campaign, link a stored bill by citation, get a clear error for a bill not stored yet."""
    login_as("advocate")
    response = submit(
        client,
        "/campaigns/new",
        {
            "name": "Sister Cities",
            "slug": "sister-cities",
            "ask": "Support it.",
            "attestation": "I am authorised.",
            "contact_email": "staff@example.org",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/campaigns/sister-cities")
    page = submit(client, "/campaigns/new", {"name": "X", "slug": "Bad Slug!", "ask": "a", "attestation": "b"})
    assert "lower-case letters" in page.get_data(as_text=True)
    page = submit(client, "/campaigns/new", {"name": "X", "slug": "sister-cities", "ask": "a", "attestation": "b"})
    assert "already used" in page.get_data(as_text=True)

    url = "/campaigns/sister-cities"
    submit(client, f"{url}/bills", {"citation": "H.R. 3571 (116th)"}, form_url=url)
    submit(
        client,
        f"{url}/bills",
        {"citation": "https://www.congress.gov/bill/117th-congress/senate-bill/3072"},
        form_url=url,
    )
    response = submit(client, f"{url}/bills", {"citation": "H.R. 1 (118th)"}, form_url=url, follow_redirects=True)
    assert "H.R. 1 (118th) is not stored yet" in response.get_data(as_text=True)
    response = submit(client, f"{url}/bills", {"citation": "gibberish"}, form_url=url, follow_redirects=True)
    assert "Could not read that bill citation" in response.get_data(as_text=True)
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "sister-cities"))
        assert sorted(b.label for b in campaign.bills) == ["H.R. 3571 (116th)", "S. 3072 (117th)"]
        assert campaign.contact_email == "staff@example.org"
        bill_id = db.session.scalar(select(Bill.id).where(Bill.congress == 116, Bill.number == 3571))
    submit(client, f"{url}/bills/{bill_id}/unlink", {}, form_url=url)
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "sister-cities"))
        assert [b.label for b in campaign.bills] == ["S. 3072 (117th)"]


def test_viewer_cannot_create_campaigns(client, login_as):
    """Creating campaigns needs the advocate role."""
    login_as("viewer")
    assert client.get("/campaigns/new").status_code == 403


def test_large_campaign_page_stays_light_and_links_state_pages(app, client, demo):
    """With more endorsements than the full-list limit, each state shows its largest cities and links to a page
    with all of them; the map merges nearby dots. Every endorser is still in the CSV."""
    from sqlalchemy import insert, select

    from advocacy.extensions import db
    from advocacy.models import Campaign

    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.slug == SLUG))
        db.session.execute(
            insert(City),
            [
                dict(
                    name=f"Testville {n:03d}",
                    state="OH" if n % 2 else "PA",
                    population=1000 + n,
                    latitude=40 + (n % 30) / 10,
                    longitude=-82 + (n % 40) / 10,
                    email_domains=[],
                )
                for n in range(500)
            ],
        )
        ids = db.session.scalars(select(City.id).where(City.name.like("Testville %"))).all()
        db.session.execute(
            insert(Endorsement),
            [dict(campaign_id=campaign_id, city_id=i, status="verified", signer_name="Mayor") for i in ids],
        )
        db.session.commit()
    page = client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert "<strong>505</strong> cities have endorsed" in page
    assert page.count("<li><strong>Testville") == 20  # the 10 largest of each state
    assert "All 250 endorsing cities in OH" in page and "Testville 499" in page  # the largest are shown
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('class="city-dot') < 400 and "505 endorsing cities" in svg
    state_page = client.get(f"/c/{SLUG}/states/OH").get_data(as_text=True)
    assert state_page.count("<li><strong>Testville") == 250
    csv_text = client.get(f"/c/{SLUG}/endorsements.csv").get_data(as_text=True)
    assert csv_text.count("Testville") == 500


def test_public_pages_are_cached_for_a_while(app, client, monkeypatch):
    """With the cache on, a new endorsement appears on the public page only after PUBLIC_CACHE_SECONDS."""
    from advocacy.public import cache

    with app.app_context():  # a campaign with two endorsing cities is all this needs (no demo)
        campaign = make_campaign()
        for _ in range(2):
            make_endorsement(campaign)
        slug, campaign_id = campaign.slug, campaign.id
        db.session.commit()
    monkeypatch.setitem(app.config, "PUBLIC_CACHE_SECONDS", 30)
    cache.clear()
    clock = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    before = client.get(f"/c/{slug}").get_data(as_text=True)
    assert "<strong>2</strong> cities" in before
    with app.app_context():
        make_endorsement(db.session.get_one(Campaign, campaign_id))
        db.session.commit()
    assert "<strong>2</strong> cities" in client.get(f"/c/{slug}").get_data(as_text=True)
    clock[0] += 31
    assert "<strong>3</strong> cities" in client.get(f"/c/{slug}").get_data(as_text=True)
    cached = client.get(f"/c/{slug}")
    assert cached.headers["Content-Security-Policy"].startswith("default-src 'self'")
    cache.clear()


def test_logged_in_staff_bypass_the_public_cache(app, client, demo, login_as, monkeypatch):
    """A visitor with a session cookie is never served (or stored as) the anonymous cached page."""
    from advocacy.public import cache

    monkeypatch.setitem(app.config, "PUBLIC_CACHE_SECONDS", 30)
    cache.clear()
    anonymous = client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert "Log out" not in anonymous
    login_as("viewer")
    assert "Log out" in client.get(f"/c/{SLUG}").get_data(as_text=True)
    client.delete_cookie("session")
    assert "Log out" not in client.get(f"/c/{SLUG}").get_data(as_text=True)
    cache.clear()
