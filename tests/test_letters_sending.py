"""Sending a batch by e-mail: through a real SMTP server (aiosmtpd), the PDFs read back from the received mail."""

from __future__ import annotations

import re
import threading

from sqlalchemy import event, select

from advocacy.extensions import db
from advocacy.letters.tasks import batch_dir
from advocacy.models import Letter, LetterDelivery, MailMessage
from advocacy.models.contacts import LetterEmail
from tests.conftest import submit
from tests.contacts_fixtures import pdf_attachments, sha256
from tests.letters_fixtures import run_batch

LA = "Foreign Affairs LA"
ADDRESSES = {
    "M001199": "avery.stone@mast.example.org",
    "W000795": "blake.rivera@wilson.example.org",
    "M001137": "casey.morgan@meeks.example.org",
    "C001091": "devon.lee@castro.example.org",
    "L000582": "emery.quinn@lieu.example.org",
}


def _letters(app, batch_id: int) -> dict[str, Letter]:
    with app.app_context():
        letters = db.session.scalars(select(Letter).where(Letter.batch_id == batch_id)).all()
        db.session.expunge_all()
    return {letter.member_id: letter for letter in letters}


def _emails(app, batch_id: int) -> list[LetterEmail]:
    with app.app_context():
        rows = db.session.scalars(select(LetterEmail).where(LetterEmail.batch_id == batch_id)).all()
        db.session.expunge_all()
    return rows


def test_committee_batch_goes_to_each_offices_contact_with_its_own_pdf(letters_app, runner, hfac_contacts, smtp):
    """`letters send` e-mails each HSFA letter to its office's LA (Lieu's office: the fallback role), the PDF
    attached is the letter's own (same SHA-256 as the manifest), and the delivery log fills itself."""
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    result = runner.invoke(
        args=[
            "letters",
            "send",
            str(batch_id),
            "--role",
            "foreign affairs la",
            "--fallback-role",
            "Legislative Director",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count(": sent to ") == 5 and "Totals: 5 sent." in result.output
    letters = _letters(letters_app, batch_id)
    assert sorted(m["To"] for m in smtp.messages) == sorted(ADDRESSES.values())
    for member_id, address in ADDRESSES.items():
        message = smtp.last_to(address)
        [(filename, pdf)] = pdf_attachments(message)
        letter = letters[member_id]
        assert filename == letter.filename
        assert sha256(pdf) == letter.sha256
        with letters_app.app_context():
            assert pdf == (batch_dir(batch_id) / "letters" / letter.filename).read_bytes()
        assert "H.R. 5323" in message["Subject"] and letter.recipient_name in message["Subject"]
    lieu = smtp.last_to(ADDRESSES["L000582"])
    assert lieu.get_body(("plain",)).get_content().startswith("Dear Emery Quinn,")
    emails = {e.letter_id: e for e in _emails(letters_app, batch_id)}
    with letters_app.app_context():
        deliveries = db.session.scalars(select(LetterDelivery)).all()
        assert len(deliveries) == 5 and {d.method for d in deliveries} == {"email"}
        for delivery in deliveries:
            e = emails[delivery.letter_id]
            assert (
                e.status == "sent" and e.sent_at is not None and e.sha256 == letters_by_id(letters)[e.letter_id].sha256
            )
            assert e.message_id in delivery.note and e.address in delivery.person
    received_ids = {m["Message-ID"] for m in smtp.messages}
    assert received_ids == {e.message_id for e in emails.values()}


def letters_by_id(letters: dict[str, Letter]) -> dict[int, Letter]:
    return {letter.id: letter for letter in letters.values()}


def test_second_run_sends_nothing_new_and_dry_run_sends_nothing(letters_app, runner, hfac_contacts, smtp):
    """A dry run lists who would get what and sends nothing; after a real run, a second run sends nothing new."""
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    dry = runner.invoke(args=["letters", "send", str(batch_id), "--role", LA, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.count("would send to") == 4 and "Ted Lieu: no contact" in dry.output
    assert "Dry run: 4 would be sent, 0 already sent, 1 without a contact" in dry.output
    assert smtp.messages == [] and _emails(letters_app, batch_id) == []
    first = runner.invoke(args=["letters", "send", str(batch_id), "--role", LA])
    assert first.exit_code == 0, first.output
    assert "Totals: 1 no contact, 4 sent." in first.output
    second = runner.invoke(
        args=["letters", "send", str(batch_id), "--role", LA, "--fallback-role", "Legislative Director"]
    )
    assert second.exit_code == 0, second.output
    # Lieu's letter now has a contact (fallback role) and goes; the other four are not sent again
    assert second.output.count(": already sent to ") == 4 and "Totals: 4 already sent, 1 sent." in second.output
    assert len(smtp.messages) == 5 and len({m["To"] for m in smtp.messages}) == 5
    third = runner.invoke(
        args=["letters", "send", str(batch_id), "--role", LA, "--fallback-role", "Legislative Director"]
    )
    assert "Totals: 5 already sent." in third.output and len(smtp.messages) == 5


def test_letters_without_a_contact_are_listed_not_skipped(letters_app, runner, demo, smtp):
    """With no contact on file for any office, each letter is listed as "no contact" and nothing is sent."""
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    result = runner.invoke(args=["letters", "send", str(batch_id), "--role", LA])
    assert result.exit_code == 0, result.output
    assert result.output.count(": no contact") == 5 and "Totals: 5 no contact." in result.output
    assert smtp.messages == []


def test_started_twice_concurrently_each_letter_is_sent_once(letters_app, hfac_contacts, smtp):
    """Two sends of the same batch that both planned before either queued anything: each letter goes once."""
    from advocacy.letters import sending
    from advocacy.models import LetterBatch

    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    barrier = threading.Barrier(2)
    planned: set[int] = set()
    held: set[int] = set()

    def hold(conn, cursor, statement, parameters, context, executemany):
        ident, text = threading.get_ident(), statement.lstrip().upper()
        if text.startswith("SELECT") and "FROM LETTER_EMAIL" in text:
            planned.add(ident)
        elif text.startswith("INSERT INTO LETTER_EMAIL") and ident in planned and ident not in held:
            held.add(ident)
            barrier.wait(timeout=10)  # both have read "no e-mail yet" for every letter

    results: list = [None, None]
    errors: list = []

    def run(index: int) -> None:
        try:
            with letters_app.app_context():
                batch = db.session.get(LetterBatch, batch_id)
                plan = sending.plan_send(batch, LA, "Legislative Director")
                lines = sending.queue_emails(plan, sending.DEFAULT_SUBJECT, sending.DEFAULT_BODY, actor=f"t{index}")
                db.session.commit()
                results[index] = sending.deliver([x.email for x in lines if x.outcome == sending.QUEUED_NOW])
                db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    with letters_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hold)
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    assert not errors, errors
    assert not barrier.broken and len(held) == 2, "the two sends did not overlap"
    assert sorted(m["To"] for m in smtp.messages) == sorted(ADDRESSES.values())
    assert sum(sent for sent, _failed in results) == 5
    with letters_app.app_context():
        assert db.session.scalar(select(db.func.count(MailMessage.id))) == 5
        assert db.session.scalar(select(db.func.count(LetterDelivery.id))) == 5


def test_refused_recipient_is_marked_failed_shown_and_retried(
    letters_app, client, login_as, hfac_contacts, smtp_refusing
):
    """A 550 from the server marks that e-mail failed (batch and campaign pages show it with Retry); after the
    address is fixed on the contact, Retry sends it to the new address."""
    smtp_refusing.refuse.add(ADDRESSES["M001137"])
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    login_as("advocate")
    url = f"/letters/batches/{batch_id}/send"
    form = {"role": LA, "fallback_role": "Legislative Director", "subject": "Letter for {{ recipient.full_name }}",
            "body": "Dear {{ contact.name }},\n\nOur letter is attached.\n"}  # fmt: skip
    review = submit(client, url, form)
    assert review.status_code == 200
    page = review.get_data(as_text=True)
    reviewed = page.split('name="reviewed" value="')[1].split('"')[0]
    sent = submit(client, url, form | {"confirm": "yes", "reviewed": reviewed}, follow_redirects=True)
    page = sent.get_data(as_text=True)
    assert "5 e-mail(s) queued: 4 sent, 1 failed" in page
    assert "550 5.1.1 Mailbox unavailable" in page and ">Retry</button>" in page
    [failed] = [e for e in _emails(letters_app, batch_id) if e.status == "failed"]
    assert failed.address == ADDRESSES["M001137"] and "550" in failed.error
    campaign = client.get("/campaigns/city-state-diplomacy").get_data(as_text=True)
    assert "Letter e-mails that failed (1)" in campaign and "Gregory W. Meeks" in campaign
    with letters_app.app_context():
        from advocacy.models.contacts import OfficeContact

        contact = db.session.scalar(select(OfficeContact).where(OfficeContact.member_id == "M001137"))
        contact.email = "casey.morgan@meeks-new.example.org"
        db.session.commit()
    retried = submit(client, f"/letters/emails/{failed.id}/retry", {}, form_url=f"/letters/batches/{batch_id}",
                     follow_redirects=True)  # fmt: skip
    assert "Letter to Gregory W. Meeks sent (casey.morgan@meeks-new.example.org)" in retried.get_data(as_text=True)
    message = smtp_refusing.last_to("casey.morgan@meeks-new.example.org")
    [(filename, pdf)] = pdf_attachments(message)
    assert sha256(pdf) == _letters(letters_app, batch_id)["M001137"].sha256
    assert len(smtp_refusing.messages) == 5
    [meeks] = [e for e in _emails(letters_app, batch_id) if e.letter_id == failed.letter_id]
    assert meeks.status == "sent" and meeks.attempts == 1
    assert "Letter e-mails that failed" not in client.get("/campaigns/city-state-diplomacy").get_data(as_text=True)


def test_review_page_shows_recipients_messages_and_template_errors(letters_app, client, auth, login_as, hfac_contacts):
    """The review lists each recipient and message (merge fields filled, text not HTML-escaped), the letters
    without a contact; a broken template is refused with its line; viewers cannot open the page."""
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    url = f"/letters/batches/{batch_id}/send"
    login_as("viewer")
    assert client.get(url).status_code == 403
    auth.logout()
    login_as("advocate")
    form = {"role": LA, "fallback_role": "", "subject": "Re: {{ campaign.bill.citation }} & you",
            "body": "Dear {{ contact.name }} ({{ contact.role }}),\n{{ letter.filename }}\n"}  # fmt: skip
    page = submit(client, url, form).get_data(as_text=True)
    assert "Avery Stone &lt;avery.stone@mast.example.org&gt;" in page
    assert "Re: H.R. 5323 &amp; you" in page and "&amp;amp;" not in page
    assert "Dear Avery Stone (Foreign Affairs LA),\n001-Rep-Brian-J-Mast-FL-21.pdf" in page
    assert 'id="no-contact"' in page and "Ted Lieu — " in page
    assert "Send 4 e-mail(s)" in page
    broken = submit(client, url, form | {"body": "Hello\n{{ contact.nope }}"})
    assert broken.status_code == 422
    assert "The body template, line 2: unknown field &#39;nope&#39;" in broken.get_data(as_text=True)
    hostile = submit(client, url, form | {"subject": "{{ contact.__class__.__mro__ }}"})
    assert hostile.status_code == 422 and "not allowed" in hostile.get_data(as_text=True)
    changed = submit(client, url, form | {"confirm": "yes", "reviewed": "stale"})
    assert "changed since the review" in changed.get_data(as_text=True) and _emails(letters_app, batch_id) == []


def test_without_a_mail_server_emails_stay_in_the_outbox_and_big_pdfs_are_refused(
    letters_app, runner, hfac_contacts, monkeypatch
):
    """With no MAIL_SERVER each e-mail waits in the in-app outbox with its PDF attached; a PDF over the size
    limit is listed with the reason and not queued."""
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    letters = _letters(letters_app, batch_id)
    with letters_app.app_context():
        sizes = {m: (batch_dir(batch_id) / "letters" / x.filename).stat().st_size for m, x in letters.items()}
    limit = sorted(sizes.values())[-1] - 1  # the largest letter is over the limit
    monkeypatch.setitem(letters_app.config, "LETTER_EMAIL_MAX_BYTES", limit)
    result = runner.invoke(
        args=["letters", "send", str(batch_id), "--role", LA, "--fallback-role", "Legislative Director"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("in the outbox for") == 4
    assert re.search(r": not sent: the PDF is \d+ KB, over the \d+ KB limit for e-mail\n", result.output)
    assert "Totals: 4 in the outbox, 1 not sent." in result.output
    with letters_app.app_context():
        messages = db.session.scalars(select(MailMessage)).all()
        assert len(messages) == 4 and {m.status for m in messages} == {"outbox"}
        for message in messages:
            [attachment] = message.attachments
            assert sha256(attachment.content) in {x.sha256 for x in letters.values()}
            assert attachment.mime_type == "application/pdf"
        assert db.session.scalar(select(db.func.count(LetterDelivery.id))) == 0  # not sent: not in the log


def test_emails_left_by_a_crashed_send_are_finished_by_mail_retry(letters_app, runner, hfac_contacts, smtp):
    """A send that stopped after queueing (the process died before delivering, or mid-send with a message left
    `sending`) is finished by `flask mail retry`, which writes the same log; nothing goes twice."""
    from datetime import timedelta

    from sqlalchemy import update

    from advocacy.letters import sending
    from advocacy.models import LetterBatch
    from advocacy.models.base import utcnow

    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    with letters_app.app_context():
        plan = sending.plan_send(db.session.get(LetterBatch, batch_id), LA, "Legislative Director")
        lines = sending.queue_emails(plan, sending.DEFAULT_SUBJECT, sending.DEFAULT_BODY, actor="test")
        db.session.commit()
        crashed_mid_send = lines[0].email.mail_message_id
        db.session.execute(
            update(MailMessage)
            .where(MailMessage.id == crashed_mid_send)
            .values(status="sending", claimed_at=utcnow() - timedelta(minutes=11), attempts=1)
        )
        db.session.commit()
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0 and "5 sent, 0 failed" in result.output
    assert sorted(m["To"] for m in smtp.messages) == sorted(ADDRESSES.values())
    assert {e.status for e in _emails(letters_app, batch_id)} == {"sent"}
    with letters_app.app_context():
        assert db.session.scalar(select(db.func.count(LetterDelivery.id))) == 5
    again = runner.invoke(
        args=["letters", "send", str(batch_id), "--role", LA, "--fallback-role", "Legislative Director"]
    )
    assert "Totals: 5 already sent." in again.output and len(smtp.messages) == 5


def test_a_large_send_from_the_page_goes_to_a_background_job(letters_app, client, login_as, hfac_contacts, smtp,
                                                             monkeypatch):  # fmt: skip
    """Above LETTER_EMAIL_IN_REQUEST e-mails the page returns at once and a worker process sends them."""
    import time

    monkeypatch.setitem(letters_app.config, "LETTER_EMAIL_IN_REQUEST", 2)
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "committee:HSFA")
    login_as("advocate")
    url = f"/letters/batches/{batch_id}/send"
    form = {"role": LA, "fallback_role": "Legislative Director", "subject": "Letter", "body": "Attached."}
    page = submit(client, url, form).get_data(as_text=True)
    reviewed = page.split('name="reviewed" value="')[1].split('"')[0]
    response = submit(client, url, form | {"confirm": "yes", "reviewed": reviewed}, follow_redirects=True)
    assert "5 e-mail(s) queued: they are being sent in the background" in response.get_data(as_text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and {e.status for e in _emails(letters_app, batch_id)} != {"sent"}:
        time.sleep(0.2)
    assert {e.status for e in _emails(letters_app, batch_id)} == {"sent"}
    assert sorted(m["To"] for m in smtp.messages) == sorted(ADDRESSES.values())


def test_a_reported_bounce_back_marks_the_email_failed_and_retry_sends_it_again(
    letters_app, client, login_as, hfac_contacts, smtp
):
    """A bounce-back that staff report turns a sent e-mail into a failed one (with what it said); Retry sends it
    again to the contact's corrected address, and the delivery log has both sends."""
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "member:M001137")
    login_as("advocate")
    url = f"/letters/batches/{batch_id}/send"
    form = {"role": LA, "fallback_role": "", "subject": "Letter", "body": "Attached."}
    page = submit(client, url, form).get_data(as_text=True)
    reviewed = page.split('name="reviewed" value="')[1].split('"')[0]
    submit(client, url, form | {"confirm": "yes", "reviewed": reviewed})
    [email] = _emails(letters_app, batch_id)
    assert email.status == "sent"
    page = submit(client, f"/letters/emails/{email.id}/bounced", {"reason": "550 mailbox full <b>"},
                  form_url=f"/letters/batches/{batch_id}", follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "bounce-back reported by" in page and "550 mailbox full &lt;b&gt;" in page and ">Retry</button>" in page
    with letters_app.app_context():
        from advocacy.models.contacts import OfficeContact

        db.session.scalar(select(OfficeContact).where(OfficeContact.member_id == "M001137")).email = "cm@x.example.org"
        db.session.commit()
    submit(client, f"/letters/emails/{email.id}/retry", {}, form_url=f"/letters/batches/{batch_id}")
    assert [m["To"] for m in smtp.messages] == [ADDRESSES["M001137"], "cm@x.example.org"]
    assert [e.status for e in _emails(letters_app, batch_id)] == ["sent"]
    with letters_app.app_context():
        assert db.session.scalar(select(db.func.count(LetterDelivery.id))) == 2


def test_joint_letter_to_committee_leaders_goes_to_the_committee_staff(letters_app, runner, hfac_contacts, smtp):
    """A joint letter to HSFA's chair and ranking member goes to the committee's staff with the role (the
    majority staff first), with the joint PDF attached."""
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "leaders:HSFA")
    result = runner.invoke(args=["letters", "send", str(batch_id), "--role", "Committee staff director"])
    assert result.exit_code == 0, result.output
    assert "Brian J. Mast and Gregory W. Meeks: sent to Finley Park <finley.park@hfac-majority.example.org>" in (
        result.output
    )
    [(filename, pdf)] = pdf_attachments(smtp.last_to("finley.park@hfac-majority.example.org"))
    with letters_app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.batch_id == batch_id))
        assert (filename, sha256(pdf)) == (letter.filename, letter.sha256) and len(letter.member_ids) == 2
