"""The "Send by e-mail" review page in a real browser (Debian chromium driven by Playwright), mail to aiosmtpd."""

from __future__ import annotations

import re

import pytest

from tests.browser_fixtures import needs_chromium
from tests.contacts_fixtures import pdf_attachments
from tests.letters_fixtures import run_batch
from tests.test_e2e_browser import AXE, _log_in, _scan


@pytest.mark.browser
@needs_chromium
def test_send_review_page_in_a_browser(letters_app, hfac_contacts, make_user, smtp, live_server, new_page, tmp_path):
    """An advocate opens a finished batch, chooses the role, reviews the recipients (the letter without a
    contact listed) and the message, sends, and sees each e-mail sent on the batch page."""
    from playwright.sync_api import expect

    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    email = make_user("advocate")
    page = new_page(bypass_csp=True)
    _log_in(page, live_server, email)
    page.goto(f"{live_server}/letters/batches/{batch_id}")
    page.get_by_role("link", name="Send by e-mail…").click()
    expect(page.get_by_role("heading", name=re.compile("Send by e-mail"), level=1)).to_be_visible()
    page.get_by_label("Contact role").fill("Foreign Affairs LA")
    page.get_by_role("button", name="Review recipients and messages").click()

    recipients = page.locator("#recipients")
    expect(recipients.get_by_role("row")).to_have_count(6)  # header + 5 letters
    expect(recipients).to_contain_text("Avery Stone <avery.stone@mast.example.org>")
    expect(page.locator("#no-contact")).to_contain_text("Ted Lieu")
    expect(page.locator("#first-message")).to_contain_text("Dear Avery Stone,")
    expect(page.locator("#first-message")).to_contain_text(
        "Please find attached our letter to The Honorable Brian J. Mast"
    )
    page.screenshot(path=str(tmp_path / "send-review.png"), full_page=True)
    if AXE.exists():
        problems: list[str] = []
        _scan(page, problems, "send review")
        assert problems == []
    assert smtp.messages == []  # the review sends nothing

    page.get_by_role("button", name="Send 4 e-mail(s)").click()
    expect(page.get_by_text("4 e-mail(s) queued: 4 sent, 0 failed. Not sent: Ted Lieu (no contact).")).to_be_visible()
    expect(page.locator("#emails").get_by_text("sent", exact=True)).to_have_count(4)
    page.screenshot(path=str(tmp_path / "batch-sent.png"), full_page=True)
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        ["avery.stone@mast.example.org", "blake.rivera@wilson.example.org", "casey.morgan@meeks.example.org",
         "devon.lee@castro.example.org"]
    )  # fmt: skip
    assert all(len(pdf_attachments(m)) == 1 for m in smtp.messages)


@pytest.mark.browser
@needs_chromium
def test_contacts_pages_have_no_serious_accessibility_violations(app, hfac_contacts, make_user, live_server, new_page):
    """axe-core finds no serious or critical violation on the contacts list, a contact form, the interaction
    form, a member page with contacts and interactions, the Targets page and the dashboard's follow-ups."""
    from datetime import date, timedelta

    from advocacy.contacts import services
    from advocacy.extensions import db

    if not AXE.exists():
        pytest.skip("axe-core is not installed")
    with app.app_context():
        office = services.resolve_office("M001137")
        services.record_interaction(
            office, {"kind": "meeting", "occurred_on": date.today() - timedelta(days=3), "notes": "Send the list",
                     "follow_up_on": date.today() - timedelta(days=1), "outcome": "needs_local_support"}, actor="test",
        )  # fmt: skip
        db.session.commit()
    email = make_user("advocate")
    page = new_page(bypass_csp=True)
    _log_in(page, live_server, email)
    problems: list[str] = []
    for path in ("/contacts/", "/contacts/new?member=M001137", "/contacts/interactions/new?member=M001137",
                 "/members/M001137", "/committees/HSFA", "/campaigns/city-state-diplomacy/targets", "/dashboard"):  # fmt: skip
        page.goto(live_server + path)
        _scan(page, problems, path)
    assert problems == []
