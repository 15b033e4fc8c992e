"""Outgoing mail: stored first, sent through a real SMTP server, kept and retried when sending fails."""

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.mail import deliver_pending, queue_mail
from advocacy.models import MailMessage
from tests.endorsements_fixtures import free_port


def test_without_mail_server_messages_stay_in_the_outbox(app, client, login_as):
    """With no MAIL_SERVER the message is kept in the outbox, readable by admins (escaped)."""
    with app.app_context():
        queue_mail("mayor@example.org", "Hello <b>there</b>", "Body with <script>alert(1)</script>")
        db.session.commit()
        assert deliver_pending() == (0, 0)
        assert db.session.scalar(select(MailMessage.status)) == "outbox"
    login_as("admin")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in page and "&lt;script&gt;alert(1)" in page
    assert "<script>alert(1)" not in page


def test_mail_is_sent_through_smtp(app, smtp):
    """A queued message reaches a real SMTP server with its subject, sender and body."""
    with app.app_context():
        queue_mail("mayor@example.org", "Please confirm", "Confirm here: http://localhost/x")
        db.session.commit()
        assert deliver_pending() == (1, 0)
        assert db.session.scalar(select(MailMessage.status)) == "sent"
    message = smtp.last_to("mayor@example.org")
    assert message["Subject"] == "Please confirm" and message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert "Confirm here" in smtp.body(message)


def test_failed_send_is_kept_and_retried_by_the_cli(app, runner, monkeypatch, smtp):
    """When the SMTP server is unreachable the message stays (failed, with the error); `mail retry` sends it later."""
    good_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    with app.app_context():
        queue_mail("mayor@example.org", "Try again", "Body")
        db.session.commit()
        assert deliver_pending() == (0, 1)
        message = db.session.scalar(select(MailMessage))
        assert message.status == "failed" and message.last_error and message.attempts == 1
    assert smtp.messages == []
    monkeypatch.setitem(app.config, "MAIL_PORT", good_port)
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0 and "1 sent, 0 failed" in result.output
    assert smtp.last_to("mayor@example.org")["Subject"] == "Try again"
