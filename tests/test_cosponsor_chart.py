"""The bill page's cosponsor chart (issue 15): cosponsors over time by party, withdrawals counted, and where the
committee of referral's members stand; server-side SVG with a text description."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from advocacy.bills.cosponsor_chart import cosponsor_chart
from advocacy.extensions import db
from advocacy.models import Bill, Cosponsorship

BILL_PATH = "/bills/119/hr/5323"


def _add_cosponsors(app) -> None:
    """Joaquin Castro (D) joins, then Joe Wilson (R); Ann Wagner (R) joins and withdraws (demo members)."""
    with app.app_context():
        bill = db.session.scalar(select(Bill).where(Bill.congress == 119, Bill.number == 5323))
        for member_id, joined, withdrawn in (
            ("C001091", date(2025, 10, 1), None),
            ("W000795", date(2025, 11, 1), None),
            ("W000812", date(2025, 11, 15), date(2025, 11, 20)),
        ):
            db.session.add(
                Cosponsorship(bill=bill, member_id=member_id, sponsorship_date=joined, withdrawn_date=withdrawn)
            )
        db.session.commit()


def test_chart_counts_active_cosponsors_by_party_over_time(app, demo):
    """Democrats end at 2 (Meeks, Castro), Republicans at 1 (Wagner withdrew); the Republican line goes 1, 2, 1."""
    _add_cosponsors(app)
    with app.app_context():
        bill = db.session.scalar(select(Bill).where(Bill.congress == 119, Bill.number == 5323))
        chart = cosponsor_chart(bill, today=date(2025, 12, 1))
    finals = {line.party: line.final for line in chart.lines}
    assert finals == {"D": 2, "R": 1} and chart.total == 3 and chart.peak == 2
    assert chart.start == date(2025, 9, 11) and chart.end == date(2025, 12, 1)  # a live bill: up to today
    republican = next(line for line in chart.lines if line.party == "R").path
    heights = [float(part[1:]) for part in republican.split() if part.startswith("V")]
    assert len(heights) == 3 and heights[0] > heights[1] < heights[2] and heights[0] == heights[2]


@pytest.mark.parametrize("stage", ["became_law", "law_over_veto", "law_without_signature", "vetoed", "ended"])
def test_a_finished_bill_is_drawn_up_to_its_last_action_not_today(app, demo, stage):
    """Every enacted stage (over a veto and without signature too) ends the chart at the last action."""
    _add_cosponsors(app)
    with app.app_context():
        bill = db.session.scalar(select(Bill).where(Bill.congress == 119, Bill.number == 5323))
        bill.stage, bill.latest_action_date = stage, date(2025, 11, 25)
        chart = cosponsor_chart(bill, today=date(2026, 6, 1))
        db.session.rollback()
    assert chart.end == date(2025, 11, 25)


def test_bill_page_shows_the_chart_and_the_committee_standing(app, demo, client, login_as):
    """The bill page draws the chart with its description, and the Foreign Affairs members by party."""
    _add_cosponsors(app)
    login_as("viewer")
    page = client.get(BILL_PATH).get_data(as_text=True)
    chart = page.split('<figure class="cosponsor-chart">', 1)[1].split("</figure>", 1)[0]
    assert "2 Democrats, 1 Republicans now cosponsoring" in chart
    assert chart.count('<path class="party-') == 2
    standing = page.split('class="table committee-standing"', 1)[1].split("</table>", 1)[0]
    assert "House Committee on Foreign Affairs" in standing
    democrats = standing.split("Democrats", 1)[1].split("</tr>", 1)[0]
    assert "</span> 2</td>" in democrats  # Meeks and Castro sit on the committee and cosponsor


def test_no_chart_without_dated_cosponsors(app, demo):
    """A bill without cosponsors has no chart (the table says "No cosponsors.")."""
    with app.app_context():
        bill = db.session.scalar(select(Bill).where(Bill.congress == 119, Bill.number == 5323))
        for c in list(bill.cosponsorships):
            db.session.delete(c)
        db.session.flush()
        db.session.refresh(bill)
        assert cosponsor_chart(bill) is None
        db.session.rollback()


@pytest.mark.browser
def test_chart_in_chromium(app, demo, live_server, new_page, make_user):
    """In chromium at 1280 and 390 px the chart fits the page and draws one line per party."""
    _add_cosponsors(app)
    email = make_user("viewer")
    for width in (1280, 390):
        page = new_page(viewport={"width": width, "height": 900})
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", "correct horse battery")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/dashboard")
        page.goto(f"{live_server}{BILL_PATH}")
        assert page.locator(".cosponsor-chart path").count() == 2
        box = page.locator(".cosponsor-chart svg").bounding_box()
        assert box["width"] <= width and box["height"] > 50
