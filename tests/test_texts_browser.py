"""The text comparison in a real browser: from the bill page to the side-by-side comparison, screenshotted.

The screenshots are always written to test-artifacts/ (texts-compare-*.png) for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.browser_fixtures import ARTIFACTS, needs_chromium
from tests.test_e2e_browser import AXE, _log_in, _scan, needs_axe
from tests.test_texts import serve_texts

pytestmark = [pytest.mark.browser, needs_chromium]


def test_compare_page_from_the_bill_page(congress_app, congress_server, runner, make_user, live_server, new_page):
    """An advocate opens H.R. 8205, follows "Compare with Introduced in House", sees the removed and the moved
    section side by side, opens the collapsed unchanged one; the campaign's reintroduction comparison renders too."""
    from playwright.sync_api import expect

    serve_texts(congress_server, 118, "hr", 8205)
    assert runner.invoke(args=["bills", "track", "118 hr 8205"]).exit_code == 0
    page = new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    _log_in(page, live_server, make_user("advocate"))
    page.goto(live_server + "/bills/118/hr/8205")
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_role("heading", name="Text (2 versions)").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "texts-bill-page.png"))
    page.get_by_role("link", name="Read the text of Reported in House, Sep 23, 2024").click()
    expect(page.get_by_role("heading", name="§ 2. Fraud in connection with posting bail")).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="Read the text of Introduced in House, May 1, 2024").click()
    page.get_by_role("link", name="§ 2 Use of Byrne grant funding for public safety report systems").click()
    expect(
        page.get_by_role("heading", name="§ 2. Use of Byrne grant funding for public safety report systems")
    ).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "texts-text-page.png"), full_page=True)
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="Compare with Introduced in House").click()
    expect(page.get_by_role("heading", name="What changed in H.R. 8205 (118th)", level=1)).to_be_visible()
    expect(page.get_by_text("1 section removed, 1 renumbered")).to_be_visible()
    removed = page.locator("section.compare-row.removed")
    expect(removed.locator(".old-side h4")).to_have_text(
        "§ 2 Use of Byrne grant funding for public safety report systems"
    )
    expect(removed.locator(".new-side")).to_contain_text("Not in this version.")
    moved = page.get_by_role("heading", name="renumbered Renumbered from § 3 to § 2")
    expect(moved).to_be_visible()
    unchanged = page.locator("details.compare-row.unchanged")
    expect(unchanged.locator(".compare-cols")).to_be_hidden()
    unchanged.locator("summary").click()
    expect(unchanged.locator(".compare-cols").first).to_contain_text("Keeping Violent Offenders Off Our Streets Act")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "texts-compare-hr8205.png"), full_page=True)
    if AXE.exists():
        problems: list[str] = []
        _scan(page, problems, "compare")
        page.goto(live_server + "/bills/118/hr/8205")
        _scan(page, problems, "bill with texts")
        assert problems == []


@needs_axe
def test_reintroduction_comparison_page_is_accessible(
    demo, congress_app, congress_server, runner, make_user, live_server, new_page
):
    """The 117th → 119th comparison reached from the campaign page has no serious accessibility violation."""
    from playwright.sync_api import expect

    for key in ((117, "hr", 4526), (119, "hr", 5323)):
        serve_texts(congress_server, *key)
        assert runner.invoke(args=["bills", "sync", f"{key[0]} {key[1]} {key[2]}", "--force"]).exit_code == 0
    page = new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    _log_in(page, live_server, make_user("viewer"))
    page.goto(live_server + "/campaigns/city-state-diplomacy")
    problems: list[str] = []
    _scan(page, problems, "campaign with changes")
    page.get_by_role("link", name="Compare the texts side by side").click()
    page.wait_for_load_state("load")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "texts-compare-hr4526-hr5323.png"), full_page=True)
    _scan(page, problems, "reintroduction compare")
    # A reworded section: H.R. 4526 → H.R. 9524, whose short title changed.
    serve_texts(congress_server, 118, "hr", 9524)
    assert runner.invoke(args=["bills", "sync", "118 hr 9524", "--force"]).exit_code == 0
    page.goto(live_server + "/campaigns/city-state-diplomacy")
    page.get_by_role("link", name="Compare the texts side by side").last.click()
    changed = page.locator("section.compare-row.changed")
    expect(changed.locator(".old-side del")).to_have_text("City and State")
    expect(changed.locator(".new-side ins")).to_have_text("Enhancing Subnational")
    page.screenshot(path=str(ARTIFACTS / "texts-compare-hr4526-hr9524.png"), full_page=True)
    _scan(page, problems, "reworded compare")
    public = new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    public.goto(live_server + "/c/city-state-diplomacy")
    public.get_by_role("heading", name="How the bill changed").scroll_into_view_if_needed()
    public.screenshot(path=str(ARTIFACTS / "texts-public-campaign.png"))
    _scan(public, problems, "public campaign with changes")
    assert problems == []
