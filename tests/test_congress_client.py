"""CongressClient against a real HTTP server on 127.0.0.1: shapes, paging, retries, timeouts and error mapping."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date

import pytest
import requests

from advocacy.congress.client import (
    ApiKeyError,
    BadResponse,
    BillNotFound,
    CongressClient,
    CongressError,
    CongressUnavailable,
    NotFound,
    RateLimited,
    _retry_after,
)
from advocacy.congress.types import (
    CommitteeActivity,
    CommitteeRef,
    LawRef,
    MemberRef,
    Relationship,
)
from tests.congress_fake import FAKE_API_KEY, FakeCongressServer, RecordingSleep

pytest_plugins = ["tests.congress_fixtures"]

MakeClient = Callable[..., CongressClient]


@pytest.fixture
def make_client(congress_server: FakeCongressServer, congress_sleeps: RecordingSleep) -> Iterator[MakeClient]:
    """Build clients for the fake server with custom settings; all are closed after the test."""
    clients: list[CongressClient] = []

    def make(**overrides: object) -> CongressClient:
        settings: dict[str, object] = {
            "timeout": 2.0,
            "max_retries": 3,
            "backoff": 0.01,
            "sleep": congress_sleeps,
        }
        settings.update(overrides)
        api_key = settings.pop("api_key", FAKE_API_KEY)
        client = CongressClient(congress_server.url, api_key, **settings)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _cosponsor(index: int, **fields: object) -> dict[str, object]:
    return {
        "bioguideId": f"T{index:06d}",
        "firstName": "Test",
        "lastName": f"Member{index}",
        "fullName": f"Rep. Member{index}, Test [D-CA-{index % 52 + 1}]",
        "party": "D",
        "state": "CA",
        "district": index % 52 + 1,
        "sponsorshipDate": "2025-09-12",
        "isOriginalCosponsor": False,
        **fields,
    }


# ------------------------------------------------------------------ normalised data from the recorded fixtures


def test_get_bill_normalises_the_recorded_bill(congress_client: CongressClient) -> None:
    """H.R. 3571 (116th) comes back with typed fields: lower-case type, int number, dates, sponsor, counts."""
    bill = congress_client.get_bill(116, "hr", 3571)

    assert (bill.congress, bill.bill_type, bill.number) == (116, "hr", 3571)
    assert bill.title == "City and State Diplomacy Act"
    assert bill.origin_chamber == "House"
    assert bill.introduced_date == date(2019, 6, 27)
    assert bill.latest_action_date == date(2019, 12, 18)
    assert bill.latest_action_text.startswith("Ordered to be Reported")
    assert bill.update_date == "2024-02-09T16:49:26Z"
    assert bill.policy_area == "International Affairs"
    assert bill.sponsors == (MemberRef("L000582", "Rep. Lieu, Ted [D-CA-33]", "Ted", "Lieu", "D", "CA", 33),)
    assert bill.sponsor is not None and bill.sponsor.name == "Ted Lieu"
    assert (bill.cosponsors_count, bill.actions_count) == (1, 6)
    assert bill.citation.label == "H.R. 3571 (116th)"
    assert bill.laws == ()


def test_get_bill_119th_congress_version(congress_client: CongressClient) -> None:
    """H.R. 5323 (119th) has the official title as its display title and Lieu in CA-36."""
    bill = congress_client.get_bill(119, "hr", 5323)

    assert bill.title.startswith("To enhance subnational diplomacy efforts")
    assert bill.sponsors[0].district == 36
    assert bill.latest_action_text == "Referred to the House Committee on Foreign Affairs."


def test_actions_keep_duplicates_from_two_source_systems(congress_client: CongressClient) -> None:
    """The same action reported by House committee and Library of Congress systems is returned twice."""
    actions = congress_client.get_actions(116, "hr", 3571)

    ordered = [a for a in actions if a.text.startswith("Ordered to be Reported")]
    assert {a.source_system for a in ordered} == {"House committee actions", "Library of Congress"}
    assert {a.source_system_code for a in ordered} == {"1", "9"}
    assert all(a.committees == (CommitteeRef("Foreign Affairs Committee", "hsfa00"),) for a in ordered)
    referral = next(a for a in actions if a.action_code == "H11100")
    assert referral.type == "IntroReferral"
    assert referral.action_date == date(2019, 6, 27)
    assert len(actions) == 6


def test_enacted_bill_reports_its_law_and_steps(congress_client: CongressClient) -> None:
    """A bill that became law carries its public law number and President/BecameLaw actions with times."""
    bill = congress_client.get_bill(116, "s", 1678)
    actions = congress_client.get_actions(116, "s", 1678)

    assert bill.laws == (LawRef("Public Law", "116-135"),)
    assert {"President", "BecameLaw", "ResolvingDifferences", "Floor", "Committee"} <= {a.type for a in actions}
    vote = next(a for a in actions if a.action_code == "H37300")
    assert vote.action_time == "15:47:22"


def test_cosponsors_committees_related_bills_and_titles(congress_client: CongressClient) -> None:
    """Sub-resources are normalised: cosponsor dates, committee activities as dates, relationships, titles."""
    (wilson,) = congress_client.get_cosponsors(116, "hr", 3571)
    assert wilson.member == MemberRef("W000795", "Rep. Wilson, Joe [R-SC-2]", "Joe", "Wilson", "R", "SC", 2)
    assert (wilson.sponsorship_date, wilson.is_original, wilson.withdrawn_date) == (date(2019, 6, 27), True, None)

    (committee,) = congress_client.get_committees(116, "hr", 3571)
    assert (committee.system_code, committee.name, committee.chamber, committee.type) == (
        "hsfa00",
        "Foreign Affairs Committee",
        "House",
        "Standing",
    )
    assert committee.activities == (
        CommitteeActivity("Markup by", date(2019, 12, 18)),
        CommitteeActivity("Referred to", date(2019, 6, 27)),
    )

    (related,) = congress_client.get_related_bills(116, "hr", 3571)
    assert (related.congress, related.bill_type, related.number) == (116, "s", 4426)
    assert related.relationships == (Relationship("Related bill", "CRS"),)
    assert related.latest_action_date == date(2020, 8, 4)

    titles = congress_client.get_titles(116, "hr", 3571)
    assert ("City and State Diplomacy Act", "Display Title") in {(t.title, t.title_type) for t in titles}


def test_withdrawn_cosponsor_and_nested_subcommittee(
    congress_server: FakeCongressServer, congress_client: CongressClient
) -> None:
    """Withdrawn cosponsors keep their withdrawal date and drop out of the count; subcommittees nest."""
    record = congress_server.bills[(119, "hr", 5323)]
    record["cosponsors"].append(
        _cosponsor(1, sponsorshipDate="2025-09-15", sponsorshipWithdrawnDate="2025-10-01T00:00:00Z")
    )
    record["committees"][0]["subcommittees"] = [
        {
            "activities": [{"date": "2025-09-20T10:00:00Z", "name": "Referred to"}],
            "name": "Europe Subcommittee",
            "systemCode": "hsfa14",
            "url": "https://api.congress.gov/v3/committee/house/hsfa14",
        }
    ]

    assert congress_client.get_bill(119, "hr", 5323).cosponsors_count == 1
    withdrawn = [c for c in congress_client.get_cosponsors(119, "hr", 5323) if c.withdrawn]
    assert [c.withdrawn_date for c in withdrawn] == [date(2025, 10, 1)]
    (committee,) = congress_client.get_committees(119, "hr", 5323)
    (sub,) = committee.subcommittees
    assert (sub.system_code, sub.activities) == ("hsfa14", (CommitteeActivity("Referred to", date(2025, 9, 20)),))


def test_get_member_reads_either_website_key_and_full_state_names(congress_client: CongressClient) -> None:
    """Members' websites come from officialWebsiteUrl or officialUrl, and state names become codes."""
    lieu = congress_client.get_member("L000582")
    wilson = congress_client.get_member("w000795")
    murphy = congress_client.get_member("M001169")

    assert (lieu.website, lieu.state, lieu.district, lieu.party, lieu.chamber) == (
        "https://lieu.house.gov",
        "CA",
        36,
        "D",
        "House",
    )
    assert lieu.full_name == "Ted Lieu" and lieu.phone == "(202) 225-3976"
    assert wilson.website == "https://joewilson.house.gov"
    assert (murphy.chamber, murphy.state, murphy.district) == ("Senate", "CT", None)
    assert lieu.ref.bioguide_id == "L000582"


def test_member_state_name_is_mapped_when_no_term_code(
    congress_server: FakeCongressServer, congress_client: CongressClient
) -> None:
    """A member record with only a full state name ("South Carolina") still yields "SC"."""
    member = congress_server.members["W000795"]
    member["terms"] = []
    assert congress_client.get_member("W000795").state == "SC"


# ------------------------------------------------------------------ what goes on the wire


def test_every_request_sends_key_header_and_json_format(
    congress_server: FakeCongressServer, congress_client: CongressClient
) -> None:
    """Each request carries X-Api-Key and format=json, and the key never appears in the URL."""
    congress_client.get_bill(116, "hr", 3571)
    congress_client.get_actions(116, "hr", 3571)
    congress_client.get_member("L000582")

    assert len(congress_server.requests) == 3
    for _path, query, headers in congress_server.requests:
        assert headers["X-Api-Key"] == FAKE_API_KEY
        assert query["format"] == "json"
        assert "api_key" not in query


def test_paging_follows_next_links_and_re_adds_format(
    congress_server: FakeCongressServer, congress_client: CongressClient
) -> None:
    """600 cosponsors arrive in 3 pages of 250; next links without key or format still get both."""
    congress_server.next_includes_format = False
    congress_server.bills[(119, "hr", 5323)]["cosponsors"] = [_cosponsor(i) for i in range(600)]

    cosponsors = congress_client.get_cosponsors(119, "hr", 5323)

    assert len(cosponsors) == 600
    assert len({c.member.bioguide_id for c in cosponsors}) == 600
    pages = congress_server.requests_to("/cosponsors")
    assert [(q.get("offset", "0"), q["limit"]) for _p, q, _h in pages] == [("0", "250"), ("250", "250"), ("500", "250")]
    assert all(q["format"] == "json" and h["X-Api-Key"] == FAKE_API_KEY for _p, q, h in pages)
    assert congress_client.request_count == 3


def test_next_link_is_followed_on_our_host_without_the_key(congress_client: CongressClient) -> None:
    """A next link pointing at api.congress.gov is replayed against our base URL with any api_key dropped."""
    path, query = congress_client._follow(
        "https://api.congress.gov/v3/bill/116/hr/3571/actions?offset=250&limit=250&api_key=SECRET", "unused"
    )
    assert path == "bill/116/hr/3571/actions"
    assert query == {"offset": "250", "limit": "250"}


def test_request_count_is_exact_under_concurrency(
    congress_server: FakeCongressServer, congress_client: CongressClient
) -> None:
    """One client shared by several syncing threads counts every request exactly once."""
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                congress_client.get_bill(116, "hr", 3571)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert congress_client.request_count == 40 == len(congress_server.requests)


# ------------------------------------------------------------------ retries


def test_429_honours_retry_after_then_succeeds(
    congress_server: FakeCongressServer, congress_client: CongressClient, congress_sleeps: RecordingSleep
) -> None:
    """A 429 with Retry-After: 1 waits exactly one second, then the retry succeeds."""
    congress_server.fail_next("/bill/116/hr/3571", "429")

    bill = congress_client.get_bill(116, "hr", 3571)

    assert bill.number == 3571
    assert congress_sleeps.calls == [1.0]
    assert congress_client.request_count == 2


def test_long_retry_after_raises_at_once_without_retrying(
    congress_server: FakeCongressServer, make_client: MakeClient, congress_sleeps: RecordingSleep
) -> None:
    """A Retry-After longer than max_backoff is not waited out: RateLimited at once, one request, no sleep."""
    congress_server.retry_after = "3600"
    congress_server.fail_next(None, "429")
    client = make_client(max_backoff=5.0)

    with pytest.raises(RateLimited, match="about 60 minutes") as caught:
        client.get_bill(116, "hr", 3571)

    assert caught.value.retry_after == 3600.0
    assert client.request_count == 1 and congress_sleeps.calls == []


def test_persistent_429_raises_rate_limited(
    congress_server: FakeCongressServer, make_client: MakeClient, congress_sleeps: RecordingSleep
) -> None:
    """When every attempt is rate-limited, RateLimited says when to try again after max_retries retries."""
    congress_server.fail_next(None, "429", times=10)
    client = make_client(max_retries=2)

    with pytest.raises(RateLimited, match="try again in 1 second") as caught:
        client.get_bill(116, "hr", 3571)

    assert caught.value.retry_after == 1.0
    assert client.request_count == 3
    assert congress_sleeps.calls == [1.0, 1.0]


def test_429_without_retry_after_backs_off_and_says_later(
    congress_server: FakeCongressServer, make_client: MakeClient, congress_sleeps: RecordingSleep
) -> None:
    """Without Retry-After the client uses its own backoff, and the error says to try later."""
    congress_server.retry_after = None
    congress_server.fail_next(None, "429", times=10)

    with pytest.raises(RateLimited, match="try again later") as caught:
        make_client(max_retries=1, backoff=0.5).get_bill(116, "hr", 3571)

    assert caught.value.retry_after is None
    assert len(congress_sleeps.calls) == 1 and 0.25 <= congress_sleeps.calls[0] <= 0.5


def test_500_then_success(congress_server: FakeCongressServer, congress_client: CongressClient) -> None:
    """A passing server error is retried transparently."""
    congress_server.fail_next("/actions", "500")

    actions = congress_client.get_actions(116, "hr", 3571)

    assert len(actions) == 6
    assert congress_client.request_count == 2


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap(
    congress_server: FakeCongressServer, make_client: MakeClient, congress_sleeps: RecordingSleep
) -> None:
    """Waits between retries double (with jitter between half and all of each step) and stop at max_backoff."""
    congress_server.fail_next(None, "503", times=10)

    with pytest.raises(CongressUnavailable):
        make_client(max_retries=4, backoff=1.0, max_backoff=3.0).get_bill(116, "hr", 3571)

    bounds = [(0.5, 1.0), (1.0, 2.0), (1.5, 3.0), (1.5, 3.0)]
    assert len(congress_sleeps.calls) == 4
    for wait, (low, high) in zip(congress_sleeps.calls, bounds, strict=True):
        assert low <= wait <= high


def test_missing_bill_is_answered_in_two_requests(congress_server: FakeCongressServer, make_client: MakeClient) -> None:
    """Congress.gov answers 500 for a bill that does not exist: the listing's count confirms it in 2 requests."""
    client = make_client(max_retries=4)

    with pytest.raises(BillNotFound, match=r"No such bill: H\.R\. 99999 \(116th\) \(Congress\.gov lists 3,571"):
        client.get_bill(116, "hr", 99999)

    assert client.request_count == 2
    assert [path for path, _q, _h in congress_server.requests] == ["/v3/bill/116/hr/99999", "/v3/bill/116/hr"]


def test_500_on_a_listed_bill_is_an_outage_not_missing(
    congress_server: FakeCongressServer, make_client: MakeClient
) -> None:
    """A 500 for a number the listing reaches is an outage; for a known (stored) bill it is retried first."""
    congress_server.fail_next("/bill/116/hr/3571", "500", times=10)
    client = make_client(max_retries=2)
    with pytest.raises(CongressUnavailable, match=r"HTTP 500\) for H\.R\. 3571 \(116th\), which it lists"):
        client.get_bill(116, "hr", 3571)
    assert client.request_count == 2

    known = make_client(max_retries=2)
    with pytest.raises(CongressUnavailable, match=r"HTTP 500\) for H\.R\. 3571 \(116th\)"):
        known.get_bill(116, "hr", 3571, known=True)
    assert known.request_count == 3  # retried like any outage, no listing needed


def test_persistent_503_is_unavailable_not_missing(
    congress_server: FakeCongressServer, make_client: MakeClient
) -> None:
    """Only a 500 on a bill path means "no such bill"; a persistent 503 is CongressUnavailable."""
    congress_server.fail_next(None, "503", times=10)

    with pytest.raises(CongressUnavailable, match="HTTP 503"):
        make_client(max_retries=1).get_bill(116, "hr", 3571)


def test_404_is_bill_not_found_without_retry(congress_server: FakeCongressServer, make_client: MakeClient) -> None:
    """A 404 on a bill is BillNotFound at once; a 404 elsewhere is NotFound but not BillNotFound."""
    congress_server.fail_next("/bill/116/hr/3571", "404")
    client = make_client()

    with pytest.raises(BillNotFound, match="H.R. 3571 \\(116th\\) is not on Congress.gov"):
        client.get_bill(116, "hr", 3571)
    assert client.request_count == 1

    with pytest.raises(NotFound) as caught:
        client.get_member("Z999999")
    assert not isinstance(caught.value, BillNotFound)


def test_slow_answers_time_out_then_congress_unavailable(
    congress_server: FakeCongressServer, make_client: MakeClient
) -> None:
    """A server slower than the timeout is retried, then reported as unavailable, without hanging."""
    congress_server.slow_seconds = 2.0
    congress_server.fail_next(None, "slow", times=10)
    client = make_client(timeout=0.2, max_retries=1)

    started = time.monotonic()
    with pytest.raises(CongressUnavailable, match="did not answer within 0.2 s") as caught:
        client.get_bill(116, "hr", 3571)

    assert time.monotonic() - started < 1.5
    assert client.request_count == 2
    assert isinstance(caught.value.__cause__, requests.Timeout)


def test_one_slow_answer_is_retried(congress_server: FakeCongressServer, make_client: MakeClient) -> None:
    """A single timeout does not fail the call: the retry gets the bill."""
    congress_server.fail_next(None, "slow")

    assert make_client(timeout=0.2).get_bill(116, "hr", 3571).number == 3571


def test_latency_within_timeout_is_fine(congress_server: FakeCongressServer, make_client: MakeClient) -> None:
    """A server that is slow but inside the timeout answers normally with one request."""
    congress_server.latency = 0.05
    client = make_client(timeout=1.0)

    assert client.get_bill(116, "hr", 3571).number == 3571
    assert client.request_count == 1


def test_dropped_connection_is_retried(congress_server: FakeCongressServer, congress_client: CongressClient) -> None:
    """A connection closed without an answer is retried like other network errors."""
    congress_server.fail_next(None, "reset")

    assert congress_client.get_bill(116, "hr", 3571).number == 3571
    assert congress_client.request_count == 2


def test_unreachable_server_is_congress_unavailable(
    congress_server: FakeCongressServer, make_client: MakeClient
) -> None:
    """Nothing listening (connection refused) ends in CongressUnavailable after the retries."""
    client = make_client(max_retries=1)
    congress_server.stop()

    with pytest.raises(CongressUnavailable, match="Could not reach Congress.gov"):
        client.get_bill(116, "hr", 3571)
    assert client.request_count == 2


def test_invalid_json_is_bad_response_after_bounded_retries(
    congress_server: FakeCongressServer, make_client: MakeClient
) -> None:
    """A 200 with a broken JSON body is retried at most max_retries times, then BadResponse."""
    congress_server.fail_next(None, "badjson", times=10)
    client = make_client(max_retries=2)

    with pytest.raises(BadResponse, match="invalid JSON"):
        client.get_bill(116, "hr", 3571)
    assert client.request_count == 3


def test_invalid_json_once_is_retried(congress_server: FakeCongressServer, congress_client: CongressClient) -> None:
    """A single truncated body does not fail the call."""
    congress_server.fail_next(None, "badjson")

    assert congress_client.get_bill(116, "hr", 3571).number == 3571


# ------------------------------------------------------------------ the API key


def test_rejected_key_raises_api_key_error_with_instructions(
    congress_server: FakeCongressServer, make_client: MakeClient
) -> None:
    """A 403 API_KEY_INVALID is not retried and tells how to get and set a key."""
    client = make_client(api_key="not-a-real-key")

    with pytest.raises(ApiKeyError) as caught:
        client.get_bill(116, "hr", 3571)

    message = str(caught.value)
    assert "API_KEY_INVALID" in message
    assert "https://api.congress.gov/sign-up/" in message
    assert "CONGRESS_API_KEY" in message
    assert client.request_count == 1


def test_injected_403_maps_to_api_key_error(
    congress_server: FakeCongressServer, congress_client: CongressClient
) -> None:
    """A key revoked mid-sync (403 on a later page) surfaces as ApiKeyError, not as missing data."""
    congress_server.fail_next("/titles", "403")

    with pytest.raises(ApiKeyError):
        congress_client.get_titles(116, "hr", 3571)


def test_missing_key_fails_before_any_request(congress_server: FakeCongressServer, make_client: MakeClient) -> None:
    """Without a configured key nothing is sent, and the error explains how to get one."""
    client = make_client(api_key=None)

    with pytest.raises(ApiKeyError, match="No Congress.gov API key is configured.*sign-up.*CONGRESS_API_KEY"):
        client.get_bill(116, "hr", 3571)
    assert client.request_count == 0
    assert congress_server.requests == []


def test_all_client_errors_share_one_base_class() -> None:
    """Callers can catch CongressError for every failure the client reports."""
    for error in (ApiKeyError, BillNotFound, NotFound, RateLimited, CongressUnavailable, BadResponse):
        assert issubclass(error, CongressError)


def test_bad_arguments_never_reach_the_network(make_client: MakeClient, congress_server: FakeCongressServer) -> None:
    """Unknown bill types and malformed bioguide ids are refused locally (they would end up in a URL path)."""
    client = make_client()
    with pytest.raises(ValueError):
        client.get_bill(116, "hb", 1)
    with pytest.raises(ValueError):
        client.get_member("../bill")
    assert congress_server.requests == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [("1", 1.0), ("2.5", 2.5), ("-3", 0.0), ("soon", None), (None, None), ("nan", None)],
)
def test_retry_after_parsing(header: str | None, expected: float | None) -> None:
    """Retry-After seconds are read as floats; garbage is ignored rather than trusted."""
    assert _retry_after(header) == expected


def test_rate_limited_message_says_when() -> None:
    """The rate-limit message gives the wait in words a person can act on."""
    assert str(RateLimited(1.0)).endswith("try again in 1 second.")
    assert "try again in about 60 minutes" in str(RateLimited(3600.0))


def test_retry_after_http_date_is_read() -> None:
    """Retry-After may be an HTTP date; a date in the past means retry now."""
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


# ------------------------------------------------------------------ the fake itself


def test_fake_checks_keys_and_format_like_the_real_api(congress_server: FakeCongressServer) -> None:
    """The fake refuses missing/invalid keys with api.data.gov bodies, accepts api_key, and answers XML by default."""
    with requests.Session() as session:
        bill_url = f"{congress_server.url}/bill/116/hr/3571"
        missing = session.get(bill_url, params={"format": "json"}, timeout=5)
        assert missing.status_code == 403
        assert missing.json()["error"]["code"] == "API_KEY_MISSING"
        invalid = session.get(bill_url, params={"format": "json", "api_key": "nope"}, timeout=5)
        assert invalid.json()["error"]["code"] == "API_KEY_INVALID"
        by_param = session.get(bill_url, params={"format": "json", "api_key": FAKE_API_KEY}, timeout=5)
        assert by_param.json()["bill"]["number"] == "3571"
        xml = session.get(bill_url, headers={"X-Api-Key": FAKE_API_KEY}, timeout=5)
        assert xml.headers["Content-Type"] == "application/xml"
        unknown = session.get(
            f"{congress_server.url}/bills", params={"api_key": FAKE_API_KEY, "format": "json"}, timeout=5
        )
        assert (unknown.status_code, unknown.json()) == (404, {"error": "Unknown resource: bills"})


def test_a_redirect_is_not_followed_so_the_key_never_reaches_another_host() -> None:
    """requests strips only `Authorization` across hosts: following a redirect would hand X-Api-Key elsewhere."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str | None] = []

    class Elsewhere(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            seen.append(self.headers.get("X-Api-Key"))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    elsewhere = ThreadingHTTPServer(("127.0.0.1", 0), Elsewhere)
    target = f"http://localhost:{elsewhere.server_address[1]}/steal"

    class Redirect(Elsewhere):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

    redirecting = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    servers = [elsewhere, redirecting]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    client = CongressClient(f"http://127.0.0.1:{redirecting.server_address[1]}/v3", FAKE_API_KEY, max_retries=0)
    try:
        with pytest.raises(CongressError):
            client.get_bill(119, "hr", 5323)
    finally:
        client.close()
        for server in servers:
            server.shutdown()
            server.server_close()
    assert seen == []
