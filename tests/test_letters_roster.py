"""The ask over the whole imported roster: for each of the 537 current members (real @unitedstates roster and
committees from ../shared/data, the demo bills as stored), per-member and joint letters ask what fits the member's
standing, and no letter asks anyone to cosponsor a bill they sponsor or cosponsor, or a bill of the other chamber.

The expected segment is worked out here from the database rows directly (not through advocacy.letters.standing),
and each letter's text is the demo template rendered through the same sandbox and context as the PDFs.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.letters.planning import plan_batch
from advocacy.letters.render import letter_html
from advocacy.letters.services import template_snapshot
from advocacy.models import Campaign, CommitteeMembership, Cosponsorship, LetterTemplate, Member
from tests.imports_fixtures import SHARED_DATA

LEGISLATORS = SHARED_DATA / "congress-legislators"
COSPONSOR_ASK = re.compile(r"ask (?:you|the [A-Za-z ]+?) to cosponsor (H\.R\.|S\.) (\d+)")
TAGS = re.compile(r"<[^>]+>")


@pytest.fixture
def roster(letters_app, demo):
    from advocacy.members.services import import_committees, import_members

    with letters_app.app_context():
        import_members(str(LEGISLATORS / "legislators-current.yaml"))
        import_committees(
            str(LEGISLATORS / "committees-current.yaml"), str(LEGISLATORS / "committee-membership-current.yaml")
        )
        db.session.commit()
    return letters_app


def _expected_segments() -> dict[str, str]:
    """Each current member's segment, from the rows: H.R. 5323 (House, referred to HSFA, no Senate companion)."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
    bill = campaign.current_bill
    assert (bill.display, bill.congress) == ("H.R. 5323", 119)
    backers = {bill.sponsor_id} | set(
        db.session.scalars(
            select(Cosponsorship.member_id).where(
                Cosponsorship.bill_id == bill.id, Cosponsorship.withdrawn_date.is_(None)
            )
        )
    )
    leaders = set(
        db.session.scalars(
            select(CommitteeMembership.member_id).where(
                CommitteeMembership.committee_id == "HSFA",
                CommitteeMembership.title.in_(["Chair", "Chairman", "Ranking Member"]),
            )
        )
    )
    expected = {}
    for member in db.session.scalars(select(Member).where(Member.is_current.is_(True))):
        if member.chamber == "senate":
            expected[member.bioguide_id] = "other_no_companion"
        elif member.bioguide_id in backers:
            expected[member.bioguide_id] = "supporter"
        elif member.bioguide_id in leaders:
            expected[member.bioguide_id] = "committee_leader"
        else:
            expected[member.bioguide_id] = "same_chamber"
    return expected


def _letter_text(template: dict, plan, members: list[dict]) -> str:
    html = letter_html(
        template,
        plan.shared,
        members,
        committee=plan.recipients.committee,
        committee_letter=plan.recipients.committee_letter,
    )
    return " ".join(TAGS.sub(" ", html).split())


def _check_no_wrong_cosponsor_ask(text: str, members: list[dict], backers: set[str]) -> None:
    for kind, number in COSPONSOR_ASK.findall(text):
        assert (kind, number) == ("H.R.", "5323"), f"asks to cosponsor {kind} {number}"
        for member in members:
            assert member["chamber"] == "house", f"{member['full_name']} (Senate) asked to cosponsor H.R. {number}"
            assert member["bioguide_id"] not in backers, f"{member['full_name']} backs H.R. 5323 and is asked anyway"


def test_every_member_of_the_roster_gets_the_ask_of_their_standing(roster):
    """All 537 current members: segment as worked out from the rows, the ask in the letter, no wrong cosponsor
    ask; the same over joint letters to committees, their leaders and a mixed-chamber delegation."""
    with roster.app_context():
        expected = _expected_segments()
        assert len(expected) == 537
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        template = template_snapshot(
            db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == "city-diplomacy-sign-on"))
        )
        bill = campaign.current_bill
        backers = {bill.sponsor_id} | {c.member_id for c in bill.cosponsorships if not c.withdrawn_date}
        plan = plan_batch(campaign, "all", template=template)
        assert len(plan.letters) == 537
        seen = {}
        for row in plan.letters:
            (member,) = row.members
            seen[member["bioguide_id"]] = row.segment
            text = _letter_text(template, plan, row.members)
            assert row.ask and row.ask in text
            _check_no_wrong_cosponsor_ask(text, row.members, backers)
            if member["chamber"] == "senate":
                assert "introduce a companion bill in the Senate" in text
            elif row.segment == "same_chamber":
                assert "We ask you to cosponsor H.R. 5323" in text
        assert seen == expected
        counts = {segment: list(seen.values()).count(segment) for segment in set(seen.values())}
        assert counts["supporter"] == 2 and counts["committee_leader"] == 1 and counts["other_no_companion"] == 100

        for selector, segment in (
            ("committee:HSFA", "committee_letter"),
            ("leaders:HSFA", "committee_letter"),
            ("committee:SSFR", "other_no_companion"),
            ("leaders:SSFR", "other_no_companion"),
            ("state:CA", "joint"),
            ("cosponsors", "supporter"),
        ):
            plan = plan_batch(campaign, selector, joint=True, template=template)
            (row,) = plan.letters
            assert row.segment == segment, selector
            text = _letter_text(template, plan, row.members)
            assert row.ask in text
            _check_no_wrong_cosponsor_ask(text, row.members, backers)
