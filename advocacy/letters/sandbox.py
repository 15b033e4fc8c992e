"""The sandbox that user-written letter templates run in, and the checks made when a template is saved.

Templates use Jinja syntax in `SandboxedEnvironment` with autoescaping and `StrictUndefined` (an unknown field is
an error, not an empty string). On top of Jinja's sandbox (no attributes starting with "_", no unsafe methods):
only an allow-list of filters, `range()` capped, `*` and `**` capped, and the output of one template capped in
size. Time and memory are limited by the worker process that renders (see advocacy.letters.worker).
The Markdown body is converted with raw HTML, links and images switched off, and the result passes an allow-list
HTML sanitiser: users cannot inject CSS, scripts or resource URLs.
"""

from __future__ import annotations

import html
import re
import sys
from html.parser import HTMLParser
from typing import Any

import markdown
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from advocacy.jobs import JobTimeout

MAX_RANGE = 10_000
MAX_SEQUENCE = 100_000  # longest string or list that `*` may build
MAX_EXPONENT = 64
MAX_OUTPUT_CHARS = 200_000  # per rendered field

ALLOWED_FILTERS = [
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "e",
    "escape",
    "first",
    "float",
    "groupby",
    "int",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "select",
    "selectattr",
    "slice",
    "sort",
    "string",
    "sum",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "wordcount",
]  # noqa: SIM905 - easier to read as words


class TemplateProblem(Exception):
    """A template that cannot be rendered: `field`, `line` (1-based, when known) and a readable message."""

    def __init__(self, message: str, *, field: str = "body", line: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.line = line

    def __str__(self) -> str:
        where = f"{self.field}, line {self.line}" if self.line else self.field
        return f"{where}: {self.message}"


def _capped_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE:,} items in letter templates")
    return result


def _thousands(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int | float) else str(value)


class LetterSandbox(SandboxedEnvironment):
    """Jinja's sandbox with fewer filters and caps on the operations that can exhaust memory."""

    intercepted_binops = frozenset(["*", "**"])

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
        self.filters = {name: self.filters[name] for name in ALLOWED_FILTERS}
        self.filters["thousands"] = _thousands
        self.globals = {"range": _capped_range, "dict": dict, "namespace": self.globals["namespace"]}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            huge_base = isinstance(left, int) and left.bit_length() > 256
            if (isinstance(right, int | float) and abs(right) > MAX_EXPONENT) or huge_base:
                raise SecurityError(f"exponents above {MAX_EXPONENT} are not allowed in letter templates")
            return left**right
        sized = left if isinstance(left, str | list | tuple) else right
        count = right if sized is left else left
        too_long = (
            isinstance(sized, str | list | tuple) and isinstance(count, int) and len(sized) * count > MAX_SEQUENCE
        )
        if too_long:
            raise SecurityError(f"repeating text is limited to {MAX_SEQUENCE:,} characters in letter templates")
        return left * right


_ENV: LetterSandbox | None = None


def sandbox() -> LetterSandbox:
    """The process-wide sandbox (compiled templates are cached in it)."""
    global _ENV
    if _ENV is None:
        _ENV = LetterSandbox()
    return _ENV


_NO_ATTRIBUTE = re.compile(r"'[^']*' has no attribute '([^']+)'")
_UNDEFINED = re.compile(r"'([^']+)' is undefined")


def _template_line(tb: Any) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _friendly(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, UndefinedError):
        match = _NO_ATTRIBUTE.search(text)
        if match:
            return f"unknown field '{match.group(1)}'"
        match = _UNDEFINED.search(text)
        if match:
            return f"unknown field '{match.group(1)}'"
        return f"unknown field ({text})"
    if isinstance(exc, SecurityError):
        return f"not allowed: {text}"
    if isinstance(exc, OverflowError | MemoryError):
        return "the template tried to produce too much text"
    return f"{type(exc).__name__}: {text}"


def render_field(source: str, context: dict, *, field: str = "body", max_chars: int = MAX_OUTPUT_CHARS) -> str:
    """Render one template field in the sandbox; raise TemplateProblem with the line on any error."""
    env = sandbox()
    try:
        template = env.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(exc.message or "syntax error", field=field, line=exc.lineno) from None
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(context):
            size += len(chunk)
            if size > max_chars:
                raise TemplateProblem(
                    f"the text is longer than {max_chars:,} characters (a loop that never ends?)", field=field
                )
            parts.append(chunk)
    except TemplateProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of user code becomes a readable problem
        if isinstance(exc, JobTimeout):
            raise
        raise TemplateProblem(_friendly(exc), field=field, line=_template_line(sys.exc_info()[2])) from None
    return "".join(parts)


# --- Markdown and sanitising ----------------------------------------------------------------------------------

_MD_DISABLED_INLINE = (
    "html",
    "link",
    "image_link",
    "image_reference",
    "short_image_ref",
    "reference",
    "short_reference",
    "autolink",
    "automail",
)


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[], output_format="html")
    md.preprocessors.deregister("html_block")
    for name in _MD_DISABLED_INLINE:
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)
    if "reference" in md.parser.blockprocessors:
        md.parser.blockprocessors.deregister("reference")
    return md


ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "h3", "h4", "hr", "code", "pre"}
HEADING_MAP = {"h1": "h3", "h2": "h3", "h5": "h4", "h6": "h4"}
VOID_TAGS = {"br", "hr"}
DROP_CONTENT = {"script", "style", "title", "head", "svg", "math", "iframe", "object", "template", "textarea"}


class _Sanitiser(HTMLParser):
    """Keeps allowed tags without any attribute; drops other tags (and the content of script-like ones)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        tag = HEADING_MAP.get(tag, tag)
        if tag in DROP_CONTENT:
            self.skip += 1
        elif not self.skip and tag in ALLOWED_TAGS:
            self.out.append(f"<{tag}>")
            if tag not in VOID_TAGS:
                self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        tag = HEADING_MAP.get(tag, tag)
        if not self.skip and tag in VOID_TAGS:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        tag = HEADING_MAP.get(tag, tag)
        if tag in DROP_CONTENT:
            self.skip = max(0, self.skip - 1)
        elif not self.skip and tag in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{t}>" for t in reversed(self.open))


def sanitise_html(fragment: str) -> str:
    """Allow-list sanitiser: only basic text tags, no attributes, no scripts, styles or URLs."""
    parser = _Sanitiser()
    parser.feed(fragment)
    return parser.result()


def body_to_html(text: str, body_format: str) -> str:
    """Turn the rendered body (Markdown or plain paragraphs) into sanitised HTML."""
    if body_format == "markdown":
        converted = _markdown().convert(text)
    else:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        converted = "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)
    return sanitise_html(converted)


def text_to_html(text: str) -> str:
    """A short rendered field (RE line, closing, signature) as sanitised text with line breaks kept."""
    lines = [sanitise_html(line) for line in text.strip().splitlines()]
    return "<br>".join(lines)
