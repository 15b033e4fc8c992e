"""From a template snapshot and plain data to a letter: HTML for the preview, PDF for the batch.

The layout and CSS are the app's (templates/letters/pdf/, advocacy/static/pdf/letter.css); the user's fields are
rendered in the sandbox and sanitised. PDFs go through advocacy.pdf's AssetFetcher only.

Speed: the stylesheet and FontConfiguration are parsed once per process; when the list of undersigned cities is
long it is rendered to PDF once per batch and page numbering (`shared_part`, kept in the batch folder) and joined
to each letter's own pages with pikepdf, the page numbers ("Page X of Y") given to each part as literals so that the
two parts number as one letter. The merged print PDF then takes the shared part's objects once (tasks.py).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pikepdf
import weasyprint
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from weasyprint import CSS, HTML

from advocacy.letters.context import build_context, group, is_sample_batch
from advocacy.letters.sandbox import body_to_html, render_field, text_to_html
from advocacy.pdf import ASSET_DIR, BASE_URL, AssetFetcher, font_config
from advocacy.representation import approximate_warnings

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per stylesheet otherwise

TEMPLATE_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
CSS_PATH = ASSET_DIR / "letter.css"
# Up to this many endorsing cities the list goes into the letter itself; above, it is a shared appendix.
INLINE_MAX_CITIES = 30


@lru_cache(maxsize=1)
def _layout_env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(default=True))


@lru_cache(maxsize=1)
def letter_css() -> CSS:
    """The letter stylesheet, parsed once per process."""
    return CSS(string=CSS_PATH.read_text(), base_url=BASE_URL, url_fetcher=AssetFetcher(), font_config=font_config())


SAMPLE_MARK = "SAMPLE — NOT FOR SENDING"


@lru_cache(maxsize=64)
def page_css(first: int, total: int, sample: bool = False) -> CSS:
    """Footer "Page X of Y" for a part that starts at page `first` of a `total`-page letter (none if 1 page);
    with `sample`, the "SAMPLE — NOT FOR SENDING" mark at the top of every page."""
    rule = ""
    if total > 1:
        rule += (
            f'@page {{ @bottom-center {{ content: "Page " counter(page) " of {total}"; '
            'font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #444; } }'
            f"@page :first {{ counter-reset: page {first} }}"
        )
    if sample:
        rule += (
            f'@page {{ @top-center {{ content: "{SAMPLE_MARK}"; font-family: "DejaVu Sans", sans-serif; '
            "font-size: 11pt; font-weight: bold; color: #a00; } }"
        )
    return CSS(string=rule, font_config=font_config())


@dataclass
class RenderedLetter:
    """A letter as PDF bytes, with its page count and anything the batch report should mention."""

    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    # With a shared signatories part: how many pages are the letter's own (the rest is the batch's shared part).
    own_pages: int | None = None


def _sanitised(fragment: str) -> Markup:
    """Mark HTML that went through sandbox.sanitise_html (allow-listed tags, no attributes) as safe."""
    return Markup(fragment)  # noqa: S704 - produced by the allow-list sanitiser only


def letter_parts(template: dict, shared: dict, members: list[dict], **extra) -> dict:
    """Render the user's fields for one letter in the sandbox; return the layout's variables.

    `extra`: `committee` (a letter to a whole committee) and `committee_letter` (see build_context)."""
    context = build_context(shared, members, **extra)
    body = render_field(template.get("body") or "", context, field="body")
    local = context["endorsements"]["local"]
    return {
        "title": f"Letter to {context['recipient']['full_name']}",
        "context": context,
        "recipient": context["recipient"],
        "sender": context["sender"],
        "date": context["date"],
        "re_line": _sanitised(text_to_html(render_field(template.get("re_line") or "", context, field="RE line"))),
        "body": _sanitised(body_to_html(body, template.get("body_format") or "markdown")),
        "closing": _sanitised(text_to_html(render_field(template.get("closing") or "", context, field="closing"))),
        "signature": _sanitised(
            text_to_html(render_field(template.get("signature_block") or "", context, field="signature block"))
        ),
        "has_logo": bool(template.get("logo")),
        "local": local,
        "all": context["endorsements"]["all"],
        "is_sample": context["is_sample"],
    }


def _split(shared: dict) -> bool:
    return len(shared["endorsers"]) > INLINE_MAX_CITIES


def letter_html(template: dict, shared: dict, members: list[dict], **extra) -> str:
    """The whole letter as one HTML document (the preview, and the PDF when the city list is short)."""
    parts = letter_parts(template, shared, members, **extra)
    return _layout_env().get_template("letters/pdf/letter.html").render(**parts, inline_rest=True)


def appendix_html(shared: dict) -> str:
    """The shared list of all undersigned cities, grouped by state."""
    return _layout_env().get_template("letters/pdf/appendix.html").render(all=group(shared["endorsers"]))


def _assets(template: dict) -> dict[str, tuple[bytes, str]]:
    if template.get("logo"):
        return {"logo": (template["logo"], template.get("logo_mime") or "image/png")}
    return {}


def _layout(html: str, fetcher: AssetFetcher, first: int, total: int, sample: bool = False):
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.render(stylesheets=[letter_css(), page_css(first, total, sample)], font_config=font_config())


# Per-process cache of laid-out appendices: key -> (page count, {(first, total): Document}).
_APPENDICES: OrderedDict[str, dict] = OrderedDict()
_last_own_pages = 1


def _appendix(html: str, first: int, total: int, sample: bool = False):
    key = hashlib.sha256(html.encode()).hexdigest() + ("-sample" if sample else "")
    entry = _APPENDICES.get(key)
    if entry is None:
        entry = _APPENDICES[key] = {"docs": {}}
        if len(_APPENDICES) > 4:
            _APPENDICES.popitem(last=False)
    doc = entry["docs"].get((first, total))
    if doc is None:
        doc = entry["docs"][(first, total)] = _layout(html, AssetFetcher(), first, total, sample)
    return doc


# Per-process cache of the shared signatories part as PDF: (digest, first, total, sample) -> (bytes, pikepdf.Pdf).
_SHARED_PDFS: OrderedDict[tuple, tuple[bytes, pikepdf.Pdf]] = OrderedDict()


def _write_aside(path: Path, data: bytes) -> None:
    """Write a file next to its place and move it there: a reader never sees half of it (several workers may)."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


# Part of the shared signatories files' names: change it when page_css's footer or mark changes.
SHARED_LAYOUT_REVISION = "1"


@lru_cache(maxsize=1)
def _layout_fingerprint() -> bytes:
    """What the signatories pages look like besides their HTML: the stylesheet, the footer's rules, WeasyPrint."""
    return f"{CSS_PATH.read_text()}\0{SHARED_LAYOUT_REVISION}\0{weasyprint.__version__}".encode()


def _shared_digest(html: str) -> str:
    """The name of a signatories part's files: the same for the same pages, so the files in the shared folder
    (advocacy.letters.tasks.shared_dir: one for batches and previews) can be reused by any batch or preview, and
    never after the stylesheet or WeasyPrint changed."""
    return hashlib.sha256(html.encode() + b"\0" + _layout_fingerprint()).hexdigest()[:24]


def _shared_count(html: str, sample: bool, folder: Path | None) -> int:
    """Pages of the signatories part: laid out once per batch (the count is kept in the batch folder)."""
    digest = _shared_digest(html)
    path = folder / f"signatories-{digest}{'-sample' if sample else ''}.pages" if folder else None
    if path is not None and path.exists():
        return int(path.read_text())
    count = len(_appendix(html, 2, 99, sample).pages)
    if path is not None:
        _write_aside(path, str(count).encode())
    return count


def shared_part(
    html: str, first: int, total: int, sample: bool, folder: Path | None = None
) -> tuple[bytes, pikepdf.Pdf]:
    """The signatories part numbered from page `first` of `total`, as PDF: rendered once per batch and page
    numbering (kept in the batch folder for the other workers, and in memory), then joined to each letter."""
    digest = _shared_digest(html)
    key = (digest, first, total, sample)
    cached = _SHARED_PDFS.get(key)
    if cached is not None:
        return cached
    path = folder / f"signatories-{digest}-{first}-{total}{'-sample' if sample else ''}.pdf" if folder else None
    if path is not None and path.exists():
        data = path.read_bytes()
    else:
        data = _appendix(html, first, total, sample).write_pdf(uncompressed_pdf=False)
        if path is not None:
            _write_aside(path, data)
    cached = _SHARED_PDFS[key] = (data, pikepdf.Pdf.open(io.BytesIO(data)))
    if len(_SHARED_PDFS) > 8:
        _SHARED_PDFS.popitem(last=False)[1][1].close()
    return cached


def prepare_shared(shared: dict, shared_dir: Path, own_pages: int = 1) -> None:
    """Render the batch's shared signatories part ahead of the letters (for letters of `own_pages` own pages), so
    that the per-letter time limit counts only each letter's own work."""
    if _split(shared):
        html = appendix_html(shared)
        sample = is_sample_batch(shared)
        count = _shared_count(html, sample, shared_dir)
        shared_part(html, own_pages + 1, own_pages + count, sample, shared_dir)


def _join(own: bytes, shared: pikepdf.Pdf) -> bytes:
    """A letter's own pages followed by the shared part (pikepdf: qpdf copies the pages in C++, about four times
    faster than pypdf did; deterministic: the file identifier is a digest of the content). The letter keeps its own
    document information (title, producer) from WeasyPrint."""
    with pikepdf.Pdf.open(io.BytesIO(own)) as letter:
        letter.pages.extend(shared.pages)
        out = io.BytesIO()
        letter.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def render_letter(
    template: dict, shared: dict, members: list[dict], *, shared_dir: Path | None = None, **extra
) -> RenderedLetter:
    """Render one letter to PDF bytes (deterministic: identical input gives identical bytes).

    A long list of signatories is the same in every letter of a batch: it is rendered once per batch (and page
    numbering; files in `shared_dir`, the batch folder) and joined to each letter's own pages.
    """
    global _last_own_pages
    parts = letter_parts(template, shared, members, **extra)
    sample = parts["is_sample"]
    fetcher = AssetFetcher(_assets(template))
    warnings = [f"missing {m}" for m in parts["recipient"]["missing"]]
    warnings.extend(approximate_warnings(parts["context"]["endorsements"]["local_approximate"]["cities"]))
    split = _split(shared)
    env = _layout_env().get_template("letters/pdf/letter.html")
    html = env.render(**parts, inline_rest=not split)
    own_pages = None
    if not split:
        guess = _last_own_pages
        document = _layout(html, fetcher, 1, guess, sample)
        if len(document.pages) != guess:
            document = _layout(html, fetcher, 1, len(document.pages), sample)
        pages = len(document.pages)
        pdf = document.write_pdf(uncompressed_pdf=False)
    else:
        shared_html = appendix_html(shared)
        more = _shared_count(shared_html, sample, shared_dir)
        guess = _last_own_pages
        document = _layout(html, fetcher, 1, guess + more, sample)
        own = len(document.pages)
        if own != guess:
            document = _layout(html, fetcher, 1, own + more, sample)
        _, shared_reader = shared_part(shared_html, own + 1, own + more, sample, shared_dir)
        pdf = _join(document.write_pdf(uncompressed_pdf=False), shared_reader)
        pages, own_pages = own + more, own
    _last_own_pages = len(document.pages)
    warnings.extend(f"refused to load {url}" for url in fetcher.blocked)
    return RenderedLetter(pdf=pdf, pages=pages, warnings=warnings, own_pages=own_pages)
