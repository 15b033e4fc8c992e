"""Review and trust (issue 15): the dashboard's "needs you" panel, destructive actions that ask first, the Targets
link, the signing form's e-mail hint, the favicon; in chromium for the review panel and a confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from advocacy.extensions import db
from advocacy.models import Bill, Campaign, Endorsement, Invitation, MailMessage
from advocacy.models.base import utcnow
from tests.test_e2e_browser import _log_in

SLUG = "city-state-diplomacy"


def _sign_off_domain(app, city: str = "Chicago, IL", email: str = "mayor.chicago@gmail.com") -> int:
    """A signature confirmed from a free-mail address: it waits for staff review."""
    from advocacy.endorsements import services

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        details = services.SignerDetails(name="B. Johnson", title="Mayor", email=email, signature="B. Johnson")
        endorsement = services.sign(campaign, services.find_city(city), details, client_ip=None)
        db.session.flush()
        endorsement.status = "confirmed"
        endorsement.confirmed_at = utcnow()
        db.session.commit()
        return endorsement.id


def _panel(page: str) -> str:
    return page.split('id="needs-you"', 1)[1].split("</section>", 1)[0]


def test_needs_you_panel_lists_what_waits_for_staff_each_linked(app, demo, client, login_as, invite_city):
    """Awaiting review, an invitation about to expire, a failed sync, failed mail and a campaign without a contact
    each appear, linked to where they are fixed; with nothing waiting the panel says so."""
    login_as("viewer")
    with app.app_context():
        db.session.execute(update(Campaign).values(contact_email="team@example.org"))
        db.session.commit()
    assert "Nothing is waiting for you" in _panel(client.get("/dashboard").get_data(as_text=True))

    endorsement_id = _sign_off_domain(app)
    invite_city("Austin, TX", "mayor@austintexas.gov")
    with app.app_context():
        db.session.execute(update(Invitation).values(expires_at=utcnow() + timedelta(days=2)))
        bill = db.session.scalar(select(Bill).where(Bill.congress == 119))
        bill.sync_error = "HTTP 500 from Congress.gov"
        db.session.add(
            MailMessage(recipient="x@example.org", sender="a@example.org", subject="s", body_text="b", status="failed")
        )
        db.session.execute(update(Campaign).values(contact_email=None))
        db.session.commit()
    panel = _panel(client.get("/dashboard").get_data(as_text=True))
    assert "Endorsements awaiting review" in panel and f'href="/endorsements/{endorsement_id}"' in panel
    assert "Chicago, IL" in panel and "mayor.chicago@gmail.com" in panel
    assert (
        "Invitations expiring within 7 days" in panel and f'href="/endorsements/campaign/{SLUG}/invitations"' in panel
    )
    assert "Bills whose last sync failed" in panel and 'href="/bills/119/hr/5323"' in panel
    assert "Failed mail and webhooks" in panel and 'href="/admin/outbox"' in panel
    assert "Campaigns without a public contact" in panel and f'href="/campaigns/{SLUG}/edit"' in panel
    assert "Nothing is waiting" not in panel


def test_needs_you_query_count_does_not_grow_with_items(app, demo, client, login_as, count_queries):
    """The panel's queries are per section, not per item: two or five waiting endorsements (all shown), same count."""
    login_as("viewer")
    cities = ["Chicago, IL", "Hartford, CT", "Columbia, SC", "Charlotte, NC", "Washington, DC"]
    counts = []
    for batch in (cities[:2], cities[2:]):
        for city in batch:
            _sign_off_domain(app, city, f"mayor.{city.split(',')[0].lower()}@gmail.com")
        with count_queries() as queries:
            page = client.get("/dashboard").get_data(as_text=True)
        assert page.count("mayor.") >= len(batch)
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


def test_targets_are_linked_from_the_navigation_and_the_campaign_page(app, demo, client, login_as):
    """Navigation → Targets opens the campaign's targets (one campaign); the campaign page links them too."""
    login_as("viewer")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/targets"' in dashboard
    response = client.get("/targets")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/campaigns/{SLUG}/targets")
    assert f'href="/campaigns/{SLUG}/targets"' in client.get(f"/campaigns/{SLUG}").get_data(as_text=True)


def test_destructive_forms_ask_first_and_the_script_is_static(app, demo, client, login_as, invite_city):
    """Unlink, revoke, delete, reject and withdraw forms carry a confirmation; the script is a static file."""
    invite_city("Austin, TX", "mayor@austintexas.gov")
    endorsement_id = _sign_off_domain(app)
    login_as("advocate")
    campaign = client.get(f"/campaigns/{SLUG}").get_data(as_text=True)
    assert 'data-confirm="Unlink H.R. 5323' in campaign and "js/confirm.js" in campaign
    invitations = client.get(f"/endorsements/campaign/{SLUG}/invitations").get_data(as_text=True)
    assert 'data-confirm="Revoke the invitation to mayor@austintexas.gov?' in invitations
    detail = client.get(f"/endorsements/{endorsement_id}").get_data(as_text=True)
    assert detail.count("data-confirm=") == 2  # reject and withdraw
    with client.get("/static/js/confirm.js") as script:
        assert script.status_code == 200 and "window.confirm" in script.get_data(as_text=True)
    assert "<script>" not in campaign  # no inline script: the CSP stays strict


def test_favicon_is_not_a_404(client):
    """/favicon.ico leads to the icon, which is served."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    with client.get(response.headers["Location"]) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_signing_form_shows_the_citys_own_domain_or_none(app, demo, client, invite_city):
    """An invited city's form suggests its own domain; the open form (any city) suggests no other city's domain."""
    page = client.get(invite_city("Austin, TX", "mayor@austintexas.gov")).get_data(as_text=True)
    assert "@austintexas.gov" in page and "lacity.org" not in page
    with app.app_context():
        db.session.execute(update(Campaign).values(allow_open_signon=True))
        db.session.commit()
    page = client.get(f"/c/{SLUG}/sign").get_data(as_text=True)
    assert "lacity.org" not in page and "Use your address at the city: it verifies" in page


@pytest.mark.browser
def test_review_panel_and_a_confirmation_in_chromium(app, demo, live_server, new_page, make_user, invite_city):
    """In chromium: the panel links an endorsement awaiting review; revoking an invitation asks first, dismissing
    keeps it, accepting revokes it; the public page never lists the unreviewed city."""
    invite_city("Austin, TX", "mayor@austintexas.gov")
    endorsement_id = _sign_off_domain(app)
    email = make_user("advocate")
    for width in (1280, 390):
        page = new_page(viewport={"width": width, "height": 900})
        _log_in(page, live_server, email)
        panel = page.locator("#needs-you")
        assert panel.get_by_role("heading", name="Endorsements awaiting review").is_visible()
        panel.get_by_role("link", name="Chicago, IL").click()
        page.wait_for_url(f"{live_server}/endorsements/{endorsement_id}")

    page.goto(f"{live_server}/endorsements/campaign/{SLUG}/invitations")
    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state()  # a form sent despite the answer would be a navigation started by the click
    assert (
        page.url.endswith("/invitations")
        and messages
        and "Revoke the invitation to mayor@austintexas.gov?" in messages[0]
    )
    with app.app_context():
        assert db.session.scalar(select(Invitation.status)) == "invited"
    # The URL and the row above would look the same while a form sent anyway is still on its way; the refusal
    # itself is seen without waiting: a submit event (dispatched: never sent) is cancelled when the answer is no.
    refused = page.evaluate("""() => {
        const event = new SubmitEvent("submit", {bubbles: true, cancelable: true});
        const asked = window.confirm;
        window.confirm = () => false;
        try { document.querySelector("form[data-confirm]").dispatchEvent(event); } finally { window.confirm = asked; }
        return event.defaultPrevented;
    }""")
    assert refused
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke").click()
    with app.app_context():
        assert db.session.scalar(select(Invitation.status)) == "revoked"

    public = new_page()
    for path in ("", "?confirmed=1", "/states/IL?confirmed=1", "/widget?confirmed=1"):
        public.goto(f"{live_server}/c/{SLUG}{path}")
        assert "Chicago" not in public.content(), path
    with app.app_context():
        assert db.session.get(Endorsement, endorsement_id).status == "confirmed"
