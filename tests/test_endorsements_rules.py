"""Rules of the endorsement flow: tokens, validation, duplicates (also under concurrency), XSS, rate limits, CSV."""

from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from advocacy.extensions import db
from advocacy.models import Campaign, City, Endorsement, EndorsementToken, Event, Invitation
from advocacy.models.base import utcnow
from tests.conftest import POSTGRES_URL, csrf_token, submit
from tests.test_endorsements_flow import SLUG, endorsement_for, sign_data


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _open_signon(app, allowed: bool = True, contact: str | None = "team@citydiplomacy.example") -> None:
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        campaign.allow_open_signon = allowed
        campaign.contact_email = contact
        db.session.commit()


# --- tokens --------------------------------------------------------------------------------------------------


def test_invitation_token_is_stored_only_hashed(app, demo, invite_city):
    """The database holds the SHA-256 of the link's token, never the token itself; it carries ≥128 bits."""
    path = invite_city()
    raw = path.rsplit("/", 1)[1]
    assert len(raw) >= 43  # token_urlsafe(32): 256 bits
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert invitation.token_hash != raw and len(invitation.token_hash) == 64
        assert raw not in str(db.session.execute(text("SELECT * FROM invitation")).all())


def test_tampered_token_is_refused(client, demo, invite_city):
    """A signing link with one character changed is not found (404) and says so plainly."""
    path = invite_city()
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    response = client.get(tampered)
    assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    assert client.get("/sign/<script>").status_code == 404
    assert client.get("/confirm/x" * 3).status_code == 404


def test_expired_invitation_is_refused(app, client, demo, invite_city):
    """An invitation past ENDORSEMENT_TOKEN_DAYS says it expired (410) and accepts no signature."""
    path = invite_city()
    token = csrf_token(client, path)  # the signer opened the form before it expired
    with app.app_context():
        db.session.scalar(select(Invitation)).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.get(path)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert client.post(path, data={**sign_data(), "csrf_token": token}).status_code == 410
    assert _count(app, Endorsement, Endorsement.source_note.is_(None)) == 0


def test_token_days_config_sets_expiry(app, demo, invite_city, monkeypatch):
    """ENDORSEMENT_TOKEN_DAYS controls how long an invitation lasts."""
    monkeypatch.setitem(app.config, "ENDORSEMENT_TOKEN_DAYS", 3)
    invite_city()
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert timedelta(days=2, hours=23) < invitation.expires_at - invitation.created_at <= timedelta(days=3)


def test_used_invitation_and_confirmation_links_cannot_be_reused(app, client, demo, smtp, invite_city):
    """Once signed, the invitation link is spent; once confirmed, the confirmation link is spent."""
    path = invite_city()
    assert submit(client, path, sign_data()).status_code == 302
    response = client.get(path)
    assert response.status_code == 410 and "already been used" in response.get_data(as_text=True)
    confirm = smtp.link("mayor@austintexas.gov", "/confirm/")
    assert submit(client, confirm, {}).status_code == 200
    assert client.get(confirm).status_code == 410
    assert _count(app, Endorsement, Endorsement.source_note.is_(None)) == 1


def test_expired_confirmation_link_is_refused(app, client, demo, smtp, invite_city):
    """A confirmation link past its expiry leaves the endorsement pending."""
    submit(client, invite_city(), sign_data())
    with app.app_context():
        for token in db.session.scalars(select(EndorsementToken).where(EndorsementToken.purpose == "confirm")):
            token.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    confirm = smtp.link("mayor@austintexas.gov", "/confirm/")
    response = client.get(confirm)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert endorsement_for(app, "Austin").status == "pending"


def test_revoked_and_resent_invitations(app, client, demo, smtp, invite_city, login_as):
    """Resending makes a new link and kills the old one; revoking kills the link for good."""
    old = invite_city()
    login_as("advocate")
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    page = f"/endorsements/campaign/{SLUG}/invitations"
    assert submit(client, f"/endorsements/invitations/{invitation_id}/resend", {}, form_url=page).status_code == 302
    new = smtp.link("mayor@austintexas.gov", "/sign/")
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert submit(client, f"/endorsements/invitations/{invitation_id}/revoke", {}, form_url=page).status_code == 302
    response = client.get(new)
    assert response.status_code == 410 and "withdrawn by the campaign staff" in response.get_data(as_text=True)
    assert "revoked" in client.get(page).get_data(as_text=True)


# --- the form ------------------------------------------------------------------------------------------------


def test_every_invalid_field_has_a_message_and_nothing_is_lost(app, client, demo, invite_city):
    """An invalid submission shows a message per field and keeps what was typed."""
    path = invite_city()
    response = submit(
        client,
        path,
        {
            "signer_name": "",
            "signer_title": "",
            "signer_email": "not-an-address",
            "signer_phone": "call me maybe",
            "statement": "x" * 2001,
            "signature": "Someone Else",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in (
        "Enter your name.",
        "Enter your title",
        "Enter a valid e-mail address",
        "Use digits, spaces",
        "under 2000 characters",
        "You must confirm that you are authorised",
    ):
        assert message in page, message
    assert 'value="not-an-address"' in page and 'value="call me maybe"' in page and 'value="Someone Else"' in page
    assert "x" * 2001 in page
    response = submit(client, path, sign_data(signature="Bob Mayor"))
    assert "The signature must match your name" in response.get_data(as_text=True)
    assert _count(app, Endorsement, Endorsement.source_note.is_(None)) == 0


def test_honeypot_submission_is_silently_discarded(app, client, demo, invite_city):
    """A bot that fills the hidden field sees the normal thank-you redirect, and nothing is stored."""
    path = invite_city()
    page = client.get(path).get_data(as_text=True)
    assert "Leave this field empty" in page
    response = submit(client, path, sign_data(website="http://spam.example"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/signed")
    assert _count(app, Endorsement, Endorsement.source_note.is_(None)) == 0


def test_open_signon_resolves_cities_and_explains_errors(app, client, demo, smtp):
    """Open sign-on: unknown and ambiguous cities get clear errors; "charlotte, nc" resolves."""
    _open_signon(app, allowed=False)
    assert client.get(f"/c/{SLUG}/sign").status_code == 403
    _open_signon(app)
    url = f"/c/{SLUG}/sign"
    page = submit(client, url, sign_data(city="Atlantis, ZZ")).get_data(as_text=True)
    assert "We have no city called" in page and 'value="Atlantis, ZZ"' in page
    with app.app_context():
        db.session.add(City(name="Columbia", state="MO", population=126254, email_domains=["como.gov"]))
        db.session.commit()
    page = submit(client, url, sign_data(city="Columbia")).get_data(as_text=True)
    assert "Several cities are called" in page and "Columbia, SC" in page and "Columbia, MO" in page
    response = submit(client, url, sign_data(city="charlotte, nc", signer_email="mayor@charlottenc.gov"))
    assert response.status_code == 302
    assert endorsement_for(app, "Charlotte").status == "pending"


def test_second_signer_sees_city_already_endorsed_with_staff_contact(app, client, demo, smtp):
    """A second signer for an endorsed city gets a clear message naming the staff contact, not the first signer."""
    _open_signon(app)
    url = f"/c/{SLUG}/sign"
    submit(client, url, sign_data(city="Austin, TX", signer_email="first.signer@austintexas.gov"))
    response = submit(client, url, sign_data(city="Austin, TX", signer_name="Bo Deputy", signature="Bo Deputy"))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Austin, TX has already endorsed this campaign" in page
    assert "team@citydiplomacy.example" in page and "first.signer" not in page
    assert 'value="Bo Deputy"' in page  # nothing lost
    assert _count(app, Endorsement, Endorsement.city.has(name="Austin")) == 1


def test_unconfirmed_signature_with_expired_link_no_longer_blocks_the_city(app, client, demo, smtp):
    """A pending endorsement whose confirmation link expired unused gives way to a new signer (audit kept)."""
    _open_signon(app)
    url = f"/c/{SLUG}/sign"
    submit(client, url, sign_data(city="Austin, TX", signer_email="typo@austintexas.gvo"))
    with app.app_context():
        for token in db.session.scalars(select(EndorsementToken).where(EndorsementToken.purpose == "confirm")):
            token.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = submit(client, url, sign_data(city="Austin, TX", signer_name="Bo Deputy", signature="Bo Deputy"))
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            select(Endorsement).where(Endorsement.city.has(name="Austin")).order_by(Endorsement.id)
        ).all()
        assert [(e.status, e.signer_name) for e in rows][1] == ("pending", "Bo Deputy")
        assert rows[0].status == "withdrawn" and "confirmation link expired" in rows[0].reason


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers")
def test_concurrent_signatures_for_one_city_make_one_endorsement_on_postgres(app, demo):
    """Two transactions inserting the same city at once: the second blocks on the index, then is refused."""
    from advocacy.endorsements import services

    details = services.SignerDetails(name="A", title="Mayor", email="a@austintexas.gov", signature="A")
    first_flushed, results = threading.Event(), {}

    def worker(name: str, wait_for: threading.Event | None) -> None:
        with app.app_context():
            if wait_for is not None:
                wait_for.wait(5)
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
            city = services.find_city("Austin, TX")
            try:
                services.sign(campaign, city, details, client_ip=f"10.0.0.{len(name)}")
                if name == "first":
                    first_flushed.set()
                    _wait_until_blocked(app)
                db.session.commit()
                results[name] = "stored"
            except services.CityAlreadyEndorsed as exc:
                db.session.rollback()
                results[name] = str(exc)
            finally:
                db.session.remove()

    first = threading.Thread(target=worker, args=("first", None))
    second = threading.Thread(target=worker, args=("second", first_flushed))
    first.start(), second.start()
    first.join(15), second.join(15)
    assert results["first"] == "stored"
    assert "already endorsed" in results["second"]
    assert _count(app, Endorsement, Endorsement.city.has(name="Austin")) == 1


def _wait_until_blocked(app) -> None:
    """Wait until another session is waiting on a lock (the second insert on the unique index)."""
    engine = db.engine
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the second transaction never blocked on the unique index")


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers")
def test_concurrent_http_submissions_make_one_endorsement_on_postgres(app, demo, smtp):
    """Eight simultaneous form posts for one city through HTTP: one endorsement, the rest told it exists."""
    _open_signon(app)
    url = f"/c/{SLUG}/sign"
    clients = [app.test_client() for _ in range(8)]
    tokens = [csrf_token(c, url) for c in clients]
    barrier, codes = threading.Barrier(len(clients)), []

    def post(client, token):
        barrier.wait(5)
        codes.append(client.post(url, data={**sign_data(city="Austin, TX"), "csrf_token": token}).status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in zip(clients, tokens, strict=True)]
    [t.start() for t in threads]
    [t.join(20) for t in threads]
    assert sorted(codes) == [302] + [409] * 7
    assert _count(app, Endorsement, Endorsement.city.has(name="Austin")) == 1


# --- escaping ------------------------------------------------------------------------------------------------

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_xss_in_every_free_text_field_comes_out_escaped(app, client, demo, smtp, invite_city, login_as):
    """Signer text with markup is escaped on the public, verify and staff pages, and inert in CSV, JSON, PDF."""
    path = invite_city()
    name = "Eve " + XSS
    response = submit(
        client,
        path,
        sign_data(
            signer_name=name,
            signature=name,
            signer_title='=HYPERLINK("http://evil")' + XSS,
            statement="@SUM(1+1) " + XSS,
        ),
    )
    assert response.status_code == 302
    submit(client, smtp.link("mayor@austintexas.gov", "/confirm/"), {})
    endorsement = endorsement_for(app, "Austin")
    assert endorsement.status == "verified"
    pages = {
        "public": client.get(f"/c/{SLUG}").get_data(as_text=True),
        "verify": client.get(f"/verify/{endorsement.verification_code}").get_data(as_text=True),
    }
    login_as("viewer")
    pages["staff"] = client.get(f"/endorsements/{endorsement.id}").get_data(as_text=True)
    pages["campaign"] = client.get(f"/campaigns/{SLUG}").get_data(as_text=True)
    for label, page in pages.items():
        assert "<script>alert" not in page and "<img src=x" not in page, label
        assert "&lt;script&gt;alert(" in page, label
    csv_text = client.get(f"/c/{SLUG}/endorsements.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv_text and "'@SUM" in csv_text
    json_response = client.get(f"/c/{SLUG}/endorsements.json")
    assert json_response.mimetype == "application/json"  # data, never rendered as HTML
    assert any(row["signer_name"] == name for row in json_response.get_json()["endorsements"])
    pdf = client.get(f"/verify/{endorsement.verification_code}/receipt.pdf").data
    text_ = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>" in text_  # printed literally, not interpreted as markup
    mail = smtp.body(smtp.last_to("mayor@austintexas.gov"))
    assert "Content-Type: text/html" not in str(smtp.last_to("mayor@austintexas.gov"))
    assert name in mail  # plain text: shown as typed, never rendered


def test_csv_neutralises_formulas():
    """Cells starting with = + - @ get a leading apostrophe; others are unchanged."""
    from advocacy.csv_safety import safe_cell

    assert [safe_cell(v) for v in ("=1+1", "+1", "-2", "@x", "\tx", "Austin", None, 5)] == [
        "'=1+1",
        "'+1",
        "'-2",
        "'@x",
        "'\tx",
        "Austin",
        "",
        "5",
    ]


def test_csv_safety_rows_and_round_trip():
    """safe_row guards every cell, and unguarded_cell gives back exactly what safe_cell was given (imports of
    exported files); text that merely starts with an apostrophe is left alone."""
    from advocacy.csv_safety import safe_cell, safe_row, unguarded_cell

    assert safe_row(["=HYPERLINK(1)", "Austin", None]) == ["'=HYPERLINK(1)", "Austin", ""]
    for cell in ("=1+1", "+1 202 555 0100", "-2", "@x", "\tx", "\rx", "Austin", "'quoted", ""):
        assert unguarded_cell(safe_cell(cell)) == cell
    assert unguarded_cell("'Austin") == "'Austin"
    assert unguarded_cell(None) is None


# --- limits, CLI, CSV ----------------------------------------------------------------------------------------


def test_public_posts_are_rate_limited(app, client, demo, monkeypatch):
    """The signing endpoint answers 429 after the configured number of POSTs from one address."""
    monkeypatch.setitem(app.config, "PUBLIC_POST_RATE_LIMIT", "3 per hour")
    _open_signon(app)
    url = f"/c/{SLUG}/sign"
    codes = [submit(client, url, sign_data(city="Nowhere, ZZ")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get(url).status_code == 200  # reading the form is not limited


def test_cli_invite_prints_link_and_sends_mail(app, runner, demo, smtp):
    """`flask endorsements invite` stores the invitation, sends the e-mail and prints a working link."""
    result = runner.invoke(
        args=["endorsements", "invite", "--campaign", SLUG, "--city", "Washington, DC", "--email", "m@dc.gov"]
    )
    assert result.exit_code == 0, result.output
    assert "Invited Washington, DC" in result.output and "http://localhost/sign/" in result.output
    assert smtp.link("m@dc.gov", "/sign/") in result.output


def test_cli_refuses_city_that_already_endorsed(runner, demo):
    """Inviting a city with an active endorsement (Los Angeles, a demo sample) is refused with the reason."""
    result = runner.invoke(
        args=["endorsements", "invite", "--campaign", SLUG, "--city", "Los Angeles, CA", "--email", "m@lacity.org"]
    )
    assert result.exit_code == 1 and "already endorsed" in result.output


def test_cli_invite_errors_are_clear(runner, demo):
    """Unknown campaign or city: a one-line error and exit code 1, no traceback."""
    result = runner.invoke(
        args=["endorsements", "invite", "--campaign", "nope", "--city", "Austin, TX", "--email", "a@b.org"]
    )
    assert result.exit_code == 1 and "No campaign" in result.output
    result = runner.invoke(
        args=["endorsements", "invite", "--campaign", SLUG, "--city", "Atlantis, ZZ", "--email", "a@b.org"]
    )
    assert result.exit_code == 1 and "no city called" in result.output and "Traceback" not in result.output


def test_bulk_csv_invites_good_rows_and_reports_bad_ones(app, client, demo, smtp, login_as):
    """A CSV upload invites valid rows and reports each bad row with its line number."""
    login_as("advocate")
    csv_bytes = (
        b"city,state,email,name\n"
        b"Austin,TX,mayor@austintexas.gov,Ada\n"
        b"Atlantis,ZZ,x@atlantis.gov,\n"
        b"Chicago,IL,not-an-email,\n"
        b"Honolulu,HI,m@honolulu.gov,\n"
        b",,,\n"
        b"Charlotte,NC,mayor@charlottenc.gov,\n"
    )
    page = f"/endorsements/campaign/{SLUG}/invitations"
    response = submit(
        client,
        f"/endorsements/campaign/{SLUG}/invite/bulk",
        {"file": (io.BytesIO(csv_bytes), "cities.csv")},
        form_url=page,
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 invitation(s) sent, 3 row(s) with errors" in html
    assert "no city called" in html and "not a valid e-mail address" in html and "already endorsed" in html
    assert _count(app, Invitation) == 2
    assert smtp.to("mayor@austintexas.gov") and smtp.to("mayor@charlottenc.gov")


def test_bulk_csv_without_header_is_refused(client, demo, login_as):
    """A CSV without the expected header gets one clear error and invites nobody."""
    login_as("advocate")
    page = f"/endorsements/campaign/{SLUG}/invitations"
    response = submit(
        client,
        f"/endorsements/campaign/{SLUG}/invite/bulk",
        {"file": (io.BytesIO(b"Austin;TX;a@b.org\n"), "x.csv")},
        form_url=page,
        content_type="multipart/form-data",
    )
    assert "needs a header row" in response.get_data(as_text=True)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers")
def test_double_confirmation_at_once_verifies_once_on_postgres(app, demo):
    """Two confirmations of one link at the same moment (a double click): one verifies, the other is told the
    link was used; a single verification code is issued."""
    from advocacy.endorsements import services

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        city = services.find_city("Austin, TX")
        details = services.SignerDetails(name="A", title="Mayor", email="a@austintexas.gov", signature="A")
        services.sign(campaign, city, details, client_ip="10.0.0.1")
        endorsement = db.session.scalar(select(Endorsement).where(Endorsement.city_id == city.id))
        raw, digest = services.new_token()
        db.session.add(
            EndorsementToken(
                endorsement_id=endorsement.id,
                purpose="confirm",
                token_hash=digest,
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        db.session.commit()
        db.session.remove()
    first_spent, results = threading.Event(), {}

    def worker(name: str, wait_for: threading.Event | None) -> None:
        with app.app_context():
            if wait_for is not None:
                wait_for.wait(5)
            try:
                confirmed = services.confirm(raw, client_ip="10.0.0.2")
                if name == "first":
                    first_spent.set()
                    _wait_until_blocked(app)
                db.session.commit()
                results[name] = confirmed.status
            except services.TokenError as exc:
                db.session.rollback()
                results[name] = f"refused: {exc.reason}"
            finally:
                db.session.remove()

    first = threading.Thread(target=worker, args=("first", None))
    second = threading.Thread(target=worker, args=("second", first_spent))
    first.start(), second.start()
    first.join(15), second.join(15)
    assert results == {"first": "verified", "second": "refused: used"}
    assert _count(app, Event, Event.kind == "endorsement.status") == 1
