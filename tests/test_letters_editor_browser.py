"""The letter template editor in a real browser (Debian chromium driven by Playwright): the preview is the letter,
refreshed as one types, and its text is the PDF's for the same recipient."""

from __future__ import annotations

import re

import pytest

from tests.browser_fixtures import ARTIFACTS, needs_chromium
from tests.test_e2e_browser import _log_in, _pdf_text

pytestmark = [pytest.mark.browser, needs_chromium]
TEMPLATE = "City diplomacy sign-on letter (per member)"
WAIT = 30_000  # ms: a render in a worker process on a busy machine; the test never depends on it being quick


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


def test_typing_updates_the_preview_which_matches_the_pdf(letters_app, demo, make_user, live_server, new_page):
    """An advocate picks a sponsor/cosponsor, sees the letter as the PDF has it (same words, same recipient),
    inserts a merge field and types: the preview follows; an unknown field shows its line; screenshot at 1280 px."""
    from playwright.sync_api import expect

    page = new_page(viewport={"width": 1280, "height": 1000})
    _log_in(page, live_server, make_user("advocate"))
    page.goto(live_server + "/letters/")
    page.get_by_role("link", name=TEMPLATE).click()
    letter = page.frame_locator("#letter-preview")
    expect(letter.locator(".salutation")).to_be_visible(timeout=WAIT)

    picker = page.get_by_label("Recipient")
    member = picker.locator("optgroup[label='Sponsor and cosponsors'] option").first.get_attribute("value")
    picker.select_option(member)
    salutation = letter.locator(".salutation")
    expect(page.locator("#preview-status")).to_have_text("Preview up to date.", timeout=WAIT)
    last_name = page.evaluate(
        "() => document.querySelector('#preview-member').selectedOptions[0].textContent.split(' (')[0].split(' ').pop()"
    )
    expect(salutation).to_contain_text(last_name, timeout=WAIT)

    preview_words = _words(letter.locator("body").inner_text())
    pdf_url = page.locator("#saved-preview").get_attribute("action") + f"?member={member}&format=pdf"
    pdf = page.request.get(live_server + pdf_url)
    assert pdf.headers["content-type"] == "application/pdf"
    pdf_words = _words(_pdf_text(pdf.body()))
    assert len(preview_words) > 150
    assert pdf_words[: len(preview_words)] == preview_words  # the PDF then goes on with the shared signatories pages

    body = page.get_by_label("Body", exact=True)
    body.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\nTyped just now for ")
    page.get_by_role("button", name="recipient.last_name", exact=True).click()
    page.keyboard.type(" today.")
    expect(letter.locator(".body")).to_contain_text(f"Typed just now for {last_name} today.", timeout=WAIT)

    page.keyboard.type(" {{ recipient.shoe_size }}")
    lines = body.input_value().count("\n") + 1
    error = page.locator("#preview-error")
    expect(error).to_contain_text(f"body, line {lines}: unknown field 'shoe_size'", timeout=WAIT)
    expect(body).to_have_attribute("aria-invalid", "true", timeout=WAIT)
    expect(letter.locator(".body")).to_contain_text(f"Typed just now for {last_name} today.")  # the last good one
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "template-editor-1280.png"), full_page=True)
    error.get_by_role("button", name=f"Go to line {lines}").click()
    selected = page.evaluate(
        "() => { const b = document.querySelector('#body'); return b.value.slice(b.selectionStart, b.selectionEnd); }"
    )
    assert selected.endswith("today. {{ recipient.shoe_size }}")
    page.keyboard.press("End")
    for _ in " {{ recipient.shoe_size }}":
        page.keyboard.press("Backspace")
    expect(error).to_be_hidden(timeout=WAIT)
