"""Real Congress.gov records, synced through the CLI from the local fake server: every real action kept, the
stage the official record supports, subcommittees stored and shown, member names as people write them.

The records are GPO BILLSTATUS files (tests/fixtures/billstatus, see SOURCE.md) converted to the API's JSON
shapes, and the Library of Congress's recorded API responses for H.R. 21 (117th) (tests/fixtures/congress).
Stored stages are as of today (every Congress before the 119th has ended); `derive_stage` on the stored
actions with a day inside the bill's Congress gives the stage the bill was in then.
"""

from datetime import date

import pytest
from sqlalchemy import select

from advocacy.bills.stage import derive_stage
from advocacy.extensions import db
from advocacy.models import Bill, BillAction, BillCommittee, Member
from tests.congress_fake import load_billstatus, shout_names

# name: (citation, stage stored today, furthest, actions stored, rows in the record)
RECORDS = {
    # A law through amendment exchange (House passed, Senate with an amendment, House with an amendment to
    # it, Senate agreed), with "Signed by President." reported four times (House floor, a Library copy and
    # twice under the Library's own code 36000).
    "116hr3055": ("116 hr 3055", "became_law", "became_law", 227, 232),
    # A law through conference, after a failed cloture vote in the Senate.
    "114hr22": ("114 hr 22", "became_law", "became_law", 257, 264),
    # A law through amendment exchange after a failed cloture vote.
    "117hr2471": ("117 hr 2471", "became_law", "became_law", 51, 56),
    # A 119th Congress law passed under suspension; its signing is reported by the Library of Congress only,
    # under two codes (E30000 as a copy of the House record, 36000 its own, with the type BecameLaw).
    "119hr983": ("119 hr 983", "became_law", "became_law", 18, 23),
    # Vetoed (the snapshot ends with the House postponing the veto message); in the Senate under Rule XIV.
    "114hr3762": ("114 hr 3762", "vetoed", "to_president", 38, 40),
    # A vetoed joint resolution (Congressional Review Act), the Senate tabling the veto message.
    "114sjres8": ("114 sjres 8", "vetoed", "to_president", 32, 33),
    # A simple resolution agreed to under suspension of the rules.
    "114hres348": ("114 hres 348", "agreed_to", "agreed_to", 14, 15),
    # A concurrent (budget) resolution agreed to through conference.
    "114sconres11": ("114 sconres 11", "agreed_to", "agreed_to", 87, 90),
    # Passed the House (the snapshot ends when the Senate received it); 11 referral rows, 4 subcommittees.
    "117hr1": ("117 hr 1", "ended", "passed_house", 62, 63),
    "117hr4350": ("117 hr 4350", "ended", "passed_house", 120, 123),
    # A withdrawn cosponsor and a subcommittee referral.
    "115hr367": ("115 hr 367", "ended", "in_committee", 4, 6),
    # A Senate bill passed by both chambers without amendment and presented to the President.
    "115s3509": ("115 s 3509", "ended", "to_president", 12, 13),
}


def _bill(congress, bill_type, number) -> Bill:
    return db.session.scalar(
        select(Bill).where(Bill.congress == congress, Bill.bill_type == bill_type, Bill.number == number)
    )


def _track(runner, citation):
    result = runner.invoke(args=["bills", "track", citation])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_real_record_keeps_every_action_and_gets_the_stage(name, congress_app, congress_server, runner):
    """Every real action of the record is stored (copies from two reporting systems once) and the stage is the
    one the record supports; a second sync changes nothing."""
    citation, stage, furthest, stored, rows = RECORDS[name]
    (key,) = load_billstatus(congress_server, name)
    assert len(congress_server.bills[key]["actions"]) == rows
    _track(runner, citation)
    with congress_app.app_context():
        bill = _bill(*key)
        assert (bill.stage, bill.stage_furthest) == (stage, furthest)
        assert len(bill.actions) == stored
        copies = sum(len(a.reported_as) for a in bill.actions)
        assert copies <= rows and copies >= stored  # exact duplicates of a row are the only rows not kept
    again = runner.invoke(args=["bills", "sync", citation, "--force"])
    assert "unchanged" in again.output, again.output


def test_signed_twice_is_one_action_that_keeps_both_types(congress_app, congress_server, runner):
    """ "Signed by President." reported by the House and twice by the Library is one action, keeping the
    President and BecameLaw types of its copies, so that an enacted bill is enacted."""
    load_billstatus(congress_server, "116hr3055", "119hr983")
    _track(runner, "116 hr 3055")
    _track(runner, "119 hr 983")
    with congress_app.app_context():
        for key in ((116, "hr", 3055), (119, "hr", 983)):
            signed = [a for a in _bill(*key).actions if a.text == "Signed by President."]
            assert len(signed) == 1
            assert {"President", "BecameLaw"} <= set(signed[0].action_types)
        law = [a for a in _bill(119, "hr", 983).actions if a.text.startswith("Became Public Law")]
        assert len(law) == 1 and sorted(c["code"] for c in law[0].reported_as) == ["36000", "E40000"]


def test_same_day_actions_of_one_source_are_all_kept(congress_app, congress_server, runner):
    """Two "Motion to reconsider laid on the table" votes of one day (House floor, different times) and one
    referral row per committee are separate actions."""
    load_billstatus(congress_server, "117hr1")
    _track(runner, "117 hr 1")
    with congress_app.app_context():
        bill = _bill(117, "hr", 1)
        motions = [
            a
            for a in bill.actions
            if a.action_date == date(2021, 3, 2)
            and a.text == "Motion to reconsider laid on the table. Agreed to without objection."
        ]
        assert sorted(a.action_time for a in motions) == ["18:53:20", "19:37:06"]
        referrals = [a for a in bill.actions if a.text.startswith("Referred to the Committee on House Administration")]
        assert len(referrals) == 11 and len({a.committee_code for a in referrals}) == 11


def test_stage_through_ping_pong_and_conference_on_real_histories(congress_app, congress_server, runner):
    """While the chambers exchanged amendments or sat in conference, the stage said so, not "passed both"."""
    load_billstatus(congress_server, "116hr3055", "114hr22", "114sconres11")
    for citation in ("116 hr 3055", "114 hr 22", "114 sconres 11"):
        _track(runner, citation)

    def stage_on(key, day):
        bill = _bill(*key)
        actions = [a for a in bill.actions if a.action_date <= day]
        result = derive_stage(actions, bill.congress, day, bill.bill_type)
        return result.stage, result.label

    with congress_app.app_context():
        hr3055 = (116, "hr", 3055)
        assert stage_on(hr3055, date(2019, 6, 26)) == ("passed_house", "Passed House")
        assert stage_on(hr3055, date(2019, 11, 1)) == (
            "amendment_exchange",
            "Resolving differences: amendment exchange",
        )
        assert stage_on(hr3055, date(2019, 11, 20))[0] == "amendment_exchange"  # House amended the amendment
        hr22 = (114, "hr", 22)
        assert stage_on(hr22, date(2015, 7, 22)) == ("failed", "Failed (furthest: passed house)")  # cloture
        assert stage_on(hr22, date(2015, 8, 1))[0] == "amendment_exchange"
        assert stage_on(hr22, date(2015, 11, 6)) == ("conference", "Resolving differences: conference")
        assert stage_on(hr22, date(2015, 12, 3))[0] == "passed_both"
        sconres11 = (114, "sconres", 11)
        assert stage_on(sconres11, date(2015, 4, 20))[0] == "conference"
        assert stage_on(sconres11, date(2015, 5, 6)) == ("agreed_to", "Agreed to")


def test_rule_xiv_is_not_a_committee_report(congress_app, congress_server, runner):
    """H.R. 3762 (114th), placed on the Senate calendar under Rule XIV, was "passed House", not "reported"."""
    load_billstatus(congress_server, "114hr3762")
    _track(runner, "114 hr 3762")
    with congress_app.app_context():
        bill = _bill(114, "hr", 3762)
        day = date(2015, 11, 19)
        assert any(
            a.action_date == day and a.text.startswith("Read the second time. Placed on Senate Legislative Calendar")
            for a in bill.actions
        )
        actions = [a for a in bill.actions if a.action_date <= day]
        assert derive_stage(actions, 114, day, "hr").stage == "passed_house"


def test_subcommittees_are_stored_and_shown(congress_app, congress_server, runner, client, login_as):
    """Subcommittees from the committees endpoint are stored under their committee and listed on the bill page,
    with the subcommittee referral in the actions."""
    load_billstatus(congress_server, "119hr983", "117hr1")
    _track(runner, "119 hr 983")
    _track(runner, "117 hr 1")
    with congress_app.app_context():
        rows = db.session.scalars(
            select(BillCommittee).join(Bill).where(Bill.number == 983).order_by(BillCommittee.committee_code)
        ).all()
        assert [(r.committee_code, r.parent_code) for r in rows] == [
            ("hsas00", None),
            ("hsvr00", None),
            ("hsvr10", "hsvr00"),
            ("ssva00", None),
        ]
        subs = db.session.scalars(
            select(BillCommittee.committee_code)
            .join(Bill)
            .where(Bill.number == 1, BillCommittee.parent_code.is_not(None))
        ).all()
        assert len(subs) == 4
        referral = db.session.scalar(
            select(BillAction).join(Bill).where(Bill.number == 983, BillAction.committee_code == "hsvr10")
        )
        assert referral.text == "Referred to the Subcommittee on Economic Opportunity."
    login_as("viewer")
    page = client.get("/bills/119/hr/983").get_data(as_text=True)
    assert "Economic Opportunity Subcommittee" in page and "subcommittee of" in page.lower()


def test_withdrawn_cosponsor_of_a_real_record(congress_app, congress_server, runner):
    """H.R. 367 (115th): 167 cosponsors, one of whom withdrew, all stored."""
    load_billstatus(congress_server, "115hr367")
    _track(runner, "115 hr 367")
    with congress_app.app_context():
        bill = _bill(115, "hr", 367)
        assert len(bill.cosponsorships) == 167
        assert len([c for c in bill.cosponsorships if c.withdrawn_date]) == 1


def test_suspension_vote_from_recorded_api_responses(congress_app, runner):
    """H.R. 21 (117th), the Library of Congress's recorded API answers: passed the House under suspension."""
    _track(runner, "117 hr 21")
    with congress_app.app_context():
        bill = _bill(117, "hr", 21)
        assert len(bill.actions) == 9  # "Introduced in House" as Intro-H and 1000 is one action
        assert (bill.stage, bill.stage_furthest) == ("ended", "passed_house")
        assert derive_stage(bill.actions, 117, date(2021, 6, 1), "hr").stage == "passed_house"


def test_names_in_capitals_are_written_as_people_write_them(congress_app, congress_server, runner, app):
    """A real record lists "NYDIA" "VELAZQUEZ" and "PETER" "DEFAZIO": stored as the display name writes them;
    a member the roster knows keeps the roster's name; a better name in a later record replaces capitals."""
    load_billstatus(congress_server, "117hr1")
    _track(runner, "117 hr 1")
    with congress_app.app_context():
        assert (db.session.get(Member, "V000081").first_name, db.session.get(Member, "V000081").last_name) == (
            "Nydia",
            "Velazquez",
        )
        assert db.session.get(Member, "D000191").last_name == "DeFazio"

    # Capitals everywhere (display name too): title case until a properly written record arrives.
    record = congress_server.add_bill(119, "hr", 8101)
    record["cosponsors"] = [
        {
            "bioguideId": "Z000101",
            "fullName": "REP. ROE, JANE [D-NY-3]",
            "firstName": "JANE",
            "lastName": "ROE",
            "party": "D",
            "state": "NY",
            "district": 3,
            "sponsorshipDate": "2025-02-01",
            "isOriginalCosponsor": True,
            "sponsorshipWithdrawnDate": None,
        }
    ]
    _track(runner, "119 hr 8101")
    with congress_app.app_context():
        assert db.session.get(Member, "Z000101").display_name == "Jane Roe"
    record["cosponsors"][0].update(fullName="Rep. Roe-Smith, Jane [D-NY-3]", firstName="Jane", lastName="Roe-Smith")
    record["bill"]["updateDate"] = "2026-01-01T00:00:00Z"
    runner.invoke(args=["bills", "sync", "119 hr 8101"])
    with congress_app.app_context():
        assert db.session.get(Member, "Z000101").last_name == "Roe-Smith"


def test_roster_name_wins_over_a_record_in_capitals(congress_app, congress_server, runner):
    """With the roster imported, the record's "NYDIA VELAZQUEZ" never replaces "Nydia M. Velázquez"."""
    result = runner.invoke(args=["members", "import", "../shared/data/congress-legislators/legislators-current.yaml"])
    assert result.exit_code == 0, result.output
    load_billstatus(congress_server, "117hr1")
    shout_names(congress_server.bills[(117, "hr", 1)])
    _track(runner, "117 hr 1")
    with congress_app.app_context():
        member = db.session.get(Member, "V000081")
        assert member.display_name == "Nydia M. Velázquez" and member.last_name == "Velázquez"


@pytest.mark.browser
def test_bill_page_in_chromium_shows_subcommittees_deferral_and_outage(
    congress_app, congress_server, runner, make_user, live_server, new_page
):
    """In chromium, an advocate reads on the bill page the subcommittee under its committee, that the bill is
    deferred until a time, and that an outage kept the stored record; the page passes the axe scan."""
    from datetime import timedelta

    from playwright.sync_api import expect

    from advocacy.models.base import utcnow
    from tests.test_e2e_browser import AXE, _log_in, _scan

    load_billstatus(congress_server, "119hr983")
    _track(runner, "119 hr 983")
    congress_server.fail_next("/bill/119/hr/983", "500", times=10)
    assert runner.invoke(args=["bills", "sync", "119 hr 983"]).exit_code == 1
    with congress_app.app_context():
        bill = _bill(119, "hr", 983)
        bill.sync_deferred_until = utcnow().replace(microsecond=0) + timedelta(hours=1)
        db.session.commit()
    page = new_page(bypass_csp=True)
    _log_in(page, live_server, make_user("advocate"))
    expect(page.get_by_text("deferred until")).to_be_visible()  # dashboard marker
    page.goto(live_server + "/bills/119/hr/983")
    subcommittees = page.get_by_role("list", name="Subcommittees of the Veterans' Affairs Committee")
    expect(subcommittees).to_contain_text("Economic Opportunity Subcommittee")
    expect(page.locator("#sync-deferred")).to_contain_text("Deferred until")
    expect(page.locator(".error")).to_contain_text("Congress.gov outage: Congress.gov is failing (HTTP 500)")
    expect(page.locator(".error")).to_contain_text("The stored record is kept as it was.")
    expect(page.get_by_text("Signed by President.")).to_have_count(1)
    page.screenshot(path="test-artifacts/bill-119-hr-983.png", full_page=True)
    if AXE.exists():
        problems: list[str] = []
        _scan(page, problems, "bill page")
        assert problems == []


def test_roster_import_replaces_a_name_first_met_in_capitals(congress_app, congress_server, runner):
    """A member first stored from a record in capitals takes the roster's name when the roster is imported, and
    a later sync of the record does not undo it."""
    load_billstatus(congress_server, "117hr1")
    _track(runner, "117 hr 1")
    roster = "../shared/data/congress-legislators/legislators-current.yaml"
    assert runner.invoke(args=["members", "import", roster]).exit_code == 0
    with congress_app.app_context():
        assert db.session.get(Member, "V000081").display_name == "Nydia M. Velázquez"
    assert "unchanged" in runner.invoke(args=["bills", "sync", "117 hr 1", "--force"]).output
    with congress_app.app_context():
        assert db.session.get(Member, "V000081").display_name == "Nydia M. Velázquez"


def test_show_prints_subcommittees_and_an_outage(congress_app, congress_server, runner):
    """`bills show` counts subcommittees apart and says when the last sync hit an outage."""
    load_billstatus(congress_server, "119hr983")
    _track(runner, "119 hr 983")
    congress_server.fail_next("/bill/119/hr/983", "500", times=10)
    runner.invoke(args=["bills", "sync", "119 hr 983"])
    shown = runner.invoke(args=["bills", "show", "119 hr 983"])
    assert "Stage: Became law" in shown.output
    assert "18 actions, 0 cosponsors, 3 committees (1 subcommittee)" in shown.output
    assert "Last sync failed (outage): Congress.gov is failing (HTTP 500)" in shown.output
