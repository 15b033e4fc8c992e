"""From a template snapshot and plain data to a letter: HTML for the preview, PDF for the batch.

The layout and CSS are the app's (templates/letters/pdf/, advocacy/static/pdf/letter.css); the user's fields are
rendered in the sandbox and sanitised. PDFs go through advocacy.pdf's AssetFetcher only.

Speed: the stylesheet and FontConfiguration are parsed once per process; when the list of undersigned cities is
long it is laid out once per process and batch (`appendix`) and appended to each letter's own pages, with the
page numbers ("Page X of Y") given to each part as literals so that the two parts number as one letter.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from weasyprint import CSS, HTML

from advocacy.letters.context import build_context, group
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


@lru_cache(maxsize=64)
def page_css(first: int, total: int) -> CSS:
    """Footer "Page X of Y" for a part that starts at page `first` of a `total`-page letter (none if 1 page)."""
    if total <= 1:
        return CSS(string="", font_config=font_config())
    rule = (
        f'@page {{ @bottom-center {{ content: "Page " counter(page) " of {total}"; '
        'font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #444; } }'
        f"@page :first {{ counter-reset: page {first} }}"
    )
    return CSS(string=rule, font_config=font_config())


@dataclass
class RenderedLetter:
    """A letter as PDF bytes, with its page count and anything the batch report should mention."""

    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


def _sanitised(fragment: str) -> Markup:
    """Mark HTML that went through sandbox.sanitise_html (allow-listed tags, no attributes) as safe."""
    return Markup(fragment)  # noqa: S704 - produced by the allow-list sanitiser only


def letter_parts(template: dict, shared: dict, members: list[dict]) -> dict:
    """Render the user's fields for one letter in the sandbox; return the layout's variables."""
    context = build_context(shared, members)
    body = render_field(template.get("body") or "", context, field="body")
    local = context["endorsements"]["local"]
    local_ids = {c["label"] for c in local["cities"]}
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
        "rest": group([c for c in shared["endorsers"] if c["label"] not in local_ids]),
    }


def _split(shared: dict) -> bool:
    return len(shared["endorsers"]) > INLINE_MAX_CITIES


def letter_html(template: dict, shared: dict, members: list[dict]) -> str:
    """The whole letter as one HTML document (the preview, and the PDF when the city list is short)."""
    parts = letter_parts(template, shared, members)
    return _layout_env().get_template("letters/pdf/letter.html").render(**parts, inline_rest=True)


def appendix_html(shared: dict) -> str:
    """The shared list of all undersigned cities, grouped by state."""
    return _layout_env().get_template("letters/pdf/appendix.html").render(all=group(shared["endorsers"]))


def _assets(template: dict) -> dict[str, tuple[bytes, str]]:
    if template.get("logo"):
        return {"logo": (template["logo"], template.get("logo_mime") or "image/png")}
    return {}


def _layout(html: str, fetcher: AssetFetcher, first: int, total: int):
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.render(stylesheets=[letter_css(), page_css(first, total)], font_config=font_config())


# Per-process cache of laid-out appendices: key -> (page count, {(first, total): Document}).
_APPENDICES: OrderedDict[str, dict] = OrderedDict()
_last_own_pages = 1


def _appendix(html: str, first: int, total: int):
    key = hashlib.sha256(html.encode()).hexdigest()
    entry = _APPENDICES.get(key)
    if entry is None:
        entry = _APPENDICES[key] = {"docs": {}}
        if len(_APPENDICES) > 4:
            _APPENDICES.popitem(last=False)
    doc = entry["docs"].get((first, total))
    if doc is None:
        doc = entry["docs"][(first, total)] = _layout(html, AssetFetcher(), first, total)
    return doc


def appendix_pages(shared: dict) -> int:
    """How many pages the shared city list takes (laid out once per process)."""
    html = appendix_html(shared)
    return len(_appendix(html, 2, 99).pages)


def render_letter(template: dict, shared: dict, members: list[dict]) -> RenderedLetter:
    """Render one letter to PDF bytes (deterministic: identical input gives identical bytes)."""
    global _last_own_pages
    parts = letter_parts(template, shared, members)
    fetcher = AssetFetcher(_assets(template))
    warnings = [f"missing {m}" for m in parts["recipient"]["missing"]]
    warnings.extend(approximate_warnings(parts["local"]["cities"]))
    split = _split(shared)
    env = _layout_env().get_template("letters/pdf/letter.html")
    html = env.render(**parts, inline_rest=not split)
    if not split:
        guess = _last_own_pages
        document = _layout(html, fetcher, 1, guess)
        if len(document.pages) != guess:
            document = _layout(html, fetcher, 1, len(document.pages))
        pages = list(document.pages)
    else:
        shared_html = appendix_html(shared)
        extra = len(_appendix(shared_html, 2, 99).pages)
        guess = _last_own_pages
        document = _layout(html, fetcher, 1, guess + extra)
        own = len(document.pages)
        if own != guess:
            document = _layout(html, fetcher, 1, own + extra)
        appendix = _appendix(shared_html, own + 1, own + extra)
        pages = [*document.pages, *appendix.pages]
    _last_own_pages = len(document.pages)
    pdf = document.copy(pages).write_pdf(uncompressed_pdf=False)
    warnings.extend(f"refused to load {url}" for url in fetcher.blocked)
    return RenderedLetter(pdf=pdf, pages=len(pages), warnings=warnings)


def shared_key(shared: dict) -> str:
    """A stable digest of the batch-wide data (for caches keyed by batch content)."""
    return hashlib.sha256(json.dumps(shared, sort_keys=True, default=str).encode()).hexdigest()
