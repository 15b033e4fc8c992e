"""Office contacts and interactions through the CLI and the pages: CSV import (all or nothing, idempotent) and
export, former offices, follow-ups on the dashboard, commitments fulfilled by a later sync."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import Member
from advocacy.models.contacts import Interaction, OfficeContact
from tests.conftest import submit
from tests.congress_fake import wilson_cosponsor
from tests.contacts_fixtures import CONTACTS_CSV


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OfficeContact.id)))


def test_import_with_a_bad_line_changes_nothing_and_reimport_is_idempotent(app, runner, demo, tmp_path):
    """A bad line stops the import with its line number and keeps nothing; a good file imports once, and
    importing it again (or its own export) reports everything unchanged."""
    bad = tmp_path / "bad.csv"
    lines = CONTACTS_CSV.splitlines()
    bad.write_text("\n".join([*lines[:3], "Z999999,,,Nobody,LA,nobody@example.org,,,", *lines[3:]]) + "\n")
    result = runner.invoke(args=["contacts", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 4: No member with bioguide id “Z999999”" in result.output and "Nothing was imported" in result.output
    assert _count(app) == 0
    bad.write_text(CONTACTS_CSV.replace("devon.lee@castro.example.org", "devon.lee(at)castro"))
    result = runner.invoke(args=["contacts", "import", str(bad)])
    assert result.exit_code == 1 and "line 5: “devon.lee(at)castro” is not a valid e-mail address" in result.output
    assert _count(app) == 0

    good = tmp_path / "contacts.csv"
    good.write_text(CONTACTS_CSV)
    first = runner.invoke(args=["contacts", "import", str(good)])
    assert first.exit_code == 0, first.output
    assert "7 contact line(s) for 6 office(s): 7 added, 0 updated, 0 unchanged." in first.output
    again = runner.invoke(args=["contacts", "import", str(good)])
    assert "0 added, 0 updated, 7 unchanged." in again.output and _count(app) == 7
    exported = tmp_path / "export.csv"
    assert runner.invoke(args=["contacts", "export", str(exported)]).exit_code == 0
    round_trip = runner.invoke(args=["contacts", "import", str(exported)])
    assert "0 added, 0 updated, 7 unchanged." in round_trip.output
    good.write_text(CONTACTS_CSV.replace("202-225-0003", "202-225-9999"))
    changed = runner.invoke(args=["contacts", "import", str(good)])
    assert "0 added, 1 updated, 6 unchanged." in changed.output
    with app.app_context():
        casey = db.session.scalar(select(OfficeContact).where(OfficeContact.name == "Casey Morgan"))
        assert (casey.phone, casey.role, casey.owner) == ("202-225-9999", "Foreign Affairs LA", "Dana (coalition)")
        staff = db.session.scalars(select(OfficeContact).where(OfficeContact.committee_id == "HSFA")).all()
        assert sorted(c.side for c in staff) == ["majority", "minority"]


def test_upload_page_imports_exports_and_escapes(app, client, login_as, demo):
    """Advocates upload a CSV on the contacts page (a bad file is refused whole); the export neutralises
    formulas and the page escapes what the file said; viewers can read but not import."""
    login_as("advocate")
    hostile = CONTACTS_CSV.replace("Prefers PDF", "<script>alert(1)</script>").replace("Avery Stone", "=HYPERLINK(1)")
    response = submit(
        client, "/contacts/import", {"file": (io.BytesIO(hostile.encode()), "contacts.csv")},
        form_url="/contacts/", content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert "7 added" in page and "&lt;script&gt;alert(1)" in page and "<script>alert(1)" not in page
    export = client.get("/contacts/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in export
    bad = CONTACTS_CSV + "M001199,HSFA,,Two Offices,LA,two@example.org,,,\n"
    response = submit(
        client, "/contacts/import", {"file": (io.BytesIO(bad.encode()), "bad.csv")},
        form_url="/contacts/", content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert "Nothing imported: line 9: Give either a member" in response.get_data(as_text=True)
    assert _count(app) == 7


def test_member_page_shows_contacts_and_marks_a_former_office(app, client, login_as, hfac_contacts):
    """The member page lists the office's contacts; when the member leaves Congress they stay, marked
    "former office"; committee staff show on the committee page."""
    login_as("viewer")
    page = client.get("/members/M001137").get_data(as_text=True)
    assert "Casey Morgan" in page and "casey.morgan@meeks.example.org" in page and "former office" not in page
    with app.app_context():
        db.session.get(Member, "M001137").is_current = False
        db.session.commit()
    page = client.get("/members/M001137").get_data(as_text=True)
    assert "Casey Morgan" in page and "former office" in page
    assert "former office" in client.get("/contacts/").get_data(as_text=True)
    committee = client.get("/committees/HSFA").get_data(as_text=True)
    assert "Finley Park" in committee and "(majority)" in committee and "Gray Ellis" in committee


def test_follow_up_shows_on_the_dashboard_until_done(app, client, login_as, hfac_contacts):
    """An interaction whose follow-up date has come is listed on the dashboard; a later one is not; Done
    removes it."""
    login_as("advocate")
    yesterday, next_month = date.today() - timedelta(days=1), date.today() + timedelta(days=30)
    for notes, follow_up in (("Send the list of Queens endorsers", yesterday), ("Check in after recess", next_month)):
        response = submit(
            client, "/contacts/interactions/new",
            {"bioguide_id": "M001137", "kind": "meeting", "occurred_on": "2026-11-20", "outcome": "needs_local_support",
             "attendees": "Casey Morgan; Dana", "notes": notes, "follow_up_on": follow_up.isoformat(), "campaign": ""},
            form_url="/contacts/interactions/new?member=M001137",
        )  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Follow-ups due (1)" in dashboard and "Send the list of Queens endorsers" in dashboard
    assert "Check in after recess" not in dashboard and "needs more local support" in dashboard
    member = client.get("/members/M001137").get_data(as_text=True)
    assert "Check in after recess" in member and "Needs more local support" in member
    with app.app_context():
        due = db.session.scalar(select(Interaction).where(Interaction.follow_up_on == yesterday))
        later = db.session.scalar(select(Interaction).where(Interaction.follow_up_on == next_month))
    submit(client, f"/contacts/interactions/{due.id}/follow-up-done", {}, form_url="/dashboard")
    assert "Follow-ups due (0)" in client.get("/dashboard").get_data(as_text=True)
    submit(client, f"/contacts/interactions/{later.id}/delete", {}, form_url="/members/M001137")
    assert "Check in after recess" not in client.get("/members/M001137").get_data(as_text=True)


def test_commitment_to_cosponsor_is_fulfilled_by_a_later_sync(congress_app, client, runner, login_as, congress_server,
                                                              hfac_contacts):  # fmt: skip
    """ "Will cosponsor" shows on the Targets page beside the member; when a sync records the member as a new
    cosponsor of the campaign's bill, the commitment is marked fulfilled by itself."""
    assert runner.invoke(args=["bills", "track", "119 hr 5323", "--campaign", "city-state-diplomacy"]).exit_code == 0
    login_as("advocate")
    with congress_app.app_context():
        from advocacy.models import Campaign

        campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.slug == "city-state-diplomacy"))
    response = submit(
        client, "/contacts/interactions/new",
        {"bioguide_id": "W000795", "kind": "call", "occurred_on": "2026-11-16", "outcome": "will_cosponsor",
         "attendees": "Blake Rivera", "notes": "", "follow_up_on": "", "campaign": str(campaign_id)},
        form_url="/contacts/interactions/new?member=W000795",
    )  # fmt: skip
    assert response.status_code == 302
    targets = client.get("/campaigns/city-state-diplomacy/targets").get_data(as_text=True)
    assert "committed to cosponsor (November 16, 2026)" in targets and "Blake Rivera" in targets
    assert "last: call, November 16, 2026, will cosponsor" in targets

    # nothing new in a sync: still open
    assert runner.invoke(args=["bills", "sync", "H.R. 5323 (119th)"]).exit_code == 0
    with congress_app.app_context():
        assert db.session.scalar(select(Interaction.fulfilled_at)) is None
    record = congress_server.bills[(119, "hr", 5323)]
    record["bill"]["updateDate"] = "2026-11-20T10:00:00Z"
    record["cosponsors"].append(wilson_cosponsor())
    result = runner.invoke(args=["bills", "sync", "H.R. 5323 (119th)"])
    assert result.exit_code == 0, result.output
    with congress_app.app_context():
        interaction = db.session.scalar(select(Interaction))
        assert interaction.fulfilled_at is not None and interaction.fulfilled_event_id is not None
    targets = client.get("/campaigns/city-state-diplomacy/targets").get_data(as_text=True)
    assert "commitment fulfilled" in targets and "committed to cosponsor" not in targets
    assert "fulfilled" in client.get("/members/W000795").get_data(as_text=True)


def test_contact_forms_check_input_and_roles(app, client, auth, login_as, demo):
    """Adding a contact needs exactly one office and a valid e-mail; one contact per name and office; viewers
    cannot add."""
    login_as("viewer")
    assert client.get("/contacts/new").status_code == 403
    auth.logout()
    login_as("advocate")
    base = {"bioguide_id": "L000582", "committee": "", "side": "", "name": "Emery Quinn", "role": "Scheduler",
            "email": "emery@lieu.example.org", "phone": "", "owner": "", "notes": ""}  # fmt: skip
    both = submit(client, "/contacts/new", base | {"committee": "HSFA"})
    assert both.status_code == 422 and "Give either a member or a committee." in both.get_data(as_text=True)
    bad_email = submit(client, "/contacts/new", base | {"email": "emery at lieu"})
    assert bad_email.status_code == 422 and "is not a valid e-mail address" in bad_email.get_data(as_text=True)
    assert submit(client, "/contacts/new", base).status_code == 302
    twice = submit(client, "/contacts/new", base | {"name": "EMERY QUINN"})
    assert twice.status_code == 422 and "already a contact of this office" in twice.get_data(as_text=True)
    assert _count(app) == 1


def test_contacts_and_targets_pages_make_a_fixed_number_of_queries(app, client, login_as, demo, count_queries):
    """The contacts list and the Targets page make the same number of queries with 1 or 60 contacts and
    interactions (members' and committees' offices, eager-loaded)."""
    from advocacy.contacts import services

    login_as("viewer")

    def add(start: int, n: int) -> None:
        with app.app_context():
            for i in range(start, start + n):
                for office in (services.resolve_office("M001137"), services.resolve_office(committee="HSFA")):
                    services.save_contact(None, office, {"name": f"Staffer {i}", "role": "LA"}, actor="test")
                    services.record_interaction(office, {"kind": "call", "occurred_on": date(2026, 11, 1 + i % 28)},
                                                actor="test")  # fmt: skip
            db.session.commit()

    def queries(url: str) -> int:
        with count_queries() as seen:
            assert client.get(url).status_code == 200
        return seen.count

    add(0, 1)
    pages = ("/contacts/", "/campaigns/city-state-diplomacy/targets", "/members/M001137", "/committees/HSFA")
    few = [queries(url) for url in pages]
    add(1, 30)
    assert [queries(url) for url in pages] == few
