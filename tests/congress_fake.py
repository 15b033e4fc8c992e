"""A fake Congress.gov API v3 on 127.0.0.1, so that tests exercise real HTTP: timeouts, paging and retries.

`FakeCongressServer` speaks the official JSON shapes for /bill/{congress}/{type}/{number} and its /actions,
/cosponsors, /committees, /relatedbills and /titles sub-resources, and /member/{bioguideId}. It checks the API
key like api.data.gov does, pages with offset/limit and `pagination.next` links that omit the key, answers
XML when `format=json` is missing (as the real API does), 404 for unknown paths and 500 for unknown bills, and
lists bills per Congress and type (/bill/{congress}/{type}, whose `pagination.count` the client uses to tell a
missing bill from an outage).

Tests mutate `server.bills` / `server.members` directly and inject faults with `fail_next()`; every request is
logged in `server.requests` as (path, query, headers).
"""

from __future__ import annotations

import copy
import json
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FAKE_API_KEY = "test-key"
FIXTURE_DIR = Path(__file__).parent / "fixtures" / "congress"
FAULT_KINDS = frozenset({"429", "500", "503", "slow", "badjson", "403", "404", "reset"})

# Sub-resource path -> key of the list in the response body (and in a `server.bills` record).
SUBRESOURCES = {
    "actions": "actions",
    "cosponsors": "cosponsors",
    "committees": "committees",
    "relatedbills": "relatedBills",
    "titles": "titles",
    "text": "textVersions",
}
# The bill item's {"count", "url"} links; cosponsors get their own (counts with and without the withdrawn ones).
_COUNTED = {sub: field for sub, field in SUBRESOURCES.items() if sub != "cosponsors"}
_BILL_RE = re.compile(r"/v3/bill/(?P<congress>[0-9]+)/(?P<type>[a-z]+)/(?P<number>[0-9]+)(?:/(?P<sub>[a-z]+))?/?")
_LIST_RE = re.compile(r"/v3/bill/(?P<congress>[0-9]+)/(?P<type>[a-z]+)/?")
_MEMBER_RE = re.compile(r"/v3/member/(?P<bioguide>[A-Za-z0-9]+)/?")
BILL_TYPES = ("hr", "s", "hjres", "sjres", "hconres", "sconres", "hres", "sres")

BillKey = tuple[int, str, int]


@dataclass
class Document:
    """A text document: its bytes (or `size` bytes of `body` repeated, streamed without Content-Length), or a redirect."""

    body: bytes = b""
    content_type: str = "application/xml"
    size: int | None = None
    redirect: str | None = None


@dataclass
class _Fault:
    match: str | None
    kind: str
    remaining: int


class RecordingSleep:
    """A stand-in for `time.sleep` that records the requested waits instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def wilson_cosponsor(sponsorship_date: str = "2026-11-18") -> dict[str, Any]:
    """Rep. Joe Wilson (R-SC-2) as a new cosponsor item, in the /cosponsors shape, for tests that add one."""
    return {
        "bioguideId": "W000795",
        "fullName": "Rep. Wilson, Joe [R-SC-2]",
        "firstName": "Joe",
        "lastName": "Wilson",
        "party": "R",
        "state": "SC",
        "district": 2,
        "sponsorshipDate": sponsorship_date,
        "isOriginalCosponsor": False,
        "sponsorshipWithdrawnDate": None,
    }


class FakeCongressServer:
    """An in-memory Congress.gov API served over real HTTP on 127.0.0.1 (port chosen by the OS).

    `bills[(116, "hr", 3571)]` is a dict with "bill" (the bill object as the API returns it) and the lists
    "actions", "cosponsors", "committees", "relatedbills", "titles" (API item shapes). Sub-resource counts and
    URLs in the bill object are derived from those lists when served, so tests only edit the lists.
    """

    def __init__(self, api_keys: Iterable[str] = (FAKE_API_KEY,)) -> None:
        self.bills: dict[BillKey, dict[str, Any]] = {}
        self.members: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.api_keys = set(api_keys)
        self.latency = 0.0  # seconds added to every request
        self.retry_after: str | None = "1"  # Retry-After sent with injected 429s (None: no header)
        self.slow_seconds = 1.0  # how long a "slow" fault stalls before answering
        self.next_includes_format = True  # whether pagination.next carries format=json
        self._holds: list[tuple[str, threading.Event, threading.Event]] = []
        # Bill text documents served without a key at their path (as www.govinfo.gov would): path -> Document.
        self.documents: dict[str, Document] = {}
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- lifecycle

    def start(self) -> FakeCongressServer:
        """Listen on 127.0.0.1 (a free port) and serve from a daemon thread."""
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-congress", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; stalled ("slow") handlers are released at once."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> FakeCongressServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        """ "http://127.0.0.1:PORT"."""
        if self._httpd is None:
            raise RuntimeError("the fake Congress.gov server is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def url(self) -> str:
        """Base URL to give the client, like https://api.congress.gov/v3."""
        return f"{self.origin}/v3"

    # -------------------------------------------------------------- test controls

    def fail_next(self, path_substring: str | None, kind: str, times: int = 1) -> None:
        """Make the next `times` requests whose path contains `path_substring` (None: any) fail with `kind`.

        Kinds: "429" (with `retry_after`), "500", "503", "slow" (stall `slow_seconds`, then answer normally),
        "badjson" (HTTP 200 with a truncated JSON body), "403" (API_KEY_INVALID), "404" (Unknown resource),
        "reset" (close the connection without answering).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        with self._lock:
            self._faults.append(_Fault(path_substring, kind, times))

    def hold(self, path_substring: str) -> tuple[threading.Event, threading.Event]:
        """Hold the next request whose path contains `path_substring` until released.

        Returns (arrived, release): `arrived` is set when the request is being held; set `release` to let it
        answer. Tests use it to look at the app while a request is in flight, without timing guesses.
        """
        arrived, release = threading.Event(), threading.Event()
        with self._lock:
            self._holds.append((path_substring, arrived, release))
        return arrived, release

    def _take_hold(self, path: str) -> tuple[threading.Event, threading.Event] | None:
        with self._lock:
            for index, (match, arrived, release) in enumerate(self._holds):
                if match in path:
                    del self._holds[index]
                    return arrived, release
        return None

    def add_bill(self, congress: int, bill_type: str, number: int, **fields: Any) -> dict[str, Any]:
        """Add a minimal bill (override any bill field by keyword) and return its mutable record."""
        bill = {
            "congress": congress,
            "type": bill_type.upper(),
            "number": str(number),
            "originChamber": "Senate" if bill_type.startswith("s") else "House",
            "title": f"Test bill {bill_type.upper()} {number}",
            "introducedDate": "2025-01-09",
            "updateDate": "2025-01-10T12:00:00Z",
            "updateDateIncludingText": "2025-01-10T12:00:00Z",
            "latestAction": {"actionDate": "2025-01-09", "text": "Introduced"},
            "sponsors": [],
            **fields,
        }
        record: dict[str, Any] = {"bill": bill, **{name: [] for name in SUBRESOURCES}}
        self.bills[(congress, bill_type, number)] = record
        return record

    def requests_to(self, path_substring: str) -> list[tuple[str, dict[str, str], dict[str, str]]]:
        """The logged requests whose path contains `path_substring`."""
        with self._lock:
            return [entry for entry in self.requests if path_substring in entry[0]]

    # -------------------------------------------------------------- request handling (server threads)

    def _take_fault(self, path: str) -> str | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and (fault.match is None or fault.match in path):
                    fault.remaining -= 1
                    return fault.kind
        return None

    def _log(self, path: str, query: dict[str, str], headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((path, query, headers))

    def _route(self, path: str, query: Mapping[str, str]) -> tuple[int, Any]:
        """(status, JSON body) for an authorised JSON request."""
        bill_match = _BILL_RE.fullmatch(path)
        if bill_match and bill_match["type"] in BILL_TYPES:
            key = (int(bill_match["congress"]), bill_match["type"], int(bill_match["number"]))
            sub = bill_match["sub"]
            if sub is not None and sub not in SUBRESOURCES:
                return _unknown(path)
            record = self.bills.get(key)
            if record is None:
                # What Congress.gov has been seen to answer for a bill that does not exist.
                return 500, {"error": {"code": 500, "message": "Internal Server Error"}, "request": _request(key, sub)}
            if sub is None:
                return 200, {"bill": self._bill_body(key, record), "request": _request(key, None)}
            return 200, self._page(path, query, key, sub, record)
        list_match = _LIST_RE.fullmatch(path)
        if list_match and list_match["type"] in BILL_TYPES:
            congress, bill_type = int(list_match["congress"]), list_match["type"]
            # Bill numbers are consecutive: a real listing's count reaches the highest stored number.
            count = max((number for (c, t, number) in self.bills if (c, t) == (congress, bill_type)), default=0)
            return 200, {"bills": [], "pagination": {"count": count}, "request": {"congress": str(congress)}}
        member_match = _MEMBER_RE.fullmatch(path)
        if member_match:
            member = self.members.get(member_match["bioguide"].upper())
            if member is None:
                return _unknown(path)
            request = {"bioguideId": member_match["bioguide"], "contentType": "application/json", "format": "json"}
            return 200, {"member": copy.deepcopy(member), "request": request}
        return _unknown(path)

    def _bill_body(self, key: BillKey, record: Mapping[str, Any]) -> dict[str, Any]:
        bill = copy.deepcopy(record["bill"])
        base = f"{self.url}/bill/{key[0]}/{key[1]}/{key[2]}"
        for sub, field in _COUNTED.items():
            items = record.get(sub) or []
            if items or field in bill:
                bill[field] = {"count": len(items), "url": f"{base}/{sub}?format=json"}
        cosponsors = record.get("cosponsors") or []
        if cosponsors or "cosponsors" in bill:
            bill["cosponsors"] = {
                "count": sum(1 for item in cosponsors if not item.get("sponsorshipWithdrawnDate")),
                "countIncludingWithdrawnCosponsors": len(cosponsors),
                "url": f"{base}/cosponsors?format=json",
            }
        return bill

    def _page(
        self, path: str, query: Mapping[str, str], key: BillKey, sub: str, record: Mapping[str, Any]
    ) -> dict[str, Any]:
        items = list(record.get(sub) or [])
        offset = max(0, _to_int(query.get("offset"), 0))
        limit = min(250, max(1, _to_int(query.get("limit"), 20)))
        page = copy.deepcopy(items[offset : offset + limit])
        pagination: dict[str, Any] = {"count": len(items)}
        if sub == "cosponsors":
            pagination["count"] = sum(1 for item in items if not item.get("sponsorshipWithdrawnDate"))
            pagination["countIncludingWithdrawnCosponsors"] = len(items)
        if offset + limit < len(items):
            # Like the real API, the link omits the key (and, if configured, the format).
            next_query = f"offset={offset + limit}&limit={limit}"
            if self.next_includes_format:
                next_query += "&format=json"
            pagination["next"] = f"{self.origin}{path}?{next_query}"
        return {SUBRESOURCES[sub]: page, "pagination": pagination, "request": _request(key, sub)}


def _request(key: BillKey, sub: str | None) -> dict[str, str]:
    congress, bill_type, number = key
    url = f"https://api.congress.gov/v3/bill/{congress}/{bill_type}/{number}" + (f"/{sub}" if sub else "")
    return {
        "billNumber": str(number),
        "billType": bill_type,
        "billUrl": f"{url}?format=json",
        "congress": str(congress),
        "contentType": "application/json",
        "format": "json",
    }


def _unknown(path: str) -> tuple[int, dict[str, str]]:
    return 404, {"error": f"Unknown resource: {path.removeprefix('/v3/')}"}


def _to_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _key_error(code: str) -> dict[str, Any]:
    messages = {
        "API_KEY_MISSING": "No api_key was supplied. Get one at https://api.congress.gov/sign-up",
        "API_KEY_INVALID": "An invalid api_key was supplied. Get one at https://api.congress.gov/sign-up",
    }
    return {"error": {"code": code, "message": messages[code]}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog (5) stalls concurrent clients for a SYN retry (1 s)
    fake: FakeCongressServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out has gone away; writing to it fails. That is the point of the test.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeCongressGov/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        """Keep test output quiet; `server.requests` is the log."""

    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        fake = self.server.fake
        parts = urlsplit(self.path)
        path = parts.path
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        fake._log(path, query, dict(self.headers.items()))
        if fake.latency:
            fake._stopping.wait(fake.latency)
        held = fake._take_hold(path)
        if held is not None:
            held[0].set()
            held[1].wait(30)

        fault = fake._take_fault(path)
        if fault == "reset":
            self.close_connection = True
            return
        if fault == "slow":
            fake._stopping.wait(fake.slow_seconds)
        elif fault == "429":
            body = {
                "error": {
                    "code": "OVER_RATE_LIMIT",
                    "message": "You have exceeded your rate limit. Try again later or contact us at "
                    "https://api.congress.gov/contact/ for assistance",
                }
            }
            headers = {"Retry-After": fake.retry_after} if fake.retry_after is not None else {}
            return self._send_json(429, body, headers)
        elif fault in ("500", "503"):
            return self._send_json(int(fault), {"error": {"code": int(fault), "message": "Service unavailable"}})
        elif fault == "403":
            return self._send_json(403, _key_error("API_KEY_INVALID"))
        elif fault == "404":
            return self._send_json(*_unknown(path))

        document = fake.documents.get(path)
        if document is not None:
            return self._send_document(document)
        key = self.headers.get("X-Api-Key") or query.get("api_key")
        if not key:
            return self._send_json(403, _key_error("API_KEY_MISSING"))
        if key not in fake.api_keys:
            return self._send_json(403, _key_error("API_KEY_INVALID"))
        if fault == "badjson":
            return self._send(200, b'{"bill": {"congress": 116, "type": "H', "application/json")
        if query.get("format", "xml").lower() != "json":
            # The API's default format is XML; a client that forgets format=json gets this.
            xml = b'<?xml version="1.0" encoding="utf-8"?>\n<api-root><error>format=json expected</error></api-root>'
            return self._send(200, xml, "application/xml")
        status, body = fake._route(path, query)
        self._send_json(status, body)

    def _send_document(self, document: Document) -> None:
        if document.redirect is not None:
            self.send_response(302)
            self.send_header("Location", document.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if document.size is None:
            return self._send(200, document.body, document.content_type)
        # A huge body of unknown length: the client has to stop reading by itself.
        self.send_response(200)
        self.send_header("Content-Type", document.content_type)
        self.end_headers()
        self.close_connection = True
        sent = 0
        try:
            while sent < document.size and not self.server.fake._stopping.is_set():
                self.wfile.write(document.body)
                sent += len(document.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send_json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _send(self, status: int, payload: bytes, content_type: str, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def load_fixture_bills(server: FakeCongressServer, directory: Path = FIXTURE_DIR) -> list[BillKey]:
    """Load the recorded bills and members under tests/fixtures/congress into `server`; return the bill keys."""
    loaded: list[BillKey] = []
    for folder in sorted(path for path in directory.iterdir() if path.is_dir() and path.name != "member"):
        congress, bill_type, number = folder.name.split("-")
        key = (int(congress), bill_type, int(number))
        record: dict[str, Any] = {"bill": _read(folder / "bill.json")["bill"]}
        for sub, field in SUBRESOURCES.items():
            source = folder / f"{sub}.json"
            record[sub] = _read(source)[field] if source.exists() else []
        server.bills[key] = record
        loaded.append(key)
    members = directory / "member"
    if members.is_dir():
        for source in sorted(members.glob("*.json")):
            server.members[source.stem.upper()] = _read(source)["member"]
    return loaded


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def load_billstatus(server: FakeCongressServer, *names: str) -> list[BillKey]:
    """Serve real BILLSTATUS records (tests/fixtures/billstatus/BILLSTATUS-<name>.xml, e.g. "116hr3055")."""
    from tests.billstatus import BILLSTATUS_DIR, bill_key, billstatus_record

    keys = []
    for name in names:
        record = billstatus_record(BILLSTATUS_DIR / f"BILLSTATUS-{name}.xml")
        key = bill_key(record)
        server.bills[key] = record
        keys.append(key)
    return keys


def shout_names(record: dict[str, Any]) -> None:
    """Write a record's member names in capitals, as some Congress.gov records do ("NYDIA", "VELAZQUEZ")."""
    for item in [*record["bill"].get("sponsors", []), *record.get("cosponsors", [])]:
        for field in ("firstName", "lastName"):
            if item.get(field):
                item[field] = item[field].upper()
