"""Bill texts from Congress.gov: the `/text` list of versions, and the documents those versions point at.

The list comes through `CongressClient` like every API call (key header, retries, budget). The documents
(GPO XML, formatted text, PDF) live on www.congress.gov and www.govinfo.gov; they are fetched with the same
session, timeout and retry policy, but only from an allow-list of hosts (those two and the host of
`CONGRESS_API_URL`, so that a local test server can serve texts), never with the API key, following a redirect
only when it stays on the allow-list, and never reading more than `max_bytes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from advocacy.congress.client import (
    BadResponse,
    CongressClient,
    CongressError,
    CongressUnavailable,
    NotFound,
    _citation,
    _date,
    _Retryable,
    _str,
)

__all__ = [
    "DEFAULT_MAX_DOCUMENT_BYTES",
    "DocumentRefused",
    "FetchedDocument",
    "TextFormat",
    "TextVersionData",
    "allowed_hosts",
    "fetch_document",
    "get_text_versions",
]

PUBLIC_TEXT_HOSTS = frozenset({"www.congress.gov", "congress.gov", "www.govinfo.gov", "govinfo.gov"})
DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # the largest enrolled omnibus bills' XML is a few MB
MAX_REDIRECTS = 3
_CHUNK = 64 * 1024
# BILLS-117hr4526ih.xml -> "ih"
_VERSION_CODE_RE = re.compile(r"BILLS-[0-9]+[a-z]+[0-9]+(?P<code>[a-z]+)\.(?:xml|htm|html|pdf|txt)$", re.IGNORECASE)


class DocumentRefused(CongressError):
    """A text document was not fetched or not accepted: a host off the allow-list, a redirect elsewhere, too big."""


@dataclass(frozen=True)
class TextFormat:
    """One format of a text version: "Formatted Text" (.htm), "PDF" or "Formatted XML", with its URL."""

    type: str
    url: str


@dataclass(frozen=True)
class TextVersionData:
    """One entry of `textVersions[]`: its type ("Introduced in House"), date and formats."""

    type: str
    date: date | None
    formats: tuple[TextFormat, ...]

    def url_of(self, *kinds: str) -> str | None:
        """The URL of the first format whose type contains one of `kinds` (case-insensitive), in that order."""
        for kind in kinds:
            for fmt in self.formats:
                if kind.lower() in fmt.type.lower():
                    return fmt.url
        return None

    @property
    def xml_url(self) -> str | None:
        return self.url_of("xml")

    @property
    def text_url(self) -> str | None:
        return self.url_of("formatted text", "text", "htm")

    @property
    def pdf_url(self) -> str | None:
        return self.url_of("pdf")

    @property
    def version_code(self) -> str | None:
        """GPO's version code ("ih", "rh", "enr") read from a document URL, when there is one."""
        for fmt in self.formats:
            match = _VERSION_CODE_RE.search(urlsplit(fmt.url).path)
            if match:
                return match["code"].lower()
        return None

    @property
    def key(self) -> str:
        """What identifies this version of the bill across syncs."""
        return self.version_code or f"{self.type}|{self.date.isoformat() if self.date else ''}"


@dataclass(frozen=True)
class FetchedDocument:
    """A text document as fetched: the final URL (after allowed redirects), its content type and bytes."""

    url: str
    content_type: str
    body: bytes


def get_text_versions(client: CongressClient, congress: int, bill_type: str, number: int) -> list[TextVersionData]:
    """Every text version Congress.gov lists for the bill (oldest first), with its formats."""
    path = _citation(congress, bill_type, number).api_path + "/text"
    versions = client._paged_records(path, "textVersions", _text_version, "a text version without a type or formats")
    # The API lists the newest first and gives the latest version no date at times: undated last.
    return sorted(versions, key=lambda v: (v.date is None, v.date or date.min))


def _text_version(item: dict[str, Any]) -> TextVersionData | None:
    kind = _str(item.get("type"))
    listed = item.get("formats")
    formats: list[Any] = listed if isinstance(listed, list) else []
    parsed = tuple(
        TextFormat(type=fmt_type, url=url)
        for fmt in formats
        if isinstance(fmt, dict) and (fmt_type := _str(fmt.get("type"))) and (url := _str(fmt.get("url")))
    )
    if kind is None or not parsed:
        return None
    return TextVersionData(type=_expand_type(kind), date=_date(item.get("date")), formats=parsed)


_TYPE_CODES = {
    "IH": "Introduced in House",
    "IS": "Introduced in Senate",
    "RH": "Reported in House",
    "RS": "Reported in Senate",
    "RFS": "Referred in Senate",
    "RFH": "Referred in House",
    "EH": "Engrossed in House",
    "ES": "Engrossed in Senate",
    "EAH": "Engrossed Amendment House",
    "EAS": "Engrossed Amendment Senate",
    "PCS": "Placed on Calendar Senate",
    "ENR": "Enrolled Bill",
}


def _expand_type(kind: str) -> str:
    """Some records carry the bare code ("IH") instead of the name: show the name."""
    return _TYPE_CODES.get(kind.upper(), kind)


def allowed_hosts(client: CongressClient) -> frozenset[str]:
    """congress.gov, govinfo.gov and the host (with its port) of the configured API URL."""
    api = urlsplit(client.base_url)
    return PUBLIC_TEXT_HOSTS | {api.netloc.lower()}


def _check_url(url: str, hosts: frozenset[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or parts.netloc.lower() not in hosts:
        raise DocumentRefused(
            f"Refused to fetch a bill text from {parts.netloc or url!r}: not congress.gov or govinfo.gov."
        )
    if parts.scheme == "http" and parts.netloc.lower() in PUBLIC_TEXT_HOSTS:
        raise DocumentRefused(f"Refused to fetch a bill text over plain HTTP: {url}")


def fetch_document(client: CongressClient, url: str, *, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES) -> FetchedDocument:
    """Fetch one text document from an allowed host, retrying like the API calls; refuse anything over `max_bytes`.

    Raises `DocumentRefused` (host, redirect, size), `NotFound` (404), `CongressUnavailable` (timeouts, 5xx after
    every retry) or `BadResponse`.
    """
    hosts = allowed_hosts(client)
    return client._with_retries(f"Text document {url}", lambda: _attempt_document(client, url, hosts, max_bytes))


def _attempt_document(
    client: CongressClient, url: str, hosts: frozenset[str], max_bytes: int
) -> FetchedDocument | _Retryable:
    """One try: the document, a failure worth retrying (429, 5xx, timeout, connection), or (raised) one that is not."""
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            _check_url(current, hosts)
            response = client.get_absolute(current, headers={"Accept": "application/xml, text/html, */*"})
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                response.close()
                if not location:
                    raise BadResponse(f"Redirect without a Location from {current}")
                current = urljoin(current, location)
                continue
            break
        else:
            raise DocumentRefused(f"Too many redirects fetching {url}")
        status = response.status_code
        if status != 200:
            response.close()
        if status == 404:
            raise NotFound(f"No bill text at {current} (HTTP 404).")
        if status == 429 or status >= 500:
            return _Retryable(CongressUnavailable(f"{urlsplit(current).netloc} answered HTTP {status} for {current}."))
        if status != 200:
            raise BadResponse(f"{urlsplit(current).netloc} answered HTTP {status} for {current}.")
        body = _read_limited(response, max_bytes, current)
        return FetchedDocument(current, response.headers.get("Content-Type", ""), body)
    except requests.Timeout as exc:
        failure = CongressUnavailable(f"No answer within {client.timeout:g} s for {current}; try again later.")
        return _Retryable(failure, cause=exc)
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        failure = CongressUnavailable(f"Could not reach {urlsplit(current).netloc} for {current}; try again later.")
        return _Retryable(failure, cause=exc)


def _read_limited(response: requests.Response, max_bytes: int, url: str) -> bytes:
    """The body, refused as soon as it is known to exceed `max_bytes` (from Content-Length or while reading)."""
    too_big = DocumentRefused(
        f"The bill text at {url} is larger than {max_bytes // (1024 * 1024)} MB; refused (nothing stored)."
    )
    try:
        declared = int(response.headers.get("Content-Length", ""))
    except ValueError:
        declared = None
    if declared is not None and declared > max_bytes:
        response.close()
        raise too_big
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise too_big
            chunks.append(chunk)
    finally:
        response.close()
    return b"".join(chunks)
