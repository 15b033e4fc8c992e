"""Bill text versions: synced from the fake Congress.gov serving real GPO texts, parsed safely, compared.

Fixtures: tests/fixtures/texts (see SOURCE.md there: which files are complete GPO files and which are the
truncated beginnings of the campaign's bills).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from advocacy.bills.texts import TextRefused, comparison_cache, parse_document
from advocacy.extensions import db
from advocacy.models import BillTextVersion, Event
from tests.conftest import submit
from tests.congress_fake import Document, FakeCongressServer

TEXTS = Path(__file__).parent / "fixtures" / "texts"
DOC_PREFIX = "/1"  # document paths look like /118/bills/hr8205/BILLS-118hr8205ih.xml

# Official titles as the bills' texts give them (DOMAIN.md §2 [H]); the fake's bill records carry them too.
TITLES = {
    (
        116,
        "hr",
        3571,
    ): "To establish an Office of Subnational Diplomacy within the Department of State, and for other purposes.",
    (
        117,
        "hr",
        4526,
    ): "To establish an Office of City and State Diplomacy within the Department of State, and for other purposes.",
    (
        118,
        "hr",
        9524,
    ): "To enhance subnational diplomacy efforts within the Department of State, and for other purposes.",
    (
        119,
        "hr",
        5323,
    ): "To enhance subnational diplomacy efforts within the Department of State, and for other purposes.",
    (
        118,
        "hr",
        8205,
    ): "To amend the Omnibus Crime Control and Safe Streets Act of 1968 to provide that Byrne grant funds "
    "may be used for public safety report systems, and for other purposes.",
}

INTRODUCED = {(117, "hr", 4526): "2021-07-19", (118, "hr", 9524): "2024-09-10", (118, "hr", 8205): "2024-05-01"}


def serve_texts(server: FakeCongressServer, congress: int, bill_type: str, number: int) -> list[dict]:
    """Serve the bill's recorded /text list, with its documents on the fake server (hosts rewritten)."""
    key = (congress, bill_type, number)
    record = server.bills.get(key) or server.add_bill(
        congress, bill_type, number, title=TITLES[key], introducedDate=INTRODUCED[key]
    )
    listing = json.loads((TEXTS / f"{congress}-{bill_type}-{number}.text.json").read_text())
    versions = []
    for version in listing["textVersions"]:
        formats = []
        for fmt in version["formats"]:
            path = urlsplit(fmt["url"]).path
            source = TEXTS / path.rsplit("/", 1)[-1]
            if source.exists():
                kind = "application/xml" if source.suffix == ".xml" else "text/html"
                server.documents[path] = Document(source.read_bytes(), kind)
            formats.append({**fmt, "url": server.origin + path})
        versions.append({**version, "formats": formats})
    record["text"] = versions
    return versions


def document_requests(server: FakeCongressServer) -> list[str]:
    return [path for path, _query, _headers in server.requests if "/BILLS-" in path]


def _versions(app, congress, bill_type, number) -> list[BillTextVersion]:
    from advocacy.bills.services import get_bill
    from advocacy.bills.texts import versions_of

    with app.app_context():
        bill = get_bill(congress, bill_type, number)
        return versions_of(bill) if bill else []


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture(autouse=True)
def _fresh_comparison_cache():
    comparison_cache.clear()
    yield
    comparison_cache.clear()


# ------------------------------------------------------------------------------------------------ sync


def test_track_stores_each_real_version_once_and_show_json_lists_sections(congress_app, congress_server, runner):
    """Tracking H.R. 8205 stores its Introduced and Reported GPO texts; re-syncs fetch no document again."""
    serve_texts(congress_server, 118, "hr", 8205)
    result = runner.invoke(args=["bills", "track", "H.R. 8205 (118th)"])
    assert result.exit_code == 0, result.output
    assert "new text: Introduced in House, May 1, 2024" in result.output
    assert "new text: Reported in House, Sep 23, 2024" in result.output
    assert len(document_requests(congress_server)) == 2
    # No API key is sent with the documents (they are not API calls).
    assert all("X-Api-Key" not in headers for path, _q, headers in congress_server.requests if "/BILLS-" in path)

    plain = runner.invoke(args=["bills", "show", "118 hr 8205"]).output
    assert "Text: Reported in House (2024-09-23), 2 sections: http" in plain
    shown = runner.invoke(args=["bills", "show", "118 hr 8205", "--json"])
    versions = json.loads(shown.output)["text_versions"]
    assert [(v["type"], v["date"]) for v in versions] == [
        ("Introduced in House", "2024-05-01"),
        ("Reported in House", "2024-09-23"),
    ]
    assert versions[0]["sections"] == [
        {"number": "1", "heading": "Short title"},
        {"number": "2", "heading": "Use of Byrne grant funding for public safety report systems"},
        {"number": "3", "heading": "Fraud in connection with posting bail"},
    ]
    assert versions[1]["sections"] == [
        {"number": "1", "heading": "Short title"},
        {"number": "2", "heading": "Fraud in connection with posting bail"},
    ]
    assert versions[1]["source_url"].endswith("/118/bills/hr8205/BILLS-118hr8205rh.xml")
    assert versions[1]["pdf_url"].endswith("/118/bills/hr8205/BILLS-118hr8205rh.pdf")

    # Nothing changed upstream: no text request at all. Forced: the list again, but no document.
    assert runner.invoke(args=["bills", "sync", "118 hr 8205"]).exit_code == 0
    assert len(congress_server.requests_to("/text")) == 1
    assert runner.invoke(args=["bills", "sync", "118 hr 8205", "--force"]).exit_code == 0
    assert len(congress_server.requests_to("/text")) == 2
    assert len(document_requests(congress_server)) == 2
    assert _count(congress_app, BillTextVersion) == 2
    assert _count(congress_app, Event, Event.kind == "bill.text") == 2


def test_api_bill_resource_lists_text_versions(congress_app, congress_server, runner, client):
    """The API's bill resource carries the same `text_versions` outline as `bills show --json`."""
    serve_texts(congress_server, 118, "hr", 8205)
    assert runner.invoke(args=["bills", "track", "118 hr 8205"]).exit_code == 0
    body = client.get("/api/v1/bills/118/hr/8205").get_json()["data"]
    assert [v["type"] for v in body["text_versions"]] == ["Introduced in House", "Reported in House"]
    assert body["text_versions"][0]["official_title"] == TITLES[(118, "hr", 8205)]
    assert body["text_versions"][1]["sections"][1] == {
        "number": "2",
        "heading": "Fraud in connection with posting bail",
    }


def test_campaign_bills_name_the_office_each_version_establishes(congress_app, congress_server, runner):
    """The real texts: 116th "Office of Subnational Diplomacy", 117th "Office of City and State Diplomacy",
    119th opens with section 1 "Office of Subnational Diplomacy" (read from the formatted text)."""
    for key in ((116, "hr", 3571), (117, "hr", 4526), (119, "hr", 5323)):
        serve_texts(congress_server, *key)
        assert runner.invoke(args=["bills", "track", f"{key[0]} {key[1]} {key[2]}"]).exit_code == 0
    (v3571,) = _versions(congress_app, 116, "hr", 3571)
    (v4526,) = _versions(congress_app, 117, "hr", 4526)
    (v5323,) = _versions(congress_app, 119, "hr", 5323)
    assert "Office of Subnational Diplomacy" in v3571.official_title
    assert "Office of City and State Diplomacy" in v4526.official_title
    assert v3571.source_format == "text" and v4526.source_format == "bill-xml"
    assert [s["heading"] for s in v4526.sections] == ["Short title", "Findings"]
    assert v4526.sections[0]["blocks"][0]["text"] == "This Act may be cited as the City and State Diplomacy Act."
    first = v5323.sections[0]
    assert (first["number"], first["heading"]) == ("1", "Office of subnational diplomacy")
    assert [b["enum"] for b in first["blocks"][:3]] == ["(a)", "(b)", "(c)"]
    assert first["blocks"][1]["heading"] == "Head of Office"
    assert "Special Representative for Subnational Diplomacy" in first["blocks"][1]["text"]
    assert (
        "an Office of Subnational Diplomacy (referred to in this subsection as the “Office”)"
        in first["blocks"][0]["text"]
    )


# ------------------------------------------------------------------------------------------------ hostile input

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE bill [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<bill><legis-body><section><enum>1.</enum><header>&lol3;</header></section></legis-body></bill>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE bill [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<bill><legis-body><section><enum>1.</enum><header>Short title</header><text>&xxe;</text></section></legis-body></bill>"""


def _hostile_bill(congress_server, body: bytes | None = None, **document) -> None:
    serve_texts(congress_server, 118, "hr", 8205)
    path = "/118/bills/hr8205/BILLS-118hr8205rh.xml"
    congress_server.documents[path] = Document(body or b"", "application/xml", **document)


@pytest.mark.parametrize(
    ("body", "document", "message"),
    [
        (BILLION_LAUGHS, {}, "entity declarations are not allowed"),
        (EXTERNAL_ENTITY, {}, "entity declarations are not allowed"),
        (b"<bill><legis-body>" + b"x" * 65536, {"size": 50 * 1024 * 1024}, "larger than 10 MB"),
    ],
    ids=["billion-laughs", "external-entity", "50MB-no-length"],
)
def test_hostile_text_is_refused_with_a_clear_error_and_nothing_stored(
    congress_app, congress_server, runner, body, document, message, login_as, client
):
    """Unsafe or oversized XML stores nothing for that version, says why, and keeps the bill and its other text."""
    _hostile_bill(congress_server, body, **document)
    result = runner.invoke(args=["bills", "track", "118 hr 8205"])
    assert result.exit_code == 0, result.output
    assert "text refused: Reported in House:" in result.output and message in result.output
    versions = _versions(congress_app, 118, "hr", 8205)
    assert [v.version_type for v in versions] == ["Introduced in House"]  # the good one is kept
    assert _count(congress_app, Event, Event.kind == "bill.text") == 1
    doc = json.loads(runner.invoke(args=["bills", "show", "118 hr 8205", "--json"]).output)
    assert doc["title"] == TITLES[(118, "hr", 8205)]  # the bill's own data is stored
    login_as("viewer")
    page = client.get("/bills/118/hr/8205").get_data(as_text=True)
    assert "Last text sync:" in page and message in page  # staff see why on the bill page
    # The next hourly sync does not download the refused document again; a day later it does.
    fetched = len(document_requests(congress_server))
    congress_server.bills[(118, "hr", 8205)]["bill"]["updateDate"] = "2024-09-24T00:00:00Z"
    assert runner.invoke(args=["bills", "sync", "118 hr 8205"]).exit_code == 0  # upstream changed: tried again
    assert len(document_requests(congress_server)) == fetched + 1
    assert runner.invoke(args=["bills", "sync", "118 hr 8205"]).exit_code == 0
    assert len(document_requests(congress_server)) == fetched + 1
    with congress_app.app_context():
        from advocacy.models import BillTextCheck

        db.session.execute(update(BillTextCheck).values(checked_at=datetime(2024, 1, 1)))
        db.session.commit()
    assert runner.invoke(args=["bills", "sync", "118 hr 8205"]).exit_code == 0
    assert len(document_requests(congress_server)) == fetched + 2


def test_parser_refuses_entities_directly():
    """parse_document itself refuses entity declarations and unreadable XML (no expansion happens)."""
    for body in (BILLION_LAUGHS, EXTERNAL_ENTITY):
        with pytest.raises(TextRefused, match="entity declarations"):
            parse_document(body)
    with pytest.raises(TextRefused, match="could not be read"):
        parse_document(b"<?xml version='1.0'?><bill><legis-body>")


def test_documents_only_from_allowed_hosts_and_no_redirect_elsewhere(congress_app, congress_server, runner):
    """A format URL or a redirect to another host (here another local server) is refused; that host is never hit."""
    other = FakeCongressServer().start()
    try:
        other.documents["/evil.xml"] = Document((TEXTS / "BILLS-118hr8205ih.xml").read_bytes())
        versions = serve_texts(congress_server, 118, "hr", 8205)
        versions[0]["formats"][-1]["url"] = other.origin + "/evil.xml"  # Reported: XML elsewhere
        versions[1]["formats"][0]["url"] = "javascript:alert(1)"  # Introduced: a PDF "link" that is a script
        congress_server.documents["/118/bills/hr8205/BILLS-118hr8205ih.xml"] = Document(
            redirect=other.origin + "/evil.xml"
        )
        result = runner.invoke(args=["bills", "track", "118 hr 8205"])
        assert result.exit_code == 0, result.output
        assert result.output.count("not congress.gov or govinfo.gov") == 2
        assert other.requests == []
        assert _versions(congress_app, 118, "hr", 8205) == []
        # Once the introduced XML is served properly, it is stored, and the script "PDF link" is dropped.
        congress_server.documents["/118/bills/hr8205/BILLS-118hr8205ih.xml"] = Document(
            (TEXTS / "BILLS-118hr8205ih.xml").read_bytes()
        )
        assert runner.invoke(args=["bills", "sync", "118 hr 8205", "--force"]).exit_code == 0
        (introduced,) = _versions(congress_app, 118, "hr", 8205)
        assert introduced.version_type == "Introduced in House" and introduced.pdf_url is None
    finally:
        other.stop()


def test_text_server_errors_are_retried_then_reported(congress_app, congress_server, runner):
    """A 503 on a document is retried like API calls; when it persists the bill still syncs and says why."""
    serve_texts(congress_server, 118, "hr", 8205)
    congress_server.fail_next("BILLS-118hr8205ih.xml", "503", times=1)  # one failure: the retry succeeds
    congress_server.fail_next("BILLS-118hr8205rh.xml", "503", times=10)  # always failing
    result = runner.invoke(args=["bills", "track", "118 hr 8205"])
    assert result.exit_code == 0, result.output
    assert "new text: Introduced in House" in result.output
    assert "text refused: Reported in House" in result.output and "HTTP 503" in result.output
    assert len(congress_server.requests_to("BILLS-118hr8205rh.xml")) == 3  # max_retries=2 in congress_app


# ------------------------------------------------------------------------------------------------ comparison


def test_compare_introduced_and_reported_shows_removed_and_moved_sections(
    congress_app, congress_server, runner, login_as, client
):
    """The compare page of H.R. 8205 IH → RH: § 2 removed, old § 3 moved to § 2, § 1 unchanged and collapsed."""
    serve_texts(congress_server, 118, "hr", 8205)
    assert runner.invoke(args=["bills", "track", "118 hr 8205"]).exit_code == 0
    ih, rh = _versions(congress_app, 118, "hr", 8205)
    login_as("viewer")
    page = client.get(f"/bills/compare?old={ih.id}&new={rh.id}").get_data(as_text=True)
    assert "1 section removed, 1 renumbered" in page
    assert "Removed: § 2 Use of Byrne grant funding for public safety report systems" in page
    assert "Renumbered from § 3 to § 2" in page
    assert re.search(r"<details[^>]*>\s*<summary>§ 1 Short title: unchanged</summary>", page)
    # The bill page links each version's text, its official PDF and the comparison of consecutive versions.
    bill_page = client.get("/bills/118/hr/8205").get_data(as_text=True)
    assert f"/bills/compare?old={ih.id}&amp;new={rh.id}" in bill_page
    assert "Official PDF" in bill_page and "BILLS-118hr8205rh.pdf" in bill_page
    text_page = client.get(f"/bills/118/hr/8205/text/{rh.id}").get_data(as_text=True)
    assert 'href="#sec-2">§ 2 Fraud in connection with posting bail</a>' in text_page
    assert (
        "(including the posting of monetary bail, criminal bail bonds, and Federal immigration bail bonds)" in text_page
    )
    # Cached per pair: the second view computes nothing.
    client.get(f"/bills/compare?old={ih.id}&new={rh.id}")
    assert (comparison_cache.misses, comparison_cache.hits) == (1, 1)


def test_word_level_changes_are_marked(app_ctx):
    """A changed section marks the changed words: <del> on the old side, <ins> on the new, text escaped."""
    from advocacy.bills.text_views import diff_html
    from advocacy.bills.texts import compare_sections

    old = [
        {
            "number": "3",
            "heading": "Office",
            "blocks": [{"level": 0, "text": "establish an Office of City and State Diplomacy <b>"}],
        }
    ]
    new = [
        {
            "number": "1",
            "heading": "Office",
            "blocks": [{"level": 0, "text": "establish an Office of Subnational Diplomacy <b>"}],
        }
    ]
    (row,) = compare_sections(old, new).rows
    assert row.status == "changed" and row.renumbered and not row.moved and row.label == "changed, renumbered"
    assert "“City and State” became “Subnational”" in row.summary
    assert str(diff_html(row.ops, "old")) == "establish an Office of <del>City and State</del> Diplomacy &lt;b&gt;"
    assert str(diff_html(row.ops, "new")) == "establish an Office of <ins>Subnational</ins> Diplomacy &lt;b&gt;"


def test_reintroduction_comparison_and_campaign_page_summary(
    demo, congress_app, congress_server, runner, login_as, client
):
    """H.R. 4526 (117th) → H.R. 5323 (119th), the real introduced texts' beginnings: the 119th bill drops the
    short title and findings and opens with the Office of Subnational Diplomacy; the campaign page says so."""
    for key in ((117, "hr", 4526), (118, "hr", 9524), (119, "hr", 5323)):
        serve_texts(congress_server, *key)
    # Only the 117th and the 119th texts: the 119th is compared with the 117th (the latest earlier one with text).
    for citation in ("117 hr 4526", "119 hr 5323"):
        assert runner.invoke(args=["bills", "sync", citation, "--force"]).exit_code == 0
    (v4526,) = _versions(congress_app, 117, "hr", 4526)
    (v5323,) = _versions(congress_app, 119, "hr", 5323)
    login_as("viewer")
    page = client.get(f"/bills/compare?old={v4526.id}&new={v5323.id}").get_data(as_text=True)
    assert "1 section added, 2 removed" in page
    assert "New: § 1 Office of subnational diplomacy" in page
    assert "Removed: § 1 Short title" in page and "Removed: § 2 Findings" in page

    campaign = client.get("/campaigns/city-state-diplomacy").get_data(as_text=True)
    assert "How the bill changed" in campaign
    assert "H.R. 4526 (117th) → H.R. 5323 (119th): 1 section added, 2 removed" in campaign
    # The bill page offers "compared with the previous Congress's version".
    bill_page = client.get("/bills/119/hr/5323").get_data(as_text=True)
    assert "Compared with the previous Congress's version (H.R. 4526 (117th))" in bill_page

    # The public campaign page (mayors' offices read it) carries the same summary, without staff links.
    public = congress_app.test_client().get("/c/city-state-diplomacy").get_data(as_text=True)
    assert "H.R. 4526 (117th) → H.R. 5323 (119th): 1 section added, 2 removed" in public
    assert "/bills/compare" not in public

    # With the 118th text stored too, each bill is compared with the one just before it.
    assert runner.invoke(args=["bills", "sync", "118 hr 9524", "--force"]).exit_code == 0
    campaign = client.get("/campaigns/city-state-diplomacy").get_data(as_text=True)
    assert "H.R. 9524 (118th) → H.R. 5323 (119th): 1 section added, 1 removed" in campaign
    assert "H.R. 4526 (117th) → H.R. 9524 (118th): 1 section changed, 1 removed" in campaign
    assert "H.R. 4526 (117th) → H.R. 5323 (119th)" not in campaign
    # The short title's change, in one derived line.
    assert "“City and State” became “Enhancing Subnational”" in campaign


def test_compare_needs_login_and_existing_versions(client, login_as):
    """Anonymous users go to the login page; unknown versions are a 404 page, not a stack trace."""
    assert client.get("/bills/compare?old=1&new=2").status_code == 302
    login_as("viewer")
    response = client.get("/bills/compare?old=999&new=998")
    assert response.status_code == 404 and "Traceback" not in response.get_data(as_text=True)
    assert client.get("/bills/compare?old=x").status_code == 404


# ------------------------------------------------------------------------------------------------ events


def test_new_text_version_alerts_each_follower_once_and_reaches_feed(
    congress_app, congress_server, runner, make_user, alerts_smtp, client
):
    """A new Reported text is one `bill.text` event: one e-mail per follower (two runs), and it is in the bill's feed."""
    from tests.conftest import Auth

    versions = serve_texts(congress_server, 118, "hr", 8205)
    reported = versions.pop(0)  # upstream has only the introduced text at first
    assert runner.invoke(args=["bills", "track", "118 hr 8205"]).exit_code == 0
    followers = []
    for _ in range(2):
        follower = congress_app.test_client()
        email = make_user("viewer")
        assert Auth(follower).login(email).status_code == 302
        response = submit(
            follower,
            "/alerts/follow",
            {
                "target_type": "bill",
                "target_key": str(_versions(congress_app, 118, "hr", 8205)[0].bill_id),
                "next": "/bills/118/hr/8205",
            },
            form_url="/bills/118/hr/8205",
        )
        assert response.status_code == 302
        followers.append(email)
    # The committee reports: a new text appears and the bill's updateDate moves.
    record = congress_server.bills[(118, "hr", 8205)]
    record["text"].insert(0, reported)
    record["bill"]["updateDate"] = "2024-09-24T10:00:00Z"
    synced = runner.invoke(args=["bills", "sync", "118 hr 8205"]).output
    assert "H.R. 8205 (118th): updated (new text: Reported in House, Sep 23, 2024)" in synced
    first = runner.invoke(args=["alerts", "send"])
    second = runner.invoke(args=["alerts", "send"])
    assert "2 alert e-mail(s)" in first.output and "0 alert e-mail(s)" in second.output, first.output
    for email in followers:
        alerts = [m for m in alerts_smtp.to(email, "H.R. 8205") if not m["Subject"].startswith("Following")]
        assert len(alerts) == 1
        assert "New text version" in alerts[0].get_content()
    feed = client.get("/feeds/bills/118/hr/8205.atom").get_data(as_text=True)
    assert "New text of H.R. 8205 (118th): Reported in House, Sep 23, 2024 (2 sections)" in feed


def test_webhook_subscribed_to_new_texts_receives_each_signed_once(
    congress_app, congress_server, runner, client, login_as, webhook_receiver
):
    """An endpoint subscribed to `bill.text` gets one signed POST per new version, and none on a second run."""
    from advocacy.models import WebhookEndpoint

    receiver, base = webhook_receiver
    login_as("admin")
    response = submit(
        client, "/admin/webhooks", {"url": f"{base}/hook", "event_types": ["bill.text"], "description": "texts"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    serve_texts(congress_server, 118, "hr", 8205)
    assert runner.invoke(args=["bills", "track", "118 hr 8205"]).exit_code == 0
    first = runner.invoke(args=["alerts", "send"])
    assert "webhooks: 2 delivered, 0 failed" in first.output, first.output
    runner.invoke(args=["alerts", "send"])
    assert len(receiver.requests) == 2
    with congress_app.app_context():
        secret = db.session.scalar(select(WebhookEndpoint.secret))
    kinds = []
    for request in receiver.requests:
        assert receiver.verify(secret, request)
        event = json.loads(request["body"])["event"]
        kinds.append((event["kind"], event["summary"]))
    assert sorted(kinds) == [
        ("bill.text", "New text of H.R. 8205 (118th): Introduced in House, May 1, 2024 (3 sections)"),
        ("bill.text", "New text of H.R. 8205 (118th): Reported in House, Sep 23, 2024 (2 sections)"),
    ]


def test_reordered_sections_are_moved_not_removed_and_added():
    """Swapping two sections marks one of them moved (aligned by heading), with no section added or removed."""
    from advocacy.bills.texts import compare_sections

    def section(number, heading, text):
        return {"number": number, "heading": heading, "blocks": [{"level": 0, "text": text}]}

    old = [section("1", "Short title", "This Act may be cited as the A Act."), section("2", "Findings", "Congress finds."),
           section("3", "Definitions", "In this Act, the term office means the Office.")]  # fmt: skip
    new = [old[0], {**old[2], "number": "2"}, {**old[1], "number": "3"}]
    comparison = compare_sections(old, new)
    assert comparison.count("added") == comparison.count("removed") == 0
    assert [(row.heading, row.label) for row in comparison.rows] == [
        ("Short title", "unchanged"),
        ("Definitions", "moved"),
        ("Findings", "renumbered"),
    ]
    assert comparison.summary == "1 section moved, 1 renumbered"


def test_uslm_sections_are_read():
    """USLM XML (constructed here in the published USLM element names) reads like bill-DTD XML."""
    uslm = b"""<?xml version="1.0"?><bill xmlns="http://schemas.gpo.gov/xml/uslm"><main>
    <section><num>1.</num><heading>Short title</heading><content>This Act may be cited as the Test Act.</content></section>
    <section><num>2.</num><heading>Office</heading><chapeau>The Secretary shall:</chapeau>
      <paragraph><num>(1)</num><content>establish an office.</content></paragraph></section></main></bill>"""
    parsed = parse_document(uslm)
    assert parsed.source_format == "uslm"
    assert [(s["number"], s["heading"]) for s in parsed.sections] == [("1", "Short title"), ("2", "Office")]
    assert parsed.sections[1]["blocks"][1] == {"level": 2, "enum": "(1)", "heading": "", "text": "establish an office."}


def test_letter_merge_fields_say_what_changed_since_the_previous_congress(
    demo, congress_app, letters_app, congress_server, runner, make_letter_template
):
    """A letter using `campaign.changes.*` prints the comparison of H.R. 5323 with H.R. 4526 (read back from the PDF)."""
    from tests.letters_fixtures import pdf_pages, run_batch
    from tests.test_letters_batches import _letters, _pdf

    for key in ((117, "hr", 4526), (119, "hr", 5323)):
        serve_texts(congress_server, *key)
        assert runner.invoke(args=["bills", "sync", f"{key[0]} {key[1]} {key[2]}", "--force"]).exit_code == 0
    slug = make_letter_template(
        slug="what-is-new",
        name="What is new",
        body=(
            "Since {{ campaign.changes.since }}: {{ campaign.changes.summary }}.\n\n"
            "{% for s in campaign.changes.sections %}- § {{ s.number }} {{ s.heading }}: {{ s.status }}\n{% endfor %}"
        ),
    )
    batch_id = run_batch(letters_app, slug, "member:L000582")
    (letter,) = _letters(letters_app, batch_id)
    text = " ".join(" ".join(pdf_pages(_pdf(letters_app, batch_id, letter))).split())
    assert "Since H.R. 4526 (117th): 1 section added, 2 removed." in text
    assert "§ 1 Office of subnational diplomacy: added" in text
    assert "§ 2 Findings: removed" in text


def test_template_editor_documents_and_accepts_the_change_fields(letters_app, client, login_as):
    """The editor lists the `campaign.changes.*` fields, and a template using them saves (a typo does not)."""
    from tests.test_letters_pages import FORM

    login_as("advocate")
    page = client.get("/letters/templates/new").get_data(as_text=True)
    assert "campaign.changes.summary" in page and "campaign.changes.sections" in page
    body = "New since {{ campaign.changes.since }}: {{ campaign.changes.summary }} ({{ campaign.changes.names }})"
    assert submit(client, "/letters/templates/new", dict(FORM, body=body)).status_code == 302
    typo = submit(client, "/letters/templates/new", dict(FORM, slug="typo", body="{{ campaign.changes.summry }}"))
    assert typo.status_code == 422
