"""End to end in a real browser (Debian chromium driven by Playwright): the whole campaign flow through the
pages, and an axe-core accessibility scan of the main pages.

Everything is done by clicking and typing, as a person would; only the e-mails are read from the SMTP catcher.
On failure, screenshots and the HTML of the open pages are saved in test-artifacts/ (see browser_fixtures).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser_fixtures import REQUIRED, needs_chromium

AXE = Path(__file__).resolve().parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
CAMPAIGN = "Subnational Diplomacy: an office for cities and states at the State Department"
MAYOR = "mayor@austintexas.gov"

pytestmark = [pytest.mark.browser, needs_chromium]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _log_in(page, base: str, email: str) -> None:
    from playwright.sync_api import expect

    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def _nav(page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def test_campaign_flow_from_tracking_to_letters_and_map(
    congress_app, letters_app, demo, make_user, smtp, live_server, new_page
):
    """An advocate tracks a bill, invites Austin, the mayor's office signs and confirms from its e-mail, the
    advocate makes letters and downloads the PDF and ZIP, and the public map shows Austin."""
    from playwright.sync_api import expect

    base = live_server
    advocate = new_page()
    _log_in(advocate, base, make_user("advocate"))

    # Track a bill from the fake Congress.gov and add it to the campaign.
    _nav(advocate, "Bills")
    advocate.get_by_label("Bill", exact=True).fill("116 S. 1678")
    advocate.get_by_label("Add to campaign").select_option(label=CAMPAIGN)
    advocate.get_by_role("button", name="Track bill").click()
    expect(advocate.get_by_role("heading", level=1)).to_contain_text("S. 1678")
    expect(advocate.locator("main")).to_contain_text("Became law")
    expect(advocate.locator("main")).to_contain_text("Subnational Diplomacy")

    # Invite Austin's mayor's office.
    _nav(advocate, "Campaigns")
    advocate.get_by_role("link", name=CAMPAIGN).click()
    advocate.get_by_role("link", name="Invitations").click()
    advocate.get_by_label("City", exact=True).fill("Austin, TX")
    advocate.get_by_label("Contact name").fill("Ada Mayor")
    advocate.get_by_label("Contact e-mail").fill(MAYOR)
    advocate.get_by_role("button", name="Send invitation").click()
    expect(advocate.get_by_text(f"Invitation sent to {MAYOR} for Austin, TX.")).to_be_visible()

    # The mayor's office (another browser context: no staff session) signs through the e-mailed link ...
    mayor = new_page()
    mayor.goto(base + smtp.link(MAYOR, "/sign/"))
    expect(mayor.get_by_label("Your name")).to_have_value("Ada Mayor")
    mayor.get_by_label("Your title").fill("Mayor")
    mayor.get_by_label("I am authorised to endorse on behalf of the city.").check()
    mayor.get_by_label("Signature: type your full name").fill("Ada Mayor")
    mayor.get_by_role("button", name=re.compile("Sign on behalf of Austin")).click()
    expect(mayor.get_by_role("heading", name="Thank you: please check your e-mail")).to_be_visible()
    # ... and confirms from the second e-mail.
    mayor.goto(base + smtp.link(MAYOR, "/confirm/"))
    mayor.get_by_role("button", name="Confirm my e-mail address").click()
    expect(mayor.get_by_role("heading", name="Verified: thank you")).to_be_visible()

    # The advocate generates a letter to Texas's senior senator and downloads the merged PDF and the ZIP.
    _nav(advocate, "Letters")
    advocate.get_by_label("Template").select_option(label="City diplomacy sign-on letter (per member)")
    advocate.get_by_label("Campaign").select_option(label=CAMPAIGN)
    advocate.get_by_role("textbox", name="Recipients").fill("member:C001056")
    advocate.get_by_role("button", name="Generate").click()
    expect(advocate.get_by_role("heading", level=1)).to_contain_text("member:C001056")
    zip_link = advocate.get_by_role("link", name=re.compile("Download all"))
    expect(zip_link).to_be_visible(timeout=45_000)  # the page polls the progress and reloads when done
    expect(advocate.locator(".batch-status")).to_contain_text("done: 1 of 1 made")

    with advocate.expect_download() as pdf_download:
        advocate.get_by_role("link", name=re.compile("Merged PDF")).click()
    merged = _pdf_text(Path(pdf_download.value.path()).read_bytes())
    assert "Dear Senator Cornyn:" in merged
    assert "Austin" in merged  # the endorsing city in his state is named in the letter

    with advocate.expect_download() as zip_download:
        zip_link.click()
    archive = zipfile.ZipFile(zip_download.value.path())
    assert "manifest.csv" in archive.namelist()
    (letter,) = [n for n in archive.namelist() if n.startswith("letters/") and n.endswith(".pdf")]
    assert "Dear Senator Cornyn:" in _pdf_text(archive.read(letter))
    assert "Cornyn" in archive.read("manifest.csv").decode("utf-8-sig")
    archive.close()

    # The public campaign page shows Austin on the map, as verified.
    _nav(advocate, "Campaigns")
    advocate.get_by_role("link", name=CAMPAIGN).click()
    advocate.get_by_role("link", name="Public page").click()
    expect(advocate.get_by_role("heading", name=CAMPAIGN, level=1)).to_be_visible()
    austin = advocate.locator("svg circle.city-dot").filter(has=advocate.locator("title", has_text="Austin, TX"))
    expect(austin).to_have_count(1)
    expect(austin).to_have_class(re.compile(r"\bcity-verified\b"))


# --- accessibility ---------------------------------------------------------------------------------------------

AXE_MISSING = "axe-core is not installed: run `npm ci --prefix tests/a11y --no-audit --no-fund` (.ci/run does)"
needs_axe = pytest.mark.skipif(not AXE.exists() and not REQUIRED, reason=AXE_MISSING)


def _axe_problems(page) -> list[str]:
    """Run axe-core in the page; return the serious and critical violations, one line per failing element."""
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    problems = []
    for violation in results["violations"]:
        if violation["impact"] in ("serious", "critical"):
            for node in violation["nodes"]:
                problems.append(f"{page.url} [{violation['impact']}] {violation['id']}: {json.dumps(node['target'])}")
    return problems


def _scan(page, problems: list[str], name: str) -> None:
    assert AXE.exists(), AXE_MISSING
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    found = _axe_problems(page)
    print(f"axe: {name}: {len(found)} serious/critical")
    problems.extend(found)


@needs_axe
def test_the_scan_reports_serious_violations(browser):
    """The axe scan used below does catch problems: an unlabelled field, a nameless link, low-contrast text."""
    page = browser.new_page()
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1>'
        '<input type="text"><a href="/x"></a><p style="color:#bbb;background:#fff">faint</p></main></body></html>'
    )
    problems: list[str] = []
    _scan(page, problems, "bad page")
    page.close()
    found = {line.split("] ", 1)[1].split(":", 1)[0] for line in problems}
    assert found == {"label", "link-name", "color-contrast"}, problems


@needs_axe
def test_main_pages_have_no_serious_accessibility_violations(app, demo, make_user, live_server, new_page, invite_city):
    """axe-core finds no serious or critical violation on the staff, public, signing and verify pages."""
    from playwright.sync_api import expect

    base = live_server
    problems: list[str] = []
    # bypass_csp lets the axe script be injected into pages whose policy forbids inline scripts.
    page = new_page(bypass_csp=True)
    page.goto(base + "/login")
    _scan(page, problems, "login")
    page.get_by_label("E-mail").fill(make_user("advocate"))
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    _scan(page, problems, "dashboard")

    _nav(page, "Bills")
    _scan(page, problems, "bills")
    page.locator("table.table tbody a").first.click()
    _scan(page, problems, "bill")

    _nav(page, "Campaigns")
    page.get_by_role("link", name=CAMPAIGN).click()
    _scan(page, problems, "campaign")

    _nav(page, "Members")
    _scan(page, problems, "members")
    page.locator("main table a").first.click()
    _scan(page, problems, "member")

    _nav(page, "Cities")
    _scan(page, problems, "cities")
    page.locator("main table a").first.click()
    _scan(page, problems, "city")

    _nav(page, "Letters")
    _scan(page, problems, "letters")

    page.goto(base + "/c/city-state-diplomacy")
    _scan(page, problems, "public campaign")

    signer = new_page(bypass_csp=True)
    signer.goto(base + invite_city("Austin, TX", MAYOR, "Ada Mayor"))
    _scan(signer, problems, "signing")
    signer.get_by_label("Your title").fill("Mayor")
    signer.get_by_role("button", name=re.compile("Sign on behalf of Austin")).click()
    expect(signer.get_by_text("You must confirm that you are authorised")).to_be_visible()
    _scan(signer, problems, "signing with errors")
    signer.get_by_label("I am authorised to endorse on behalf of the city.").check()
    signer.get_by_label("Signature: type your full name").fill("Ada Mayor")
    signer.get_by_role("button", name=re.compile("Sign on behalf of Austin")).click()
    expect(signer.get_by_role("heading", name="Thank you: please check your e-mail")).to_be_visible()
    signer.goto(base + _outbox_path(app, MAYOR, "/confirm/"))
    signer.get_by_role("button", name="Confirm my e-mail address").click()
    signer.get_by_role("link", name=re.compile("verification page")).click()
    expect(signer.get_by_role("heading", name="Endorsement verification")).to_be_visible()
    _scan(signer, problems, "verify")

    assert not problems, "serious/critical accessibility violations:\n" + "\n".join(problems)


def _outbox_path(app, recipient: str, prefix: str) -> str:
    """The path of the first `prefix` link in the last stored mail to `recipient` (no SMTP server here)."""
    from sqlalchemy import select

    from advocacy.extensions import db
    from advocacy.models import MailMessage

    with app.app_context():
        body = db.session.scalars(
            select(MailMessage.body_text).where(MailMessage.recipient == recipient).order_by(MailMessage.id.desc())
        ).first()
    return re.search(rf"https?://[^\s/]+({re.escape(prefix)}\S+)", body).group(1)


@needs_axe
def test_forms_with_errors_batch_and_admin_pages_have_no_serious_accessibility_violations(
    letters_app, demo, make_user, live_server, new_page
):
    """axe-core finds no serious or critical violation on pages showing validation errors and flash messages,
    on a letter batch page, and on the invitations, template, targets, committee and admin pages."""
    from playwright.sync_api import expect

    base = live_server
    problems: list[str] = []
    page = new_page(bypass_csp=True)
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("main .error, main .flash").first).to_be_visible()
    _scan(page, problems, "login with an error")
    page.get_by_label("E-mail").fill(make_user("admin"))
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    _nav(page, "Campaigns")
    page.get_by_role("link", name=CAMPAIGN).click()
    page.get_by_role("link", name="Invitations").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Enter the e-mail address.")).to_be_visible()
    _scan(page, problems, "invitations with errors")

    _nav(page, "Letters")
    page.get_by_role("link", name="City diplomacy sign-on letter (per member)").click()
    expect(page.frame_locator("#letter-preview").locator(".salutation")).to_be_visible(timeout=30_000)
    _scan(page, problems, "template editor (with its live preview)")
    page.get_by_role("textbox", name="Body", exact=True).fill("Hi {{ recipient.shoe_size }}")
    expect(page.locator("#preview-error")).to_contain_text("line 1", timeout=30_000)
    _scan(page, problems, "template editor with a template error")
    _nav(page, "Letters")
    page.get_by_role("textbox", name="Recipients").fill("leaders:SSFR")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("link", name=re.compile("Download all"))).to_be_visible(timeout=45_000)
    page.get_by_text("Mark as sent").first.click()
    _scan(page, problems, "letter batch")

    for path in ("/campaigns/city-state-diplomacy/targets", "/committees/", "/committees/SSFR", "/alerts/following",
                 "/account", "/account/api-tokens/", "/admin/users", "/admin/outbox", "/admin/webhooks", "/admin/alerts",
                 "/no-such-page"):  # fmt: skip
        page.goto(base + path)
        _scan(page, problems, path)

    assert not problems, "serious/critical accessibility violations:\n" + "\n".join(problems)
