"""E-mail alerts end to end: follow buttons, a sync that moves a bill, `alerts send`, digests, unsubscribe."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import AlertDelivery, AlertRun, Follow
from tests.conftest import Auth, submit
from tests.congress_fake import wilson_cosponsor

BILL_URL = "/bills/119/hr/5323"
NEW_ACTION = "Passed/agreed to in House: On passage Passed by voice vote."
_UNSUB = re.compile(r"https?://[^\s/]+(/alerts/unsubscribe/\S+)")


def _login(app, make_user, role="viewer"):
    client = app.test_client()
    email = make_user(role)
    assert Auth(client).login(email).status_code == 302
    return client, email


def _follow(client, target_type, target_key, page):
    response = submit(
        client,
        "/alerts/follow",
        {"target_type": target_type, "target_key": target_key, "next": page},
        form_url=page,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _bill_id(app):
    from advocacy.bills.services import get_bill

    with app.app_context():
        return get_bill(119, "hr", 5323).id


def _move_bill(congress_server, runner, *, cosponsor=False):
    """Upstream: a new floor action (and optionally a new cosponsor); then `bills sync`."""
    record = congress_server.bills[(119, "hr", 5323)]
    record["bill"]["updateDate"] = "2026-11-20T10:00:00Z"
    record["actions"].insert(
        0,
        {
            "actionDate": "2026-11-19",
            "text": NEW_ACTION,
            "type": "Floor",
            "sourceSystem": {"code": 2, "name": "House floor actions"},
        },
    )
    if cosponsor:
        record["cosponsors"].append(wilson_cosponsor())
    result = runner.invoke(args=["bills", "sync", "119 hr 5323"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def tracked(demo, congress_app, runner):
    """H.R. 5323 (119th) tracked from the fake Congress.gov, on top of the demo data (members, committees)."""
    result = runner.invoke(args=["bills", "track", "119 hr 5323"])
    assert result.exit_code == 0, result.output
    return congress_app


def test_sync_with_new_action_emails_each_follower_once(tracked, alerts_smtp, make_user, runner, congress_server):
    """Bill, member (sponsor) and committee followers each get one e-mail about a new action, even after two runs."""
    app = tracked
    bill_id = _bill_id(app)
    bill_a, email_a = _login(app, make_user)
    bill_b, email_b = _login(app, make_user)
    member_c, email_c = _login(app, make_user)
    committee_d, email_d = _login(app, make_user)
    _bystander, email_e = _login(app, make_user)
    _follow(bill_a, "bill", bill_id, BILL_URL)
    _follow(bill_b, "bill", bill_id, BILL_URL)
    _follow(bill_b, "member", "L000582", "/members/L000582")  # two matches, still one e-mail per event
    _follow(member_c, "member", "L000582", "/members/L000582")
    _follow(committee_d, "committee", "HSFA", "/committees/HSFA")
    # The Follow button becomes an Unfollow button and the receipt went out at once.
    assert "Following · Unfollow" in bill_a.get(BILL_URL).get_data(as_text=True)
    assert [m["Subject"] for m in alerts_smtp.to(email_a)] == ["Following H.R. 5323 (119th)"]

    _move_bill(congress_server, runner)
    first = runner.invoke(args=["alerts", "send"])
    second = runner.invoke(args=["alerts", "send"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "4 alert e-mail(s)" in first.output and "0 alert e-mail(s)" in second.output

    for address in (email_a, email_b, email_c, email_d):
        alerts = alerts_smtp.to(address, "H.R. 5323 (119th)")
        alerts = [m for m in alerts if not m["Subject"].startswith("Following")]
        assert len(alerts) == 1, (address, [m["Subject"] for m in alerts])
        body = alerts[0].get_content()
        assert NEW_ACTION in body and "Stage change" in body
        assert _UNSUB.search(body)
    assert alerts_smtp.to(email_e) == []
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(AlertDelivery).where(AlertDelivery.state != "sent")) == 0
        )


def test_crash_half_way_then_rerun_sends_once(tracked, alerts_smtp, make_user, runner, congress_server, monkeypatch):
    """A run that dies after claiming (before SMTP) is finished by the next run, without a duplicate."""
    from advocacy.alerts import services

    app = tracked
    client, email = _login(app, make_user)
    _follow(client, "bill", _bill_id(app), BILL_URL)
    _move_bill(congress_server, runner)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(services, "queue_digests", crash)
        crashed = runner.invoke(args=["alerts", "send"])
    assert crashed.exit_code == 1 and "power cut" in crashed.output
    assert len(alerts_smtp.to(email, "Stage change")) == 0 and len(alerts_smtp.to(email)) == 1  # the receipt only
    assert runner.invoke(args=["alerts", "send"]).exit_code == 0
    assert runner.invoke(args=["alerts", "send"]).exit_code == 0
    assert len([m for m in alerts_smtp.to(email) if not m["Subject"].startswith("Following")]) == 1
    with app.app_context():
        runs = db.session.scalars(select(AlertRun).order_by(AlertRun.id)).all()
        assert runs[0].error and "power cut" in runs[0].error and runs[-1].error is None


def test_daily_digest_groups_events(tracked, alerts_smtp, make_user, runner, congress_server):
    """A digest user gets nothing at once, then one e-mail listing the action, stage change and new cosponsor."""
    app = tracked
    client, email = _login(app, make_user)
    response = submit(client, "/alerts/following", {"mode": "daily"})
    assert response.status_code == 302
    _follow(client, "bill", _bill_id(app), BILL_URL)
    _move_bill(congress_server, runner, cosponsor=True)
    assert runner.invoke(args=["alerts", "send"]).exit_code == 0
    assert [m["Subject"] for m in alerts_smtp.to(email)] == ["Following H.R. 5323 (119th)"]
    result = runner.invoke(args=["alerts", "send", "--digest-now"])
    assert result.exit_code == 0 and "1 digest(s)" in result.output, result.output
    digests = alerts_smtp.to(email, "Daily digest")
    assert len(digests) == 1
    assert digests[0]["Subject"] == "Daily digest: 3 updates on H.R. 5323 (119th)"
    body = digests[0].get_content()
    assert body.count("H.R. 5323 (119th):") == 1  # one group heading for the bill
    for line in ("New action", NEW_ACTION, "Stage change", "Cosponsor added: Rep. Wilson, Joe [R-SC-2]"):
        assert line in body
    assert runner.invoke(args=["alerts", "send", "--digest-now"]).exit_code == 0
    assert len(alerts_smtp.to(email, "Daily digest")) == 1


def test_digest_waits_for_the_digest_hour(app, make_user):
    """Without --digest-now a digest goes out only once per day, after ALERTS_DIGEST_HOUR (UTC)."""
    from datetime import datetime

    from advocacy.alerts.services import digest_boundary

    with app.app_context():
        assert digest_boundary(datetime(2026, 11, 20, 14, 0)) == datetime(2026, 11, 20, 13, 0)
        assert digest_boundary(datetime(2026, 11, 20, 12, 59)) == datetime(2026, 11, 19, 13, 0)


def test_unsubscribe_link_works_without_login(tracked, alerts_smtp, make_user, runner, congress_server):
    """The link in the receipt shows a confirm page to a logged-out browser; POST removes the follow."""
    app = tracked
    client, email = _login(app, make_user)
    _follow(client, "bill", _bill_id(app), BILL_URL)
    receipt = alerts_smtp.to(email)[0].get_content()
    path = _UNSUB.search(receipt).group(1)
    anonymous = app.test_client()
    page = anonymous.get(path)
    assert page.status_code == 200 and "H.R. 5323 (119th)" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Follow)) == 1  # GET changes nothing
    done = anonymous.post(path)
    assert done.status_code == 200 and "no more alerts" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Follow)) == 0
    _move_bill(congress_server, runner)
    assert runner.invoke(args=["alerts", "send"]).exit_code == 0
    assert len(alerts_smtp.to(email)) == 1  # still only the receipt
    # A tampered token is refused with a clear page.
    bad = anonymous.get(path[:-3] + "xyz")
    assert bad.status_code == 400 and "not valid" in bad.get_data(as_text=True)


def test_alert_mail_carries_one_click_list_unsubscribe(tracked, alerts_smtp, make_user, runner, congress_server):
    """Alert e-mails carry List-Unsubscribe / List-Unsubscribe-Post; a mail client's one-click POST works."""
    app = tracked
    client, email = _login(app, make_user)
    _follow(client, "bill", _bill_id(app), BILL_URL)
    _move_bill(congress_server, runner)
    assert runner.invoke(args=["alerts", "send"]).exit_code == 0
    alert = alerts_smtp.to(email)[-1]
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = alert["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = app.test_client().post("/" + path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Follow)) == 0


def test_following_page_lists_and_unfollows(tracked, make_user):
    """The Following page lists what the user follows; Unfollow removes it; following nonsense is refused."""
    app = tracked
    client, _email = _login(app, make_user)
    _follow(client, "bill", _bill_id(app), BILL_URL)
    _follow(client, "committee", "HSFA", "/committees/HSFA")
    page = client.get("/alerts/following").get_data(as_text=True)
    assert "H.R. 5323 (119th)" in page and "Committee on Foreign Affairs" in page
    with app.app_context():
        follow_id = db.session.scalar(select(Follow.id).where(Follow.target_type == "committee"))
    assert submit(client, f"/alerts/unfollow/{follow_id}", {}, form_url="/alerts/following").status_code == 302
    assert "Committee on Foreign Affairs" not in client.get("/alerts/following").get_data(as_text=True)
    response = _follow(client, "member", "NOPE00000", BILL_URL)
    assert "nothing to follow" in client.get(response.headers["Location"]).get_data(as_text=True)
    # Anonymous users cannot follow.
    assert app.test_client().post("/alerts/follow", data={}).status_code in (302, 400)
