"""Outgoing mail: stored first, sent through a real SMTP server, kept and retried when sending fails."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from advocacy.extensions import db
from advocacy.mail import MAX_ATTEMPTS, deliver_pending, queue_mail
from advocacy.models import MailMessage
from advocacy.models.base import utcnow
from advocacy.uow import unit_of_work
from tests.concurrency import run_side_by_side
from tests.conftest import free_port


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


def test_concurrent_senders_send_each_message_once(app, smtp):
    """Two deliver_pending calls that read the same queued messages at once send each exactly once (claim first)."""
    with app.app_context():
        for n in range(6):
            queue_mail(f"office{n}@example.org", f"Message {n}", "Body")
        db.session.commit()
    results = run_side_by_side(app, "mail_message", deliver_pending)
    assert sorted(m["To"] for m in smtp.messages) == sorted(f"office{n}@example.org" for n in range(6))
    assert sum(sent for sent, _failed in results) == 6 and all(failed == 0 for _sent, failed in results)
    with app.app_context():
        rows = db.session.execute(select(MailMessage.status, MailMessage.attempts)).all()
        assert rows and all(status == "sent" and attempts == 1 for status, attempts in rows)


def test_message_stuck_in_sending_is_taken_over_after_the_claim_timeout(app, client, login_as, smtp):
    """A message left 'sending' 11 minutes ago (crashed sender) is sent again; a fresh claim is left alone."""
    with app.app_context():
        stuck = queue_mail("stuck@example.org", "Stuck", "Body")
        busy = queue_mail("busy@example.org", "Being sent", "Body")
        dead = queue_mail("dead@example.org", "Last attempt crashed", "Body")
        db.session.flush()
        now = utcnow()
        claims = {stuck.id: (now - timedelta(minutes=11), 1), busy.id: (now - timedelta(minutes=1), 1)}
        claims[dead.id] = (now - timedelta(minutes=11), MAX_ATTEMPTS)
        for message_id, (claimed_at, attempts) in claims.items():
            db.session.execute(
                update(MailMessage)
                .where(MailMessage.id == message_id)
                .values(status="sending", claimed_at=claimed_at, attempts=attempts)
            )
        db.session.commit()
        assert deliver_pending() == (1, 0)
        states = {m.recipient: (m.status, m.attempts, m.last_error) for m in db.session.scalars(select(MailMessage))}
    assert [m["To"] for m in smtp.messages] == ["stuck@example.org"]
    assert states["stuck@example.org"] == ("sent", 2, None)
    assert states["busy@example.org"] == ("sending", 1, None)  # another sender has it
    assert states["dead@example.org"] == ("failed", MAX_ATTEMPTS, "interrupted while sending")
    login_as("admin")
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Being sent" in text and "· sending" in text


def test_a_request_sends_only_the_mail_it_queued(app, smtp):
    """A unit of work (a request) sends the messages it queued after its commit, not the backlog of other senders."""
    from advocacy.uow import unit_of_work

    with app.app_context():
        queue_mail("backlog@example.org", "Queued elsewhere", "Body")
        db.session.commit()
    with app.app_context():  # a request: its own session
        with unit_of_work():
            queue_mail("mine@example.org", "Queued here", "Body")
        assert db.session.scalar(select(MailMessage.status).where(MailMessage.recipient == "backlog@example.org")) == (
            "queued"
        )
    assert [m["To"] for m in smtp.messages] == ["mine@example.org"]


def test_mail_queued_in_a_unit_of_work_is_sent_after_its_commit_and_never_on_rollback(app, smtp):
    """Inside unit_of_work() a queued message goes out once the unit commits (nobody calls deliver_pending); a
    unit that raises stores and sends nothing."""
    with app.app_context():
        with unit_of_work():
            queue_mail("kept@example.org", "Committed", "Body")
            assert smtp.messages == []  # not before the commit
        assert [m["To"] for m in smtp.messages] == ["kept@example.org"]
        with pytest.raises(RuntimeError), unit_of_work():
            queue_mail("dropped@example.org", "Rolled back", "Body")
            db.session.flush()
            raise RuntimeError("the work failed")
        assert db.session.scalars(select(MailMessage.recipient)).all() == ["kept@example.org"]
    assert [m["To"] for m in smtp.messages] == ["kept@example.org"]


def test_inside_a_unit_of_work_each_claim_and_outcome_is_committed_before_the_unit_ends(app, smtp):
    """deliver_pending called inside a unit (a job, `mail retry`) commits each claim and result as it goes: a later
    error in the same unit cannot make a sent message look unsent (and send it twice)."""
    with app.app_context():
        queue_mail("office@example.org", "Once", "Body")
        db.session.commit()
    with app.app_context():
        with pytest.raises(RuntimeError), unit_of_work():
            assert deliver_pending() == (1, 0)
            raise RuntimeError("the job failed after sending")
        row = db.session.execute(select(MailMessage.status, MailMessage.attempts)).one()
        assert tuple(row) == ("sent", 1)
        assert deliver_pending() == (0, 0)
    assert [m["To"] for m in smtp.messages] == ["office@example.org"]


def test_queued_ids_takes_messages_over_from_the_unit_of_work(app, smtp):
    """Code that sends what it queued itself and counts it (checkpoint, then deliver_pending(ids=take_queued_mail()))
    gets each message once: the unit does not send the messages it took over, only the others."""
    from advocacy.mail import take_queued_mail
    from advocacy.uow import checkpoint

    with app.app_context():
        with unit_of_work():
            queue_mail("counted@example.org", "Sent and counted here", "Body")
            ids = take_queued_mail()
            queue_mail("other@example.org", "Sent by the unit after its commit", "Body")
            checkpoint(defer_after_commit=True)
            assert deliver_pending(ids=ids) == (1, 0)
        rows = db.session.execute(select(MailMessage.recipient, MailMessage.attempts)).all()
        assert sorted(tuple(r) for r in rows) == [("counted@example.org", 1), ("other@example.org", 1)]
    assert sorted(m["To"] for m in smtp.messages) == ["counted@example.org", "other@example.org"]


def test_the_mail_of_a_unit_of_work_goes_out_in_one_delivery_after_its_commit(app, smtp, monkeypatch):
    """All the messages a unit queued are sent by one deliver_pending call after its commit, not one per message."""
    from advocacy import mail

    calls = []
    real = mail.deliver_pending
    monkeypatch.setattr(mail, "deliver_pending", lambda *a, **kw: calls.append(kw) or real(*a, **kw))
    with app.app_context(), unit_of_work():
        for n in range(3):
            queue_mail(f"r{n}@example.org", "Batch", "Body")
    assert len(calls) == 1 and len(calls[0]["ids"]) == 3
    assert sorted(m["To"] for m in smtp.messages) == ["r0@example.org", "r1@example.org", "r2@example.org"]
