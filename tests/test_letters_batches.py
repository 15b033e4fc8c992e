"""Letter batches end to end: real PDFs read back with pypdf, through the CLI and the services."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.letters.tasks import batch_dir, merged_name, zip_name
from advocacy.models import City, CityDistrict, Endorsement, Letter, LetterBatch, Member
from tests.letters_fixtures import add_endorsement, pdf_pages, run_batch, wait_for_batch


def _letters(app, batch_id: int) -> list[Letter]:
    with app.app_context():
        letters = db.session.scalars(select(Letter).where(Letter.batch_id == batch_id).order_by(Letter.position)).all()
        db.session.expunge_all()
        return letters


def _pdf(app, batch_id: int, letter: Letter) -> bytes:
    with app.app_context():
        return (batch_dir(batch_id) / "letters" / letter.filename).read_bytes()


def test_cli_generates_committee_letters_with_addressees_salutations_and_manifest(letters_app, runner, demo, tmp_path):
    """`letters generate --to committee:HSFA` writes one PDF per member, a merged PDF and a ZIP with hashes."""
    out = tmp_path / "out"
    result = runner.invoke(
        args=[
            "letters", "generate", "--template", "city-diplomacy-sign-on", "--campaign", "city-state-diplomacy",
            "--to", "committee:HSFA", "--out", str(out), "--date", "2026-11-27",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.glob("0*.pdf"))
    assert files == [
        "001-Rep-Brian-J-Mast-FL-21.pdf",
        "002-Rep-Joe-Wilson-SC-2.pdf",
        "003-Rep-Gregory-W-Meeks-NY-5.pdf",
        "004-Rep-Joaquin-Castro-TX-20.pdf",
        "005-Rep-Ted-Lieu-CA-36.pdf",
    ]
    mast = "\n".join(pdf_pages((out / files[0]).read_bytes()))
    assert "The Honorable Brian J. Mast\nChair, Committee on Foreign Affairs\nU.S. House of Representatives" in mast
    assert "2182 Rayburn House Office Building\nWashington, DC 20515" in mast
    assert "Dear Chair Mast:" in mast
    assert "November 27, 2026" in mast
    lieu = "\n".join(pdf_pages((out / files[4]).read_bytes()))
    assert "Dear Representative Lieu:" in lieu
    meeks = "\n".join(pdf_pages((out / files[2]).read_bytes()))
    assert "Ranking Member, Committee on Foreign Affairs" in meeks and "Dear Ranking Member Meeks:" in meeks

    batch_id = int(re.search(r"Batch (\d+)", result.output).group(1))
    with zipfile.ZipFile(out / zip_name(batch_id)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
        assert [r["bioguide_id"] for r in rows] == ["M001199", "W000795", "M001137", "C001091", "L000582"]
        for row in rows:
            data = archive.read(f"letters/{row['file']}")
            assert hashlib.sha256(data).hexdigest() == row["sha256"]
            assert data == (out / row["file"]).read_bytes()
            assert len(pdf_pages(data)) == int(row["pages"])
    merged = pdf_pages((out / merged_name(batch_id)).read_bytes())
    assert len(merged) == sum(int(r["pages"]) for r in rows)
    assert "Dear Chair Mast:" in merged[0]


def test_per_member_letter_names_five_local_cities_and_lists_every_signatory_once(letters_app, endorsed):
    """Lieu's letter counts his district's 12 endorsing cities and names the five largest; the signatories section
    lists every city once with its signer's title, grouped by state name; no sample endorsement appears."""
    with letters_app.app_context():
        for i in range(1, 13):
            add_endorsement(f"Testburg {i:02d}", "CA", f"Signer {i:02d}", "Mayor", districts=[36], population=1000 * i)
        db.session.commit()
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "member:L000582")
    (letter,) = _letters(letters_app, batch_id)
    text = " ".join(" ".join(pdf_pages(_pdf(letters_app, batch_id, letter))).split())
    assert "12 cities in your district have endorsed, including Testburg 12, Testburg 11, Testburg 10, " \
           "Testburg 09, and Testburg 08." in text  # fmt: skip
    signatories = text[text.index("On behalf of the 18 undersigned cities", text.index("Sincerely")) :]
    for i in range(1, 13):
        assert signatories.count(f"Testburg {i:02d}") == 1
        assert text.count(f"Testburg {i:02d}") == (2 if i >= 8 else 1)
    assert "Jane Doe, Mayor, City of Chicago" in signatories
    assert "Sam Lee, Mayor of Austin" in signatories and "Pat Kim, City of Hartford" in signatories
    states = ["California", "Connecticut", "Illinois", "New York", "North Carolina", "South Carolina", "Texas"]
    assert [signatories.index(s) for s in states] == sorted(signatories.index(s) for s in states)  # by name
    assert "Sample Signer" not in text and "Los Angeles" not in text and "SAMPLE" not in text


def test_senator_letter_uses_senate_zip_and_state_cities(letters_app, endorsed):
    """A senator gets "Dear Senator Cornyn:", the Senate ZIP 20510, and the state's city counted in the singular."""
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "member:C001056")
    (letter,) = _letters(letters_app, batch_id)
    text = "\n".join(pdf_pages(_pdf(letters_app, batch_id, letter)))
    assert (
        "The Honorable John Cornyn\nUnited States Senate\n517 Hart Senate Office Building\nWashington, DC 20510" in text
    )
    assert "Dear Senator Cornyn:" in text
    flat = " ".join(text.split())
    assert "1 city in your state has endorsed: Austin. Its mayor's office signs below." in flat
    assert "On behalf of the 6 undersigned cities, representing" in flat


def test_joint_letter_to_committee_chair_and_ranking_member(letters_app, endorsed):
    """leaders:HSFA makes one joint letter with both addressee blocks and a joint salutation."""
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "leaders:HSFA")
    letters = _letters(letters_app, batch_id)
    assert len(letters) == 1
    assert letters[0].member_ids == ["M001199", "M001137"]
    text = "\n".join(pdf_pages(_pdf(letters_app, batch_id, letters[0])))
    assert "Dear Chair Mast and Ranking Member Meeks:" in text
    assert "The Honorable Brian J. Mast" in text and "The Honorable Gregory W. Meeks" in text
    assert "On behalf of the 6 undersigned cities" in text
    assert text.count("Washington, DC 20515") == 2
    flat = " ".join(text.split())
    assert "We ask the Committee on Foreign Affairs to hold a hearing on H.R. 5323 and to mark it up." in flat


def test_member_without_office_gets_correct_letter_and_warning(letters_app, demo):
    """A member with no office on file gets chamber and ZIP right; the manifest lists what was missing."""
    with letters_app.app_context():
        db.session.add(
            Member(bioguide_id="Z000001", first_name="Zoe", last_name="Zed", chamber="senate", state="VT",
                   party="Independent", is_current=True)
        )  # fmt: skip
        db.session.commit()
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "member:Z000001")
    (letter,) = _letters(letters_app, batch_id)
    text = "\n".join(pdf_pages(_pdf(letters_app, batch_id, letter)))
    assert "The Honorable Zoe Zed\nUnited States Senate\nWashington, DC 20510" in text
    assert "Dear Senator Zed:" in text
    assert letter.warnings == "missing office room and building"
    with letters_app.app_context(), zipfile.ZipFile(batch_dir(batch_id) / zip_name(batch_id)) as archive:
        (row,) = csv.DictReader(io.StringIO(archive.read("manifest.csv").decode()))
    assert row["warnings"] == "missing office room and building"


def _many_endorsers(app, count: int) -> None:
    from advocacy.models import Campaign

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        for i in range(count):
            state = ("OH", "PA", "WI", "MI")[i % 4]
            city = City(name=f"Testville {i:03d}", state=state, population=1000 + i)
            city.districts = [CityDistrict(state=state, district=1 + i % 5)]
            db.session.add(city)
            db.session.add(Endorsement(campaign=campaign, city=city, status="verified", signer_name=f"Mayor {i:03d}"))
        db.session.commit()


def test_long_city_list_numbers_pages_and_is_byte_identical(letters_app, demo):
    """With 60 more cities a letter runs to several pages numbered "Page X of Y"; same input, same bytes."""
    _many_endorsers(letters_app, 60)
    first = run_batch(letters_app, "city-diplomacy-sign-on", "member:L000582,M001169")
    second = run_batch(letters_app, "city-diplomacy-sign-on", "member:L000582,M001169")
    a, b = _letters(letters_app, first), _letters(letters_app, second)
    pages = pdf_pages(_pdf(letters_app, first, a[0]))
    assert len(pages) >= 2 and a[0].pages == len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
    assert "On behalf of the 60 undersigned cities" in "\n".join(pages)  # the demo's 5 samples are left out
    assert [x.sha256 for x in a] == [y.sha256 for y in b]
    assert _pdf(letters_app, first, a[1]) == _pdf(letters_app, second, b[1])
    # The signatories pages are the batch's shared part: the merged PDF holds each letter's pages in order, and
    # the shared part's objects once (smaller than the letters put together).
    assert a[0].own_pages is not None and a[0].own_pages < a[0].pages
    with letters_app.app_context():
        merged = (batch_dir(first) / merged_name(first)).read_bytes()
    letters = [_pdf(letters_app, first, x) for x in a]
    assert pdf_pages(merged) == [page for data in letters for page in pdf_pages(data)]
    assert len(merged) < sum(len(data) for data in letters) - 0.3 * len(letters[0])
    with letters_app.app_context():  # written by a separate process (pikepdf only), the same bytes every time
        assert merged == (batch_dir(second) / merged_name(second)).read_bytes()


def test_a_failing_letter_does_not_sink_the_batch(letters_app, demo, make_letter_template):
    """A letter whose template fails for one recipient is reported; the others are made and zipped."""
    slug = make_letter_template(
        slug="fails-for-meeks", body="Hello.\n\n{% if recipient.last_name == 'Meeks' %}{{ recipient.nope }}{% endif %}"
    )
    batch_id = run_batch(letters_app, slug, "committee:HSFA")
    letters = _letters(letters_app, batch_id)
    failed = [x for x in letters if x.status == "failed"]
    assert [x.member_id for x in failed] == ["M001137"]
    assert "unknown field 'nope'" in failed[0].error and "line 3" in failed[0].error
    with letters_app.app_context():
        batch = db.session.get(LetterBatch, batch_id)
        assert (batch.status, batch.done, batch.failed) == ("done", 4, 1)
        names = zipfile.ZipFile(batch_dir(batch_id) / zip_name(batch_id)).namelist()
    assert len([n for n in names if n.startswith("letters/")]) == 4


def test_hostile_template_fails_its_letter_within_the_time_limit(letters_app, demo, make_letter_template):
    """A template that loops for ever fails its letter with a clear message instead of hanging the batch."""
    slug = make_letter_template(
        slug="endless",
        body="{% if recipient.last_name == 'Lieu' %}{% for i in range(10000) %}{% for j in range(10000) %}"
        "{% endfor %}{% endfor %}{% endif %}Hello.",
    )
    letters_app.config["LETTER_TIMEOUT"] = 1.0
    batch_id = run_batch(letters_app, slug, "member:L000582,M001137")
    lieu, meeks = _letters(letters_app, batch_id)
    assert lieu.status == "failed" and "took too long" in lieu.error
    assert meeks.status == "done"


def test_cancelled_batch_stops_and_keeps_what_was_made(letters_app, demo, make_letter_template):
    """Cancelling a running batch marks the letters not yet started as cancelled and closes the batch."""
    from advocacy.letters.services import cancel_batch

    slug = make_letter_template(
        slug="slow", body="{% for i in range(3000) %}{% for j in range(300) %}{% endfor %}{% endfor %}Hello."
    )
    batch_id = run_batch(letters_app, slug, "committee:HSFA", wait=False)
    with letters_app.app_context():
        cancel_batch(db.session.get(LetterBatch, batch_id), actor="test")
    assert wait_for_batch(letters_app, batch_id) == "cancelled"
    letters = _letters(letters_app, batch_id)
    statuses = [x.status for x in letters]
    assert "cancelled" in statuses and set(statuses) <= {"cancelled", "done"}
    with letters_app.app_context():
        batch = db.session.get(LetterBatch, batch_id)
        assert batch.settled == batch.total == 5
        assert Path(batch_dir(batch_id) / zip_name(batch_id)).exists()


def _as_if_a_worker_is_finalising(app, batch_id: int) -> None:
    """Put a finished batch back to "finalizing" (settled == total) with its outputs not yet written."""
    with app.app_context():
        batch = db.session.get(LetterBatch, batch_id)
        batch.status, batch.finished_at = "finalizing", None
        assert batch.settled == batch.total
        db.session.commit()
        for name in (zip_name(batch_id), merged_name(batch_id)):
            (batch_dir(batch_id) / name).unlink()
        db.session.remove()


def test_cancelling_a_batch_being_finalised_is_refused(letters_app, demo):
    """A batch a worker is already finalising cannot be cancelled: no second finalisation, event or status change."""
    from advocacy.letters.services import LetterError, cancel_batch
    from advocacy.models import Event

    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "leaders:SSFR")
    _as_if_a_worker_is_finalising(letters_app, batch_id)
    with letters_app.app_context():
        with pytest.raises(LetterError, match="already being finished"):
            cancel_batch(db.session.get(LetterBatch, batch_id), actor="test")
        batch = db.session.get(LetterBatch, batch_id)
        assert batch.status == "finalizing" and batch.finished_at is None
        assert db.session.scalar(select(Event).where(Event.kind == "letter_batch.cancelled")) is None
        assert not (batch_dir(batch_id) / zip_name(batch_id)).exists()  # the worker, not the cancel, writes them
        assert [x.status for x in _letters(letters_app, batch_id)] == ["done"]


def test_merged_pdf_is_replaced_whole_or_not_at_all(letters_app, demo):
    """A merged PDF whose writing fails (a letter's file damaged) never replaces the one already there."""
    from advocacy.letters.tasks import write_outputs

    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "leaders:SSFR")
    with letters_app.app_context():
        merged = batch_dir(batch_id) / merged_name(batch_id)
        before = merged.read_bytes()
        last = _letters(letters_app, batch_id)[-1]
        (batch_dir(batch_id) / "letters" / last.filename).write_bytes(b"not a PDF")
        with pytest.raises(RuntimeError, match="PdfError: .*unable to find trailer"):
            write_outputs(db.session.get(LetterBatch, batch_id))
        assert merged.read_bytes() == before
        assert not merged.with_name(merged.name + ".part").exists()
        assert len(pdf_pages(before)) >= 1


def test_a_preview_after_a_batch_reuses_its_signatories_pages(letters_app, demo, monkeypatch):
    """The first PDF preview after a batch takes the batch's signatories pages (no second layout): same bytes."""
    from advocacy.letters import render
    from advocacy.letters.tasks import load_spec, preview_pdf

    _many_endorsers(letters_app, 60)
    batch_id = run_batch(letters_app, "city-diplomacy-sign-on", "member:L000582")
    (letter,) = _letters(letters_app, batch_id)
    render._APPENDICES.clear()
    render._SHARED_PDFS.clear()  # as in a fresh preview worker

    def no_layout(*args, **kwargs):
        raise AssertionError("the signatories pages were laid out again")

    monkeypatch.setattr(render, "_appendix", no_layout)
    with letters_app.app_context():
        spec = load_spec(batch_id)
        (item,) = spec["letters"].values()
        preview = preview_pdf(spec["template"], spec["shared"], item["members"])
    assert preview["pages"] == letter.pages
    assert preview["pdf"] == _pdf(letters_app, batch_id, letter)


def test_a_chunk_commits_each_letter_and_rolls_back_what_fails(letters_app, demo, monkeypatch):
    """Each letter's outcome is committed as it is made (checkpoint); an error in the finishing step rolls back
    only the finishing step: the letters stay done and the batch can be finished again."""
    from advocacy.letters import tasks
    from advocacy.letters.services import create_batch
    from advocacy.models import Campaign, LetterTemplate

    with letters_app.app_context():
        template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == "city-diplomacy-sign-on"))
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        batch = create_batch(template, campaign, "member:L000582,M001169", actor="test")
        batch.status = "running"
        db.session.commit()
        batch_id, ids = batch.id, [x.id for x in batch.letters]

    def broken(batch):
        batch.status, batch.error = "done", "half-written"
        db.session.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr(tasks, "_finish", broken)
    with letters_app.app_context(), pytest.raises(RuntimeError):
        tasks.run_chunk(batch_id, ids)
    with letters_app.app_context():
        letters = [db.session.get(Letter, x) for x in ids]
        assert [x.status for x in letters] == ["done", "done"]
        stored = db.session.get(LetterBatch, batch_id)
        assert (stored.done, stored.settled) == (2, 2)
        # the finishing step's claim was committed at once; what it wrote before failing was rolled back
        assert (stored.status, stored.error) == ("finalizing", None)
