"""Letters pages: the template editor (errors keep the text, versions, logo check), previews, generating a batch
from the page, its progress endpoint and downloads, and the delivery log shown on the campaign page."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import LetterTemplate, LetterTemplateVersion
from tests.conftest import submit
from tests.letters_fixtures import pdf_pages, wait_for_batch

FORM = {
    "name": "Short letter",
    "slug": "short-letter",
    "re_line": "{{ campaign.bill.citation }}",
    "body_format": "markdown",
    "body": "Dear friends,\n\nPlease support {{ campaign.bill.citation }}.",
    "closing": "Sincerely,",
    "signature_block": "Coalition",
    "letterhead_name": "Coalition",
    "letterhead_address": "",
}


def test_syntax_error_and_unknown_field_show_the_line_and_keep_the_text(letters_app, client, login_as):
    """A template with a syntax error or an unknown field is not saved; the page names the line, keeps the text."""
    login_as("advocate")
    body = "First line\n{% if recipient.last_name %}\nno end"
    response = submit(client, "/letters/templates/new", dict(FORM, body=body))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Body, line 2" in page and "endif" in page
    assert "no end</textarea>" in page
    response = submit(client, "/letters/templates/new", dict(FORM, body="Hi\n\n{{ recipient.shoe_size }}"))
    assert response.status_code == 422
    assert "Body, line 3: unknown field &#39;shoe_size&#39;" in response.get_data(as_text=True)
    with letters_app.app_context():
        assert db.session.scalar(select(func.count(LetterTemplate.id))) == 0


def test_every_save_keeps_a_version(letters_app, client, login_as):
    """Saving twice makes versions 1 and 2 with the text of each save."""
    login_as("advocate")
    response = submit(client, "/letters/templates/new", FORM)
    assert response.status_code == 302
    url = response.headers["Location"]
    response = submit(client, url, dict(FORM, body="Second text {{ recipient.last_name }}."))
    assert response.status_code == 302
    with letters_app.app_context():
        versions = db.session.scalars(select(LetterTemplateVersion).order_by(LetterTemplateVersion.number)).all()
        assert [(v.number, v.body[:6]) for v in versions] == [(1, "Dear f"), (2, "Second")]


def test_logo_is_checked_by_content_not_name(letters_app, client, login_as):
    """A text file named logo.png is refused with a message; nothing is saved."""
    login_as("advocate")
    data = dict(FORM, logo=(io.BytesIO(b"hello, not a picture"), "logo.png"))
    response = submit(client, "/letters/templates/new", data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "PNG, JPEG or SVG image (checked by its content)" in response.get_data(as_text=True)
    with letters_app.app_context():
        assert db.session.scalar(select(func.count(LetterTemplate.id))) == 0


def test_preview_html_and_pdf_for_a_member(letters_app, client, login_as, demo, make_letter_template):
    """The preview shows the letter for the chosen member as HTML (no scripts allowed) and as a PDF."""
    login_as("viewer")
    with letters_app.app_context():
        template_id = db.session.scalar(
            select(LetterTemplate.id).where(LetterTemplate.slug == "city-diplomacy-sign-on")
        )
    response = client.get(f"/letters/templates/{template_id}/preview?member=M001169&format=html")
    assert response.status_code == 200
    assert "Dear Senator Murphy:" in response.get_data(as_text=True)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    response = client.get(f"/letters/templates/{template_id}/preview?member=M001169&format=pdf")
    assert response.mimetype == "application/pdf"
    assert "Washington, DC 20510" in pdf_pages(response.data)[0]


def test_preview_uses_the_chosen_campaign(letters_app, client, login_as, demo, make_letter_template):
    """With several campaigns, the preview shows the one chosen on the editor page."""
    from advocacy.models import Campaign

    login_as("advocate")
    slug = make_letter_template(slug="with-the-ask", name="With the campaign's ask", body="{{ campaign.ask }}")
    with letters_app.app_context():
        db.session.add(Campaign(slug="second", name="Second campaign", ask="Fund the sister-city exchanges."))
        db.session.commit()
        template_id = db.session.scalar(select(LetterTemplate.id).where(LetterTemplate.slug == slug))
    editor = client.get(f"/letters/templates/{template_id}").get_data(as_text=True)
    assert 'name="campaign"' in editor and "Second campaign" in editor
    chosen = client.get(f"/letters/templates/{template_id}/preview?member=M001169&campaign=second&format=html")
    assert "Fund the sister-city exchanges." in chosen.get_data(as_text=True)
    default = client.get(f"/letters/templates/{template_id}/preview?member=M001169&format=html")
    assert "Fund the sister-city exchanges." not in default.get_data(as_text=True)


def test_generate_from_the_page_progress_download_and_delivery_log(letters_app, client, login_as, demo):
    """An advocate generates letters from the Letters page, follows progress, downloads, and logs a delivery."""
    login_as("advocate")
    response = submit(
        client,
        "/letters/generate",
        {"template": "city-diplomacy-sign-on", "campaign": "city-state-diplomacy", "selector": "leaders:SSFR"},
        form_url="/letters/",
    )
    assert response.status_code == 302
    batch_url = response.headers["Location"]
    batch_id = int(batch_url.rstrip("/").rsplit("/", 1)[-1])
    assert wait_for_batch(letters_app, batch_id) == "done"
    status = client.get(f"/letters/batches/{batch_id}/status.json").get_json()
    assert status["finished"] and status["done"] == 1 and status["percent"] == 100
    page = client.get(batch_url).get_data(as_text=True)
    assert "letters-progress.js" in page and "<script>" not in page
    download = client.get(f"/letters/batches/{batch_id}/zip")
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    download.close()
    (name,) = [n for n in archive.namelist() if n.startswith("letters/")]
    assert "Dear Chairman Risch and Ranking Member Shaheen:" in "\n".join(pdf_pages(archive.read(name)))

    from advocacy.models import Letter

    with letters_app.app_context():
        letter_id = db.session.scalar(select(Letter.id).where(Letter.batch_id == batch_id))
    response = submit(
        client,
        f"/letters/letter/{letter_id}/deliveries",
        {"method": "email", "sent_on": "2026-11-30", "person": "Jo Staffer", "note": "to the foreign policy LA"},
        form_url=batch_url,
    )
    assert response.status_code == 302
    campaign_page = client.get("/campaigns/city-state-diplomacy").get_data(as_text=True)
    assert "Letters sent (1)" in campaign_page
    assert "James E. Risch and Jeanne Shaheen" in campaign_page and "E-mail to staffer" in campaign_page


def test_viewer_cannot_generate_or_edit(letters_app, client, login_as, demo):
    """Viewers read the Letters pages but cannot generate letters or create templates."""
    login_as("viewer")
    assert client.get("/letters/").status_code == 200
    response = client.post("/letters/generate", data={"selector": "all"})
    assert response.status_code in (400, 403)
    assert client.get("/letters/templates/new").status_code == 403


def test_cancel_of_a_batch_being_finalised_shows_a_message(letters_app, client, login_as, demo):
    """The cancel button on a batch a worker is finalising flashes why, instead of failing or finalising twice."""
    from advocacy.models import LetterBatch
    from tests.letters_fixtures import run_batch

    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "leaders:SSFR")
    with letters_app.app_context():
        db.session.get(LetterBatch, batch_id).status = "finalizing"
        db.session.commit()
    login_as("advocate")
    batch_url = f"/letters/batches/{batch_id}"
    response = submit(client, f"{batch_url}/cancel", {}, form_url=batch_url, follow_redirects=True)
    assert response.status_code == 200
    assert "This batch is already being finished." in response.get_data(as_text=True)
    with letters_app.app_context():
        assert db.session.get(LetterBatch, batch_id).status == "finalizing"
