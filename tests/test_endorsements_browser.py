"""Signing an endorsement in a real browser (Debian chromium driven by Playwright)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import Endorsement, MailMessage
from tests.browser_fixtures import CHROMIUM, needs_chromium
from tests.browser_fixtures import CHROMIUM_ARGS as ARGS


def _outbox_link(app, recipient: str, prefix: str) -> str:
    with app.app_context():
        body = db.session.scalars(
            select(MailMessage.body_text).where(MailMessage.recipient == recipient).order_by(MailMessage.id.desc())
        ).first()
    return re.search(rf"https?://[^\s/]+({re.escape(prefix)}\S+)", body).group(1)


@pytest.mark.browser
@needs_chromium
def test_sign_and_confirm_in_a_real_browser(app, demo, invite_city, live_server, tmp_path):
    """A signer opens the invitation, fixes a validation error, signs, confirms and sees the verified page."""
    from playwright.sync_api import expect, sync_playwright

    sign_path = invite_city("Austin, TX", "mayor@austintexas.gov", "Ada Mayor")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.goto(live_server + sign_path)
            expect(page.get_by_text("Austin, TX", exact=True)).to_be_visible()
            expect(page.get_by_label("Your name")).to_have_value("Ada Mayor")
            page.get_by_label("Your title").fill("Mayor")
            page.get_by_label("Statement (optional)").fill("Austin <b>supports</b> this.")
            page.get_by_label("Signature: type your full name").fill("Someone Else")
            page.get_by_role("button", name=re.compile("Sign on behalf of Austin")).click()
            # Validation errors: messages shown, typed values kept.
            expect(page.get_by_text("The signature must match your name")).to_be_visible()
            expect(page.get_by_text("You must confirm that you are authorised")).to_be_visible()
            expect(page.get_by_label("Your title")).to_have_value("Mayor")
            expect(page.locator("#website")).not_to_be_in_viewport()
            page.get_by_label("I am authorised to endorse on behalf of the city.").check()
            page.get_by_label("Signature: type your full name").fill("ada mayor")
            page.get_by_role("button", name=re.compile("Sign on behalf of Austin")).click()
            expect(page.get_by_role("heading", name="Thank you: please check your e-mail")).to_be_visible()

            page.goto(live_server + _outbox_link(app, "mayor@austintexas.gov", "/confirm/"))
            page.get_by_role("button", name="Confirm my e-mail address").click()
            expect(page.get_by_role("heading", name="Verified: thank you")).to_be_visible()
            page.get_by_role("link", name=re.compile("verification page")).click()
            expect(page.get_by_text("still in force")).to_be_visible()
            page.goto(f"{live_server}/c/city-state-diplomacy")
            expect(page.locator("circle.city-dot")).to_have_count(6)
            page.screenshot(path=str(tmp_path / "campaign.png"), full_page=True)
        finally:
            browser.close()
    with app.app_context():
        endorsement = db.session.scalar(select(Endorsement).where(Endorsement.signer_name == "Ada Mayor"))
        assert endorsement.status == "verified" and endorsement.statement == "Austin <b>supports</b> this."
