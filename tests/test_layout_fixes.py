"""Layout fixes seen in screenshots (issue 15), checked in the HTML and, for phones, in chromium."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import Member
from tests.test_e2e_browser import _log_in

SLUG = "city-state-diplomacy"


def test_webhook_event_checkboxes_are_labelled_boxes_not_bullets(client, login_as):
    """Each event type is a checkbox inside its own label, in a fieldset with a legend (no list bullets)."""
    login_as("admin")
    page = client.get("/admin/webhooks").get_data(as_text=True)
    form = page.split('<fieldset class="field checkboxes', 1)[1].split("</fieldset>", 1)[0]
    assert "<legend>" in form and "<li>" not in form
    assert form.count('<label class="checkbox"><input') >= 3


def test_former_member_without_term_dates_says_not_on_file(app, demo, client, login_as):
    """A member with no term dates reads "not on file (former member)", never "? to ?"."""
    with app.app_context():
        member = db.session.scalars(select(Member)).first()
        member.term_start = member.term_end = None
        member.is_current = False
        db.session.commit()
        bioguide = member.bioguide_id
    login_as("viewer")
    page = client.get(f"/members/{bioguide}").get_data(as_text=True)
    assert "? to ?" not in page and "not on file (former member)" in page


def test_dashboard_bills_table_uses_the_full_width(demo, client, login_as):
    """The tracked bills table is outside the two-column grid (it was squeezed into half the page)."""
    login_as("viewer")
    page = client.get("/dashboard").get_data(as_text=True)
    grid = page.split('<div class="grid">', 1)[1]
    assert 'id="bills-h"' not in grid and 'id="bills-h"' in page


@pytest.mark.browser
def test_targets_cards_keep_their_column_names_on_a_phone(app, demo, live_server, new_page, make_user):
    """At 390 px the Targets table becomes cards; each value is preceded by its column's name."""
    page = new_page(viewport={"width": 390, "height": 900})
    _log_in(page, live_server, make_user("viewer"))
    page.get_by_role("link", name="Targets").first.click()
    page.wait_for_url(f"{live_server}/campaigns/{SLUG}/targets")
    labels = page.evaluate(
        "[...document.querySelectorAll('.table tbody tr:first-child td')]"
        ".map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels[:3] == ['"Rank: "', '"Member: "', '"Committee roles: "'], labels
    assert page.locator(".table thead").is_hidden()
