"""The Congress.gov API v3 client: one class around one `requests.Session`.

Everything the app learns about a bill comes through `CongressClient`. It owns the awkward parts of the API so
that callers do not have to: the key header, `format=json` (the API defaults to XML), paging through
`pagination.next` links (which drop the key), retrying what is worth retrying, and turning failures into a
few exceptions a person can act on. It returns the frozen records of `advocacy.congress.types`, never raw JSON.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import requests

from advocacy.congress.citations import Citation, CitationError
from advocacy.congress.citations import ordinal as _ordinal
from advocacy.congress.types import (
    ActionData,
    BillCommitteeData,
    BillData,
    CommitteeActivity,
    CommitteeRef,
    CosponsorData,
    LawRef,
    MemberData,
    MemberRef,
    RelatedBillData,
    Relationship,
    TitleData,
)

logger = logging.getLogger(__name__)
_R = TypeVar("_R")  # a record parsed from one item of a paged list

__all__ = [
    "ApiKeyError",
    "BadResponse",
    "BillNotFound",
    "CongressClient",
    "CongressError",
    "CongressUnavailable",
    "NotFound",
    "RateLimited",
]

SIGN_UP_URL = "https://api.congress.gov/sign-up/"
PAGE_SIZE = 250  # the API's maximum `limit`
MAX_PAGES = 1000  # a safety stop should `next` links ever loop
_BILL_PATH_RE = re.compile(r"bill/(?P<congress>[0-9]+)/(?P<type>[a-z]+)/(?P<number>[0-9]+)(?:/[a-z]+)?")
_BIOGUIDE_RE = re.compile(r"[A-Z][0-9]{6}")


class CongressError(Exception):
    """Base class of everything the client raises about Congress.gov."""


class ApiKeyError(CongressError):
    """No API key is configured, or Congress.gov (api.data.gov) rejected it."""


class NotFound(CongressError):
    """Congress.gov has nothing at this path."""


class BillNotFound(NotFound):
    """No such bill: a 404, or an HTTP 500 for a bill that Congress.gov's own listing does not reach."""


class RateLimited(CongressError):
    """Congress.gov kept answering 429 (over 5,000 requests an hour) after every retry."""

    def __init__(self, retry_after: float | None = None, message: str | None = None) -> None:
        self.retry_after = retry_after
        if message is None:
            when = (
                f"try again in {_duration(retry_after)}"
                if retry_after is not None
                else "try again later (the limit is 5,000 requests an hour)"
            )
            message = f"Congress.gov rate limit reached; {when}."
        super().__init__(message)


class CongressUnavailable(CongressError):
    """Congress.gov could not be reached, timed out or kept failing (5xx) after every retry."""


class _FirstServerError(CongressUnavailable):
    """An HTTP 500 on a bill item that the caller asked not to retry (it may be a missing bill)."""


class BadResponse(CongressError):
    """Congress.gov answered, but not with the JSON object the client expects."""


@dataclass(frozen=True)
class _Retryable:
    """A failed attempt worth retrying: the error to raise when no attempt is left, and how long to wait."""

    failure: CongressError
    cause: BaseException | None = None
    wait: float | None = None  # None: the client's backoff


def _json_object(response: requests.Response, path: str) -> dict[str, Any] | _Retryable:
    """The JSON object of a 2xx answer; invalid JSON or another JSON type is a (retryable) BadResponse."""
    try:
        data = response.json()
    except ValueError as exc:
        return _Retryable(
            BadResponse(f"Congress.gov sent invalid JSON for {path} (HTTP {response.status_code})."), cause=exc
        )
    if isinstance(data, dict):
        return data
    return _Retryable(BadResponse(f"Congress.gov sent {type(data).__name__}, not an object, for {path}."))


def _duration(seconds: float) -> str:
    """Human wording for a wait: "1 second", "45 seconds", "about 3 minutes"."""
    if seconds < 90:
        whole = max(1, round(seconds))
        return f"{whole} second" + ("" if whole == 1 else "s")
    return f"about {round(seconds / 60)} minutes"


def _no_key_message(detail: str) -> str:
    return f"{detail} Get a free key at {SIGN_UP_URL} and set CONGRESS_API_KEY."


class CongressClient:
    """Read bills, their actions, cosponsors, committees, related bills and titles, and members.

    One client wraps one `requests.Session` (connection reuse matters when a sync makes dozens of calls). Every
    request carries the key in the `X-Api-Key` header (never in the URL, so it stays out of logs), asks for
    JSON, and has a timeout. 429s (honouring `Retry-After`), 5xx answers, timeouts and connection errors are
    retried up to `max_retries` times with exponential backoff and jitter, capped at `max_backoff` seconds.

    Safe to share between threads that sync bills concurrently: the client keeps no per-request state except
    `request_count` (HTTP requests actually sent, retries included), which is updated under a lock.

    `sleep` is injectable so that tests can record back-off waits instead of waiting.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float = 10.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key or None
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.session = session or requests.Session()
        self.request_count = 0
        self._owns_session = session is None
        self._sleep = sleep
        self._lock = threading.Lock()
        self._random = random.Random()
        self._base_path = urlsplit(self.base_url).path.rstrip("/")

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **kwargs: Any) -> CongressClient:
        """Build a client from Flask config (CONGRESS_API_URL, CONGRESS_API_KEY, CONGRESS_TIMEOUT)."""
        kwargs.setdefault("timeout", float(config.get("CONGRESS_TIMEOUT", 10.0)))
        return cls(
            config.get("CONGRESS_API_URL") or "https://api.congress.gov/v3",
            config.get("CONGRESS_API_KEY"),
            **kwargs,
        )

    def close(self) -> None:
        """Close the session's connections (only when the client created the session)."""
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> CongressClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<CongressClient {self.base_url} key={'set' if self.api_key else 'missing'}>"

    # ------------------------------------------------------------------ public API

    def get_bill(self, congress: int, bill_type: str, number: int, *, known: bool = False) -> BillData:
        """Fetch the bill item: title, sponsor, dates, latest action and sub-resource counts.

        Congress.gov answers HTTP 500 both for a bill that does not exist and when it is failing. For a `known`
        bill (one already stored) a 500 is an outage: retried, then `CongressUnavailable`. Otherwise the first
        500 is checked against the bill listing of that Congress and type (bills are numbered consecutively
        from 1, so the listing's count says whether the number exists): `BillNotFound` in two requests when it
        does not, `CongressUnavailable` when it does or the listing fails too.
        """
        citation = _citation(congress, bill_type, number)
        try:
            body = self._request(citation.api_path, final_500=not known)
        except _FirstServerError as exc:
            listed = self._listed_count(citation)
            if listed is not None and citation.number > listed:
                raise BillNotFound(
                    f"No such bill: {citation.label} (Congress.gov lists {listed:,} "
                    f"{citation.display.rsplit(' ', 1)[0]} bills in the {_ordinal(citation.congress)} Congress)."
                ) from exc
            detail = "which it lists" if listed is not None else "and its bill listing could not confirm it"
            raise CongressUnavailable(
                f"Congress.gov is failing (HTTP 500) for {citation.label}, {detail}; try again later."
            ) from exc
        bill = body.get("bill")
        if not isinstance(bill, dict):
            raise BadResponse(f"Congress.gov answer for {citation.label} has no 'bill' object")
        return _bill_data(bill, citation)

    def _listed_count(self, citation: Citation) -> int | None:
        """How many bills of this type Congress.gov lists for the Congress (None when the listing fails)."""
        try:
            body = self._request(f"bill/{citation.congress}/{citation.bill_type}", {"limit": 1}, retries=0)
        except CongressError:
            return None
        pagination = body.get("pagination")
        return _int(pagination.get("count")) if isinstance(pagination, dict) else None

    def get_actions(self, congress: int, bill_type: str, number: int) -> list[ActionData]:
        """Fetch every action on the bill, in API order (newest first), duplicates across sources included."""
        path = _citation(congress, bill_type, number).api_path + "/actions"
        return self._paged_records(path, "actions", _action_data, "an action without a usable date")

    def get_cosponsors(self, congress: int, bill_type: str, number: int) -> list[CosponsorData]:
        """Fetch every cosponsor, including those who later withdrew (see `CosponsorData.withdrawn_date`)."""
        path = _citation(congress, bill_type, number).api_path + "/cosponsors"
        return self._paged_records(path, "cosponsors", _cosponsor, "a cosponsor without a bioguide id")

    def get_committees(self, congress: int, bill_type: str, number: int) -> list[BillCommitteeData]:
        """Fetch the committees that handled the bill, each with its activities and nested subcommittees."""
        path = _citation(congress, bill_type, number).api_path + "/committees"
        return [committee for item in self._paged(path, "committees") if (committee := _committee(item))]

    def get_related_bills(self, congress: int, bill_type: str, number: int) -> list[RelatedBillData]:
        """Fetch the bills that the House, the Senate or CRS relate to this one (identical, related...)."""
        path = _citation(congress, bill_type, number).api_path + "/relatedbills"
        return self._paged_records(path, "relatedBills", _related_bill, "an unreadable related bill")

    def get_titles(self, congress: int, bill_type: str, number: int) -> list[TitleData]:
        """Fetch every title (display, official, short titles as introduced/reported/passed)."""
        path = _citation(congress, bill_type, number).api_path + "/titles"
        return [
            TitleData(title=title, title_type=_str(item.get("titleType")))
            for item in self._paged(path, "titles")
            if (title := _str(item.get("title")))
        ]

    def get_member(self, bioguide_id: str) -> MemberData:
        """Fetch a member's own record: name, party, state, district, chamber and office contact details.

        Raises `NotFound` for an unknown bioguide id and `ValueError` for text that cannot be one.
        """
        bioguide_id = (bioguide_id or "").strip().upper()
        if not _BIOGUIDE_RE.fullmatch(bioguide_id):
            raise ValueError(f"{bioguide_id!r} is not a bioguide id like 'L000582'")
        body = self._request(f"member/{bioguide_id}")
        member = body.get("member")
        if not isinstance(member, dict):
            raise BadResponse(f"Congress.gov answer for member {bioguide_id} has no 'member' object")
        return _member_data(member, bioguide_id)

    # ------------------------------------------------------------------ HTTP

    def _request(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        final_500: bool = False,
        retries: int | None = None,
    ) -> dict[str, Any]:
        """GET `path` (relative to the base URL) and return the decoded JSON object.

        Retries 429, 5xx, invalid JSON, timeouts and connection errors up to `max_retries` (or `retries`)
        times, then raises the matching `CongressError`; 403/404/other 4xx are raised at once. A 429 whose
        Retry-After is longer than `max_backoff` is raised at once as `RateLimited` (waiting would block the
        sync, and every retry before that time is refused anyway). With `final_500`, an HTTP 500 is raised at
        once (see `get_bill`).
        """
        if not self.api_key:
            raise ApiKeyError(_no_key_message("No Congress.gov API key is configured."))
        path = path.lstrip("/")
        url = f"{self.base_url}/{path}"
        query = {key: value for key, value in (params or {}).items() if key.lower() != "api_key"}
        query["format"] = "json"
        headers = {"X-Api-Key": self.api_key, "Accept": "application/json"}

        return self._with_retries(
            f"Congress.gov {path}",
            lambda: self._attempt(url, query, headers, path, final_500=final_500),
            retries=retries,
        )

    def _with_retries(
        self, what: str, attempt_once: Callable[[], _R | _Retryable], *, retries: int | None = None
    ) -> _R:
        """`attempt_once()` until it gives a result: a `_Retryable` is waited out (its own wait, else the backoff)
        and tried again, up to `retries` (default `max_retries`) more times, then raised. The one retry loop of
        the API calls and the text documents (`advocacy.congress.texts`)."""
        retries = self.max_retries if retries is None else max(0, retries)
        for attempt in range(1, retries + 2):
            outcome = attempt_once()
            if not isinstance(outcome, _Retryable):
                return outcome
            if attempt > retries:
                raise outcome.failure from outcome.cause
            wait = outcome.wait if outcome.wait is not None else self._backoff_delay(attempt)
            logger.warning("%s failed (%s); retry %d of %d in %.2f s", what, outcome.failure, attempt, retries, wait)
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self, url: str, query: Mapping[str, Any], headers: Mapping[str, str], path: str, *, final_500: bool
    ) -> dict[str, Any] | _Retryable:
        """One request: the JSON object, a failure worth retrying, or (raised) one that is not."""
        try:
            response = self._send(url, query, headers)
        except requests.Timeout as exc:
            message = f"Congress.gov did not answer within {self.timeout:g} s ({path}); try again later."
            return _Retryable(CongressUnavailable(message), cause=exc)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            return _Retryable(
                CongressUnavailable(f"Could not reach Congress.gov ({path}); try again later."), cause=exc
            )
        except requests.RequestException as exc:
            raise CongressError(f"Request to Congress.gov failed ({path}): {exc}") from exc
        return self._answer(response, path, final_500=final_500)

    def _answer(self, response: requests.Response, path: str, *, final_500: bool) -> dict[str, Any] | _Retryable:
        """What an HTTP answer means: 2xx its JSON object, 429 and 5xx retryable, other statuses raised at once."""
        status = response.status_code
        if 200 <= status < 300:
            return _json_object(response, path)
        if status == 429:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            if retry_after is not None and retry_after > self.max_backoff:
                raise RateLimited(retry_after)
            return _Retryable(RateLimited(retry_after), wait=retry_after)
        if status >= 500:
            if status == 500 and final_500:
                raise _FirstServerError(f"Congress.gov answered HTTP 500 for {path}.")
            return _Retryable(
                CongressUnavailable(
                    f"Congress.gov is failing (HTTP {status}) for {_describe_bill_path(path)}; try again later."
                )
            )
        raise self._client_error(response, path)

    def _send(self, url: str, query: Mapping[str, Any], headers: Mapping[str, str]) -> requests.Response:
        with self._lock:
            self.request_count += 1
        logger.debug("GET %s %s", url, {key: value for key, value in query.items() if key != "api_key"})
        # Never follow a redirect: requests drops only `Authorization` across hosts, so X-Api-Key would leak.
        return self.session.get(url, params=query, headers=headers, timeout=self.timeout, allow_redirects=False)

    def get_absolute(self, url: str, *, headers: Mapping[str, str] | None = None) -> requests.Response:
        """GET an absolute URL with this client's session and timeout, streamed, without following redirects.

        A generic hook for documents that are not API JSON (bill texts): no key is sent, nothing is retried
        here, and the request counts in `request_count` like every other. The caller checks the host.
        """
        with self._lock:
            self.request_count += 1
        logger.debug("GET %s", url)
        return self.session.get(url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False)

    def _backoff_delay(self, attempt: int) -> float:
        """Exponential backoff with jitter: about backoff * 2**(attempt-1), between half and all of it."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return ceiling * (0.5 + self._random.random() / 2)

    def _client_error(self, response: requests.Response, path: str) -> CongressError:
        status = response.status_code
        code, message = _error_detail(response)
        if status == 403 and (code or "").upper().startswith("API_KEY"):
            if code and code.upper() == "API_KEY_MISSING":
                detail = "Congress.gov says no API key was sent (API_KEY_MISSING)."
            else:
                detail = f"Congress.gov rejected the API key ({code})."
            return ApiKeyError(_no_key_message(detail))
        if status == 404:
            if _BILL_PATH_RE.fullmatch(path):
                return BillNotFound(f"No such bill: {_describe_bill_path(path)} is not on Congress.gov.")
            return NotFound(f"Congress.gov has nothing at {path}.")
        return CongressError(f"Congress.gov answered HTTP {status} for {path}: {message or code or 'no detail'}")

    def _paged_records(
        self, path: str, key: str, parse: Callable[[dict[str, Any]], _R | None], unreadable: str
    ) -> list[_R]:
        """Every item under `key` (all pages) that `parse` can read; the others are logged as `unreadable`."""
        records = []
        for item in self._paged(path, key):
            record = parse(item)
            if record is None:
                logger.warning("Skipping %s on %s: %r", unreadable, path, item)
                continue
            records.append(record)
        return records

    def _paged(self, path: str, key: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Yield the items under `key` across all pages, following `pagination.next` (250 per page)."""
        query: dict[str, Any] = {"limit": PAGE_SIZE, **(params or {})}
        current_path = path
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        for _ in range(MAX_PAGES):
            body = self._request(current_path, query)
            items = body.get(key)
            if items is None:
                items = []
            if not isinstance(items, list):
                raise BadResponse(f"Congress.gov answer for {current_path} has no list under {key!r}")
            for item in items:
                if isinstance(item, dict):
                    yield item
            pagination = body.get("pagination")
            next_url = pagination.get("next") if isinstance(pagination, dict) else None
            if not next_url or not isinstance(next_url, str) or not items:
                return
            current_path, query = self._follow(next_url, path)
            marker = (current_path, tuple(sorted((k, str(v)) for k, v in query.items())))
            if marker in seen:
                logger.warning("Congress.gov paging for %s repeats %s; stopping", path, next_url)
                return
            seen.add(marker)
        logger.warning("Congress.gov paging for %s stopped after %d pages", path, MAX_PAGES)

    def _follow(self, next_url: str, fallback_path: str) -> tuple[str, dict[str, str]]:
        """Turn a `pagination.next` URL into (path, query) against our own base URL.

        The link points at api.congress.gov and omits the key (and sometimes `format`); `_request` adds them
        back. Using only its path and query means the key header is never sent to another host.
        """
        parts = urlsplit(next_url)
        prefix = self._base_path + "/"
        path = parts.path[len(prefix) :] if parts.path.startswith(prefix) else fallback_path
        query = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "api_key"}
        return path, query


# ---------------------------------------------------------------------- normalising JSON

STATE_CODES: dict[str, str] = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "district of columbia": "DC",
    "puerto rico": "PR",
    "guam": "GU",
    "american samoa": "AS",
    "virgin islands": "VI",
    "u.s. virgin islands": "VI",
    "united states virgin islands": "VI",
    "northern mariana islands": "MP",
    "commonwealth of the northern mariana islands": "MP",
}
_STATE_CODE_SET = frozenset(STATE_CODES.values())
_PARTY_CODES = {
    "democratic": "D",
    "democrat": "D",
    "republican": "R",
    "independent": "I",
    "independent democrat": "ID",
    "libertarian": "L",
}


def _citation(congress: int, bill_type: str, number: int) -> Citation:
    """Validate the arguments of a bill method (they end up in a URL path)."""
    try:
        return Citation(int(congress), str(bill_type).lower(), int(number))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, CitationError):
            raise
        raise CitationError(f"not a bill: congress={congress!r}, type={bill_type!r}, number={number!r}") from exc


def _describe_bill_path(path: str) -> str:
    match = _BILL_PATH_RE.fullmatch(path)
    if match:
        try:
            return Citation(int(match["congress"]), match["type"], int(match["number"])).label
        except CitationError:
            pass
    return path


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / infinity
        return None
    return max(0.0, seconds)


def _error_detail(response: requests.Response) -> tuple[str | None, str | None]:
    """(code, message) from an error body: {"error": {"code", "message"}} or {"error": "text"}."""
    try:
        body = response.json()
    except ValueError:
        return None, (response.text or "")[:200] or None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        return (str(code) if code is not None else None), _str(error.get("message"))
    if isinstance(error, str):
        return None, error
    return None, None


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "y", "yes", "1"}
    return bool(value)


def _date(value: Any) -> date | None:
    """A date from "2024-09-11" or "2024-09-11T14:02:11Z" (the API uses both); None when unreadable."""
    if not isinstance(value, str) or len(value.strip()) < 10:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _state(value: Any) -> str | None:
    """A two-letter state code from a code or a full name ("California" on member endpoints)."""
    text = _str(value)
    if text is None:
        return None
    if text.upper() in _STATE_CODE_SET:
        return text.upper()
    code = STATE_CODES.get(" ".join(text.lower().split()))
    if code is None:
        logger.warning("Unknown state %r from Congress.gov", text)
    return code


def _party(value: Any) -> str | None:
    text = _str(value)
    if text is None:
        return None
    return _PARTY_CODES.get(text.lower(), text)


def _member_ref(item: Mapping[str, Any]) -> MemberRef | None:
    bioguide_id = _str(item.get("bioguideId"))
    if bioguide_id is None:
        return None
    first, last = _str(item.get("firstName")), _str(item.get("lastName"))
    full_name = _str(item.get("fullName")) or _str(item.get("directOrderName")) or _str(item.get("name"))
    return MemberRef(
        bioguide_id=bioguide_id,
        full_name=full_name or " ".join(part for part in (first, last) if part) or bioguide_id,
        first_name=first,
        last_name=last,
        party=_party(item.get("party") or item.get("partyName")),
        state=_state(item.get("state")),
        district=_int(item.get("district")),
    )


def _bill_data(bill: Mapping[str, Any], requested: Citation) -> BillData:
    latest = _dict(bill.get("latestAction"))
    policy = _dict(bill.get("policyArea"))
    sponsors = _dicts(bill.get("sponsors"))
    laws = _dicts(bill.get("laws"))
    return BillData(
        congress=_int(bill.get("congress")) or requested.congress,
        bill_type=(_str(bill.get("type")) or requested.bill_type).lower(),
        number=_int(bill.get("number")) or requested.number,
        title=_str(bill.get("title")) or requested.display,
        origin_chamber=_str(bill.get("originChamber")),
        introduced_date=_date(bill.get("introducedDate")),
        update_date=_str(bill.get("updateDate")),
        update_date_including_text=_str(bill.get("updateDateIncludingText")),
        latest_action_date=_date(latest.get("actionDate")),
        latest_action_time=_str(latest.get("actionTime")),
        latest_action_text=_str(latest.get("text")),
        sponsors=tuple(ref for item in sponsors if (ref := _member_ref(item))),
        policy_area=_str(policy.get("name")),
        cosponsors_count=_count(bill.get("cosponsors")),
        actions_count=_count(bill.get("actions")),
        laws=tuple(
            LawRef(law_type=_str(law.get("type")) or "Public Law", number=number)
            for law in laws
            if (number := _str(law.get("number")))
        ),
    )


def _dict(value: Any) -> Mapping[str, Any]:
    """`value` when it is a JSON object, else an empty one (the API leaves out or nulls what it lacks)."""
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    """The JSON objects of `value` when it is a list (anything else in it is ignored), else none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _count(container: Any) -> int:
    if isinstance(container, dict):
        return _int(container.get("count")) or 0
    return 0


def _action_data(item: Mapping[str, Any]) -> ActionData | None:
    action_date = _date(item.get("actionDate"))
    if action_date is None:
        return None
    source = _dict(item.get("sourceSystem"))
    committees = _dicts(item.get("committees"))
    return ActionData(
        action_date=action_date,
        action_time=_str(item.get("actionTime")),
        text=_str(item.get("text")) or "",
        type=_str(item.get("type")),
        action_code=_str(item.get("actionCode")),
        source_system=_str(source.get("name")),
        committees=tuple(
            CommitteeRef(name=name, system_code=_str(committee.get("systemCode")))
            for committee in committees
            if (name := _str(committee.get("name")))
        ),
        source_system_code=_str(source.get("code")),
    )


def _committee(item: Mapping[str, Any]) -> BillCommitteeData | None:
    system_code = _str(item.get("systemCode"))
    name = _str(item.get("name"))
    if system_code is None or name is None:
        return None
    activities = _dicts(item.get("activities"))
    subcommittees = _dicts(item.get("subcommittees"))
    return BillCommitteeData(
        system_code=system_code,
        name=name,
        chamber=_str(item.get("chamber")),
        type=_str(item.get("type")),
        activities=tuple(
            CommitteeActivity(name=activity_name, date=_date(activity.get("date")))
            for activity in activities
            if (activity_name := _str(activity.get("name")))
        ),
        subcommittees=tuple(sub for entry in subcommittees if (sub := _committee(entry))),
    )


def _cosponsor(item: Mapping[str, Any]) -> CosponsorData | None:
    member = _member_ref(item)
    if member is None:
        return None
    return CosponsorData(
        member=member,
        sponsorship_date=_date(item.get("sponsorshipDate")),
        is_original=_bool(item.get("isOriginalCosponsor")),
        withdrawn_date=_date(item.get("sponsorshipWithdrawnDate")),
    )


def _related_bill(item: Mapping[str, Any]) -> RelatedBillData | None:
    congress, number = _int(item.get("congress")), _int(item.get("number"))
    bill_type = (_str(item.get("type")) or "").lower()
    if congress is None or number is None:
        return None
    try:
        Citation(congress, bill_type, number)
    except CitationError:
        return None
    latest = _dict(item.get("latestAction"))
    details = _dicts(item.get("relationshipDetails"))
    return RelatedBillData(
        congress=congress,
        bill_type=bill_type,
        number=number,
        title=_str(item.get("title")),
        latest_action_date=_date(latest.get("actionDate")),
        latest_action_text=_str(latest.get("text")),
        relationships=tuple(
            Relationship(type=kind, identified_by=_str(detail.get("identifiedBy")))
            for detail in details
            if (kind := _str(detail.get("type")))
        ),
    )


def _latest_term(member: Mapping[str, Any]) -> Mapping[str, Any]:
    """The member's term with the highest Congress ({} without terms); `terms` is a list or {"item": [...]}."""
    terms = member.get("terms")
    if isinstance(terms, dict):  # older shape: {"item": [...]}
        terms = terms.get("item")
    listed = _dicts(terms)
    return max(listed, key=lambda term: _int(term.get("congress")) or 0) if listed else {}


def _chamber(term: Mapping[str, Any]) -> str | None:
    chamber_text = (_str(term.get("chamber")) or "").lower()
    return "Senate" if "senate" in chamber_text else "House" if "house" in chamber_text else None


def _member_party(member: Mapping[str, Any], latest: Mapping[str, Any]) -> str | None:
    """The latest party of the party history, else the latest term's, else the member's own field."""
    history = _dicts(member.get("partyHistory"))
    return (_str(history[-1].get("partyAbbreviation")) if history else None) or _party(
        latest.get("partyCode") or latest.get("partyName") or member.get("party")
    )


def _member_name(member: Mapping[str, Any], bioguide_id: str) -> str:
    first, last = _str(member.get("firstName")), _str(member.get("lastName"))
    return _str(member.get("directOrderName")) or " ".join(part for part in (first, last) if part) or bioguide_id


def _member_data(member: Mapping[str, Any], bioguide_id: str) -> MemberData:
    latest = _latest_term(member)
    chamber = _chamber(latest)
    district = _int(member.get("district"))
    if district is None and chamber == "House":
        district = _int(latest.get("district"))
    address = _dict(member.get("addressInformation"))
    telephone = _dict(address.get("officeTelephone"))
    current = member.get("currentMember")
    return MemberData(
        bioguide_id=_str(member.get("bioguideId")) or bioguide_id,
        full_name=_member_name(member, bioguide_id),
        first_name=_str(member.get("firstName")),
        last_name=_str(member.get("lastName")),
        party=_member_party(member, latest),
        state=_state(latest.get("stateCode") or member.get("state") or latest.get("stateName")),
        district=district,
        website=_str(member.get("officialWebsiteUrl")) or _str(member.get("officialUrl")),
        chamber=chamber,
        office_address=_str(address.get("officeAddress")),
        phone=_str(address.get("phoneNumber")) or _str(telephone.get("phoneNumber")),
        current_member=None if current is None else _bool(current),
    )
