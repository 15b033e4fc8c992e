"""Letters a Hill office can trust: the ask follows each recipient's standing on the bill, samples stay out unless
asked for, former members are refused, vacant seats are reported, committees get one letter at their own office.

Through the CLI and the Letters and campaign pages, with the PDFs read back (pypdf).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import Bill, Campaign, Cosponsorship, Letter, LetterBatch, RelatedBill
from tests.conftest import submit
from tests.imports_fixtures import SHARED_DATA
from tests.letters_fixtures import add_endorsement, pdf_pages, run_batch

LEGISLATORS = SHARED_DATA / "congress-legislators"


def _generate(runner, out: Path, *args: str):
    result = runner.invoke(
        args=[
            "letters", "generate", "--template", "city-diplomacy-sign-on", "--campaign", "city-state-diplomacy",
            "--out", str(out), "--date", "2026-11-27", *args,
        ]
    )  # fmt: skip
    return result


def _text(path: Path) -> str:
    """The PDF's text with whitespace collapsed (line breaks fall anywhere in a sentence)."""
    return " ".join(" ".join(pdf_pages(path.read_bytes())).split())


def _by_member(out: Path) -> dict[str, str]:
    batch = next(out.glob("batch-*-letters.zip"))
    with zipfile.ZipFile(batch) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    return {row["bioguide_id"]: row for row in rows}


def _h_r_5323(app) -> Bill:
    return db.session.scalar(select(Bill).where(Bill.congress == 119, Bill.bill_type == "hr", Bill.number == 5323))


COSPONSOR_ASK = re.compile(r"ask you to cosponsor (H\.R\.|S\.) \d+")


def test_cli_ask_follows_each_recipients_standing(letters_app, runner, endorsed, tmp_path):
    """Sponsor, original cosponsor, later cosponsor, withdrawn cosponsor, committee chair, a same-chamber
    non-cosponsor and a senator (no companion bill) each get the ask of their segment; the CLI and the manifest
    show the standing; nobody is asked to cosponsor a bill they back or a bill of the other chamber."""
    with letters_app.app_context():
        bill = _h_r_5323(letters_app)
        db.session.add_all(
            [  # Case joined later; Wilson joined and withdrew (dates made up for the test)
                Cosponsorship(bill=bill, member_id="C001055", sponsorship_date=date(2026, 3, 3), is_original=False),
                Cosponsorship(bill=bill, member_id="W000795", sponsorship_date=date(2026, 1, 5), is_original=False,
                              withdrawn_date=date(2026, 2, 9)),
            ]
        )  # fmt: skip
        db.session.commit()
    out = tmp_path / "out"
    ids = "L000582,M001137,C001055,W000795,M001199,W000812,C001056"
    result = _generate(runner, out, "--to", f"member:{ids}")
    assert result.exit_code == 0, result.output
    assert "Withdrew as cosponsor of H.R. 5323 on February 9, 2026" in result.output
    rows = _by_member(out)
    text = {bioguide: _text(out / row["file"]) for bioguide, row in rows.items()}

    assert "Thank you for introducing H.R. 5323. We ask you to help move it forward" in text["L000582"]
    assert "Thank you for cosponsoring H.R. 5323." in text["M001137"]
    assert "Thank you for cosponsoring H.R. 5323." in text["C001055"]
    assert "We ask you to rejoin the cosponsors of H.R. 5323." in text["W000795"]
    assert (
        "As Chair of the Committee on Foreign Affairs, you can move H.R. 5323: we ask you to hold a hearing"
        in (text["M001199"])
    )
    assert "We ask you to cosponsor H.R. 5323" in text["W000812"]
    assert "H.R. 5323 is before the House. We ask you to introduce a companion bill in the Senate" in text["C001056"]
    for bioguide in ("L000582", "M001137", "C001055", "W000795", "M001199", "C001056"):
        assert not COSPONSOR_ASK.search(text[bioguide]), bioguide
    assert rows["M001137"]["standing"].startswith("Original cosponsor of H.R. 5323 (September 11, 2025)")
    assert "Ranking Member, Committee on Foreign Affairs" in rows["M001137"]["standing"]
    assert rows["C001055"]["standing"].startswith("Cosponsor of H.R. 5323 since March 3, 2026")
    assert rows["C001056"]["ask"].startswith("H.R. 5323 is before the House.")
    for page_text in text.values():  # the RE line as a person writes it
        assert (
            "RE: Support for H.R. 5323, a bill to enhance subnational diplomacy efforts within the Department of State"
            in page_text
        )


def test_other_chamber_with_a_companion_is_asked_for_it_by_citation(letters_app, runner, endorsed, tmp_path):
    """With an identical Senate bill this Congress, a senator is asked to cosponsor it by its citation, and its
    sponsor is thanked for introducing it (never asked to cosponsor the House bill)."""
    with letters_app.app_context():
        # A hypothetical Senate companion (no such bill exists yet): sponsored by Murphy, related as Congress.gov
        # relates identical bills.
        db.session.add(Bill(congress=119, bill_type="s", number=2000, title="To enhance subnational diplomacy.",
                            sponsor_id="M001169", origin_chamber="Senate"))  # fmt: skip
        db.session.add(
            RelatedBill(bill=_h_r_5323(letters_app), related_congress=119, related_type="s", related_number=2000,
                        relationship_type="Identical bill", identified_by="CRS")
        )  # fmt: skip
        db.session.commit()
    out = tmp_path / "out"
    result = _generate(runner, out, "--to", "member:C001056,M001169")
    assert result.exit_code == 0, result.output
    rows = _by_member(out)
    cornyn, murphy = (_text(out / rows[b]["file"]) for b in ("C001056", "M001169"))
    assert "We ask you to cosponsor S. 2000, the Senate companion of H.R. 5323." in cornyn
    assert "Thank you for introducing S. 2000." in murphy
    assert not COSPONSOR_ASK.search(murphy)
    assert "companion: S. 2000" in rows["C001056"]["standing"]


def test_campaign_page_edits_the_ask_of_a_segment(letters_app, client, login_as, endorsed):
    """An advocate rewrites one segment's ask on the campaign page; its letters use it; a bad placeholder is refused."""
    login_as("advocate")
    url = "/campaigns/city-state-diplomacy/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Letter ask: Other members of the bill&#39;s chamber" in page and "{bill}" in page
    with letters_app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        form = {"name": campaign.name, "ask": campaign.ask, "description": campaign.description or "",
                "attestation": campaign.attestation}  # fmt: skip
    bad = submit(client, url, {**form, "ask_same_chamber": "Please cosponsor {bil}."})
    assert bad.status_code == 200 and "Unknown placeholder {bil}" in bad.get_data(as_text=True)
    good = submit(client, url, {**form, "ask_same_chamber": "Please add your name to {bill} this month."})
    assert good.status_code == 302
    with letters_app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        assert campaign.letter_asks == {"same_chamber": "Please add your name to {bill} this month."}
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "member:W000812,L000582")
    with letters_app.app_context():
        letters = db.session.scalars(select(Letter).where(Letter.batch_id == batch_id).order_by(Letter.position))
        asks = {letter.member_id: letter.ask for letter in letters}
    assert asks["W000812"] == "Please add your name to H.R. 5323 this month."
    assert asks["L000582"].startswith("Thank you for introducing H.R. 5323.")  # other segments keep the default


def test_samples_are_left_out_unless_asked_for_then_marked_on_every_page(letters_app, runner, endorsed, tmp_path):
    """By default the demo's sample endorsements neither appear nor count; with --include-samples every sample
    signer is marked and every page (including the shared signatories pages) says SAMPLE — NOT FOR SENDING."""
    with letters_app.app_context():
        for i in range(40):  # enough cities for the signatories to run onto pages of their own
            add_endorsement(f"Testville {i:02d}", "OH", f"Signer {i:02d}", "Mayor", districts=[1], population=500 + i)
        db.session.commit()
    plain, marked = tmp_path / "plain", tmp_path / "marked"
    assert _generate(runner, plain, "--to", "member:L000582").exit_code == 0
    result = _generate(runner, marked, "--to", "member:L000582", "--include-samples")
    assert result.exit_code == 0, result.output
    assert "SAMPLE — NOT FOR SENDING" in result.output
    text = _text(next(plain.glob("001-*.pdf")))
    assert "Sample Signer" not in text and "SAMPLE" not in text
    assert "On behalf of the 46 undersigned cities" in text
    assert "in your district have endorsed" not in text  # Lieu's only local cities are samples
    pages = pdf_pages(next(marked.glob("001-*.pdf")).read_bytes())
    assert len(pages) >= 2
    for page in pages:
        assert "SAMPLE — NOT FOR SENDING" in page
    flat = " ".join(" ".join(pages).split())
    assert "On behalf of the 51 undersigned cities" in flat
    assert "Sample Signer, Office of the Mayor (sample), City of Santa Monica (SAMPLE)" in flat
    assert "Jane Doe, Mayor, City of Chicago (SAMPLE)" not in flat
    with letters_app.app_context():
        batches = db.session.scalars(select(LetterBatch).order_by(LetterBatch.id)).all()
        assert [b.include_samples for b in batches] == [False, True]


def test_former_member_is_refused_with_a_clear_message(letters_app, runner, endorsed, tmp_path):
    """member: naming a former member (Perdue) makes no batch and says why."""
    result = _generate(runner, tmp_path / "out", "--to", "member:C001056,P000612")
    assert result.exit_code != 0
    assert "No longer a member of Congress: David Perdue (P000612)" in result.output
    with letters_app.app_context():
        assert db.session.scalar(select(LetterBatch.id)) is None


def test_whole_committee_letter_is_addressed_to_the_committee_at_its_office(letters_app, runner, endorsed, tmp_path):
    """committee:HSFA --joint is one letter to the chair and ranking member "and Members of the Committee" at the
    committee's own office, with one short salutation and the committee ask."""
    out = tmp_path / "out"
    result = _generate(runner, out, "--to", "committee:HSFA", "--joint")
    assert result.exit_code == 0, result.output
    (path,) = out.glob("001-*.pdf")
    assert path.name == "001-Committee-HSFA.pdf"
    first = pdf_pages(path.read_bytes())[0]
    assert (
        "The Honorable Brian J. Mast, Chair\nThe Honorable Gregory W. Meeks, Ranking Member\nand Members of the "
        "Committee\nCommittee on Foreign Affairs\nU.S. House of Representatives\n2170 Rayburn House Office Building\n"
        "Washington, DC 20515-6128"
    ) in first
    assert "Dear Chair Mast, Ranking Member Meeks, and Members of the Committee:" in first
    assert first.count("The Honorable") == 2  # not a block per member
    assert "We ask the Committee on Foreign Affairs to hold a hearing on H.R. 5323 and to mark it up." in " ".join(
        first.split()
    )
    assert "Sponsor of H.R. 5323" not in first  # the standing is for staff (preview, manifest), not the letter


def _import_roster(app) -> None:
    from advocacy.members.services import import_committees, import_members

    with app.app_context():
        import_members(str(LEGISLATORS / "legislators-current.yaml"))
        import_committees(
            str(LEGISLATORS / "committees-current.yaml"), str(LEGISLATORS / "committee-membership-current.yaml")
        )
        db.session.commit()


def test_subcommittee_title_line_names_the_subcommittee_and_its_parent(letters_app, runner, endorsed, tmp_path):
    """With the real committees imported, the Africa subcommittee's chair is written to as "Chair, Subcommittee on
    Africa, Committee on Foreign Affairs"."""
    _import_roster(letters_app)
    out = tmp_path / "out"
    result = _generate(runner, out, "--to", "committee:HSFA16")
    assert result.exit_code == 0, result.output
    chair = next(out.glob("001-*.pdf"))
    text = pdf_pages(chair.read_bytes())[0]
    assert "\nChair, Subcommittee on Africa, Committee on Foreign Affairs\nU.S. House of Representatives" in text
    assert "Dear Chair Smith:" in text


def test_batch_preview_page_shows_standing_ask_local_cities_and_vacant_seats(letters_app, client, login_as, endorsed):
    """Before generating, the Letters page previews each recipient's standing, the ask, local cities and warnings;
    a state selector over the real roster reports the vacant seat (CA-14); the preview makes no batch."""
    _import_roster(letters_app)
    login_as("advocate")
    data = {"template": "city-diplomacy-sign-on", "campaign": "city-state-diplomacy", "selector": "state:CA"}
    response = submit(client, "/letters/plan", data, form_url="/letters/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "CA-14 (House) is vacant" in page
    row = re.search(r"<tr><td>\d+</td><td>Ted Lieu \(CA-36\)</td>(.*?)</tr>", page).group(1)
    assert "Sponsor of H.R. 5323" in row and "Thank you for introducing H.R. 5323." in row
    padilla = re.search(r"<tr><td>\d+</td><td>Alex Padilla \(CA\)</td>(.*?)</tr>", page).group(1)
    assert "the other chamber (no companion bill)" in padilla and "introduce a companion bill" in padilla
    assert "0 cities" in padilla and "no endorsing city among those they represent" in padilla
    assert "Generate these letters" in page
    with letters_app.app_context():
        assert db.session.scalar(select(LetterBatch.id)) is None
    generated = submit(client, "/letters/generate", {**data, "selector": "member:L000582"}, form_url="/letters/")
    assert generated.status_code == 302
    batch_page = client.get(generated.headers["Location"]).get_data(as_text=True)
    assert "Sponsor of H.R. 5323" in batch_page and "Thank you for introducing H.R. 5323." in batch_page


def test_demo_load_brings_the_unedited_old_demo_template_up_to_date(letters_app, runner, demo):
    """An installation whose demo template still has the old wording (which asked everyone to cosponsor) gets the
    per-recipient ask on the next `demo load`, as a new version; an edited template is left alone."""
    from advocacy.demo.letter import DEMO_TEMPLATE, SUPERSEDED
    from advocacy.models import LetterTemplate

    with letters_app.app_context():
        template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == DEMO_TEMPLATE["slug"]))
        template.body, template.re_line, template.version = SUPERSEDED[0]["body"], SUPERSEDED[0]["re_line"], 3
        db.session.commit()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "1 letter templates updated" in result.output
    with letters_app.app_context():
        template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == DEMO_TEMPLATE["slug"]))
        assert template.body == DEMO_TEMPLATE["body"] and "{{ ask }}" in template.body
        assert template.version == 4
        template.body = "Our own words. {{ ask }}"
        db.session.commit()
    again = runner.invoke(args=["demo", "load"])
    assert "updated" not in again.output
    with letters_app.app_context():
        assert db.session.scalar(select(LetterTemplate.body).where(LetterTemplate.slug == DEMO_TEMPLATE["slug"])) == (
            "Our own words. {{ ask }}"
        )


def test_a_batch_without_verified_endorsements_says_the_letters_have_no_signatories(
    letters_app, demo, runner, tmp_path
):
    """Only the demo's samples are on file: the batch notes that nobody signs (the CLI prints it), and it offers
    the samples; with a verified endorsement the note is gone."""
    result = _generate(runner, tmp_path / "none", "--to", "member:L000582")
    assert result.exit_code == 0, result.output
    assert "No verified endorsement yet: these letters have no signatories" in result.output
    assert "include the sample ones" in result.output
    with letters_app.app_context():
        add_endorsement("Testville", "OH", "Pat Signer", "Mayor", districts=[1], population=500)
        db.session.commit()
    signed = _generate(runner, tmp_path / "signed", "--to", "member:L000582")
    assert signed.exit_code == 0, signed.output
    assert "No verified endorsement yet" not in signed.output
