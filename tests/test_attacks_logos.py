"""Issue #17, logos: decompression bombs, huge pixel counts and SVGs that take for ever to draw, written as the
attacks; refused on upload with a message (never a 500), and accepted images downscaled once."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.letters.logos import LOGO_MAX_SIDE, LogoError, check_logo
from advocacy.models import LetterTemplate
from tests.conftest import submit


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header declares width × height 1-bit pixels, all zero (compresses ~1000:1)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(min(height, 2000))) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def real_png(width: int, height: int, mode: str = "1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def nested_use_svg(levels: int, fan_out: int) -> bytes:
    """Each group draws `fan_out` copies of the previous one: fan_out ** levels rectangles from ~80 elements."""
    groups = ['<g id="g0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#g{level - 1}"/>' for _ in range(fan_out))
        groups.append(f'<g id="g{level}">{uses}</g>')
    body = f'<defs>{"".join(groups)}</defs><use href="#g{levels}"/>'
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{body}</svg>'.encode()


FORM = {
    "name": "Logo test",
    "slug": "logo-test",
    "re_line": "RE",
    "body_format": "markdown",
    "body": "Hello.",
    "closing": "Sincerely,",
    "signature_block": "Coalition",
    "letterhead_name": "Coalition",
    "letterhead_address": "",
}


def _upload(client, data: bytes, name: str):
    payload = dict(FORM, logo=(io.BytesIO(data), name))
    return submit(client, "/letters/templates/new", payload, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (png_claiming(30_000, 30_000), "bomb.png", "far too many pixels"),
        (real_png(9_000, 9_000), "81mp.png", "at most 4 megapixels"),
        (nested_use_svg(7, 10), "uses.svg", "more than 20,000 shapes"),
    ],
    ids=["30000x30000-png", "81-megapixel-png", "10^7-use-svg"],
)
def test_logo_bombs_are_refused_on_upload_with_a_message(letters_app, client, login_as, data, name, message):
    """The bomb, the 81-megapixel PNG of a few KB and the SVG of 10^7 <use>: a 422 page with the reason."""
    assert len(data) < 512 * 1024
    login_as("advocate")
    response = _upload(client, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:300]
    assert message in page
    with letters_app.app_context():
        assert db.session.scalar(select(func.count(LetterTemplate.id))) == 0


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        (nested_use_svg(25, 2), "more than 20,000 shapes"),  # 2^25 drawn from 50 <use>
        (b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 100 + b"</g>" * 100 + b"</svg>", "levels deep"),
        (b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<rect/>" * 6_000 + b"</svg>", "more than 5,000 elements"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>', "loop"),
        (b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 60_000 + b"</g>" * 60_000 + b"</svg>", "levels deep"),
    ],
    ids=["2^25-uses", "100-deep", "6000-elements", "use-loop", "60000-deep"],
)
def test_svg_complexity_is_limited(svg, message):
    """Element count, nesting and <use> expansion are bounded; a very deep document is refused, not a crash."""
    assert len(svg) < 512 * 1024
    with pytest.raises(LogoError) as info:
        check_logo(svg)
    assert message in str(info.value)


def test_an_ordinary_svg_with_use_is_kept():
    """A logo that reuses a shape a few times is accepted."""
    cleaned, mime = check_logo(nested_use_svg(2, 3))
    assert mime == "image/svg+xml" and cleaned.count(b"<use") == 7


def test_large_accepted_images_are_downscaled_once_on_upload(letters_app, client, login_as):
    """A 3,000 × 1,000 photo-sized logo is stored at 1,200 × 400: letters never decode the big one."""
    login_as("advocate")
    response = _upload(client, real_png(3_000, 1_000, "RGB"), "wide.png")
    assert response.status_code == 302
    with letters_app.app_context():
        logo = db.session.scalar(select(LetterTemplate.logo))
    with Image.open(io.BytesIO(logo)) as image:
        assert image.size == (LOGO_MAX_SIDE, 400) and image.format == "PNG"
    small = real_png(600, 200, "RGB")
    assert check_logo(small) == (small, "image/png")  # small enough: kept byte for byte
