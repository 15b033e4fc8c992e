"""Outgoing webhooks against a receiver on 127.0.0.1 (signature, retry after a 500, a hanging receiver), the admin
pages, URL validation, and the Atom feeds (valid per feedparser, stable ids, escaped text)."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import select, update

from advocacy.extensions import db
from advocacy.models import Event, WebhookDelivery, WebhookEndpoint
from tests.concurrency import run_side_by_side
from tests.conftest import submit


def _add_webhook(client, url, types=("bill.action",)):
    response = submit(client, "/admin/webhooks", {"url": url, "event_types": list(types), "description": "test"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def _record(app, kind="bill.action", summary="New action: <b>&</b>"):
    from advocacy.events import record_event

    with app.app_context():
        from advocacy.bills.services import get_bill

        bill = get_bill(119, "hr", 5323)
        event = record_event(kind, summary, actor="sync", bill_id=bill.id if bill else None, data={"x": 1})
        db.session.commit()
        return event.id


def _make_due(app):
    """Pretend the backoff has passed."""
    from advocacy.models.base import utcnow

    with app.app_context():
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.state == "pending")
            .values(next_attempt_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()


def _secret(app):
    with app.app_context():
        return db.session.scalar(select(WebhookEndpoint.secret))


def test_webhook_signed_retried_after_500_and_logged(demo, app, client, login_as, runner, webhook_receiver):
    """A 500 is retried with backoff; the retry carries a valid signature over the same body; the log shows it."""
    receiver, base = webhook_receiver
    login_as("admin")
    page = _add_webhook(client, f"{base}/hook")
    secret = _secret(app)
    assert secret in page  # shown once, on creation
    assert "X-Advocacy-Signature" in page and "HMAC-SHA256" in page  # documented for receivers
    event_id = _record(app)
    receiver.script = [500]
    first = runner.invoke(args=["alerts", "send"])
    assert "webhooks: 0 delivered, 1 failed" in first.output, first.output
    # Not due yet: a second run does not hammer the receiver.
    runner.invoke(args=["alerts", "send"])
    assert len(receiver.requests) == 1
    with app.app_context():
        delivery = db.session.scalar(select(WebhookDelivery))
        assert delivery.state == "pending" and delivery.attempts == 1 and delivery.last_status_code == 500
        assert delivery.next_attempt_at is not None
    _make_due(app)
    second = runner.invoke(args=["alerts", "send"])
    assert "webhooks: 1 delivered, 0 failed" in second.output, second.output
    assert len(receiver.requests) == 2
    for request in receiver.requests:
        assert receiver.verify(secret, request)
        assert not receiver.verify("whsec_wrong", request)
        payload = json.loads(request["body"])
        assert payload["event"]["id"] == event_id and payload["event"]["kind"] == "bill.action"
        assert request["headers"]["X-Advocacy-Delivery"] == str(delivery.id)
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    log = client.get(f"/admin/webhooks/{delivery.endpoint_id}").get_data(as_text=True)
    assert "delivered" in log and "<td>2</td>" in log and "200" in log
    _make_due(app)
    runner.invoke(args=["alerts", "send"])
    assert len(receiver.requests) == 2  # delivered once: never again


def test_hanging_receiver_does_not_stall_others(demo, app, client, login_as, runner, webhook_receiver, monkeypatch):
    """With a 1 s timeout, a hanging receiver times out while another endpoint is delivered in the same run."""
    receiver, base = webhook_receiver
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 1)
    login_as("admin")
    _add_webhook(client, f"{base}/slow")
    _add_webhook(client, f"{base}/fast")
    _record(app)
    receiver.script = ["hang", 200]
    receiver.hang_seconds = 3
    started = time.monotonic()
    result = runner.invoke(args=["alerts", "send"])
    elapsed = time.monotonic() - started
    assert "webhooks: 1 delivered, 1 failed" in result.output, result.output
    assert elapsed < 2.9  # the hang (3 s) was cut at the timeout; deliveries ran side by side
    with app.app_context():
        errors = [d.last_error for d in db.session.scalars(select(WebhookDelivery)) if d.last_error]
        assert errors and "timed out" in errors[0]


def test_webhook_gives_up_after_max_attempts(demo, app, client, login_as, runner, webhook_receiver, monkeypatch):
    """After WEBHOOK_MAX_ATTEMPTS failures the delivery is marked failed and the health page counts it."""
    receiver, base = webhook_receiver
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 2)
    login_as("admin")
    _add_webhook(client, f"{base}/hook")
    _record(app)
    receiver.script = [500, 503]
    runner.invoke(args=["alerts", "send"])
    _make_due(app)
    runner.invoke(args=["alerts", "send"])
    with app.app_context():
        assert db.session.scalar(select(WebhookDelivery.state)) == "failed"
    health = client.get("/admin/alerts").get_data(as_text=True)
    assert "Webhook deliveries given up: <strong>1</strong>" in health and "Last run" in health


def _due_deliveries(app, client, base, count):
    """`count` pending deliveries to one endpoint, due now."""
    from advocacy.alerts.webhooks import claim_deliveries

    _add_webhook(client, f"{base}/hook")
    event_ids = [_record(app, summary=f"Action {n}") for n in range(count)]
    with app.app_context():
        assert claim_deliveries(event_ids) == count


def test_concurrent_runs_deliver_each_webhook_once(demo, app, client, login_as, webhook_receiver):
    """Two runs that read the same due deliveries at once send each exactly once (conditional claim)."""
    from advocacy.alerts.webhooks import deliver_due

    receiver, base = webhook_receiver
    login_as("admin")
    _due_deliveries(app, client, base, 4)
    results = run_side_by_side(app, "webhook_delivery", deliver_due)
    delivery_ids = sorted(r["headers"]["X-Advocacy-Delivery"] for r in receiver.requests)
    assert len(delivery_ids) == 4 and len(set(delivery_ids)) == 4, delivery_ids
    assert sum(delivered for delivered, _failed in results) == 4
    with app.app_context():
        rows = db.session.execute(select(WebhookDelivery.state, WebhookDelivery.attempts)).all()
        assert sorted(rows) == [("delivered", 1)] * 4


def test_lease_outlasts_a_worst_case_run(demo, app, client, login_as, webhook_receiver):
    """While a delivery is being sent its lease covers 200 deliveries / 4 workers × 5 s timeouts, not 2 minutes."""
    from advocacy.alerts.webhooks import deliver_due
    from advocacy.models.base import utcnow

    receiver, base = webhook_receiver
    login_as("admin")
    _due_deliveries(app, client, base, 1)
    receiver.script, receiver.hang_seconds = ["hang"], 1.5
    assert app.config.get("WEBHOOK_TIMEOUT", 5) == 5 and app.config.get("WEBHOOK_WORKERS", 4) == 4
    started = utcnow()

    def run() -> None:
        with app.app_context():
            deliver_due()
            db.session.remove()

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 5
    while not receiver.requests and time.monotonic() < deadline:  # the receiver holds the request 1.5 s
        time.sleep(0.02)
    with app.app_context():
        row = db.session.execute(select(WebhookDelivery.attempts, WebhookDelivery.next_attempt_at)).one()
        db.session.remove()
    worker.join(10)
    assert receiver.requests and row.attempts == 1, "the run never sent the delivery"
    lease = row.next_attempt_at
    assert lease - started >= timedelta(seconds=200 / 4 * 5)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "javascript:alert(1)",
        "http://user:pw@example.org/hook",
        "http:///nohost",
        "example.org",
    ],
)
def test_webhook_url_validation(client, login_as, url):
    """Only http(s) URLs with a host and without credentials are accepted; the form says why."""
    login_as("admin")
    response = submit(client, "/admin/webhooks", {"url": url, "event_types": ["bill.action"]})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


def test_webhook_pages_are_admin_only(client, login_as):
    """Advocates cannot see or add webhooks."""
    login_as("advocate")
    assert client.get("/admin/webhooks").status_code == 403
    assert client.get("/admin/alerts").status_code == 403


def test_health_page_lists_stale_syncs(demo, app, client, login_as):
    """A tracked bill whose last sync failed or is too old shows on the health page."""
    from advocacy.bills.services import get_bill
    from advocacy.models.base import utcnow

    with app.app_context():
        bill = get_bill(119, "hr", 5323)
        bill.data_source = "congress.gov"
        bill.last_synced_at = utcnow() - timedelta(hours=100)
        bill.sync_error = "HTTP 500 from Congress.gov"
        db.session.commit()
    login_as("admin")
    page = client.get("/admin/alerts").get_data(as_text=True)
    assert "H.R. 5323 (119th)" in page and "HTTP 500 from Congress.gov" in page and "never run" in page


def test_atom_feeds_are_valid(demo, app, client):
    """All-bills, bill and campaign feeds parse as Atom without errors, with tag: ids, dates and escaped text."""
    event_id = _record(app, summary="New action: <script>alert(1)</script> & more\x07")
    _record(app, kind="invitation.sent", summary="secret@example.org invited")
    with app.app_context():
        from advocacy.models import Campaign

        slug = db.session.scalar(select(Campaign.slug))
    for path in ("/feeds/bills.atom", "/feeds/bills/119/hr/5323.atom", f"/feeds/campaigns/{slug}.atom"):
        response = client.get(path)  # no login
        assert response.status_code == 200 and response.mimetype == "application/atom+xml"
        parsed = feedparser.parse(response.data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert parsed.feed.id.startswith("tag:localhost,2026:advocacy/")
        entry = next(e for e in parsed.entries if e.id == f"tag:localhost,2026:advocacy/event/{event_id}")
        assert entry.updated_parsed and "<script>" in entry.summary  # escaped in XML, intact as text
        assert b"<script>" not in response.data
        assert b"secret@example.org" not in response.data  # invitations never reach a public feed
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    assert client.get("/feeds/bills/119/hr/1.atom").status_code == 404
    assert client.get("/feeds/campaigns/nope.atom").status_code == 404


def test_campaign_feed_has_verified_endorsements(demo, app, client):
    """A newly verified endorsement appears in its campaign's feed as "City endorsed Campaign"."""
    from advocacy.events import record_event
    from advocacy.models import Endorsement

    with app.app_context():
        endorsement = db.session.scalar(select(Endorsement).where(Endorsement.status == "verified"))
        record_event(
            "endorsement.status",
            "x: confirmed → verified",
            actor="public",
            campaign_id=endorsement.campaign_id,
            endorsement_id=endorsement.id,
            data={"from": "confirmed", "to": "verified"},
        )
        db.session.commit()
        slug, city = endorsement.campaign.slug, endorsement.city.label
    parsed = feedparser.parse(client.get(f"/feeds/campaigns/{slug}.atom").data)
    assert not parsed.bozo
    assert any(f"{city} endorsed" in e.summary for e in parsed.entries)
    with app.app_context():
        assert db.session.scalar(select(Event.id).where(Event.kind == "endorsement.status"))
