"""What the bill says: parse text versions into sections, store them once, and compare any two versions.

- Parsing reads GPO bill XML (the bill DTD), USLM XML and GPO formatted text into an ordered list of sections
  (number, heading, and blocks that keep the subsection structure). XML goes through defusedxml: no entity
  expansion, no DTD or network access, so a billion-laughs or external-entity document is refused.
- `sync_text_versions` lists a bill's versions and fetches, parses and stores only those not yet stored, each
  new one recorded as a `bill.text` event (alerts, feeds and webhooks carry it); `sync_bill_texts` is the bill
  sync's one hook into it, in a transaction of its own.
- `compare_versions` aligns the sections of two versions by heading, number and text (a section out of its old
  order is "moved", one whose number changed because another came or went "renumbered": never deleted and
  added), marks word-level changes with difflib and summarises each change in one line. Results are cached per
  pair of stored versions (they never change once stored).
"""

from __future__ import annotations

import bisect
import hashlib
import html
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from difflib import SequenceMatcher
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from sqlalchemy import select

from advocacy.bills.queries import get_bill
from advocacy.bills.results import SyncResult, SyncStatus
from advocacy.congress.client import CongressClient, CongressError
from advocacy.congress.texts import (
    DEFAULT_MAX_DOCUMENT_BYTES,
    TextVersionData,
    allowed_hosts,
    fetch_document,
    get_text_versions,
)
from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.models import Bill, BillTextCheck, BillTextVersion, Campaign, CampaignBill
from advocacy.models.base import utcnow
from advocacy.models.events import BILL_TEXT
from advocacy.uow import checkpoint, unit_of_work

if TYPE_CHECKING:
    from advocacy.bills.sync import RequestBudget
    from advocacy.congress.citations import Citation

logger = logging.getLogger(__name__)

__all__ = [
    "Comparison",
    "SectionChange",
    "TextRefused",
    "TextSyncResult",
    "campaign_changes",
    "compare_versions",
    "parse_document",
    "sync_text_versions",
    "text_versions_document",
    "versions_of",
]


RETRY_FAILED_AFTER = timedelta(hours=24)


class TextRefused(Exception):
    """A bill text that cannot be accepted: hostile or malformed XML, too large, or no sections found."""


# ---------------------------------------------------------------------------------------------- parsing

_LEVELS = {
    "subsection": 1,
    "paragraph": 2,
    "subparagraph": 3,
    "clause": 4,
    "subclause": 5,
    "item": 6,
    "subitem": 7,
}
_NUM_TAGS = {"enum", "num"}
_HEAD_TAGS = {"header", "heading"}
_TEXT_TAGS = {"text", "content", "chapeau", "continuation", "p", "proviso"}
_GROUP_TAGS = {"division", "title", "subtitle", "part", "subpart", "chapter", "subchapter"}
_BODY_TAGS = {"legis-body", "resolution-body", "engrossed-amendment-body", "main", "body"}
_SKIP_TAGS = {"toc", "metadata", "meta", "form", "preface", "endorsement", "attestation", "notes"}


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _clean(text: str) -> str:
    return " ".join(text.split())


def _inline_text(element: Element) -> str:
    """All text inside an element (quotes, short titles, cross-references included), whitespace collapsed."""
    return _clean("".join(element.itertext()))


def _section_number(enum: str) -> str:
    """ "1." -> "1", "SEC. 2." -> "2", "101." -> "101"."""
    return enum.strip().removeprefix("SEC.").removeprefix("Sec.").strip().rstrip(".").strip()


def _own_block(element: Element, level: int, quoted: bool) -> dict[str, Any]:
    """The element's own enum, heading and text (its direct children), at `level`."""
    block: dict[str, Any] = {"level": level, "enum": "", "heading": "", "text": ""}
    texts: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name in _NUM_TAGS:
            block["enum"] = _inline_text(child)
        elif name in _HEAD_TAGS:
            block["heading"] = _inline_text(child)
        elif name in _TEXT_TAGS:
            texts.append(_inline_text(child))
    block["text"] = " ".join(t for t in texts if t)
    if quoted:
        block["quoted"] = True
    return block


def _walk_quotation(quotation: Element, level: int, out: list[dict[str, Any]]) -> None:
    """Append a quoted block's contents one level below `level`, within quotation marks as GPO prints them."""
    start = len(out)
    depth = max(level, 1) + 1
    for inner in quotation:
        inner_name = _local(inner.tag)
        if inner_name in _LEVELS or inner_name == "section":
            _walk_blocks(inner, min(depth, 8), out, True)
        elif inner_name in _TEXT_TAGS:
            out.append({"level": depth, "enum": "", "heading": "", "text": _inline_text(inner), "quoted": True})
    after = " ".join(_inline_text(c) for c in quotation if _local(c.tag) == "after-quoted-block")
    if len(out) > start:  # quotation marks around the inserted text, as GPO prints them
        first = out[start]
        key = "enum" if first["enum"] else "text"
        first[key] = "“" + first[key]
        out[-1]["text"] = (out[-1]["text"].rstrip() + "”" + after).strip()


def _walk_blocks(element: Element, level: int, out: list[dict[str, Any]], quoted: bool = False) -> None:
    """Append the element's structural children as blocks: enum, heading and text at a depth.

    Inside a quoted block (text inserted into another law) depths are relative to the quoting block and the
    blocks are flagged `quoted`, so that they read as the quotation they are.
    """
    block = _own_block(element, level, quoted)
    if level > 0 and (block["enum"] or block["heading"] or block["text"]):
        out.append(block)
    elif level == 0 and block["text"]:
        out.append({"level": 0, "enum": "", "heading": "", "text": block["text"]})  # number and heading: the section's
    for child in element:
        name = _local(child.tag)
        if name in _LEVELS:
            _walk_blocks(child, min(level + 1, 8) if quoted else _LEVELS[name], out, quoted)
        elif name in ("quoted-block", "quotedcontent"):
            _walk_quotation(child, level, out)


def _xml_sections(root: Element) -> list[dict[str, Any]]:
    body = next((el for el in root.iter() if _local(el.tag) in _BODY_TAGS), root)
    sections: list[dict[str, Any]] = []

    def visit(element: Element, group: str) -> None:
        for child in element:
            name = _local(child.tag)
            if name in _SKIP_TAGS:
                continue
            if name == "section":
                enum = next((_inline_text(c) for c in child if _local(c.tag) in _NUM_TAGS), "")
                heading = next((_inline_text(c) for c in child if _local(c.tag) in _HEAD_TAGS), "")
                blocks: list[dict[str, Any]] = []
                _walk_blocks(child, 0, blocks)
                sections.append({"number": _section_number(enum), "heading": heading, "group": group, "blocks": blocks})
            elif name in _GROUP_TAGS:
                enum = next((_inline_text(c) for c in child if _local(c.tag) in _NUM_TAGS), "")
                heading = next((_inline_text(c) for c in child if _local(c.tag) in _HEAD_TAGS), "")
                label = " ".join(part for part in (name.capitalize(), enum, heading and f"— {heading}") if part)
                visit(child, label)
            elif name not in ("quoted-block", "quotedcontent"):
                visit(child, group)

    visit(body, "")
    return sections


class _PreText(HTMLParser):
    """The text of a GPO formatted-text page (its <pre>), with entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_SEC_LINE = re.compile(r"^\s*(?:SECTION|SEC\.)\s+(?P<num>[0-9]+[A-Za-z]?)\.\s+(?P<head>.*)$")
_ENUM_LINE = re.compile(r"^\s*(?P<enum>\((?:[a-z]{1,4}|[0-9]{1,3}|[A-Z]{1,4})\))\s+(?P<rest>.*)$")
_ROMAN = re.compile(r"^\((?=[ivxl]+\))[ivxl]+\)$")


def _enum_level(enum: str, previous: int) -> int:
    inner = enum[1:-1]
    if inner.isdigit():
        return 2
    if inner.isupper():
        return 5 if _ROMAN.match(enum.lower()) and previous >= 4 else 3
    if _ROMAN.match(enum) and previous >= 3:
        return 4
    return 1


def _heading_case(text: str) -> str:
    """ "OFFICE OF SUBNATIONAL DIPLOMACY" -> "Office of subnational diplomacy" (formatted text shouts headings)."""
    text = _clean(text).rstrip(".")
    return text[:1].upper() + text[1:].lower() if text.isupper() else text


def _text_sections(document: str) -> list[dict[str, Any]]:
    parser = _PreText()
    parser.feed(document)
    lines = "".join(parser.parts).splitlines()
    sections: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    block: dict[str, Any] | None = None
    heading_open = False
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        match = _SEC_LINE.match(line)
        if match:
            current = {"number": match["num"], "heading": match["head"], "group": "", "blocks": []}
            sections.append(current)
            block = None
            heading_open = not match["head"].rstrip().endswith(".")
            continue
        if current is None:
            continue
        if heading_open:
            current["heading"] += " " + line
            heading_open = not line.endswith(".")
            continue
        enum_match = _ENUM_LINE.match(line)
        if enum_match:
            previous = block["level"] if block else 0
            rest = enum_match["rest"]
            heading = ""
            if ".--" in rest:
                heading, rest = rest.split(".--", 1)
            block = {
                "level": _enum_level(enum_match["enum"], previous),
                "enum": enum_match["enum"],
                "heading": _clean(heading),
                "text": rest,
            }
            current["blocks"].append(block)
        elif block is None:
            block = {"level": 0, "enum": "", "heading": "", "text": line}
            current["blocks"].append(block)
        else:
            block["text"] += " " + line
    for section in sections:
        section["heading"] = _heading_case(section["heading"])
        for item in section["blocks"]:
            item["text"] = _clean(item["text"].replace("``", "“").replace("''", "”").replace("--", "—"))
    return sections


@dataclass(frozen=True)
class ParsedText:
    """The sections of one document and the format they were read from."""

    source_format: str
    sections: list[dict[str, Any]]
    official_title: str | None = None

    @property
    def word_count(self) -> int:
        return sum(len(_section_text(s).split()) for s in self.sections)


def parse_document(
    body: bytes, *, content_type: str = "", url: str = "", max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
) -> ParsedText:
    """Parse a fetched text document into sections; raise `TextRefused` for anything unsafe or unreadable."""
    if len(body) > max_bytes:
        raise TextRefused(f"The text is larger than {max_bytes // (1024 * 1024)} MB; refused.")
    head = body[:512].lstrip().lower()
    is_xml = head.startswith(b"<?xml") or "xml" in content_type.lower() or url.lower().endswith(".xml")
    if is_xml and not head.startswith(b"<html"):
        source_format, sections, title = _parse_xml(body)
    else:
        source_format, sections, title = _parse_formatted_text(body)
    if not sections:
        raise TextRefused("No sections found in the text.")
    return ParsedText(source_format, sections, title or None)


def _parse_xml(body: bytes) -> tuple[str, list[dict[str, Any]], str | None]:
    """(format, sections, title) of a bill XML or USLM document, parsed with entities and external loads off."""
    try:
        # forbid_dtd=False: GPO files carry a DOCTYPE naming bill.dtd; it is never loaded. Entities stay off.
        root = SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise TextRefused(f"Unsafe XML refused ({type(exc).__name__}): entity declarations are not allowed.") from exc
    except ParseError as exc:
        raise TextRefused(f"The XML could not be read: {exc}.") from exc
    source_format = "uslm" if "uslm" in (root.tag or "").lower() else "bill-xml"
    title = next((_inline_text(el) for el in root.iter() if _local(el.tag) in ("official-title", "longtitle")), None)
    return source_format, _xml_sections(root), title


def _parse_formatted_text(body: bytes) -> tuple[str, list[dict[str, Any]], str | None]:
    """(format, sections, title) of a formatted text (HTML with a <pre>, or plain), UTF-8 else Latin-1."""
    try:
        document = body.decode("utf-8")
    except UnicodeDecodeError:
        document = body.decode("latin-1")
    plain = html.unescape(document) if "<pre" not in document.lower() else document
    return "text", _text_sections(plain), _text_title(plain)


def _text_title(document: str) -> str | None:
    """The official title of a formatted text: the lines between "A BILL" and "Be it enacted"."""
    parser = _PreText()
    parser.feed(document)
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    try:
        start = next(
            i for i, line in enumerate(lines) if line in ("A BILL", "AN ACT", "JOINT RESOLUTION", "RESOLUTION")
        )
    except StopIteration:
        return None
    title = []
    for line in lines[start + 1 :]:
        if line.startswith(("Be it enacted", "Resolved")) or line.startswith("_"):
            break
        if line:
            title.append(line)
    return _clean(" ".join(title)) or None


def _section_text(section: dict[str, Any]) -> str:
    parts: list[str] = []
    for block in section.get("blocks", []):
        parts.extend(part for part in (block.get("enum"), block.get("heading"), block.get("text")) if part)
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------- storing


@dataclass
class TextSyncResult:
    """What one text sync did: versions stored (labels), versions refused (label: reason), requests made."""

    stored: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    skipped: bool = False

    def changes(self) -> list[str]:
        lines = [f"new text: {label}" for label in self.stored]
        lines += [f"text refused: {reason}" for reason in self.refused]
        return lines


def versions_of(bill: Bill) -> list[BillTextVersion]:
    """The bill's stored text versions, oldest first."""
    return list(
        db.session.scalars(
            select(BillTextVersion)
            .where(BillTextVersion.bill_id == bill.id)
            .order_by(BillTextVersion.version_date.asc().nulls_last(), BillTextVersion.id)
        )
    )


def _safe_link(url: str | None, client: CongressClient) -> str | None:
    """A link to show on the pages: only http(s) on the text hosts (never `javascript:` or another site)."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("https", "http") and parts.netloc.lower() in allowed_hosts(client) else None


def _store_version(
    bill: Bill, data: TextVersionData, url: str, body: bytes, parsed: ParsedText, actor: str, client: CongressClient
) -> BillTextVersion:
    version = BillTextVersion(
        bill_id=bill.id,
        version_key=data.key,
        version_type=data.type,
        version_date=data.date,
        source_url=url,
        source_format=parsed.source_format,
        pdf_url=_safe_link(data.pdf_url, client),
        official_title=parsed.official_title,
        sections=parsed.sections,
        word_count=parsed.word_count,
        content_sha256=hashlib.sha256(body).hexdigest(),
        fetched_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    record_event(
        BILL_TEXT,
        f"New text of {bill.label}: {version.label} ({len(parsed.sections)} sections)",
        actor=actor,
        bill_id=bill.id,
        data={"version_id": version.id, "type": data.type, "date": data.date.isoformat() if data.date else None},
    )
    return version


def _store_new_versions(
    bill: Bill,
    new: list[TextVersionData],
    client: CongressClient,
    result: TextSyncResult,
    *,
    actor: str,
    has_budget: Callable[[int], bool] | None,
    max_bytes: int,
) -> list[str]:
    """Fetch, parse and store each new version (PDF-only ones have nothing to read); the errors met.

    A version that fails is reported in `result.refused` and the others go on; the budget running out stops.
    """
    errors: list[str] = []
    for data in new:
        url = data.xml_url or data.text_url
        if url is None:
            continue  # a PDF-only version: nothing to read
        if has_budget is not None and not has_budget(1):
            errors.append("hourly request budget used up")
            break
        try:
            document = fetch_document(client, url, max_bytes=max_bytes)
            parsed = parse_document(
                document.body, content_type=document.content_type, url=document.url, max_bytes=max_bytes
            )
        except (CongressError, TextRefused) as exc:
            logger.warning("text %s of %s not stored: %s", data.type, bill.label, exc)
            result.refused.append(f"{data.type}: {exc}")
            errors.append(str(exc))
            continue
        version = _store_version(bill, data, document.url, document.body, parsed, actor, client)
        result.stored.append(version.label)
    return errors


def sync_text_versions(
    bill: Bill,
    client: CongressClient,
    *,
    actor: str = "sync",
    force: bool = False,
    has_budget: Callable[[int], bool] | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
) -> TextSyncResult:
    """List the bill's text versions and store the new ones (XML preferred, else formatted text); flush only.

    Lists nothing when the bill's updateDate is the one of the last listing (unless `force`; a listing that
    failed is tried again after `RETRY_FAILED_AFTER`). A version already
    stored costs nothing; one that fails (unsafe XML, too big, host refused, HTTP error) is reported in the
    result, stores nothing, and the others go on. `has_budget(n)` says whether `n` more requests fit in the
    hourly budget. Raises `CongressError` only when the list itself cannot be fetched.
    """
    result = TextSyncResult()
    check = db.session.get(BillTextCheck, bill.id)
    # A failed listing or document is tried again a day later (not every hour: a refused 10 MB file would be
    # downloaded again and again), or at once when the bill changed upstream or the sync is forced.
    settled = check is not None and (check.error is None or check.checked_at > utcnow() - RETRY_FAILED_AFTER)
    unchanged = check is not None and check.bill_update_date == bill.api_update_date and settled
    if (unchanged and not force) or (has_budget is not None and not has_budget(1)):
        result.skipped = True
        return result
    listed = get_text_versions(client, bill.congress, bill.bill_type, bill.number)
    stored_keys = set(db.session.scalars(select(BillTextVersion.version_key).where(BillTextVersion.bill_id == bill.id)))
    new = [data for data in listed if data.key not in stored_keys]
    errors = _store_new_versions(bill, new, client, result, actor=actor, has_budget=has_budget, max_bytes=max_bytes)
    if check is None:
        check = BillTextCheck(bill_id=bill.id)
        db.session.add(check)
    check.bill_update_date = bill.api_update_date
    check.checked_at = utcnow()
    check.error = "; ".join(errors)[:1000] or None
    db.session.flush()
    return result


def sync_bill_texts(
    citation: Citation,
    client: CongressClient,
    result: SyncResult,
    *,
    actor: str,
    force: bool,
    budget: RequestBudget,
) -> None:
    """The bill sync's hook: sync the texts of a stored bill in a transaction of their own, never raising.

    Runs inside the bill's unit of work after the bill's own data was committed (checkpoint), so a text
    failure (network, hostile XML, a bug) is logged and recorded on the check row but never loses the bill's
    other data. Adds its lines to the bill's `SyncResult` (an "unchanged" bill with a new text becomes "updated").
    """
    with unit_of_work():
        bill = get_bill(citation.congress, citation.bill_type, citation.number)
        if bill is None:
            return
        try:
            outcome = sync_text_versions(
                bill, client, actor=actor, force=force, has_budget=lambda n: budget.used + n <= budget.per_hour
            )
            checkpoint()
            lines = outcome.changes()
            if outcome.stored and result.status == "unchanged":
                result.status = SyncStatus.UPDATED
        except Exception as exc:  # the bill is synced; texts wait for the next sync
            db.session.rollback()
            if not isinstance(exc, CongressError):
                logger.exception("syncing the texts of %s failed", citation.label)
            message = f"texts not synced: {exc}"
            check = db.session.get(BillTextCheck, bill.id) or BillTextCheck(bill_id=bill.id)
            check.error, check.checked_at = message[:1000], utcnow()
            db.session.add(check)
            checkpoint()
            lines = [message]
        result.changes += lines


def text_versions_document(bill: Bill) -> list[dict[str, Any]]:
    """The `text_versions` of the bill document (CLI `--json` and the API): type, date, URL, section outline."""
    return [
        {
            "type": v.version_type,
            "date": v.version_date.isoformat() if v.version_date else None,
            "source_url": v.source_url,
            "pdf_url": v.pdf_url,
            "format": v.source_format,
            "official_title": v.official_title,
            "word_count": v.word_count,
            "sections": [{"number": s.get("number", ""), "heading": s.get("heading", "")} for s in v.sections],
        }
        for v in versions_of(bill)
    ]


# ---------------------------------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class WordOp:
    """One run of words: "equal", "delete" (only in the old text), "insert" (only in the new) or "replace"."""

    tag: str
    old: str
    new: str


@dataclass(frozen=True)
class SectionChange:
    """One row of a comparison: a section of the old version, of the new one, or both (aligned)."""

    status: str  # "unchanged", "changed", "added", "removed"
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    moved: bool = False  # out of its old order relative to the other sections
    ops: tuple[WordOp, ...] = ()
    summary: str = ""
    renumbered: bool = False  # same place in the order, another number (a section before it came or went)

    @property
    def number(self) -> str:
        side = self.new or self.old or {}
        return side.get("number", "")

    @property
    def heading(self) -> str:
        side = self.new or self.old or {}
        return side.get("heading", "")

    @property
    def label(self) -> str:
        """ "changed", "moved", "changed, moved", "added", "removed" or "unchanged": the badge a reader sees."""
        shift = "moved" if self.moved else "renumbered" if self.renumbered else ""
        if shift:
            return shift if self.status == "unchanged" else f"{self.status}, {shift}"
        return self.status

    @property
    def anchor(self) -> str:
        return "s-" + re.sub(r"[^a-z0-9]+", "-", f"{self.number} {self.heading}".lower()).strip("-")


@dataclass(frozen=True)
class Comparison:
    """Two versions compared section by section, in the new version's order (removed ones where they were)."""

    rows: tuple[SectionChange, ...]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def moved(self) -> int:
        return sum(1 for row in self.rows if row.moved)

    @property
    def renumbered(self) -> int:
        return sum(1 for row in self.rows if row.renumbered and not row.moved)

    @property
    def differences(self) -> list[SectionChange]:
        """Rows that are not unchanged-in-place: what a reader wants to know."""
        return [row for row in self.rows if row.status != "unchanged" or row.moved or row.renumbered]

    @property
    def summary(self) -> str:
        """ "2 sections changed, 1 added, 1 removed, 1 moved" (or "No changes in the text")."""
        parts = []
        for status, word in (("changed", "changed"), ("added", "added"), ("removed", "removed")):
            if n := self.count(status):
                parts.append(f"{n} {word}")
        if self.moved:
            parts.append(f"{self.moved} moved")
        if self.renumbered:
            parts.append(f"{self.renumbered} renumbered")
        if not parts:
            return "No changes in the text"
        first, *rest = parts
        noun = "section" if first.startswith("1 ") else "sections"
        head = first.split(" ", 1)
        return ", ".join([f"{head[0]} {noun} {head[1]}", *rest])


_WORD = re.compile(r"\S+")


def _norm_heading(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", heading.casefold()).strip()


def _words(section: dict[str, Any]) -> list[str]:
    """The section's words; the first word of each block after the first starts with a newline (its structure)."""
    words: list[str] = []
    for block in section.get("blocks", []):
        tokens = _WORD.findall(" ".join(p for p in (block.get("enum"), block.get("heading"), block.get("text")) if p))
        if tokens and words:
            tokens[0] = "\n" + tokens[0]
        words.extend(tokens)
    return words


def _similarity(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return 0.0
    return matcher.ratio()


def _ops(a: list[str], b: list[str]) -> tuple[WordOp, ...]:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return tuple(WordOp(tag, " ".join(a[i1:i2]), " ".join(b[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes())


def _snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _change_summary(old: dict[str, Any], new: dict[str, Any], ops: tuple[WordOp, ...], moved: bool) -> str:
    """One line derived from the diff: what moved, the first wording change, and how many words changed."""
    parts = []
    renumbered = old.get("number") != new.get("number")
    if moved:
        parts.append(f"moved from § {old.get('number')} to § {new.get('number')}" if renumbered else "moved")
    elif renumbered:
        parts.append(f"renumbered from § {old.get('number')} to § {new.get('number')}")
    if _norm_heading(old.get("heading", "")) != _norm_heading(new.get("heading", "")):
        parts.append(f"heading “{old.get('heading')}” became “{new.get('heading')}”")
    edits = [op for op in ops if op.tag != "equal"]
    if edits:
        added = sum(len(op.new.split()) for op in edits)
        removed = sum(len(op.old.split()) for op in edits)
        first = edits[0]
        if first.tag == "replace":
            parts.append(f"“{_snippet(first.old)}” became “{_snippet(first.new)}”")
        elif first.tag == "insert":
            parts.append(f"adds “{_snippet(first.new)}”")
        else:
            parts.append(f"drops “{_snippet(first.old)}”")
        parts.append(f"{added} words in, {removed} out" + (f" over {len(edits)} places" if len(edits) > 1 else ""))
    text = "; ".join(parts) or "unchanged"
    return text[:1].upper() + text[1:]


def _longest_increasing(indices: list[int]) -> set[int]:
    """Positions (into `indices`) of one longest increasing subsequence: the sections that kept their order."""
    tails: list[int] = []
    tails_at: list[int] = []
    parent = [-1] * len(indices)
    for position, value in enumerate(indices):
        slot = bisect.bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tails_at.append(position)
        else:
            tails[slot] = value
            tails_at[slot] = position
        parent[position] = tails_at[slot - 1] if slot else -1
    keep: set[int] = set()
    position = tails_at[-1] if tails_at else -1
    while position != -1:
        keep.add(position)
        position = parent[position]
    return keep


class _Alignment:
    """Which new section is which old one (`match`: new index -> old index), found in order of confidence."""

    def __init__(self, old_sections: list[dict[str, Any]], new_sections: list[dict[str, Any]]) -> None:
        self.old, self.new = old_sections, new_sections
        self.old_words = [_words(s) for s in old_sections]
        self.new_words = [_words(s) for s in new_sections]
        self.match: dict[int, int] = {}
        self.taken: set[int] = set()

    def pair(self, j: int, i: int) -> None:
        self.match[j] = i
        self.taken.add(i)

    def by_heading(self) -> None:
        """The same heading; several old sections with it: the one with the same number, else the first."""
        by_heading: dict[str, list[int]] = {}
        for i, section in enumerate(self.old):
            by_heading.setdefault(_norm_heading(section.get("heading", "")), []).append(i)
        for j, section in enumerate(self.new):
            key = _norm_heading(section.get("heading", ""))
            candidates = [i for i in by_heading.get(key, []) if i not in self.taken] if key else []
            if candidates:
                same = [i for i in candidates if self.old[i].get("number") == section.get("number")]
                self.pair(j, (same or candidates)[0])

    def by_number(self) -> None:
        """The same number with at least half the words the same."""
        old_by_number = {s.get("number"): i for i, s in enumerate(self.old) if s.get("number")}
        for j, section in enumerate(self.new):
            if j in self.match:
                continue
            i = old_by_number.get(section.get("number"))
            if i is not None and i not in self.taken and _similarity(self.old_words[i], self.new_words[j]) >= 0.5:
                self.pair(j, i)

    def by_similarity(self) -> None:
        """For what is left: the most similar old text, at least 60 % of the words."""
        left_old = [i for i in range(len(self.old)) if i not in self.taken]
        for j in range(len(self.new)):
            if j in self.match or not left_old:
                continue
            best, i = max((_similarity(self.old_words[i], self.new_words[j]), i) for i in left_old)
            if best >= 0.6:
                self.pair(j, i)
                left_old.remove(i)

    def moved(self) -> set[int]:
        """New indices of the pairs outside one longest run that kept the old order."""
        matched_new = sorted(self.match)
        in_order = _longest_increasing([self.match[j] for j in matched_new])
        return {j for position, j in enumerate(matched_new) if position not in in_order}

    def pair_row(self, j: int, moved: bool) -> SectionChange:
        i = self.match[j]
        old, new = self.old[i], self.new[j]
        renumbered = old.get("number") != new.get("number")
        same_text = self.old_words[i] == self.new_words[j] and _norm_heading(old.get("heading", "")) == _norm_heading(
            new.get("heading", "")
        )
        ops = () if same_text else _ops(self.old_words[i], self.new_words[j])
        summary = _change_summary(old, new, ops, moved) if (ops or moved or renumbered) else "Unchanged"
        status = "unchanged" if same_text else "changed"
        return SectionChange(status, old, new, moved=moved, ops=ops, summary=summary, renumbered=renumbered)

    def added_row(self, j: int) -> SectionChange:
        new = self.new[j]
        words = len(self.new_words[j])
        return SectionChange(
            "added", None, new, summary=f"New: § {new.get('number')} {new.get('heading')} ({words} words)"
        )


def _comparison_rows(alignment: _Alignment) -> list[SectionChange]:
    """The rows in the new text's order, each removed old section just before the first pair that follows it."""
    moved_new = alignment.moved()
    rows: list[SectionChange] = []
    emitted_old: set[int] = set()

    def emit_removed_before(limit: int) -> None:
        for i in range(limit):
            if i not in alignment.taken and i not in emitted_old:
                emitted_old.add(i)
                old = alignment.old[i]
                rows.append(
                    SectionChange("removed", old, None, summary=f"Removed: § {old.get('number')} {old.get('heading')}")
                )

    for j in range(len(alignment.new)):
        if j not in alignment.match:
            rows.append(alignment.added_row(j))
            continue
        if j not in moved_new:
            emit_removed_before(alignment.match[j])
        rows.append(alignment.pair_row(j, j in moved_new))
    emit_removed_before(len(alignment.old))
    return rows


def compare_sections(old_sections: list[dict[str, Any]], new_sections: list[dict[str, Any]]) -> Comparison:
    """Align two section lists and diff each aligned pair word by word.

    Alignment, in order of confidence: the same heading; then the same number with mostly the same words;
    then, for what is left, the most similar text (at least 60 % of the words). A pair whose relative order
    or number changed is marked moved.
    """
    alignment = _Alignment(old_sections, new_sections)
    alignment.by_heading()
    alignment.by_number()
    alignment.by_similarity()
    return Comparison(tuple(_comparison_rows(alignment)))


class _ComparisonCache:
    """A small LRU of comparisons keyed by the two versions' ids and content hashes (stored texts never change)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Comparison] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple, compute: Callable[[], Comparison]) -> Comparison:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        value = compute()
        with self._lock:
            self.misses += 1
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


comparison_cache = _ComparisonCache()


def compare_versions(old: BillTextVersion, new: BillTextVersion) -> Comparison:
    """Compare two stored versions (of one bill or of two bills), cached per pair."""
    key = (old.id, old.content_sha256, new.id, new.content_sha256)
    return comparison_cache.get(key, lambda: compare_sections(old.sections, new.sections))


# ---------------------------------------------------------------------------------------------- campaigns


@dataclass(frozen=True)
class Reintroduction:
    """A campaign bill's first text compared with the previous Congress's bill (same chamber when there is one)."""

    bill: Bill
    previous: Bill
    old: BillTextVersion
    new: BillTextVersion
    comparison: Comparison


def _first_versions(bills: Iterable[Bill]) -> dict[int, BillTextVersion]:
    ids = [bill.id for bill in bills]
    if not ids:
        return {}
    firsts: dict[int, BillTextVersion] = {}
    rows = db.session.scalars(
        select(BillTextVersion)
        .where(BillTextVersion.bill_id.in_(ids))
        .order_by(BillTextVersion.version_date.asc().nulls_last(), BillTextVersion.id)
    )
    for version in rows:
        firsts.setdefault(version.bill_id, version)
    return firsts


def previous_congress_bill(bill: Bill, candidates: Iterable[Bill]) -> Bill | None:
    """The campaign bill this one reintroduces: the latest earlier Congress, same chamber preferred."""
    earlier = [b for b in candidates if b.congress < bill.congress]
    if not earlier:
        return None
    latest = max(b.congress for b in earlier)
    same_congress = [b for b in earlier if b.congress == latest]
    return next((b for b in same_congress if b.bill_type == bill.bill_type), same_congress[0])


def campaign_changes(campaign: Campaign) -> list[Reintroduction]:
    """Per reintroduction of the campaign's bill (newest first): what changed since the previous Congress's text."""
    bills = campaign.bills
    firsts = _first_versions(bills)
    with_text = [b for b in bills if b.id in firsts]
    out = []
    for bill in with_text:
        previous = previous_congress_bill(bill, with_text)
        if previous is None:
            continue
        old, new = firsts[previous.id], firsts[bill.id]
        out.append(Reintroduction(bill, previous, old, new, compare_versions(old, new)))
    return out


def previous_congress_version(bill: Bill) -> BillTextVersion | None:
    """The first text of the bill this one reintroduces in any of its campaigns (a fixed number of queries)."""
    campaign_ids = select(CampaignBill.campaign_id).where(CampaignBill.bill_id == bill.id)
    siblings = list(
        db.session.scalars(
            select(Bill)
            .join(CampaignBill, CampaignBill.bill_id == Bill.id)
            .where(CampaignBill.campaign_id.in_(campaign_ids))
        ).unique()
    )
    firsts = _first_versions(siblings)
    previous = previous_congress_bill(bill, [b for b in siblings if b.id in firsts])
    return firsts[previous.id] if previous is not None else None


def letter_changes(campaign: Campaign) -> dict[str, Any] | None:
    """Plain data for the letters' `campaign.changes` fields: the campaign's current bill against the previous
    Congress's text of this campaign (a bill in two campaigns is compared within the letter's own campaign)."""
    current = campaign.current_bill
    item = next((c for c in campaign_changes(campaign) if current and c.bill.id == current.id), None)
    if item is None:
        return None
    return {
        "since": item.previous.label,
        "summary": item.comparison.summary,
        "sections": [
            {
                "number": row.number,
                "heading": row.heading,
                "status": row.status,
                "moved": row.moved,
                "summary": row.summary,
            }
            for row in item.comparison.differences
        ],
    }
