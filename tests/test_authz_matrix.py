"""Authorisation matrix: every route of the app × (anonymous, viewer, advocate, admin, signing-link holder).

The table below names the level each endpoint needs per method; a route added without an entry fails
`test_every_route_has_an_expectation`. GETs must answer 200 to the roles allowed, a redirect to the login page
to anonymous visitors of staff pages and 403 to roles too low. POSTs from roles too low are refused (403, or the
login redirect) and never reach the action: the database is compared row by row before and after. The JSON API
(/api/v1) is checked with no token, a wrong token, a viewer's and an advocate's token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from advocacy.extensions import db
from tests.conftest import Auth, csrf_token

SLUG = "city-state-diplomacy"

# Levels. "public": anyone; "token": anyone holding the link (the token in the URL is the credential);
# "login"/"viewer"/"advocate"/"admin": staff roles; "owner": only the owner of the row (nobody in the matrix).
PUBLIC, TOKEN, LOGIN, VIEWER, ADVOCATE, ADMIN, OWNER = (
    "public",
    "token",
    "login",
    "viewer",
    "advocate",
    "admin",
    "owner",
)
API_PUBLIC, API_VIEWER, API_ADVOCATE = "api-public", "api-viewer", "api-advocate"
ROLES = ("anonymous", "viewer", "advocate", "admin", "holder")
RANK = {"anonymous": 0, "holder": 0, "viewer": 1, "advocate": 2, "admin": 3}
NEEDED = {LOGIN: 1, VIEWER: 1, ADVOCATE: 2, ADMIN: 3}


@dataclass(frozen=True)
class Route:
    """What one endpoint needs: the level per method, the URL (filled from the world), a POST payload."""

    url: str
    get: str | None = None
    post: str | None = None
    data: dict | None = None
    # The allowed role's POST with `data` must change the database (proves the payload would act).
    acts: bool = False
    # The status the allowed roles get for a GET (a page that only redirects answers 302).
    ok: int = 200


def routes(w: dict) -> dict[str, Route]:
    """The expectation table, with URLs filled from the world's real objects."""
    bill = f"{w['bill'][0]}/{w['bill'][1]}/{w['bill'][2]}"
    c = w["city_a"]
    e = w["endorsement_id"]
    b = w["batch_id"]
    t = w["template_id"]
    return {
        "static": Route("/static/css/app.css", get=PUBLIC),
        "main.index": Route("/", get="index"),
        "main.dashboard": Route("/dashboard", get=LOGIN),
        "main.favicon": Route("/favicon.ico", get=PUBLIC, ok=301),
        "auth.login": Route("/login", get="login-page", post=PUBLIC),
        "auth.logout": Route("/logout", post=PUBLIC),
        "auth.account": Route("/account", get=VIEWER, post=VIEWER),
        # admin
        "admin.index": Route("/admin/", get=ADMIN, ok=302),
        "admin.outbox": Route("/admin/outbox", get=ADMIN),
        "admin.users": Route(
            "/admin/users", get=ADMIN, post=ADMIN, acts=True,
            data={"email": "intruder@example.org", "role": "admin", "password": "a long enough password 42"},
        ),
        "alerts.health": Route("/admin/alerts", get=ADMIN),
        "alerts.webhook_list": Route(
            "/admin/webhooks", get=ADMIN, post=ADMIN, acts=True,
            data={"url": "https://example.org/other-hook", "event_types": ["bill.action"], "description": "x"},
        ),
        "alerts.webhook_detail": Route(f"/admin/webhooks/{w['webhook_id']}", get=ADMIN),
        "alerts.webhook_toggle": Route(f"/admin/webhooks/{w['webhook_id']}/toggle", post=ADMIN, acts=True),
        # alerts and feeds
        "alerts.feed_bills": Route("/feeds/bills.atom", get=PUBLIC),
        "alerts.feed_bill": Route(f"/feeds/bills/{bill}.atom", get=PUBLIC),
        "alerts.feed_campaign": Route(f"/feeds/campaigns/{SLUG}.atom", get=PUBLIC),
        "alerts.follow": Route(
            "/alerts/follow", post=VIEWER, acts=True, data={"target_type": "committee", "target_key": "SSFR"}
        ),
        "alerts.following": Route("/alerts/following", get=VIEWER, post=VIEWER, data={"mode": "daily"}, acts=True),
        "alerts.unfollow": Route(f"/alerts/unfollow/{w['follow_id']}", post=OWNER),
        "alerts.unsubscribe": Route(f"/alerts/unsubscribe/{w['unsubscribe_token']}", get=TOKEN, post=TOKEN),
        # API token page
        "api_tokens.index": Route("/account/api-tokens/", get=VIEWER, post=VIEWER, data={"name": "mine"}, acts=True),
        "api_tokens.revoke": Route(f"/account/api-tokens/{w['owner_token_id']}/revoke", post=OWNER),
        # bills
        "bills.index": Route("/bills/", get=VIEWER),
        "bills.detail": Route(f"/bills/{bill}", get=VIEWER),
        "bills.job_status": Route("/bills/jobs/pool-0123", get=VIEWER),
        "bills.track_bill": Route("/bills/track", post=ADVOCATE, data={"citation": "H.R. 1", "campaign": ""}),
        "bills.track_related": Route("/bills/track-related", post=ADVOCATE, data={"citation": "H.R. 2"}),
        "bills.sync_now": Route(f"/bills/{bill}/sync", post=ADVOCATE),
        "bills.sync_all": Route("/bills/sync-all", post=ADVOCATE),
        "texts.text": Route(f"/bills/{bill}/text/{w['text_ids'][0]}", get=VIEWER),
        "texts.compare": Route(f"/bills/compare?old={w['text_ids'][0]}&new={w['text_ids'][1]}", get=VIEWER),
        # campaigns
        "campaigns.index": Route("/campaigns/", get=VIEWER),
        "campaigns.new": Route(
            "/campaigns/new", get=ADVOCATE, post=ADVOCATE, acts=True,
            data={"slug": "new-one", "name": "New one", "ask": "Ask", "attestation": "I may sign."},
        ),
        "campaigns.detail": Route(f"/campaigns/{SLUG}", get=VIEWER),
        "campaigns.edit": Route(
            f"/campaigns/{SLUG}/edit", get=ADVOCATE, post=ADVOCATE, acts=True,
            data={"name": "Renamed", "ask": "Ask", "attestation": "I may sign.", "allow_open_signon": "y"},
        ),
        "campaigns.link": Route(f"/campaigns/{SLUG}/bills", post=ADVOCATE, data={"citation": "S. 1"}),
        "campaigns.unlink": Route(f"/campaigns/{SLUG}/bills/{w['bill_id']}/unlink", post=ADVOCATE, acts=True),
        "targets.choose": Route("/targets", get=VIEWER, ok=302),
        "targets.index": Route(f"/campaigns/{SLUG}/targets", get=VIEWER),
        "targets.export": Route(f"/campaigns/{SLUG}/targets.csv", get=VIEWER),
        # members, committees, cities
        "members.index": Route("/members/", get=VIEWER),
        "members.detail": Route(f"/members/{w['member']}", get=VIEWER),
        "members.committees": Route("/committees/", get=VIEWER),
        "members.committee": Route("/committees/HSFA", get=VIEWER),
        "cities.index": Route("/cities/", get=VIEWER),
        "cities.detail": Route(f"/cities/{c}", get=VIEWER),
        "cities.new": Route(
            "/cities/new", get=ADVOCATE, post=ADVOCATE, acts=True, data={"name": "Springfield", "state": "IL"}
        ),
        "cities.edit": Route(
            f"/cities/{c}/edit", get=ADVOCATE, post=ADVOCATE, acts=True,
            data={"name": "Renamed City", "state": "IL", "population": "1"},
        ),
        "cities.set_districts": Route(f"/cities/{c}/districts", post=ADVOCATE, acts=True, data={"districts": "AK-AL"}),
        "cities.districts_from_zips": Route(f"/cities/{c}/zips", post=ADVOCATE, data={"zips": "90401"}),
        # endorsements (staff)
        "endorsements.detail": Route(f"/endorsements/{e}", get=VIEWER),
        "endorsements.receipt": Route(f"/endorsements/{e}/receipt.pdf", get=VIEWER),
        "endorsements.invitations": Route(f"/endorsements/campaign/{SLUG}/invitations", get=VIEWER),
        "endorsements.invite": Route(
            f"/endorsements/campaign/{SLUG}/invite", post=ADVOCATE, acts=True,
            data={"city": "Washington, DC", "email": "mayor@dc.gov", "name": "M"},
        ),
        "endorsements.invite_bulk": Route(f"/endorsements/campaign/{SLUG}/invite/bulk", post=ADVOCATE),
        "endorsements.resend": Route(f"/endorsements/invitations/{w['invitation_id']}/resend", post=ADVOCATE, acts=True),
        "endorsements.approve": Route(f"/endorsements/{w['confirmed_id']}/approve", post=ADVOCATE, acts=True),
        "endorsements.reject": Route(f"/endorsements/{e}/reject", post=ADVOCATE, data={"reason": "no"}),
        "endorsements.withdraw": Route(f"/endorsements/{e}/withdraw", post=ADVOCATE, acts=True, data={"reason": "x"}),
        "endorsements.revoke": Route(f"/endorsements/invitations/{w['invitation_id']}/revoke", post=ADVOCATE, acts=True),
        # letters
        "letters.index": Route("/letters/", get=VIEWER),
        "letters.new_template": Route(
            "/letters/templates/new", get=ADVOCATE, post=ADVOCATE, acts=True,
            data={"name": "Other", "slug": "other", "body_format": "markdown", "body": "Hello.", "closing": "Yours,"},
        ),
        "letters.edit_template": Route(
            f"/letters/templates/{t}", get=VIEWER, post=ADVOCATE, acts=True,
            data={"name": "Renamed", "slug": "renamed", "body_format": "markdown", "body": "Hi.", "closing": "Yours,"},
        ),
        "letters.preview": Route(f"/letters/templates/{t}/preview", get=VIEWER),
        "letters.live_preview": Route(
            "/letters/templates/preview", post=ADVOCATE,
            data={"name": "Draft", "body_format": "markdown", "body": "Hi.", "closing": "Yours,"},
        ),
        "letters.duplicate_template": Route(f"/letters/templates/{t}/duplicate", post=ADVOCATE, acts=True),
        "letters.generate": Route("/letters/generate", post=ADVOCATE, data={"template": "", "campaign": SLUG}),
        "letters.plan": Route("/letters/plan", post=ADVOCATE, data={"template": "", "campaign": SLUG}),
        "letters.batch": Route(f"/letters/batches/{b}", get=VIEWER),
        "letters.batch_status": Route(f"/letters/batches/{b}/status.json", get=VIEWER),
        "letters.download": Route(f"/letters/batches/{b}/zip", get=VIEWER),
        "letters.letter_pdf": Route(f"/letters/letter/{w['letter_id']}.pdf", get=VIEWER),
        "letters.add_delivery": Route(
            f"/letters/letter/{w['letter_id']}/deliveries", post=ADVOCATE, acts=True,
            data={"method": "email", "sent_on": "2026-11-27", "person": "staffer"},
        ),
        "letters.retry": Route(f"/letters/batches/{b}/retry", post=ADVOCATE),
        "letters.cancel": Route(f"/letters/batches/{w['queued_batch_id']}/cancel", post=ADVOCATE, acts=True),
        "letters.delete_template": Route(f"/letters/templates/{w['spare_template_id']}/delete", post=ADVOCATE, acts=True),
        # contacts, interactions, sending letters by e-mail
        "contacts.index": Route("/contacts/", get=VIEWER),
        "contacts.export": Route("/contacts/export.csv", get=VIEWER),
        "contacts.import_csv": Route("/contacts/import", post=ADVOCATE),
        "contacts.new": Route(
            "/contacts/new", get=ADVOCATE, post=ADVOCATE, acts=True,
            data={"bioguide_id": "W000795", "name": "New Person", "role": "LA", "side": ""},
        ),
        "contacts.edit": Route(
            f"/contacts/{w['contact_id']}/edit", get=ADVOCATE, post=ADVOCATE, acts=True,
            data={"bioguide_id": "L000582", "name": "Emery Quinn", "role": "Scheduler", "side": ""},
        ),
        "contacts.delete": Route(f"/contacts/{w['spare_contact_id']}/delete", post=ADVOCATE, acts=True),
        "contacts.new_interaction": Route(
            "/contacts/interactions/new", get=ADVOCATE, post=ADVOCATE, acts=True,
            data={"bioguide_id": "L000582", "kind": "call", "occurred_on": "2026-11-20", "outcome": "", "campaign": ""},
        ),
        "contacts.delete_interaction": Route(
            f"/contacts/interactions/{w['spare_interaction_id']}/delete", post=ADVOCATE, acts=True
        ),
        "contacts.follow_up_done": Route(
            f"/contacts/interactions/{w['interaction_id']}/follow-up-done", post=ADVOCATE, acts=True
        ),
        "sending.send": Route(f"/letters/batches/{b}/send", get=ADVOCATE, post=ADVOCATE, data={"role": "LA"}),
        "sending.retry": Route(f"/letters/emails/{w['letter_email_id']}/retry", post=ADVOCATE, acts=True),
        "sending.bounced": Route(f"/letters/emails/{w['letter_email_id']}/bounced", post=ADVOCATE),
        # public pages
        "public.campaign": Route(f"/c/{SLUG}", get=PUBLIC),
        "public.endorsements_csv": Route(f"/c/{SLUG}/endorsements.csv", get=PUBLIC),
        "public.endorsements_json": Route(f"/c/{SLUG}/endorsements.json", get=PUBLIC),
        "public.widget": Route(f"/c/{SLUG}/widget", get=PUBLIC),
        "public.signed": Route(f"/c/{SLUG}/signed", get=PUBLIC),
        "public.state": Route(f"/c/{SLUG}/states/CA", get=PUBLIC),
        "public.sign_open": Route(f"/c/{SLUG}/sign", get=PUBLIC, post=PUBLIC),
        "public.sign_invited": Route(f"/sign/{w['invitation_token']}", get=TOKEN, post=TOKEN),
        "public.confirm": Route(f"/confirm/{w['confirm_token']}", get=TOKEN, post=TOKEN),
        "public.withdraw": Route(f"/withdraw/{w['withdraw_token']}", get=TOKEN, post=TOKEN),
        "public.verify": Route(f"/verify/{w['code']}", get=PUBLIC),
        "public.verify_receipt": Route(f"/verify/{w['code']}/receipt.pdf", get=PUBLIC),
        # JSON API
        "api.openapi": Route("/api/v1/openapi.json", get=API_PUBLIC),
        "api.bills": Route("/api/v1/bills", get=API_PUBLIC, post=API_ADVOCATE, data={"citation": "H.R. 7"}),
        "api.track_bill": Route("/api/v1/bills", post=API_ADVOCATE),
        "api.bill": Route(f"/api/v1/bills/{bill}", get=API_PUBLIC),
        "api.campaigns": Route("/api/v1/campaigns", get=API_PUBLIC),
        "api.campaign": Route(f"/api/v1/campaigns/{SLUG}", get=API_PUBLIC),
        "api.create_invitation": Route(
            f"/api/v1/campaigns/{SLUG}/invitations", post=API_ADVOCATE,
            data={"city_id": w["city_b"], "email": "mayor@example.gov"},
        ),
        "api.create_letter_batch": Route(
            "/api/v1/letter-batches", post=API_ADVOCATE,
            data={"campaign": SLUG, "template": "x", "selector": "all"},
        ),
        "api.cities": Route("/api/v1/cities", get=API_PUBLIC),
        "api.city": Route(f"/api/v1/cities/{c}", get=API_PUBLIC),
        "api.members": Route("/api/v1/members", get=API_PUBLIC),
        "api.member": Route(f"/api/v1/members/{w['member']}", get=API_PUBLIC),
        "api.committees": Route("/api/v1/committees", get=API_PUBLIC),
        "api.committee": Route("/api/v1/committees/HSFA", get=API_PUBLIC),
        "api.events": Route("/api/v1/events", get=API_VIEWER),
        # last: it ends the logins of the client that posts it
        "auth.logout_everywhere": Route("/account/logout-everywhere", post=VIEWER, acts=True),
    }  # fmt: skip


# --------------------------------------------------------------------------------------------- the world


def _mail_link(prefix: str, recipient: str) -> str:
    from advocacy.models import MailMessage

    bodies = db.session.scalars(
        select(MailMessage.body_text).where(MailMessage.recipient == recipient).order_by(MailMessage.id.desc())
    )
    for body in bodies:
        match = re.search(rf"{prefix}/([A-Za-z0-9_-]+)", body)
        if match:
            return match.group(1)
    raise AssertionError(f"no {prefix} link mailed to {recipient}")


@pytest.fixture
def world(app: Flask, demo, make_user, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Demo data plus one of everything a route can name, users of each role, tokens and links."""
    from advocacy.alerts import services as alerts
    from advocacy.alerts.webhooks import create_endpoint
    from advocacy.api.tokens import create_token
    from advocacy.endorsements import services as endorsements
    from advocacy.letters import services as letters
    from advocacy.letters.tasks import batch_dir, merged_name, zip_name
    from advocacy.models import Campaign, LetterTemplate, User
    from advocacy.models.letters import LETTER_DONE

    monkeypatch.setitem(app.config, "PUBLIC_POST_RATE_LIMIT", "10000 per hour")
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "10000 per minute")
    emails = {role: make_user(role) for role in ("viewer", "advocate", "admin")}
    owner_email = make_user("admin", email="owner@example.org")
    w: dict = {"emails": emails}
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == owner_email))
        users = {r: db.session.scalar(select(User).where(User.email == e)) for r, e in emails.items()}
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        campaign.allow_open_signon = True
        city_a = endorsements.find_city("Austin, TX")
        city_b = endorsements.find_city("Chicago, IL")
        invitation, link = endorsements.invite(campaign, city_a, "mayor@austintexas.gov", "Ada", actor="test")
        w["invitation_token"] = link.rsplit("/", 1)[1]
        w["invitation_id"] = invitation.id
        w["city_a"], w["city_b"] = city_a.id, city_b.id
        # A pending endorsement (confirm/withdraw links) and a confirmed one awaiting approval.
        details = endorsements.SignerDetails(
            name="Pat Signer", title="Mayor", email="pat@charlotte.gov", phone=None, statement=None, signature="pat"
        )
        endorsements.sign(campaign, endorsements.find_city("Charlotte, NC"), details, client_ip="127.0.0.1")
        details2 = endorsements.SignerDetails(
            name="Sam Signer", title="Mayor", email="sam@hartford.gov", phone=None, statement=None, signature="sam"
        )
        confirmed = endorsements.sign(campaign, endorsements.find_city("Hartford, CT"), details2, client_ip=None)
        confirmed.status = "confirmed"
        db.session.flush()
        w["confirm_token"] = _mail_link("/confirm", "pat@charlotte.gov")
        w["withdraw_token"] = _mail_link("/withdraw", "pat@charlotte.gov")
        w["confirmed_id"] = confirmed.id
        details3 = endorsements.SignerDetails(
            name="Val Signer", title="Mayor", email="val@columbia.gov", phone=None, statement=None, signature="val"
        )
        endorsements.sign(campaign, endorsements.find_city("Columbia, SC"), details3, client_ip=None)
        db.session.flush()
        verified = endorsements.confirm(_mail_link("/confirm", "val@columbia.gov"), client_ip=None)
        if verified.status != "verified":
            endorsements.approve(verified, actor="test")
        assert verified.verification_code
        w["endorsement_id"], w["code"] = verified.id, verified.verification_code
        bill = campaign.current_bill
        w["bill"] = (bill.congress, bill.bill_type, bill.number)
        w["bill_id"] = bill.id
        w["member"] = "L000582"
        # Bill texts: two versions of the current bill, parsed from the real GPO fixture.
        from advocacy.bills.texts import parse_document
        from advocacy.models import BillTextVersion

        parsed = parse_document((Path(__file__).parent / "fixtures" / "texts" / "BILLS-118hr8205ih.xml").read_bytes())
        versions = [
            BillTextVersion(
                bill_id=bill.id, version_key=key, version_type=key, source_url="https://www.govinfo.gov/x.xml",
                source_format="bill-xml", sections=parsed.sections, word_count=parsed.word_count, content_sha256=key,
            )
            for key in ("ih", "rh")
        ]  # fmt: skip
        db.session.add_all(versions)
        db.session.flush()
        w["text_ids"] = [v.id for v in versions]
        # Letters: a finished batch (files on disk) and a queued one, a spare template to delete.
        template = db.session.scalar(select(LetterTemplate).order_by(LetterTemplate.id))
        w["template_id"] = template.id
        batch = letters.create_batch(template, campaign, "member:L000582", actor="test")
        queued = letters.create_batch(template, campaign, "member:W000795", actor="test")
        db.session.flush()
        letter = batch.letters[0]
        letter.status, batch.settled, batch.done, batch.status = LETTER_DONE, 1, 1, "done"
        folder = batch_dir(batch.id)
        (folder / "letters" / letter.filename).write_bytes(b"%PDF-1.4 stand-in")
        (folder / zip_name(batch.id)).write_bytes(b"PK stand-in")
        (folder / merged_name(batch.id)).write_bytes(b"%PDF-1.4 stand-in")
        w["batch_id"], w["letter_id"], w["queued_batch_id"] = batch.id, letter.id, queued.id
        spare = letters.save_template(
            None,
            {"name": "Spare", "slug": "spare", "body_format": "markdown", "body": "Hi.", "closing": "Yours,"},
            actor="test",
        )
        db.session.flush()
        w["spare_template_id"] = spare.id
        # Contacts: two of Lieu's office (one to edit, one to delete), a call with a follow-up, a failed e-mail.
        from datetime import date

        from advocacy.contacts import services as contacts
        from advocacy.mail import queue_mail
        from advocacy.models.contacts import LetterEmail

        office = contacts.resolve_office("L000582")
        contact = contacts.save_contact(
            None, office, {"name": "Emery Quinn", "role": "LA", "email": "emery@lieu.example.org"}, actor="test"
        )
        spare_contact = contacts.save_contact(None, office, {"name": "Spare Person", "role": "LA"}, actor="test")
        call = contacts.record_interaction(
            office,
            {"kind": "call", "occurred_on": date(2026, 11, 20), "follow_up_on": date(2026, 11, 21)},
            actor="test",
        )
        spare_call = contacts.record_interaction(
            office, {"kind": "email", "occurred_on": date(2026, 11, 22)}, actor="test"
        )
        message = queue_mail("emery@lieu.example.org", "Letter", "Attached.")
        db.session.flush()
        message.status = "failed"
        failed = LetterEmail(
            letter_id=letter.id, batch_id=batch.id, contact_id=contact.id, mail_message_id=message.id,
            contact_name=contact.name, role="LA", address=contact.email, message_id="<x@example.org>",
            filename=letter.filename, sha256="0" * 64, size=17, status="failed", error="550 refused",
        )  # fmt: skip
        db.session.add(failed)
        db.session.flush()
        w["contact_id"], w["spare_contact_id"], w["interaction_id"] = contact.id, spare_contact.id, call.id
        w["letter_email_id"], w["spare_interaction_id"] = failed.id, spare_call.id
        # Alerts, webhooks and API tokens; the owner's rows must stay out of other users' reach.
        w["webhook_id"] = create_endpoint("https://example.org/hook", ["bill.action"], "demo", actor="test").id
        follow, _ = alerts.follow(owner, "campaign", str(campaign.id))
        db.session.flush()
        w["follow_id"] = follow.id
        w["unsubscribe_token"] = alerts.unsubscribe_token(owner.id, follow.id)
        owner_token, _raw = create_token(owner, "owner's")
        w["owner_token_id"] = owner_token.id
        w["api_tokens"] = {r: create_token(u, "test")[1] for r, u in users.items()}
        db.session.commit()
    return w


@pytest.fixture
def clients(app: Flask, world: dict) -> dict[str, FlaskClient]:
    """A client per role: logged in through the real form; the holder has opened its signing link."""
    result = {"anonymous": app.test_client(), "holder": app.test_client()}
    for role, email in world["emails"].items():
        client = app.test_client()
        response = Auth(client).login(email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        result[role] = client
    assert result["holder"].get(f"/sign/{world['invitation_token']}").status_code == 200
    return result


def snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, minus log-in and token bookkeeping columns that reading pages updates.

    Own app context: requests made inside an outer one would share its `g` (and its cached current_user).
    """
    volatile = {"last_login_at", "failed_logins", "locked_until", "last_used_at"}
    rows = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in volatile]
            result = conn.execute(select(*columns))
            rows[table.name] = sorted((tuple(map(repr, row)) for row in result), key=str)
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _token_for(client: FlaskClient, role: str) -> str:
    return csrf_token(client, "/login" if role in ("anonymous", "holder") else "/dashboard")


def expected_get(level: str, role: str) -> tuple[int, str | None]:
    """(status, where a redirect must lead) of a GET at `level` by `role`."""
    if level in (PUBLIC, TOKEN):
        return 200, None
    if level == "index":
        return 302, "/login" if RANK[role] == 0 else "/dashboard"
    if level == "login-page":  # the log-in page sends logged-in users on to the dashboard
        return (200, None) if RANK[role] == 0 else (302, "/dashboard")
    if RANK[role] == 0:
        return 302, "/login"
    return (200, None) if RANK[role] >= NEEDED[level] else (403, None)


# --------------------------------------------------------------------------------------------- tests


def test_every_route_has_an_expectation(app: Flask, world: dict):
    """Each rule of app.url_map has an entry for exactly its methods: a new route without one fails here."""
    table = routes(world)
    problems = []
    for rule in app.url_map.iter_rules():
        methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        route = table.get(rule.endpoint)
        if route is None:
            problems.append(f"{rule.endpoint} ({rule.rule}) has no entry")
            continue
        declared = {m for m, level in (("GET", route.get), ("POST", route.post)) if level}
        if rule.endpoint == "api.bills":
            declared = {"GET"}  # GET and POST /api/v1/bills are two endpoints; POST is api.track_bill
        if declared != methods:
            problems.append(f"{rule.endpoint}: table says {sorted(declared)}, the rule has {sorted(methods)}")
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    problems += [f"{name} is in the table but not in the app" for name in table if name not in endpoints]
    assert not problems, "\n".join(problems)


def test_get_matrix(app: Flask, world: dict, clients: dict[str, FlaskClient]):
    """Every staff and public page answers each role with its expected status (200, login redirect, 403)."""
    problems = []
    for endpoint, route in routes(world).items():
        if route.get is None or route.get.startswith("api-"):
            continue
        for role in ROLES:
            response = clients[role].get(route.url)
            response.close()
            status, location = expected_get(route.get, role)
            if status == 200:
                status = route.ok
            if response.status_code != status:
                problems.append(f"GET {route.url} ({endpoint}) as {role}: {response.status_code}, expected {status}")
            elif location and location not in response.headers.get("Location", ""):
                problems.append(f"GET {route.url} as {role}: redirect to {response.headers.get('Location')}")
    assert not problems, "\n".join(problems)


def test_staff_posts_from_roles_too_low_are_refused_and_change_nothing(
    app: Flask, world: dict, clients: dict[str, FlaskClient]
):
    """A POST (with a valid CSRF token) by a role below the endpoint's level is refused and writes nothing."""
    problems = []
    tokens = {role: _token_for(client, role) for role, client in clients.items()}
    for endpoint, route in routes(world).items():
        if route.post not in (LOGIN, VIEWER, ADVOCATE, ADMIN, OWNER):
            continue
        for role in ROLES:
            if route.post != OWNER and RANK[role] >= NEEDED[route.post]:
                continue
            before = snapshot(app)
            data = dict(route.data or {}, csrf_token=tokens[role])
            response = clients[role].post(route.url, data=data)
            after = snapshot(app)
            if RANK[role] == 0:
                ok = response.status_code == 302 and "/login" in response.headers.get("Location", "")
            elif route.post == OWNER:
                ok = response.status_code in (302, 403, 404)
            else:
                ok = response.status_code == 403
            if not ok:
                problems.append(f"POST {route.url} ({endpoint}) as {role}: {response.status_code}")
            if changed := changed_tables(before, after):
                problems.append(f"POST {route.url} ({endpoint}) as {role} changed {changed}")
    assert not problems, "\n".join(problems)


def test_staff_posts_by_the_allowed_role_reach_the_action(app: Flask, world: dict, clients: dict[str, FlaskClient]):
    """The same POSTs by the lowest role allowed are accepted (and act), so the refusals above mean something."""
    problems = []
    tokens = {role: _token_for(client, role) for role, client in clients.items()}
    lowest = {LOGIN: "viewer", VIEWER: "viewer", ADVOCATE: "advocate", ADMIN: "admin"}
    for endpoint, route in routes(world).items():
        if route.post not in lowest:
            continue
        role = lowest[route.post]
        before = snapshot(app)
        response = clients[role].post(route.url, data=dict(route.data or {}, csrf_token=tokens[role]))
        if response.status_code in (401, 403) or response.status_code >= 500:
            problems.append(f"POST {route.url} ({endpoint}) as {role}: {response.status_code}")
        if route.acts and not changed_tables(before, snapshot(app)):
            problems.append(f"POST {route.url} ({endpoint}) as {role} changed nothing")
    assert not problems, "\n".join(problems)


def _api_headers(kind: str, world: dict) -> dict[str, str]:
    if kind == "none":
        return {}
    if kind == "wrong":
        return {"Authorization": "Bearer adv_not-a-real-token-at-all"}
    return {"Authorization": f"Bearer {world['api_tokens'][kind]}"}


def test_api_matrix(app: Flask, world: dict, client: FlaskClient):
    """API reads are public (events need a token); writes need an advocate's token: 401 without, 403 below."""
    problems = []
    for endpoint, route in routes(world).items():
        for method, level in (("GET", route.get), ("POST", route.post)):
            if not level or not level.startswith("api-") or (endpoint == "api.bills" and method == "POST"):
                continue
            for kind in ("none", "wrong", "viewer", "advocate"):
                before = snapshot(app) if method == "POST" else None
                response = client.open(route.url, method=method, json=route.data, headers=_api_headers(kind, world))
                status = response.status_code
                if level == API_PUBLIC:
                    ok = status == 200
                elif kind in ("none", "wrong"):
                    ok = status == 401 and response.headers.get("WWW-Authenticate", "").startswith("Bearer")
                elif level == API_ADVOCATE and kind == "viewer":
                    ok = status == 403
                else:
                    ok = status not in (401, 403) and status < 500
                if not ok:
                    problems.append(f"{method} {route.url} with {kind} token: {status}")
                denied = kind in ("none", "wrong") or (level == API_ADVOCATE and kind == "viewer")
                if before is not None and denied and (changed := changed_tables(before, snapshot(app))):
                    problems.append(f"{method} {route.url} with {kind} token changed {changed}")
    assert not problems, "\n".join(problems)


def test_api_revoked_token_and_disabled_account_are_refused(app: Flask, world: dict, client: FlaskClient):
    """A revoked token, or the token of a deactivated account, no longer works (401)."""
    from advocacy.api.tokens import authenticate, hash_token
    from advocacy.models import ApiToken, User
    from advocacy.models.base import utcnow

    advocate_raw, viewer_raw = world["api_tokens"]["advocate"], world["api_tokens"]["viewer"]
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {viewer_raw}"}).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(advocate_raw)))
        row.revoked_at = utcnow() - timedelta(seconds=1)
        user = authenticate(viewer_raw)
        db.session.get(User, user.id).active = False
        db.session.commit()
    for raw in (advocate_raw, viewer_raw):
        assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


# --------------------------------------------------------------------------------------------- signing links


def _sign_data(**extra) -> dict:
    data = {
        "signer_name": "Ada Mayor",
        "signer_title": "Mayor",
        "signer_email": "mayor@austintexas.gov",
        "attestation": "y",
        "signature": "ada mayor",
    }
    data.update(extra)
    return data


def test_signing_link_shows_only_its_own_city(app: Flask, world: dict, clients: dict[str, FlaskClient]):
    """The link for city A names city A only, and nothing on the page lets the holder pick another city."""
    page = clients["holder"].get(f"/sign/{world['invitation_token']}").get_data(as_text=True)
    assert "Austin" in page
    assert "Chicago" not in page
    assert 'name="city"' not in page


@pytest.mark.parametrize(
    "tampering",
    [
        {"city": "Chicago, IL"},
        {"city_id": "CITY_B"},
        {"city": "CITY_B", "city_id": "CITY_B", "invitation_id": "0", "campaign": "other", "campaign_id": "0"},
    ],
)
def test_signing_link_cannot_sign_for_another_city(
    app: Flask, world: dict, clients: dict[str, FlaskClient], tampering: dict
):
    """Extra or altered city/campaign/invitation fields in the posted form are ignored: the endorsement is A's."""
    from advocacy.models import Endorsement

    holder = clients["holder"]
    url = f"/sign/{world['invitation_token']}"
    extra = {k: (str(world["city_b"]) if v == "CITY_B" else v) for k, v in tampering.items()}
    response = holder.post(url, data=_sign_data(csrf_token=csrf_token(holder, url), **extra))
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    with app.app_context():
        cities = set(db.session.scalars(select(Endorsement.city_id).where(Endorsement.signer_name == "Ada Mayor")))
        assert cities == {world["city_a"]}
        assert db.session.scalar(select(Endorsement).where(Endorsement.city_id == world["city_b"])) is None


def test_a_used_or_foreign_link_opens_nothing(app: Flask, world: dict, clients: dict[str, FlaskClient]):
    """A tampered token, another purpose's token and a confirm token on the signing URL are all refused."""
    holder = clients["holder"]
    token = world["invitation_token"]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert holder.get(f"/sign/{forged}").status_code == 404
    assert holder.get(f"/sign/{world['confirm_token']}").status_code == 404
    assert holder.get(f"/confirm/{token}").status_code == 404
    assert holder.get(f"/withdraw/{world['confirm_token']}").status_code == 404
    assert holder.get(f"/alerts/unsubscribe/{world['unsubscribe_token']}x").status_code == 400
    with app.app_context():
        assert db.session.execute(text("select count(*) from endorsement where status = 'withdrawn'")).scalar() == 0
