"""Benchmark: letters to every current member (535+) for the demo campaign with 150 endorsing cities.

In the same run: the app's batch (long-lived worker processes, one per core; parsed CSS and fonts reused; the
shared list of undersigned cities laid out once per worker; PDFs, merged PDF and ZIP streamed to disk) and a naive
baseline (one process, `HTML(string=...).write_pdf()` per letter with the stylesheet given as a string each
time, as a plain Flask view would). Prints letters/s for both, their ratio, peak memory per process, and the time
of single-letter PDF previews after the batch (the first one included).

    .venv/bin/python benchmarks/letters.py [--naive-letters 150] [--workers N] [--sqlite-wal]

Members come from ../shared/data/congress-legislators/legislators-current.yaml through `flask members import`
when present; otherwise 535 synthetic members are made.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.extensions import db  # noqa: E402

ROSTER = Path(__file__).resolve().parents[2] / "shared" / "data" / "congress-legislators" / "legislators-current.yaml"
BASELINE = "import pikepdf, merge; print(merge.peak_kib())"  # run in advocacy/letters: the merge process's imports
STATES = ["CA", "TX", "NY", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "MA", "TN"]


def _members(app) -> str:
    from advocacy.models import Member

    if ROSTER.exists():
        result = app.test_cli_runner().invoke(args=["members", "import", str(ROSTER)])
        if result.exit_code == 0:
            with app.app_context():
                count = db.session.scalar(select(func.count(Member.bioguide_id)).where(Member.is_current.is_(True)))
            if count >= 500:
                return f"{count} current members imported from {ROSTER.name}"
    with app.app_context():
        for i in range(535):
            senate = i < 100
            state = STATES[i % len(STATES)]
            bioguide = f"X{i:06d}"
            if db.session.get(Member, bioguide) is None:
                db.session.add(
                    Member(bioguide_id=bioguide, first_name="Pat", last_name=f"Member{i}", state=state,
                           chamber="senate" if senate else "house", district=None if senate else 1 + i % 30,
                           office=f"{100 + i} Rayburn House Office Building", is_current=True, source="bench")
                )  # fmt: skip
        db.session.commit()
        count = db.session.scalar(select(func.count(Member.bioguide_id)).where(Member.is_current.is_(True)))
    return f"{count} current members (synthetic)"


def _cities(app, count: int) -> None:
    from advocacy.models import Campaign, City, CityDistrict, Endorsement

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
        have = db.session.scalar(  # the demo's sample endorsements are left out of letters: not counted
            select(func.count(Endorsement.id)).where(
                Endorsement.status == "verified", Endorsement.source_note.is_(None)
            )
        )
        for i in range(count - have):
            state = STATES[i % len(STATES)]
            city = City(name=f"Benchmark City {i:03d}", state=state, population=10_000 + 37 * i)
            city.districts = [CityDistrict(state=state, district=1 + i % 12, source="manual")]
            db.session.add(city)
            db.session.add(
                Endorsement(
                    campaign=campaign,
                    city=city,
                    status="verified",
                    signer_name=f"Mayor Number {i:03d}",
                    signer_title="Mayor",
                )  # fmt: skip
            )
        db.session.commit()


def _peak_per_worker(pool) -> dict[int, int]:
    """Peak memory of the batch workers (jobs on the pool itself: `pool.call` would ask the interactive pool)."""
    from advocacy.jobs import _run, worker_peak_memory

    peaks: dict[int, int] = {}
    futures = [pool.executor.submit(_run, worker_peak_memory, ()) for _ in range(pool.workers * 6)]
    for future in futures:
        pid, kib = future.result(timeout=30)
        peaks[pid] = max(kib, peaks.get(pid, 0))
    return peaks


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """(own, waited-for children's) CPU seconds of a process, from /proc: load-independent, unlike wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--naive-letters", type=int, default=150, help="letters rendered by the naive baseline")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sqlite-wal", action="store_true",
                        help="put the benchmark's SQLite database in WAL mode (the app leaves SQLite's default)")  # fmt: skip
    options = parser.parse_args()

    from advocacy.jobs import local_pool
    from advocacy.letters.context import build_context  # noqa: F401 (import cost outside the timings)
    from advocacy.letters.render import CSS_PATH, letter_html
    from advocacy.letters.services import create_batch, start_batch
    from advocacy.letters.tasks import (
        MERGE_SCRIPT,
        batch_dir,
        load_spec,
        merge_letters,
        merge_plan,
        merged_name,
        preview_html,
        preview_pdf,
    )
    from advocacy.models import Campaign, LetterBatch, LetterTemplate

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            "testing",
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3", "INSTANCE_PATH": tmp,
             "JOBS_WORKERS": options.workers, "LETTER_TIMEOUT": 60.0},
        )  # fmt: skip
        with app.app_context():
            if options.sqlite_wal:  # kept in the database file: the workers' connections use it too
                db.session.execute(text("PRAGMA journal_mode=WAL"))
                db.session.commit()
            upgrade()
            from advocacy.demo.services import load_demo

            load_demo()
            db.session.commit()
        print(_members(app))
        _cities(app, 150)

        with app.app_context():
            template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == "city-diplomacy-sign-on"))
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
            pool = local_pool()
            # Warm the workers (start-up, fonts, CSS) with a small batch, as a running app would be.
            warm = create_batch(template, campaign, "committee:HSFA", actor="bench", letter_date=date(2026, 11, 27))
            db.session.commit()
            start_batch(warm, pool)
            db.session.commit()
            while not db.session.get(LetterBatch, warm.id).is_finished:
                db.session.expire_all()
                time.sleep(0.05)
            warm_peaks = _peak_per_worker(pool)
            # A running app has shown previews before: start the interactive pool (an HTML preview, which lays out
            # no PDF), so that the first PDF preview after the batch shows what its signatories pages cost.
            warm_spec = load_spec(warm.id)
            warm_first = next(iter(warm_spec["letters"].values()))["members"]
            for _ in range(4):
                pool.call(preview_html, warm_spec["template"], warm_spec["shared"], warm_first, timeout=60)

            batch = create_batch(template, campaign, "all", actor="bench", letter_date=date(2026, 11, 27))
            db.session.commit()
            batch_id, total = batch.id, batch.total
            cpu_before = {pid: _cpu_seconds(pid) for pid in warm_peaks}
            started = time.perf_counter()
            start_batch(batch, pool)
            db.session.commit()
            settled_at = None
            while True:
                db.session.expire_all()
                batch = db.session.get(LetterBatch, batch_id)
                if batch.is_finished:
                    break
                if settled_at is None and batch.settled >= batch.total:
                    settled_at = time.perf_counter()
                time.sleep(0.02)
            batch_seconds = time.perf_counter() - started
            finishing = time.perf_counter() - (settled_at or time.perf_counter())
            print(f"batch: {total} letters ({batch.done} done, {batch.failed} failed, {batch.merged_pages} pages) "
                  f"with {pool.workers} workers in {batch_seconds:.1f} s, including merged PDF and ZIP "
                  f"(the finishing step after the last letter: {finishing:.1f} s)")  # fmt: skip
            cpu_after = {pid: _cpu_seconds(pid) for pid in cpu_before}
            peaks = _peak_per_worker(pool)
            # The merged PDF is written by a slim process of its own (pikepdf only): do it again the same way,
            # for that process's peak memory and to check that a second generation gives the same bytes.
            merge = merge_letters(merge_plan(batch, Path(tmp) / "merged-again.pdf"))
            same = (Path(tmp) / "merged-again.pdf").read_bytes() == (
                batch_dir(batch_id) / merged_name(batch_id)
            ).read_bytes()
            baseline = subprocess.run(
                [sys.executable, "-c", BASELINE], capture_output=True, text=True, check=True, cwd=MERGE_SCRIPT.parent
            )

            timings = []
            spec = load_spec(batch_id)
            first = next(iter(spec["letters"].values()))["members"]
            for _ in range(7):
                t0 = time.perf_counter()
                result = pool.call(preview_pdf, spec["template"], spec["shared"], first, timeout=10)
                timings.append(time.perf_counter() - t0)
                assert "pdf" in result, result

            # Naive baseline: one process, a fresh HTML + CSS string and write_pdf() per letter.
            from weasyprint import CSS, HTML

            css_text = CSS_PATH.read_text()
            items = list(spec["letters"].values())[: options.naive_letters]
            htmls = [letter_html(spec["template"], spec["shared"], item["members"]) for item in items]
            t0 = time.perf_counter()
            for html in htmls:
                HTML(string=html).write_pdf(stylesheets=[CSS(string=css_text)])
            naive_seconds = time.perf_counter() - t0

        pool.shutdown()

    batch_rate = total / batch_seconds
    naive_rate = len(htmls) / naive_seconds
    own_cpu = [cpu_after[pid][0] - cpu_before[pid][0] for pid in cpu_before]
    child_cpu = sum(cpu_after[pid][1] - cpu_before[pid][1] for pid in cpu_before)
    print(f"CPU of the batch workers: {sum(own_cpu):.1f} s ({', '.join(f'{c:.1f}' for c in own_cpu)}), "
          f"{sum(own_cpu) / total * 1000:.0f} ms per letter; merged-PDF process: {child_cpu:.1f} s")  # fmt: skip
    print(f"SQLite journal: {'WAL' if options.sqlite_wal else 'default (rollback journal)'}")
    print(f"naive baseline: {len(htmls)} letters in {naive_seconds:.1f} s (one process)")
    print(f"letters/s  batch: {batch_rate:.1f}   naive: {naive_rate:.1f}   ratio: {batch_rate / naive_rate:.2f}x")
    print("peak memory per worker (MiB) after 5 letters -> after the batch: "
          + ", ".join(f"{pid}: {warm_peaks.get(pid, 0) / 1024:.0f} -> {kib / 1024:.0f}" for pid, kib in peaks.items()))  # fmt: skip
    print(f"merged PDF process (python -I advocacy/letters/merge.py, pikepdf only): {merge['pages']} pages, peak "
          f"{merge['peak_kib'] / 1024:.0f} MiB (its imports alone: {int(baseline.stdout) / 1024:.0f} MiB); "
          f"second generation byte-identical: {same}")  # fmt: skip
    print(f"peak memory of this process (naive baseline and coordinator): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")  # fmt: skip
    print(f"single-letter PDF preview after the batch: first {timings[0] * 1000:.0f} ms, then median "
          f"{statistics.median(timings[1:]) * 1000:.0f} ms, max {max(timings[1:]) * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
