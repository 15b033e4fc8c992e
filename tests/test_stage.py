"""Stage derivation from whole action sequences (real and constructed in the official wording)."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from advocacy.bills.stage import congress_end, derive_stage

FIXTURES = Path(__file__).parent / "fixtures" / "congress"


@dataclass
class A:
    action_date: date
    text: str
    action_type: str | None = None


def seq(*items):
    return [A(date.fromisoformat(d), t, k) for d, t, k in items]


def test_became_law_from_recorded_actions():
    """S. 1678 (116th, TAIPEI Act) as recorded: passed both, presented, became Public Law 116-135."""
    raw = json.loads((FIXTURES / "116-s-1678" / "actions.json").read_text())["actions"]
    actions = [A(date.fromisoformat(a["actionDate"]), a["text"], a.get("type")) for a in raw]
    result = derive_stage(actions, 116, today=date(2026, 11, 27))
    assert (result.stage, result.furthest) == ("became_law", "became_law")
    before_president = [a for a in actions if a.action_date < date(2020, 3, 17)]
    assert derive_stage(before_president, 116, today=date(2020, 3, 12)).stage == "passed_both"


def test_demo_sequence_ends_with_its_congress():
    """H.R. 3571 (116th): referred, ordered reported; after 2021-01-03 it has ended, furthest 'reported'."""
    actions = seq(
        ("2019-06-27", "Introduced in House", "IntroReferral"),
        ("2019-06-27", "Referred to the House Committee on Foreign Affairs.", "IntroReferral"),
        ("2019-12-18", "Ordered to be Reported by Unanimous Consent.", "Committee"),
    )
    assert derive_stage(actions, 116, today=date(2020, 6, 1)).stage == "reported"
    ended = derive_stage(actions, 116, today=date(2021, 1, 3))
    assert (ended.stage, ended.furthest) == ("ended", "reported")
    assert ended.label == "Ended with its Congress (furthest: reported by committee)"
    assert congress_end(119) == date(2027, 1, 3)


def test_latest_action_text_alone_would_mislead():
    """A trailing procedural action does not hide that the bill already passed the House."""
    actions = seq(
        ("2025-09-11", "Referred to the House Committee on Foreign Affairs.", "IntroReferral"),
        ("2026-03-02", "Passed/agreed to in House: On passage Passed by voice vote.", "Floor"),
        ("2026-03-02", "Motion to reconsider laid on the table Agreed to without objection.", "Floor"),
        (
            "2026-03-03",
            "Received in the Senate and Read twice and referred to the Committee on Foreign Relations.",
            "IntroReferral",
        ),
    )
    assert derive_stage(actions, 119, today=date(2026, 11, 27)).stage == "passed_house"


def test_ping_pong_bill_reaches_president():
    """House passes, Senate amends, House concurs with an amendment, Senate concurs: passed both, then President."""
    actions = seq(
        ("2025-02-01", "Referred to the House Committee on Foreign Affairs.", "IntroReferral"),
        ("2025-03-01", "Passed/agreed to in House: On passage Passed by the Yeas and Nays: 300 - 120.", "Floor"),
        ("2025-04-01", "Passed Senate with an amendment by Unanimous Consent.", "Floor"),
        (
            "2025-05-01",
            "Resolving differences -- House actions: On motion that the House agree with an amendment to the Senate amendment Agreed to by voice vote.",
            "ResolvingDifferences",
        ),
        (
            "2025-06-01",
            "Resolving differences -- Senate actions: Senate agreed to the House amendment to the Senate amendment by Unanimous Consent.",
            "ResolvingDifferences",
        ),
    )
    assert derive_stage(actions, 119, today=date(2025, 6, 2)).stage == "passed_both"
    actions += seq(("2025-06-05", "Presented to President.", "Floor"))
    assert derive_stage(actions, 119, today=date(2025, 6, 6)).stage == "to_president"


def test_vetoed_bill_and_override():
    """A veto is shown as vetoed (also after the Congress ends); an override that becomes law is law."""
    base = seq(
        ("2025-02-01", "Passed/agreed to in House: On passage Passed by recorded vote.", "Floor"),
        ("2025-03-01", "Passed/agreed to in Senate: Passed Senate without amendment by Voice Vote.", "Floor"),
        ("2025-03-05", "Presented to President.", "Floor"),
        ("2025-03-15", "Vetoed by President.", "Veto"),
    )
    vetoed = derive_stage(base, 119, today=date(2027, 6, 1))
    assert (vetoed.stage, vetoed.furthest) == ("vetoed", "to_president")
    overridden = base + seq(
        (
            "2025-04-01",
            "Passed House over veto: On passage, the objections of the President notwithstanding Passed.",
            "Veto",
        ),
        ("2025-04-10", "Became Public Law No: 119-99.", "BecameLaw"),
    )
    assert derive_stage(overridden, 119, today=date(2027, 6, 1)).stage == "law_over_veto"


def test_failed_floor_vote_and_cloture():
    """A failed suspension vote or cloture not invoked gives 'failed'; a later passage moves it on."""
    failed = seq(
        ("2025-02-01", "Referred to the House Committee on Foreign Affairs.", "IntroReferral"),
        (
            "2025-05-01",
            "On motion to suspend the rules and pass the bill Failed by the Yeas and Nays: 200 - 210.",
            "Floor",
        ),
    )
    result = derive_stage(failed, 119, today=date(2025, 6, 1))
    assert (result.stage, result.furthest) == ("failed", "in_committee")
    cloture = seq(
        (
            "2025-07-01",
            "Cloture on the motion to proceed to the measure not invoked in Senate by Yea-Nay Vote.",
            "Floor",
        )
    )
    assert derive_stage(cloture, 119, today=date(2025, 7, 2)).stage == "failed"
    later = failed + seq(("2025-06-01", "Passed/agreed to in House: On passage Passed by voice vote.", "Floor"))
    assert derive_stage(later, 119, today=date(2025, 6, 2)).stage == "passed_house"


def test_no_actions_is_introduced():
    """A bill with no actions yet is 'introduced'."""
    assert derive_stage([], 119, today=date(2025, 1, 10)).stage == "introduced"


def test_veto_stands_through_later_referrals_and_failed_override():
    """After a veto, the referral of the veto message or a failed override does not undo "vetoed"."""
    vetoed = seq(
        ("2025-02-01", "Passed/agreed to in House: On passage Passed by recorded vote.", "Floor"),
        ("2025-03-01", "Passed/agreed to in Senate: Passed Senate without amendment by Voice Vote.", "Floor"),
        ("2025-03-05", "Presented to President.", "Floor"),
        ("2025-03-15", "Vetoed by President.", "Veto"),
        ("2025-03-20", "The veto message and the bill were referred to the Committee on Foreign Affairs.", "Veto"),
    )
    assert derive_stage(vetoed, 119, today=date(2025, 4, 1)).stage == "vetoed"
    failed_override = vetoed + seq(
        ("2025-04-02", "Failed of passage in House over veto by the Yeas and Nays: 250 - 180.", "Veto")
    )
    assert derive_stage(failed_override, 119, today=date(2025, 4, 3)).stage == "vetoed"


def test_senate_rule_xiv_calendar_placement_is_not_a_report():
    """A bill placed on the Senate calendar without committee (Rule XIV) has not been reported."""
    actions = seq(
        ("2025-05-01", "Introduced in Senate", "IntroReferral"),
        (
            "2025-05-01",
            "Read the first time. Placed on Senate Legislative Calendar under Read the First Time.",
            "Calendars",
        ),
        (
            "2025-05-02",
            "Read the second time. Placed on Senate Legislative Calendar under General Orders. Calendar No. 80.",
            "Calendars",
        ),
    )
    assert derive_stage(actions, 119, today=date(2025, 5, 3)).stage == "introduced"


def test_enactment_by_every_route():
    """Signed, over a veto (both chambers override) and without signature (the ten-day rule: the wording GPO
    and GovTrack's parser use, "Sent to Archivist of the United States unsigned.") are told apart; a pocket veto
    and a failed override leave the bill vetoed."""
    base = seq(
        ("2025-02-01", "Passed/agreed to in House: On passage Passed by recorded vote.", "Floor"),
        ("2025-03-01", "Passed/agreed to in Senate: Passed Senate without amendment by Voice Vote.", "Floor"),
        ("2025-03-05", "Presented to President.", "Floor"),
    )
    today = date(2026, 6, 1)
    assert derive_stage(base, 119, today).stage == "to_president"
    signed = base + seq(("2025-03-10", "Signed by President.", "President"))
    assert derive_stage(signed, 119, today).stage == "became_law"
    unsigned = base + seq(("2025-03-17", "Sent to Archivist of the United States unsigned.", "President"))
    result = derive_stage(unsigned, 119, today)
    assert (result.stage, result.label) == ("law_without_signature", "Became law without signature")
    vetoed = base + seq(("2025-03-12", "Vetoed by President.", "Veto"))
    override = vetoed + seq(
        (
            "2025-04-01",
            "Passed House over veto: On passage, the objections of the President to the contrary "
            "notwithstanding Passed by the Yeas and Nays: (2/3 required): 310 - 100.",
            "Veto",
        ),
    )
    assert derive_stage(override, 119, today).stage == "vetoed"  # one chamber is not enough
    both = override + seq(("2025-04-09", "Passed Senate over veto by Yea-Nay Vote. 75 - 20.", "Veto"))
    assert derive_stage(both, 119, today).stage == "law_over_veto"
    failed = vetoed + seq(
        ("2025-04-01", "Failed of passage in House over veto by the Yeas and Nays: 250 - 180.", "Veto")
    )
    assert derive_stage(failed, 119, today).stage == "vetoed"
    pocket = base + seq(("2025-03-20", "Pocket Vetoed by President.", "Veto"))
    assert (derive_stage(pocket, 119, today).stage, derive_stage(pocket, 121, date(2031, 6, 1)).stage) == (
        "vetoed",
        "vetoed",
    )


def test_second_chamber_amending_is_ping_pong_not_passed_both():
    """House passes, the Senate passes it with an amendment: amendment exchange until the House agrees."""
    actions = seq(
        ("2025-02-01", "Passed/agreed to in House: On passage Passed by voice vote.", "Floor"),
        ("2025-03-01", "Passed/agreed to in Senate: Passed Senate with an amendment by Unanimous Consent.", "Floor"),
    )
    today = date(2026, 6, 1)
    assert derive_stage(actions, 119, today).stage == "amendment_exchange"
    agreed = actions + seq(
        (
            "2025-03-10",
            "Resolving differences -- House actions: On motion that the House agree to the Senate "
            "amendment Agreed to by voice vote.",
            "ResolvingDifferences",
        ),
    )
    assert derive_stage(agreed, 119, today).stage == "passed_both"


def test_veto_override_of_hr6331_110th():
    """H.R. 6331 (110th, Medicare Improvements for Patients and Providers Act of 2008), in its recorded wording
    (unitedstates/congress test/fixtures/bills/hr6331-110, from THOMAS): vetoed, overridden by the House
    ("Two-thirds of the Members present...") then the Senate, Public Law 110-275."""
    actions = seq(
        ("2008-07-10", "Presented to President.", "President"),
        ("2008-07-15", "Vetoed by President.", "Veto"),
        ("2008-07-15", "The Chair laid before the House the veto message from the President.", "Veto"),
        (
            "2008-07-15",
            "Two-thirds of the Members present having voted in the affirmative the bill is passed, Passed by the "
            "Yeas and Nays: (2/3 required): 383 - 41 (Roll no. 491).",
            "Veto",
        ),
        ("2008-07-15", "Veto message received in Senate. Ordered held at the desk.", "Veto"),
        ("2008-07-15", "Passed Senate over veto by Yea-Nay Vote. 70 - 26. Record Vote Number: 177.", "Veto"),
        ("2008-07-15", "Became Public Law No: 110-275.", "BecameLaw"),
    )
    during = date(2008, 7, 16)
    assert derive_stage(actions[:4], 110, during).stage == "vetoed"
    assert derive_stage(actions[:6], 110, during).stage == "law_over_veto"
    result = derive_stage(actions, 110, date(2026, 6, 1))
    assert (result.stage, result.label) == ("law_over_veto", "Became law over a veto")
