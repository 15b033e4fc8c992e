"""Letter templates cannot escape the sandbox, fetch files or URLs, inject markup, or exhaust the renderer."""

from __future__ import annotations

import io
import re
import threading
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from advocacy.demo.letter import DEMO_TEMPLATE
from advocacy.letters.context import SAMPLE_MEMBER, build_context, sample_shared
from advocacy.letters.errors import LetterError
from advocacy.letters.logos import check_logo
from advocacy.letters.render import letter_html, render_letter
from advocacy.letters.sandbox import TemplateProblem, render_field
from tests.letters_fixtures import pdf_pages

CONTEXT = build_context(sample_shared(), [SAMPLE_MEMBER])


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ joiner.__init__.__globals__.os }}",
        "{{ namespace.__init__.__globals__ }}",
        "{{ range.__globals__ }}",
        "{{ recipient.__class__ }}",
        "{{ self._TemplateReference__context }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ config }}",
        "{{ request }}",
    ],
)
def test_sandbox_escapes_are_refused(source):
    """Dunder access and the usual Jinja escape routes raise a readable TemplateProblem."""
    with pytest.raises(TemplateProblem) as info:
        render_field(source, CONTEXT)
    assert info.value.message.startswith(("not allowed", "unknown field"))


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{% for i in range(10**9) %}x{% endfor %}", "range()"),
        ("{% set n = 10 %}{{ n ** 1000000 }}", "exponents"),
        ("{% set n = 10 %}{{ n ** 60 ** 60 ** 60 ** 60 }}", "exponents"),
        ("{% for i in range(1000000000) %}x{% endfor %}", "range()"),
        ("{{ 'x' * 1000000000 }}", "repeating text"),
        ("{{ 'abc'|center(1000000000) }}", "No filter named 'center'"),
        ("{% for i in range(10000) %}{% for j in range(10000) %}xxxxxxxx{% endfor %}{% endfor %}", "longer than"),
    ],
)
def test_enormous_output_is_refused_early(source, fragment):
    """Huge ranges, repetitions and outputs fail fast with a message, never building the text."""
    with pytest.raises(TemplateProblem) as info:
        render_field(source, CONTEXT)
    assert fragment in str(info.value)


def test_unknown_field_and_syntax_error_report_the_line():
    """An unknown field and a syntax error name the line where they are."""
    with pytest.raises(TemplateProblem) as info:
        render_field("Dear friend,\n\n{{ recipient.nickname }}", CONTEXT)
    assert (info.value.line, info.value.message) == (3, "unknown field 'nickname'")
    with pytest.raises(TemplateProblem) as info:
        render_field("one\ntwo {% if %}", CONTEXT)
    assert info.value.line == 2


def test_markdown_cannot_inject_markup_links_or_images():
    """Raw HTML, links and images in the body come out as plain text; merged values are escaped."""
    template = dict(
        DEMO_TEMPLATE,
        body='<script>alert(1)</script><style>p{color:red}</style> <a href="http://x">a</a> [link](http://127.0.0.1/)'
        ' ![img](file:///etc/passwd) <img src="file:///etc/passwd"> {{ "<b>" }}',
    )
    html = letter_html(template, sample_shared(template), [SAMPLE_MEMBER])
    body = html[html.index('<div class="body">') : html.index('<div class="closing">')]
    assert "<script" not in body and "<style" not in body and "<img" not in body and "<a " not in body
    assert not re.search(r"<[^>]*(href|src|style)=", body)
    assert "&lt;script&gt;" in body and "&lt;b&gt;" in body


def test_template_cannot_reach_local_files_or_servers():
    """Whatever the body says, the PDF embeds no /etc/passwd and no request reaches a server on 127.0.0.1."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        for body_format in ("markdown", "plain"):
            template = dict(
                DEMO_TEMPLATE,
                body_format=body_format,
                body=f'<link rel="attachment" href="file:///etc/passwd"><img src="{url}/img.png">'
                f"<style>@import url('{url}/x.css');</style>![x]({url}/md.png) [y]({url}/link)"
                '<object data="file:///etc/passwd"></object> <iframe src="file:///etc/passwd"></iframe>',
                letterhead_name=f'<img src="{url}/head.png">',
            )
            rendered = render_letter(template, sample_shared(template), [SAMPLE_MEMBER])
            assert b"root:x:" not in rendered.pdf
            assert "root:" not in "\n".join(pdf_pages(rendered.pdf))
            assert b"/EmbeddedFile" not in rendered.pdf
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def test_logo_is_checked_by_content():
    """A PNG passes; text named .png, damaged images and oversized files are refused."""
    assert check_logo(PNG) == (PNG, "image/png")
    for bad in (b"not an image at all", PNG[:20], b"\x89PNG\r\n\x1a\n" + b"0" * 600_000):
        with pytest.raises(LetterError):
            check_logo(bad)


def test_svg_logo_is_sanitised():
    """Scripts, event handlers, styles and outside links are removed from an SVG logo; entities are refused."""
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
        b'<script>alert(1)</script><rect width="10" height="10" onload="alert(1)" style="fill:url(http://x/)"/>'
        b'<image xlink:href="file:///etc/passwd"/><use xlink:href="http://127.0.0.1/x.svg#a"/>'
        b"<foreignObject><p>hi</p></foreignObject></svg>"
    )
    cleaned, mime = check_logo(svg)
    assert mime == "image/svg+xml"
    assert b"script" not in cleaned and b"onload" not in cleaned and b"style" not in cleaned
    assert b"etc/passwd" not in cleaned and b"127.0.0.1" not in cleaned and b"foreignObject" not in cleaned
    assert b"<rect" in cleaned
    with pytest.raises(LetterError):
        check_logo(b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>')


_DOUBLING = (
    "{% set ns = namespace(s='x' * 100000) %}{% for i in range(40) %}{% set ns.s = EXPR %}{% endfor %}{{ ns.s }}"
)


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'a'.ljust(150000000) }}",
        "{{ 'a'.rjust(150000000) }}",
        "{{ 'a'.center(150000000) }}",
        "{{ '1'.zfill(150000000) }}",
        "{{ ('\t' * 1000).expandtabs(150000000) }}",
        "{{ '%0150000000d' % 1 }}",
        "{{ '%.150000000f' % 1 }}",
        "{{ '%*d' % (150000000, 1) }}",
        "{{ '%(a)s%(a)s%(a)s' % {'a': 'x' * 100000} }}",
        "{{ '{:>150000000}'.format(1) }}",
        "{{ '{:{}}'.format(1, 150000000) }}",
        "{{ '{0:0150000000}'.format_map({'0': 1}) }}",
        "{{ ('a' * 10000).replace('', 'a' * 10000) }}",
        "{{ ('a' * 10000)|replace('', 'a' * 10000) }}",
        "{{ ['x' * 100000] * 100000 }}",
        "{{ ('x' * 100000).join(range(10000)) }}",
        "{{ range(10000)|join('x' * 100000) }}",
        _DOUBLING.replace("EXPR", "ns.s ~ ns.s"),
        _DOUBLING.replace("EXPR", "ns.s + ns.s"),
        _DOUBLING.replace("EXPR", "'%s%s' % (ns.s, ns.s)"),
        _DOUBLING.replace("EXPR", "'{0}{0}'.format(ns.s)"),
        "{% set ns = namespace(n=2**64) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}{{ 1 }}",
    ],
)
def test_memory_caps_cannot_be_bypassed(source):
    """Padding methods, % and format widths, replace, join and repeated doubling are refused before allocating."""
    tracemalloc.start()
    try:
        with pytest.raises(TemplateProblem) as info:
            render_field(source, CONTEXT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.message.startswith("not allowed"), info.value.message
    assert peak < 20_000_000, f"{peak:,} bytes allocated"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ name.ljust(8) }}|{{ name.rjust(8) }}|{{ '7'.zfill(3) }}", "Ann     |     Ann|007"),
        ("{{ '%05d' % 42 }} {{ '%-6s|' % name }} {{ 7 % 3 }}", "00042 Ann   | 1"),
        ("{{ '{:,}'.format(1234) }} {{ '{:>8.2f}'.format(3.14159) }}", "1,234     3.14"),
        ("{{ 'banana'.replace('a', 'o') }} {{ 'banana'|replace('a', 'o', 1) }}", "bonono bonana"),
        ("{{ ', '.join(['a', 'b']) }} {{ [1, 2]|join('-') }} {{ 'x' ~ name ~ 3 }}", "a, b 1-2 xAnn3"),
        ("{{ 'ab' + name }} {{ [1] + [2] }} {{ 3 * 4 }} {{ 'ab' * 2 }}", "abAnn [1, 2] 12 abab"),
    ],
)
def test_ordinary_string_operations_still_work(source, expected):
    """The caps leave everyday padding, formatting, replacing and joining alone."""
    assert render_field(source, {"name": "Ann"}) == expected


def test_concatenation_still_escapes_like_jinja():
    """`~` escapes unsafe text under autoescape and leaves it alone inside {% autoescape false %}."""
    source = "{{ '<b>' ~ name }}|{% autoescape false %}{{ '<b>' ~ name }}{% endautoescape %}"
    assert render_field(source, {"name": "<A>"}) == "&lt;b&gt;&lt;A&gt;|<b><A>"
