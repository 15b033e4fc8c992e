"""The letter template editor's live preview: the unsaved fields rendered as the letter (the PDF's sandboxed render
and stylesheet) for a recipient chosen by standing, refused without CSRF or for viewers, errors with their line."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import LetterTemplate
from tests.conftest import csrf_token
from tests.test_letters_pages import FORM

PREVIEW = "/letters/templates/preview"


def _editor(letters_app, client) -> tuple[str, str]:
    with letters_app.app_context():
        template_id = db.session.scalar(
            select(LetterTemplate.id).where(LetterTemplate.slug == "city-diplomacy-sign-on")
        )
    url = f"/letters/templates/{template_id}"
    return url, client.get(url).get_data(as_text=True)


def _first_in_group(page: str, label: str) -> tuple[str, str]:
    groups = {
        html.unescape(name): rows
        for name, rows in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', page, re.S)
    }
    assert label in groups, f"no group {label!r} in the recipient picker: {list(groups)}"
    option = re.search(r'<option value="([A-Z0-9]+)">([^<]*)</option>', groups[label])
    return option.group(1), html.unescape(option.group(2))


def test_preview_renders_the_unsaved_fields_for_a_recipient_chosen_by_standing(letters_app, client, login_as, demo):
    """A member picked from the sponsor/cosponsor group gets the unsaved body with their own standing, as the letter
    with the PDF's stylesheet and page box; another group's member gets theirs."""
    login_as("advocate")
    url, page = _editor(letters_app, client)
    supporter, label = _first_in_group(page, "Sponsor and cosponsors")
    assert "sponsor of" in label.lower()
    other, _ = _first_in_group(page, "Other members of the bill's chamber")
    body = "Unsaved draft for {{ recipient.last_name }}: {{ standing.position_text }}."
    data = dict(FORM, body=body, csrf_token=csrf_token(client, url), member=supporter)
    response = client.post(PREVIEW, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    letter = response.get_json()["html"]
    assert re.search(r"Unsaved draft for [^:]+: (Original c|C)osponsor of|Unsaved draft for [^:]+: Sponsor of", letter)
    assert 'href="/static/pdf/letter.css"' in letter and 'href="/static/pdf/screen.css"' in letter
    assert '<p class="salutation">' in letter  # the PDF's own layout template, not a bare rendering of the body
    response = client.post(PREVIEW, data=dict(data, member=other))
    assert "Not a cosponsor of" in response.get_json()["html"]


def test_preview_is_refused_without_csrf_and_for_viewers(letters_app, client, login_as, auth, demo):
    """Without the CSRF token the preview is refused (400); a viewer is refused (403) even with one."""
    login_as("advocate")
    assert client.post(PREVIEW, data=FORM).status_code == 400
    auth.logout()
    login_as("viewer")
    url, _ = _editor(letters_app, client)
    response = client.post(PREVIEW, data=dict(FORM, csrf_token=csrf_token(client, url)))
    assert response.status_code == 403


def test_preview_reports_a_template_error_with_its_field_and_line(letters_app, client, login_as, demo):
    """An unknown field on line 3 of the body comes back as an error naming the body and line 3."""
    login_as("advocate")
    url, _ = _editor(letters_app, client)
    data = dict(
        FORM, body="Dear friends,\n\nYour {{ recipient.shoe_size }} matters.", csrf_token=csrf_token(client, url)
    )
    response = client.post(PREVIEW, data=data)
    assert response.status_code == 422
    assert response.get_json() == {"error": "body, line 3: unknown field 'shoe_size'", "field": "body", "line": 3}


def test_every_field_the_editor_inserts_renders(letters_app, client, login_as, demo):
    """Each merge-field button of the editor inserts a field that the sandbox renders (no unknown field)."""
    from advocacy.letters.context import insertable_fields

    login_as("advocate")
    url, page = _editor(letters_app, client)
    names = re.findall(r'data-insert="([^"]+)"', page)
    assert names == [name for name, _ in insertable_fields()] and "standing.position_text" in names
    body = "\n\n".join("{{ " + name + " }}" for name in names)
    response = client.post(PREVIEW, data=dict(FORM, body=body, csrf_token=csrf_token(client, url), member="M001169"))
    assert response.status_code == 200, response.get_json()
