"""The endorsement flow through HTTP: invitation e-mail → signing form → confirmation → verified or review."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import Endorsement, Event, Invitation, MailMessage
from tests.conftest import csrf_token, submit

SLUG = "city-state-diplomacy"


def sign_data(**overrides) -> dict:
    data = {
        "signer_name": "Ada Mayor",
        "signer_title": "Mayor",
        "signer_email": "mayor@austintexas.gov",
        "signer_phone": "(512) 555-0100",
        "statement": "Austin supports a door into diplomacy.",
        "attestation": "y",
        "signature": "ada mayor",
    }
    data.update(overrides)
    return data


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def endorsement_for(app, city_name: str) -> Endorsement | None:
    with app.app_context():
        return db.session.scalar(
            select(Endorsement)
            .join(Endorsement.city)
            .where(Endorsement.city.has(name=city_name))
            .order_by(Endorsement.id.desc())
        )


def test_invitation_to_verified_receipt_over_http(app, client, demo, smtp, login_as):
    """Staff invite by form → SMTP mail → sign → confirm on an official domain → verified, public, CSV, JSON, PDF."""
    login_as("advocate")
    response = submit(
        client,
        f"/endorsements/campaign/{SLUG}/invite",
        {"city": "austin, tx", "email": "Mayor@AustinTexas.gov", "name": "Ada Mayor"},
        form_url=f"/endorsements/campaign/{SLUG}/invitations",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    invitation_mail = smtp.last_to("Mayor@austintexas.gov")
    assert "Austin, TX" in smtp.body(invitation_mail)
    sign_path = smtp.link("Mayor@austintexas.gov", "/sign/")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/dashboard")})

    page = client.get(sign_path).get_data(as_text=True)
    assert "Austin, TX" in page and "What happens next" in page and 'value="Ada Mayor"' in page
    response = submit(client, sign_path, sign_data(signer_email="ada@MAYOR.austintexas.gov"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/c/{SLUG}/signed")
    assert endorsement_for(app, "Austin").status == "pending"
    assert client.get(f"/c/{SLUG}").get_data(as_text=True).count("Austin") == 0  # pending is not public

    confirm_path = smtp.link("ada@MAYOR.austintexas.gov", "/confirm/")
    withdraw_path = smtp.link("ada@MAYOR.austintexas.gov", "/withdraw/")
    assert withdraw_path.startswith("/withdraw/")
    assert "Confirm the endorsement" in client.get(confirm_path).get_data(as_text=True)
    response = submit(client, confirm_path, {})
    assert response.status_code == 200
    endorsement = endorsement_for(app, "Austin")
    assert endorsement.status == "verified" and endorsement.verified_at is not None
    code = endorsement.verification_code
    assert code and len(code) >= 16 and code in response.get_data(as_text=True)
    assert f"/verify/{code}" in smtp.body(smtp.last_to("ada@MAYOR.austintexas.gov"))

    public = client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert "Austin" in public and "Ada Mayor" in public and "austintexas.gov" not in public
    csv_text = client.get(f"/c/{SLUG}/endorsements.csv").get_data(as_text=True)
    assert "Austin,TX,974447,verified,Ada Mayor,Mayor" in csv_text
    data = json.loads(client.get(f"/c/{SLUG}/endorsements.json").get_data(as_text=True))
    austin = next(row for row in data["endorsements"] if row["city"] == "Austin")
    assert austin["status"] == "verified" and austin["sample"] is False and "signer_email" not in austin
    assert data["cities"] == 6  # five demo samples plus Austin

    verify = client.get(f"/verify/{code.lower()}").get_data(as_text=True)
    assert "Austin, TX" in verify and "still in force" in verify
    receipt = client.get(f"/verify/{code}/receipt.pdf")
    assert receipt.mimetype == "application/pdf"
    text, pages = pdf_text(receipt.data)
    assert pages == 1 and code in text and "Ada Mayor" in text and "Austin, TX" in text

    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert invitation.status == "used" and invitation.endorsement_id == endorsement.id
        kinds = [e.kind for e in db.session.scalars(select(Event).where(Event.endorsement_id == endorsement.id))]
        assert kinds == ["endorsement.created", "endorsement.status"]
        ips = {e.client_ip for e in db.session.scalars(select(Event).where(Event.endorsement_id == endorsement.id))}
        assert ips == {"127.0.0.1"}

    login_as("viewer")
    staff = client.get(f"/endorsements/{endorsement.id}").get_data(as_text=True)
    assert "ada@MAYOR.austintexas.gov" in staff and "(512) 555-0100" in staff and "127.0.0.1" in staff
    staff_pdf = client.get(f"/endorsements/{endorsement.id}/receipt.pdf")
    assert staff_pdf.status_code == 200 and code in pdf_text(staff_pdf.data)[0]


def test_off_domain_signer_waits_for_review_then_approved(app, client, demo, smtp, invite_city, login_as):
    """A signer on gmail is confirmed, not verified; an advocate approves it → verified with a code."""
    sign_path = invite_city("Chicago, IL", "office@cityofchicago.org")
    submit(client, sign_path, sign_data(signer_email="mayor.chicago@gmail.com"))
    submit(client, smtp.link("mayor.chicago@gmail.com", "/confirm/"), {})
    endorsement = endorsement_for(app, "Chicago")
    assert endorsement.status == "confirmed" and endorsement.verification_code is None
    # Awaiting review: on no public page or export, whatever the query string asks for (issue 15).
    for path in ("", "/states/IL", "/endorsements.csv", "/endorsements.json", "/widget"):
        for query in ("", "?confirmed=1", "?confirmed=true&status=confirmed&all=1"):
            response = client.get(f"/c/{SLUG}{path}{query}")
            assert response.status_code == 200, (path, query)
            assert "Chicago" not in response.get_data(as_text=True), (path, query)

    login_as("advocate")
    page = client.get(f"/endorsements/{endorsement.id}").get_data(as_text=True)
    assert "not on an official domain" in page and "Approve" in page
    response = submit(client, f"/endorsements/{endorsement.id}/approve", {}, form_url=f"/endorsements/{endorsement.id}")
    assert response.status_code == 302
    endorsement = endorsement_for(app, "Chicago")
    assert endorsement.status == "verified" and endorsement.verification_code
    assert "verified" in smtp.body(smtp.last_to("mayor.chicago@gmail.com"))
    with app.app_context():
        actors = [e.actor for e in db.session.scalars(select(Event).where(Event.endorsement_id == endorsement.id))]
    assert actors[-1].startswith("advocate")


def test_reject_with_reason_and_staff_withdraw(app, client, demo, smtp, invite_city, login_as):
    """Rejecting needs a reason and tells the signer; staff withdrawal ends a verified endorsement."""
    submit(client, invite_city("Hartford, CT", "x@hartfordct.gov"), sign_data(signer_email="someone@example.com"))
    submit(client, smtp.link("someone@example.com", "/confirm/"), {})
    endorsement = endorsement_for(app, "Hartford")
    login_as("advocate")
    url = f"/endorsements/{endorsement.id}"
    submit(client, f"{url}/reject", {"reason": ""}, form_url=url)
    assert endorsement_for(app, "Hartford").status == "confirmed"
    submit(client, f"{url}/reject", {"reason": "Not from the mayor's office"}, form_url=url)
    rejected = endorsement_for(app, "Hartford")
    assert rejected.status == "rejected" and rejected.reason == "Not from the mayor's office"
    assert "Not from the mayor's office" in smtp.body(smtp.last_to("someone@example.com"))

    with app.app_context():
        la = db.session.scalar(select(Endorsement).where(Endorsement.source_note.is_not(None)).order_by(Endorsement.id))
        la_id = la.id
    submit(client, f"/endorsements/{la_id}/withdraw", {"reason": "Sample removed"}, form_url=f"/endorsements/{la_id}")
    with app.app_context():
        la = db.session.get(Endorsement, la_id)
        assert la.status == "withdrawn" and la.reason == "Sample removed" and la.ended_at is not None


def test_viewer_cannot_review(app, client, demo, login_as):
    """Review actions need the advocate role: a viewer gets 403."""
    with app.app_context():
        endorsement_id = db.session.scalar(select(Endorsement.id))
    login_as("viewer")
    url = f"/endorsements/{endorsement_id}"
    response = submit(client, f"{url}/withdraw", {"reason": "no"}, form_url=url)
    assert response.status_code == 403


def test_signer_withdraws_through_mail_link(app, client, demo, smtp, invite_city):
    """The withdrawal link in the confirmation e-mail ends the endorsement; the verify page says so."""
    submit(client, invite_city(), sign_data())
    submit(client, smtp.link("mayor@austintexas.gov", "/confirm/"), {})
    code = endorsement_for(app, "Austin").verification_code
    confirmation_request = smtp.to("mayor@austintexas.gov")[1]  # [0] invitation, [2] "verified"
    withdraw_path = smtp.link_in(confirmation_request, "/withdraw/")
    response = submit(client, withdraw_path, {"reason": "Council changed its mind"})
    assert response.status_code == 200 and "withdrawn" in response.get_data(as_text=True)
    endorsement = endorsement_for(app, "Austin")
    assert endorsement.status == "withdrawn" and endorsement.reason == "Council changed its mind"
    verify = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "no longer active" in verify
    assert "Austin" not in client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert client.get(withdraw_path).status_code == 410  # spent


def test_mail_failure_keeps_endorsement_and_retry_sends(app, client, demo, invite_city, monkeypatch, runner, smtp):
    """With the SMTP server down the endorsement is stored and the mail failed; `flask mail retry` sends it."""
    sign_path = invite_city()
    good_port = app.config["MAIL_PORT"]
    from tests.endorsements_fixtures import free_port

    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    response = submit(client, sign_path, sign_data())
    assert response.status_code == 302
    assert endorsement_for(app, "Austin").status == "pending"
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(MailMessage.status == "failed")) == 1
    monkeypatch.setitem(app.config, "MAIL_PORT", good_port)
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0 and "1 sent" in result.output
    assert smtp.link("mayor@austintexas.gov", "/confirm/")
