"""Every form keeps what people typed when it is refused (issue 15): post invalid input, the value comes back
on the page the person lands on (re-rendered, or redirected back)."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import submit

SLUG = "city-state-diplomacy"
# A field's error (class="error") or an error flash: not the bare word, which some forms always carry
# (the template editor's empty, hidden `id="preview-error"`).
ERROR_SHOWN = re.compile(r'class="(?:[^"]* )?(?:error|flash-error)(?: [^"]*)?"')

# (case, role or None, page with the form, where it posts, the invalid input, the typed value that must come back)
CASES = [
    ("track a bill", "advocate", "/bills/", "/bills/track", {"citation": "HR 35x71zz", "campaign": ""}, "HR 35x71zz"),
    (
        "letter recipients",
        "advocate",
        "/letters/",
        "/letters/generate",
        {"template": "", "campaign": SLUG, "selector": "committee:HSFA77"},
        "committee:HSFA77",
    ),
    (
        "letter recipients unknown to the service",
        "advocate",
        "/letters/",
        "/letters/generate",
        {"template": "__first__", "campaign": SLUG, "selector": "member:Z999977"},
        "member:Z999977",
    ),
    ("link a bill", "advocate", f"/campaigns/{SLUG}", f"/campaigns/{SLUG}/bills", {"citation": "QQ 12zz"}, "QQ 12zz"),
    (
        "log in",
        None,
        "/login",
        "/login",
        {"email": "nobody77@example.org", "password": "wrong"},
        "nobody77@example.org",
    ),
    (
        "new city",
        "advocate",
        "/cities/new",
        "/cities/new",
        {"name": "Springfield77", "state": "", "population": "-5"},
        "Springfield77",
    ),
    (
        "new account",
        "admin",
        "/admin/users",
        "/admin/users",
        {"email": "newperson77@example.org", "role": "viewer", "password": "x"},
        "newperson77@example.org",
    ),
    (
        "webhook",
        "admin",
        "/admin/webhooks",
        "/admin/webhooks",
        {"url": "ftp://hook77.example.org/x", "description": "Desc77", "event_types": ["bill.action"]},
        "Desc77",
    ),
    (
        "new campaign",
        "advocate",
        "/campaigns/new",
        "/campaigns/new",
        {"name": "Camp77", "slug": "Bad Slug!", "ask": "", "attestation": ""},
        "Camp77",
    ),
    (
        "invite a city",
        "advocate",
        f"/endorsements/campaign/{SLUG}/invitations",
        f"/endorsements/campaign/{SLUG}/invite",
        {"city": "Nowhere77, ZZ", "email": "a77@example.org", "name": "Name77"},
        "Name77",
    ),
    (
        "new letter template",
        "advocate",
        "/letters/templates/new",
        "/letters/templates/new",
        {"name": "Tmpl77", "slug": "tmpl77", "body": "{{ unknown_field_77 }}", "body_format": "markdown"},
        "Tmpl77",
    ),
]


@pytest.mark.parametrize(("case", "role", "page", "action", "data", "typed"), CASES, ids=[c[0] for c in CASES])
def test_refused_form_shows_what_was_typed(
    app, demo, client, login_as, monkeypatch, case, role, page, action, data, typed
):
    """The refused form comes back with the typed value (and says what was wrong)."""
    monkeypatch.setitem(app.config, "CONGRESS_API_KEY", "key-never-used")  # the Track form shows with a key only
    if role:
        login_as(role)
    if data.get("template") == "__first__":
        from sqlalchemy import select

        from advocacy.extensions import db
        from advocacy.models import LetterTemplate

        with app.app_context():
            data = {**data, "template": db.session.scalar(select(LetterTemplate.slug).limit(1))}
    response = submit(client, action, data, form_url=page, follow_redirects=True)
    body = html.unescape(response.get_data(as_text=True))
    assert f'value="{typed}"' in body or f">{typed}<" in body or f">\n{typed}<" in body, case
    assert "error" in body.lower() and ERROR_SHOWN.search(body), case


def test_signing_form_keeps_what_the_signer_typed(app, demo, client, invite_city):
    """The public signing form, refused for a bad address, keeps the signer's name, title and statement."""
    path = invite_city("Austin, TX", "mayor@austintexas.gov")
    data = {
        "signer_name": "Kirk Watson",
        "signer_title": "Mayor77",
        "signer_email": "not-an-address",
        "statement": "Statement77",
        "attestation": "y",
        "signature": "Kirk Watson",
    }
    body = html.unescape(submit(client, path, data).get_data(as_text=True))
    assert 'value="Mayor77"' in body and "Statement77" in body and 'value="not-an-address"' in body
