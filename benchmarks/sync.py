"""Benchmark: syncing 200 tracked bills against a local fake Congress.gov with 20 ms latency per request.

Prints requests and wall time for a first sync and a re-sync with nothing changed, concurrently (the app's
default) and one bill at a time (the baseline), all measured in this run. Targets: the re-sync makes at most
one request per bill; the concurrent first sync is at least 3x faster than the sequential one.

    .venv/bin/python benchmarks/sync.py [--bills 200] [--latency 0.02] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.bills.sync import sync_many  # noqa: E402
from advocacy.congress.citations import Citation  # noqa: E402
from advocacy.congress.client import CongressClient  # noqa: E402
from tests.congress_fake import FAKE_API_KEY, FakeCongressServer  # noqa: E402


def populate(server: FakeCongressServer, count: int) -> list[Citation]:
    citations = []
    for n in range(1, count + 1):
        record = server.add_bill(119, "hr", 1000 + n, title=f"Benchmark bill {n}")
        record["actions"] = [
            {"actionDate": "2025-01-09", "text": "Introduced in House", "type": "IntroReferral"},
            {
                "actionDate": "2025-01-09",
                "text": "Referred to the House Committee on Foreign Affairs.",
                "type": "IntroReferral",
            },
        ]
        record["cosponsors"] = [
            {
                "bioguideId": f"B{(n + i) % 400:06d}",
                "fullName": f"Rep. Member {i}",
                "firstName": "Member",
                "lastName": str(i),
                "party": "D",
                "state": "CA",
                "district": 1,
                "sponsorshipDate": "2025-01-10",
                "isOriginalCosponsor": True,
                "sponsorshipWithdrawnDate": None,
            }
            for i in range(5)
        ]
        record["committees"] = [
            {
                "name": "Foreign Affairs Committee",
                "systemCode": "hsfa00",
                "chamber": "House",
                "type": "Standing",
                "activities": [{"name": "Referred to", "date": "2025-01-09T15:00:00Z"}],
            }
        ]
        record["titles"] = [{"title": f"Benchmark bill {n}", "titleType": "Display Title"}]
        citations.append(Citation(119, "hr", 1000 + n))
    return citations


def run(label: str, server: FakeCongressServer, citations: list[Citation], concurrency: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "INSTANCE_PATH": tmp,
                "CONGRESS_REQUESTS_PER_HOUR": 100_000,
            },
        )
        app.extensions["congress_client_factory"] = lambda: CongressClient(server.url, FAKE_API_KEY, timeout=10)
        with app.app_context():
            upgrade()
        server.requests.clear()
        start = time.perf_counter()
        first = sync_many(app, citations, create=True, concurrency=concurrency)
        first_time = time.perf_counter() - start
        first_requests = len(server.requests)
        server.requests.clear()
        start = time.perf_counter()
        again = sync_many(app, citations, concurrency=concurrency)
        again_time = time.perf_counter() - start
        again_requests = len(server.requests)
        failed = [r.line() for r in first + again if r.status == "failed"]
        with app.app_context():
            from advocacy.extensions import db

            db.engine.dispose()
    if failed:
        raise SystemExit(f"{label}: {len(failed)} failures, e.g. {failed[0]}")
    row = dict(
        label=label,
        first_time=first_time,
        first_requests=first_requests,
        again_time=again_time,
        again_requests=again_requests,
    )
    print(
        f"{label:<28} first sync {first_time:6.2f} s, {first_requests:5d} requests | "
        f"re-sync {again_time:5.2f} s, {again_requests:4d} requests"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with FakeCongressServer() as server:
        server.latency = args.latency
        citations = populate(server, args.bills)
        print(f"{args.bills} bills, {args.latency * 1000:.0f} ms latency per request")
        concurrent = run(f"concurrent ({args.concurrency} at a time)", server, citations, args.concurrency)
        sequential = run("sequential baseline", server, citations, 1)
    ratio = sequential["first_time"] / concurrent["first_time"]
    per_bill = concurrent["again_requests"] / args.bills
    print(f"first sync speed-up: {ratio:.1f}x (target >= 3x); re-sync requests per bill: {per_bill:.2f} (target <= 1)")
    ok = ratio >= 3 and per_bill <= 1
    print("targets met" if ok else "TARGETS MISSED")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
