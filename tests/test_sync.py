"""Tracking and syncing bills against the fake Congress.gov server on 127.0.0.1."""

import json
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from advocacy.bills.documents import bill_document
from advocacy.bills.errors import NotTracked
from advocacy.bills.queries import load_bill
from advocacy.bills.sync import sync_citation, sync_many
from advocacy.congress.citations import Citation
from advocacy.extensions import db
from advocacy.models import Bill, BillAction, Event
from tests.conftest import submit
from tests.congress_fake import wilson_cosponsor

HR3571 = Citation(116, "hr", 3571)
S1678 = Citation(116, "s", 1678)
HR5323 = Citation(119, "hr", 5323)


def _events(app, kind=None):
    with app.app_context():
        query = select(Event)
        if kind:
            query = query.where(Event.kind == kind)
        return [e.summary for e in db.session.scalars(query.order_by(Event.id))]


def _document(app, citation):
    with app.app_context():
        doc = bill_document(load_bill(citation.congress, citation.bill_type, citation.number))
    doc.pop("last_synced_at")
    doc.pop("sync_error")
    doc.pop("sync_error_kind")
    return doc


def test_cli_track_stores_bill_and_everything_on_it(congress_app, runner):
    """`bills track` fetches the bill with actions, cosponsors, committees, related bills and titles."""
    result = runner.invoke(args=["bills", "track", "H.R. 3571 (116th)"])
    assert result.exit_code == 0, result.output
    assert "H.R. 3571 (116th): created" in result.output
    doc = _document(congress_app, HR3571)
    assert doc["short_title"] == "City and State Diplomacy Act"
    assert doc["sponsor"]["bioguide_id"] == "L000582"
    assert [c["bioguide_id"] for c in doc["cosponsors"]] == ["W000795"]
    assert doc["committees"][0]["system_code"] == "hsfa00"
    assert doc["related_bills"] and doc["titles"]
    # The same action reported by two source systems is stored once.
    texts = [a["text"] for a in doc["actions"]]
    assert texts.count("Ordered to be Reported in the Nature of a Substitute (Amended) by Unanimous Consent.") == 1
    # The Library of Congress lists "Introduced in House" under its own code (1000) and as a copy of the
    # House's record (Intro-H): one action, both copies kept.
    assert texts.count("Introduced in House") == 1
    intro = next(a for a in doc["actions"] if a["text"] == "Introduced in House")
    assert sorted(c["code"] for c in intro["reported_as"]) == ["1000", "Intro-H"]
    assert doc["stage"]["code"] == "ended" and doc["stage"]["furthest"] == "reported"
    assert doc["data_source"] == "congress.gov"
    assert _events(congress_app, "bill.tracked")


def test_resync_with_nothing_changed_costs_one_request_and_no_events(congress_app, runner, congress_server):
    """A second sync with the same updateDate makes one request per bill, changes nothing, records no event."""
    for citation in ("116 hr 3571", "116 s 1678"):
        assert runner.invoke(args=["bills", "track", citation]).exit_code == 0
    before_doc = _document(congress_app, HR3571)
    before_events = _events(congress_app)
    congress_server.requests.clear()
    result = runner.invoke(args=["bills", "sync"])
    assert result.exit_code == 0, result.output
    assert "2 unchanged" in result.output and "2 requests" in result.output
    assert len(congress_server.requests) == 2
    assert _document(congress_app, HR3571) == before_doc
    assert _events(congress_app) == before_events
    # Even a forced full fetch of unchanged data records nothing new.
    forced = runner.invoke(args=["bills", "sync", "--force"])
    assert forced.exit_code == 0 and "2 unchanged" in forced.output
    assert _events(congress_app) == before_events


def test_sync_records_each_kind_of_change(congress_app, runner, congress_server):
    """New action, stage change, cosponsor added and withdrawn, new related bill each become one event."""
    assert runner.invoke(args=["bills", "track", "119 hr 5323"]).exit_code == 0
    record = congress_server.bills[(119, "hr", 5323)]
    record["bill"]["updateDate"] = "2026-11-20T10:00:00Z"
    record["actions"].insert(
        0,
        {
            "actionDate": "2026-11-19",
            "text": "Passed/agreed to in House: On passage Passed by voice vote.",
            "type": "Floor",
            "sourceSystem": {"code": 2, "name": "House floor actions"},
        },
    )
    record["cosponsors"].append(wilson_cosponsor())
    record["cosponsors"][0]["sponsorshipWithdrawnDate"] = "2026-11-19"
    record["relatedbills"].append(
        {
            "congress": 119,
            "number": 9999,
            "type": "S",
            "title": "A Senate companion",
            "latestAction": {"actionDate": "2026-11-01", "text": "Introduced"},
            "relationshipDetails": [{"type": "Identical bill", "identifiedBy": "CRS"}],
        }
    )
    result = runner.invoke(args=["bills", "sync", "H.R. 5323 (119th)"])
    assert result.exit_code == 0, result.output
    assert "updated" in result.output and "1 new action" in result.output
    assert len(_events(congress_app, "bill.action")) == 1
    assert _events(congress_app, "bill.stage") == ["Stage: In committee → Passed House"]
    assert _events(congress_app, "bill.cosponsor_added") == ["Cosponsor added: Rep. Wilson, Joe [R-SC-2]"]
    assert len(_events(congress_app, "bill.cosponsor_withdrawn")) == 1
    assert len(_events(congress_app, "bill.related")) == 1
    doc = _document(congress_app, HR5323)
    assert doc["stage"]["code"] == "passed_house"
    assert any(c["withdrawn_date"] == "2026-11-19" for c in doc["cosponsors"])


def test_cosponsors_members_are_read_in_one_query(congress_app, runner, congress_server, count_queries):
    """A sync reads the stored members of all cosponsors at once, not one SELECT per cosponsor."""
    record = congress_server.bills[(119, "hr", 5323)]
    for n in range(8):
        extra = wilson_cosponsor()
        extra.update(bioguideId=f"X{n:06d}", fullName=f"Rep. Extra, Member{n} [D-NY-{n + 1}]", lastName="Extra")
        record["cosponsors"].append(extra)
    with count_queries() as queries:
        assert runner.invoke(args=["bills", "track", "119 hr 5323"]).exit_code == 0
    by_id = [s for s in queries.statements if "FROM member" in s and "member.bioguide_id = " in s]
    assert len(by_id) <= 1, queries  # at most the sponsor's own lookup


def test_failed_sync_leaves_bill_exactly_as_it_was(congress_app, runner, congress_server):
    """A 500, invalid JSON or a timeout half-way leaves the bill unchanged, records the error, and others sync."""
    for citation in ("116 hr 3571", "116 s 1678"):
        assert runner.invoke(args=["bills", "track", citation]).exit_code == 0
    before = _document(congress_app, HR3571)
    record = congress_server.bills[(116, "hr", 3571)]
    record["bill"]["updateDate"] = "2026-11-20T10:00:00Z"
    record["actions"].insert(0, {"actionDate": "2026-11-19", "text": "Something new.", "type": "Floor"})
    congress_server.bills[(116, "s", 1678)]["bill"]["updateDate"] = "2026-11-20T10:00:00Z"
    for kind in ("500", "badjson", "slow"):
        congress_server.fail_next("/116/hr/3571/cosponsors", kind, times=5)
        result = runner.invoke(args=["bills", "sync"])
        assert result.exit_code == 1, result.output
        assert "H.R. 3571 (116th): FAILED" in result.output
        assert _document(congress_app, HR3571) == before
        with congress_app.app_context():
            bill = db.session.scalar(select(Bill).where(Bill.number == 3571))
            assert bill.sync_error
            assert bill.sync_error_kind == {"500": "outage", "slow": "outage", "badjson": "error"}[kind]
        congress_server.fail_next(None, "500", times=0)
        congress_server._faults.clear()
    assert "S. 1678 (116th)" in result.output and "S. 1678 (116th): FAILED" not in result.output
    ok = runner.invoke(args=["bills", "sync", "116 hr 3571"])
    assert ok.exit_code == 0 and "1 new action" in ok.output
    with congress_app.app_context():
        assert db.session.scalar(select(Bill.sync_error).where(Bill.number == 3571)) is None


def test_bad_api_key_says_how_to_get_one(congress_app, runner, congress_server):
    """A 403 from the API is reported with the way to get a key."""
    congress_server.fail_next(None, "403", times=1)
    result = runner.invoke(args=["bills", "track", "116 hr 3571"])
    assert result.exit_code == 1
    assert "api.congress.gov/sign-up" in result.output and "CONGRESS_API_KEY" in result.output


def test_unknown_bill_is_reported(congress_app, runner):
    """Tracking a bill Congress.gov does not have says so."""
    result = runner.invoke(args=["bills", "track", "116 hr 99999"])
    assert result.exit_code == 1 and "FAILED" in result.output
    assert "no such bill" in result.output.lower() or "not found" in result.output.lower()


def test_without_api_key_tracking_explains_how_to_enable(app, runner, client, login_as, demo):
    """With no key the CLI refuses with instructions, and the pages still show the stored demo bills."""
    result = runner.invoke(args=["bills", "track", "116 hr 3571"])
    assert result.exit_code != 0 and "CONGRESS_API_KEY" in result.output
    assert runner.invoke(args=["bills", "sync"]).exit_code != 0
    login_as("advocate")
    page = client.get("/bills/").get_data(as_text=True)
    assert "H.R. 5323 (119th)" in page and "CONGRESS_API_KEY" in page


def test_real_sync_overwrites_demo_bill(congress_app, runner, demo):
    """The first real sync of a demo bill replaces the demo facts (and their [M] notes) with the official record."""
    with congress_app.app_context():
        demo_actions = db.session.scalar(select(func.count(BillAction.id)).join(Bill).where(Bill.number == 3571))
    assert demo_actions == 4
    result = runner.invoke(args=["bills", "sync", "116 hr 3571"])
    assert result.exit_code == 0, result.output
    doc = _document(congress_app, HR3571)
    assert doc["data_source"] == "congress.gov" and doc["source_note"] is None
    assert all(a["source_note"] is None for a in doc["actions"])
    assert "Ordered to be Reported by Unanimous Consent." not in [a["text"] for a in doc["actions"]]


def test_show_json_prints_the_document(congress_app, runner):
    """`bills show --json` prints the stored bill with stage, actions, cosponsors, committees, related bills."""
    runner.invoke(args=["bills", "track", "116 s 1678"])
    result = runner.invoke(args=["bills", "show", "S. 1678", "--congress", "116", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["stage"]["code"] == "became_law"
    assert {"actions", "cosponsors", "committees", "related_bills", "stage"} <= doc.keys()
    missing = runner.invoke(args=["bills", "show", "116 hr 1"])
    assert missing.exit_code != 0 and "not stored" in missing.output


def test_concurrent_sync_of_many_bills(congress_app, congress_server):
    """Twelve bills synced four at a time all arrive, each with its own transaction."""
    citations = []
    for n in range(1, 13):
        congress_server.add_bill(119, "hr", 7000 + n, title=f"Bill {n}")
        congress_server.bills[(119, "hr", 7000 + n)]["actions"] = [
            {"actionDate": "2025-01-09", "text": "Introduced in House", "type": "IntroReferral"}
        ]
        citations.append(Citation(119, "hr", 7000 + n))
    with congress_app.app_context():
        results = sync_many(citations, concurrency=4, create=True)
    assert [r.status for r in results] == ["created"] * 12, [r.line() for r in results]
    with congress_app.app_context():
        assert db.session.scalar(select(func.count(Bill.id)).where(Bill.number > 7000)) == 12
        assert db.session.scalar(select(func.count(BillAction.id))) == 12
        again = sync_many(citations, concurrency=4)
    assert [r.status for r in again] == ["unchanged"] * 12 and sum(r.requests for r in again) == 12
    with congress_app.app_context():
        untracked = sync_many([Citation(119, "hr", 7999)], concurrency=4)
    assert untracked[0].status == "failed" and "not tracked" in (untracked[0].message or "")
    assert isinstance(untracked[0].error, NotTracked)


def test_request_budget_defers_bills(congress_app, runner, congress_server):
    """When the hourly request budget is used up, further bills are deferred, not sent."""
    congress_app.config["CONGRESS_REQUESTS_PER_HOUR"] = 8
    try:
        assert runner.invoke(args=["bills", "track", "116 hr 3571"]).exit_code == 0
        result = runner.invoke(args=["bills", "track", "116 s 1678"])
        assert "deferred" in result.output
    finally:
        congress_app.config.pop("CONGRESS_REQUESTS_PER_HOUR")


def _wait_for_job(client, job_id, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/bills/jobs/{job_id}").get_json()["status"]
        if status in ("finished", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_web_track_sync_and_roles(congress_jobs_app, client, login_as, auth, demo, congress_server):
    """An advocate tracks a bill with the form and syncs it in the background; bad input is explained;
    viewers cannot track."""
    app = congress_jobs_app
    login_as("viewer")
    assert client.post("/bills/track", data={"citation": "116 s 1678"}).status_code in (400, 403)
    auth.logout()
    login_as("advocate")
    bad = submit(
        client, "/bills/track", {"citation": "H.Q. 12", "campaign": ""}, form_url="/bills/", follow_redirects=True
    )
    assert "Could not track" in bad.get_data(as_text=True)
    response = submit(
        client,
        "/bills/track",
        {
            "citation": "https://www.congress.gov/bill/116th-congress/senate-bill/1678/text",
            "campaign": "city-state-diplomacy",
        },
        form_url="/bills/",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/bills/116/s/1678")
    page = client.get("/bills/116/s/1678").get_data(as_text=True)
    assert "Became law" in page and "Sync now" in page
    assert "Subnational Diplomacy" in page  # linked to the campaign
    record = congress_server.bills[(116, "s", 1678)]
    record["bill"]["updateDate"] = "2026-01-01T00:00:00Z"
    record["actions"].insert(0, {"actionDate": "2020-03-27", "text": "A later note.", "type": "Floor"})
    synced = submit(client, "/bills/116/s/1678/sync", {}, form_url="/bills/116/s/1678")
    assert synced.status_code == 302 and "?job=" in synced.headers["Location"]
    job_id = synced.headers["Location"].split("?job=")[1]
    assert _wait_for_job(client, job_id) == "finished"
    page = client.get("/bills/116/s/1678").get_data(as_text=True)
    assert "A later note." in page
    assert any("A later note." in e for e in _events(app, "bill.action"))


def test_sync_all_button_runs_in_the_background(congress_jobs_app, client, login_as, congress_server, runner):
    """The dashboard's "Sync all now" queues one job that syncs every tracked bill."""
    for citation in ("116 hr 3571", "116 s 1678"):
        assert runner.invoke(args=["bills", "track", citation]).exit_code == 0
    congress_server.bills[(116, "hr", 3571)]["bill"]["updateDate"] = "2026-02-02T00:00:00Z"
    congress_server.bills[(116, "hr", 3571)]["actions"].insert(
        0, {"actionDate": "2021-01-02", "text": "Last words.", "type": "Floor"}
    )
    login_as("advocate")
    assert "Sync all now" in client.get("/dashboard").get_data(as_text=True)
    response = submit(client, "/bills/sync-all", {}, form_url="/dashboard", follow_redirects=True)
    assert "started in the background" in response.get_data(as_text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _events(congress_jobs_app, "bill.action"):
        time.sleep(0.2)
    assert _events(congress_jobs_app, "bill.action") == ["New action (2021-01-02): Last words."]


def test_related_bill_suggested_for_campaign(congress_app, client, login_as, demo, congress_server, runner):
    """A related bill whose title matches a campaign bill is offered for the campaign and tracks in one click."""
    record = congress_server.bills[(116, "hr", 3571)]
    record["relatedbills"] = [
        {
            "congress": 117,
            "number": 4526,
            "type": "HR",
            "title": "City and State Diplomacy Act",
            "latestAction": None,
            "relationshipDetails": [{"type": "Related bill", "identifiedBy": "CRS"}],
        },
        {
            "congress": 118,
            "number": 1,
            "type": "HR",
            "title": "City and State Diplomacy Act",
            "latestAction": None,
            "relationshipDetails": [{"type": "Related bill", "identifiedBy": "CRS"}],
        },
    ]
    congress_server.add_bill(118, "hr", 1, title="City and State Diplomacy Act")
    login_as("advocate")
    assert runner.invoke(args=["bills", "sync", "116 hr 3571"]).exit_code == 0
    page = client.get("/bills/116/hr/3571").get_data(as_text=True)
    assert "H.R. 1 (118th)" in page and "looks like a version of" in page
    assert page.count("looks like a version of") == 1  # H.R. 4526 is already in the campaign
    response = submit(
        client,
        "/bills/track-related",
        {"citation": "H.R. 1 (118th)", "campaign": "city-state-diplomacy"},
        form_url="/bills/116/hr/3571",
    )
    assert response.headers["Location"].endswith("/bills/118/hr/1")
    campaign_page = client.get("/campaigns/city-state-diplomacy").get_data(as_text=True)
    assert "H.R. 1 (118th)" in campaign_page


def test_bill_page_query_count_constant(congress_app, client, login_as, congress_server, app, count_queries):
    """The bill page makes the same number of queries with 3 or 300 actions and cosponsors."""
    login_as("viewer")
    record = congress_server.add_bill(119, "hr", 8000)

    def fill(n):
        record["bill"]["updateDate"] = f"2026-01-{n % 28 + 1:02d}T00:00:00Z"
        record["actions"] = [
            {"actionDate": f"2025-02-{i % 28 + 1:02d}", "text": f"Action {i}", "type": "Floor"} for i in range(n)
        ]
        record["cosponsors"] = [
            {
                "bioguideId": f"Z{i:06d}",
                "fullName": f"Rep. X{i}",
                "firstName": "X",
                "lastName": f"X{i}",
                "party": "D",
                "state": "CA",
                "district": 1,
                "sponsorshipDate": "2025-02-01",
                "isOriginalCosponsor": False,
                "sponsorshipWithdrawnDate": None,
            }
            for i in range(n)
        ]
        with congress_app.app_context():
            sync_citation(Citation(119, "hr", 8000), create=True, force=True)

    counts = []
    for n in (3, 300):
        fill(n)
        with count_queries() as queries:
            assert client.get("/bills/119/hr/8000").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1]


# ------------------------------------------------------------------ Congress.gov as it really behaves


def test_long_retry_after_defers_bills_without_spending_requests(
    congress_app, runner, congress_server, client, login_as
):
    """A 429 with Retry-After: 3600 defers the bill and every later bill of the run to that time, at the cost
    of that one request; pages say "deferred until"; syncs before then send nothing; the next after resumes."""
    from datetime import timedelta

    from advocacy.models.base import utcnow

    for citation in ("116 hr 3571", "116 s 1678"):
        assert runner.invoke(args=["bills", "track", citation]).exit_code == 0
    congress_server.requests.clear()
    congress_server.retry_after = "3600"
    congress_server.fail_next(None, "429", times=1)
    before = utcnow()
    result = runner.invoke(args=["bills", "sync", "--concurrency", "1"])
    after = utcnow()
    assert result.exit_code == 0, result.output
    assert result.output.count("deferred until") == 2 and "2 deferred" in result.output
    assert len(congress_server.requests) == 1  # the 429 itself; no retry, nothing for the second bill
    with congress_app.app_context():
        untils = db.session.scalars(select(Bill.sync_deferred_until)).all()
    assert all(before + timedelta(seconds=3600) <= u <= after + timedelta(seconds=3600) for u in untils)

    login_as("viewer")
    assert "Deferred until" in client.get("/bills/116/hr/3571").get_data(as_text=True)
    assert "deferred until" in client.get("/dashboard").get_data(as_text=True)

    again = runner.invoke(args=["bills", "sync"])
    assert again.output.count("deferred until") == 2 and len(congress_server.requests) == 1

    with congress_app.app_context():  # the hour has passed
        for bill in db.session.scalars(select(Bill)):
            bill.sync_deferred_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    resumed = runner.invoke(args=["bills", "sync"])
    assert resumed.exit_code == 0 and "2 unchanged" in resumed.output, resumed.output
    assert len(congress_server.requests) == 3
    with congress_app.app_context():
        assert db.session.scalars(select(Bill.sync_deferred_until)).all() == [None, None]


def test_500_on_a_stored_bill_is_an_outage_and_keeps_it(congress_app, runner, congress_server, client, login_as):
    """Congress.gov failing with HTTP 500 for a tracked bill is an outage: the bill stays exactly as it was and
    the bill page and dashboard say so (never "no such bill")."""
    assert runner.invoke(args=["bills", "track", "116 hr 3571"]).exit_code == 0
    before = _document(congress_app, HR3571)
    congress_server.fail_next("/bill/116/hr/3571", "500", times=10)
    result = runner.invoke(args=["bills", "sync", "116 hr 3571"])
    assert result.exit_code == 1
    assert "Congress.gov is failing (HTTP 500)" in result.output and "kept as it was" in result.output
    assert "no such bill" not in result.output.lower()
    assert _document(congress_app, HR3571) == before
    with congress_app.app_context():
        bill = db.session.scalar(select(Bill).where(Bill.number == 3571))
        assert bill.sync_error_kind == "outage"
    login_as("viewer")
    page = client.get("/bills/116/hr/3571").get_data(as_text=True)
    assert "<strong>Congress.gov outage:</strong> Congress.gov is failing (HTTP 500)" in page
    assert "The stored record is kept as it was." in page
    assert "Congress.gov outage" in client.get("/dashboard").get_data(as_text=True)
    congress_server._faults.clear()
    assert runner.invoke(args=["bills", "sync", "116 hr 3571"]).exit_code == 0
    with congress_app.app_context():
        assert db.session.scalar(select(Bill.sync_error_kind).where(Bill.number == 3571)) is None


def test_missing_bill_is_no_such_bill_in_two_requests(congress_app, runner, congress_server):
    """A bill that does not exist (Congress.gov answers 500) is "no such bill" after two requests, stores nothing."""
    congress_server.requests.clear()
    result = runner.invoke(args=["bills", "track", "116 hr 9999"])
    assert result.exit_code == 1
    assert "No such bill: H.R. 9999 (116th)" in result.output and "[" not in result.output.split("FAILED")[0]
    assert len(congress_server.requests) == 2
    with congress_app.app_context():
        assert db.session.scalar(select(func.count(Bill.id))) == 0


def test_no_transaction_is_open_while_congress_gov_answers(congress_app, congress_server):
    """While the fake Congress.gov holds its answer, the syncing connection is not idle in a transaction
    (PostgreSQL's pg_stat_activity), for a first fetch and for a re-sync of a stored bill."""
    import threading

    from sqlalchemy import create_engine, text

    with congress_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("pg_stat_activity is PostgreSQL's; set TEST_DATABASE_URL")
        url = db.engine.url
    observer = create_engine(url, poolclass=NullPool)

    def idle_in_transaction() -> list[str]:
        with observer.connect() as conn:
            return (
                conn.execute(
                    text(
                        "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                    )
                )
                .scalars()
                .all()
            )

    try:
        for path, kwargs in (("/116/hr/3571/cosponsors", {"create": True}), ("/bill/116/hr/3571", {"force": True})):
            arrived, release = congress_server.hold(path)
            results = []

            def run(kwargs=kwargs):
                with congress_app.app_context():
                    results.append(sync_citation(HR3571, **kwargs))

            worker = threading.Thread(target=run)
            worker.start()
            try:
                assert arrived.wait(10), "the sync never asked Congress.gov"
                assert idle_in_transaction() == []
            finally:
                release.set()
                worker.join(30)
            assert results and results[0].status in ("created", "unchanged"), results
    finally:
        observer.dispose()


def test_track_reads_citations_as_pasted(congress_app, runner):
    """The CLI tracks a GovTrack link and a Congress.gov heading, and refuses a Congress not started yet."""
    result = runner.invoke(args=["bills", "track", "https://www.govtrack.us/congress/bills/116/hr3571"])
    assert result.exit_code == 0 and "H.R. 3571 (116th): created" in result.output, result.output
    heading = runner.invoke(args=["bills", "track", "S.4426 - City and State Diplomacy Act", "--congress", "116"])
    assert heading.exit_code == 0 and "S. 4426 (116th): created" in heading.output, heading.output
    future = runner.invoke(args=["bills", "track", "H.R. 1 (130th)"])
    assert future.exit_code != 0 and "130th Congress has not started yet" in future.output
    assert "the current Congress is the" in future.output


def test_rows_once_merged_are_restored_without_alerts(congress_app, runner, congress_server):
    """A bill stored when same-day rows were merged (one "Motion to reconsider" of two) gets the other row on a
    forced re-sync, with no "new action" event; a really new action still makes one."""
    record = congress_server.add_bill(119, "hr", 8200)
    motion = "Motion to reconsider laid on the table Agreed to without objection."
    record["actions"] = [
        {
            "actionDate": "2025-03-03",
            "actionTime": "18:00:00",
            "text": motion,
            "type": "Floor",
            "sourceSystem": {"code": 2, "name": "House floor actions"},
        },
    ]
    assert runner.invoke(args=["bills", "track", "119 hr 8200"]).exit_code == 0
    record["actions"].insert(
        0,
        {
            "actionDate": "2025-03-03",
            "actionTime": "19:00:00",
            "text": motion,
            "type": "Floor",
            "sourceSystem": {"code": 2, "name": "House floor actions"},
        },
    )
    result = runner.invoke(args=["bills", "sync", "119 hr 8200", "--force"])
    assert "1 new action" in result.output, result.output
    assert _events(congress_app, "bill.action") == []
    record["actions"].insert(
        0,
        {
            "actionDate": "2025-03-04",
            "text": "Received in the Senate.",
            "type": "IntroReferral",
            "sourceSystem": {"code": 0, "name": "Senate"},
        },
    )
    runner.invoke(args=["bills", "sync", "119 hr 8200", "--force"])
    assert _events(congress_app, "bill.action") == ["New action (2025-03-04): Received in the Senate."]
    with congress_app.app_context():
        assert db.session.scalar(select(func.count(BillAction.id))) == 3


def test_sync_results_keep_the_typed_error(congress_app, congress_server):
    """A failed sync's result holds the error object (its type, kind and the client's error as cause), and the
    status is a SyncStatus that still reads and compares as the plain word."""
    from advocacy.bills.errors import BillNotFound, CongressUnavailable, SyncError
    from advocacy.bills.results import SyncStatus
    from advocacy.bills.sync import track
    from advocacy.congress import client as congress

    with congress_app.app_context():
        missing = track(Citation(116, "hr", 9999), actor="test")
    assert missing.status is SyncStatus.FAILED and missing.status == "failed" and f"{missing.status}" == "failed"
    assert isinstance(missing.error, BillNotFound) and isinstance(missing.error.cause, congress.BillNotFound)
    assert missing.error_kind == "missing" and (missing.message or "").startswith("No such bill")

    with congress_app.app_context():
        assert track(HR3571, actor="test").status is SyncStatus.CREATED
    congress_server.fail_next("/bill/116/hr/3571", "500", times=10)
    with congress_app.app_context():
        outage = sync_citation(HR3571, actor="test", force=True)
    assert isinstance(outage.error, CongressUnavailable) and isinstance(outage.error, SyncError)
    assert outage.error_kind == "outage" and outage.message.endswith("The stored record is kept as it was.")
    assert outage.line() == f"H.R. 3571 (116th): FAILED: {outage.message}"


def test_track_raises_typed_errors_before_asking(congress_app, congress_server):
    """An unknown campaign is CampaignNotFound and no key is SyncDisabled, both before any request."""
    from advocacy.bills.errors import CampaignNotFound, SyncDisabled
    from advocacy.bills.sync import track

    congress_server.requests.clear()
    with congress_app.app_context(), pytest.raises(CampaignNotFound, match="No campaign with the slug 'nope'"):
        track(HR3571, campaign_slug="nope", actor="test")
    factory = congress_app.extensions.pop("congress_client_factory")
    try:
        with congress_app.app_context(), pytest.raises(SyncDisabled, match="CONGRESS_API_KEY"):
            track(HR3571, actor="test")
    finally:
        congress_app.extensions["congress_client_factory"] = factory
    assert congress_server.requests == []


def test_invalid_citation_is_a_bills_error_and_a_citation_error():
    """parse_bill_citation raises InvalidCitation, which older callers still catch as CitationError."""
    from advocacy.bills.errors import BillsError, InvalidCitation
    from advocacy.bills.services import parse_bill_citation
    from advocacy.congress.citations import CitationError

    with pytest.raises(InvalidCitation) as caught:
        parse_bill_citation("H.Q. 12")
    assert isinstance(caught.value, BillsError) and isinstance(caught.value, CitationError)
    assert parse_bill_citation("H.R. 3571 (116th)") == HR3571


def test_stale_is_one_rule_on_the_model(app):
    """Bill.is_stale and Bill.stale_clause agree: tracked Congress.gov data never synced or synced too long
    ago is stale; demo data, untracked bills and a recent sync are not."""
    from datetime import datetime, timedelta

    now = datetime(2026, 3, 1, 12, 0)
    hours = timedelta(hours=48)
    bills = {
        "fresh": Bill(congress=119, bill_type="hr", number=1, title="a", last_synced_at=now - timedelta(hours=47)),
        "old": Bill(congress=119, bill_type="hr", number=2, title="b", last_synced_at=now - timedelta(hours=49)),
        "never": Bill(congress=119, bill_type="hr", number=3, title="c"),
        "demo": Bill(congress=119, bill_type="hr", number=4, title="d", data_source="demo"),
        "untracked": Bill(congress=119, bill_type="hr", number=5, title="e", tracked=False),
    }
    with app.app_context():
        db.session.add_all(bills.values())
        db.session.flush()
        assert {k for k, b in bills.items() if b.is_stale(now)} == {"old", "never"}
        assert {k for k, b in bills.items() if b.is_stale(now, timedelta(hours=50))} == {"never"}
        rows = db.session.scalars(select(Bill.number).where(Bill.stale_clause(now, hours))).all()
        assert sorted(rows) == [2, 3]
        db.session.rollback()


def test_bills_synced_in_one_unit_commit_one_by_one(congress_app, congress_server, monkeypatch):
    """One after the other in the caller's unit of work (concurrency 1), each bill commits when it is done:
    a bill whose data cannot be stored is rolled back alone and noted, the bills before and after it stay."""
    from advocacy.bills import sync
    from advocacy.bills.errors import StoreFailed
    from advocacy.uow import unit_of_work

    citations = []
    for n in (1, 2, 3):
        congress_server.add_bill(119, "hr", 7100 + n, title=f"Bill {n}")
        citations.append(Citation(119, "hr", 7100 + n))
    real_apply = sync.apply_fetched

    def failing_second(bill, data, actor, today=None):
        stored = real_apply(bill, data, actor, today)
        if data.bill.number == 7102 and bill is not None:
            raise RuntimeError("disk full")
        return stored

    with congress_app.app_context():
        with unit_of_work():
            assert [r.status for r in sync_many(citations, concurrency=1, create=True)] == ["created"] * 3
        monkeypatch.setattr(sync, "apply_fetched", failing_second)
        with unit_of_work():
            results = sync_many(citations, concurrency=1, force=True)
    assert [r.status for r in results] == ["unchanged", "failed", "unchanged"]
    assert isinstance(results[1].error, StoreFailed) and isinstance(results[1].error.cause, RuntimeError)
    with congress_app.app_context():  # a new session: only what was committed
        rows = db.session.execute(select(Bill.number, Bill.sync_error).where(Bill.number > 7100).order_by(Bill.number))
        assert [tuple(r) for r in rows] == [
            (7101, None),
            (7102, "could not store the data: RuntimeError"),
            (7103, None),
        ]
