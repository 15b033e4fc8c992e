"""Uploaded letterhead logos: checked by their content, limited in what they cost to draw, cleaned.

A logo is drawn on every letter of every batch and preview, so its cost is bounded when it is uploaded:
- PNG and JPEG: at most LOGO_MAX_BYTES; the pixel count is read from the header and refused above LOGO_MAX_PIXELS
  before anything is decoded (Pillow's own decompression-bomb limit, far higher, is caught too); an accepted
  image larger than LOGO_MAX_SIDE pixels on a side is downscaled once, here, so that letters never do it.
- SVG: no DOCTYPE or entities; at most SVG_MAX_ELEMENTS elements, SVG_MAX_DEPTH levels of nesting (counting
  `<use>` references followed), and SVG_MAX_DRAWN elements once every `<use>` is expanded (a few nested `<use>`
  can otherwise ask the renderer to draw 10^7 shapes); then only drawing elements and attributes are kept: no
  scripts, styles, events or outside links.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET

from advocacy.letters.errors import LetterError

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4_000_000  # e.g. 2,000 × 2,000
LOGO_MAX_SIDE = 1_200  # pixels on the longer side after upload: 4 inches at 300 dpi, far more than a letterhead needs
SVG_MAX_ELEMENTS = 5_000
SVG_MAX_DEPTH = 32
SVG_MAX_DRAWN = 20_000

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "defs",
    "lineargradient", "radialgradient", "stop", "title", "desc", "clippath", "use", "symbol",
}  # fmt: skip


class LogoError(LetterError):
    """A logo that is refused, with the reason for the user."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _href(element: ET.Element) -> str | None:
    return element.get(f"{{{XLINK_NS}}}href") or element.get("href")


def _check_svg_size(root: ET.Element) -> None:
    """Refuse an SVG with too many elements, too deep, or too much to draw once `<use>` is expanded."""
    count, stack = 0, [(root, 1)]
    while stack:  # without recursion: a deep document must not exhaust the stack here
        element, depth = stack.pop()
        count += 1
        if count > SVG_MAX_ELEMENTS:
            raise LogoError(f"The SVG logo has more than {SVG_MAX_ELEMENTS:,} elements: simplify it.")
        if depth > SVG_MAX_DEPTH:
            raise LogoError(f"The SVG logo is nested more than {SVG_MAX_DEPTH} levels deep: simplify it.")
        stack.extend((child, depth + 1) for child in element)
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    drawn: dict[int, int] = {}

    def weight(element: ET.Element, depth: int) -> int:
        """Elements drawn for `element`: itself, its children, and what its `<use>` shows (memoised)."""
        key = id(element)
        if key in drawn:
            if drawn[key] < 0:
                raise LogoError("The SVG logo refers to itself (a <use> loop).")
            return drawn[key]
        if depth > SVG_MAX_DEPTH:
            raise LogoError(f"The SVG logo is nested more than {SVG_MAX_DEPTH} levels deep (counting <use>).")
        drawn[key] = -1
        total = 1
        for child in element:
            total += weight(child, depth + 1)
        if _local(str(element.tag)) == "use":
            target = ids.get((_href(element) or "").removeprefix("#"))
            if target is not None:
                total += weight(target, depth + 1)
        if total > SVG_MAX_DRAWN:
            raise LogoError(
                f"The SVG logo would draw more than {SVG_MAX_DRAWN:,} shapes once its <use> references are "
                "expanded: simplify it."
            )
        drawn[key] = total
        return total

    weight(root, 1)


def sanitise_svg(data: bytes) -> bytes:
    """Parse an SVG, check its size (see the module docstring) and keep only drawing elements and attributes."""
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise LogoError("The SVG logo is not UTF-8 text.") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise LogoError("The SVG logo must not contain a DOCTYPE or entities.")
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DTD/entities allowed (checked above), size-limited
    except ET.ParseError as exc:
        raise LogoError(f"The SVG logo could not be read: {exc}.") from None
    if _local(root.tag) != "svg":
        raise LogoError("The logo is not an SVG image.")
    _check_svg_size(root)

    def clean(element: ET.Element) -> None:
        for child in list(element):
            if not isinstance(child.tag, str) or _local(child.tag).lower() not in SVG_ELEMENTS:
                element.remove(child)
                continue
            clean(child)
        for name in list(element.attrib):
            local = _local(name).lower()
            value = element.attrib[name]
            unsafe = local.startswith("on") or local == "style" or "url(" in value.replace(" ", "").lower()
            outside_link = local == "href" and not value.startswith("#")
            if unsafe or outside_link:
                del element.attrib[name]

    clean(root)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8")


def _raster(data: bytes) -> tuple[bytes, str]:
    """Check a PNG or JPEG by its header before decoding it; downscale it once if it is larger than needed."""
    from PIL import Image, UnidentifiedImageError

    bomb = (Image.DecompressionBombError, Image.DecompressionBombWarning)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                kind, (width, height) = image.format, image.size
                if width * height > LOGO_MAX_PIXELS:
                    raise LogoError(
                        f"The logo is {width:,} × {height:,} pixels: at most {LOGO_MAX_PIXELS // 1_000_000} "
                        f"megapixels are accepted (a letterhead needs about {LOGO_MAX_SIDE:,} pixels across)."
                    )
                image.verify()
            if kind not in ("PNG", "JPEG"):
                raise LogoError("The logo must be a PNG, JPEG or SVG image.")
            if max(width, height) <= LOGO_MAX_SIDE:
                return data, "image/png" if kind == "PNG" else "image/jpeg"
            with Image.open(io.BytesIO(data)) as image:
                image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
                out = io.BytesIO()
                if kind == "PNG":
                    image.save(out, format="PNG", optimize=True)
                else:
                    image.convert("RGB").save(out, format="JPEG", quality=90)
    except bomb:
        raise LogoError(
            f"The logo has far too many pixels: at most {LOGO_MAX_PIXELS // 1_000_000} megapixels."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise LogoError(f"The logo image is damaged: {exc}.") from None
    return out.getvalue(), "image/png" if kind == "PNG" else "image/jpeg"


def check_logo(data: bytes) -> tuple[bytes, str]:
    """Check an uploaded logo by its content (not its name): PNG, JPEG or SVG; return (bytes to keep, mime type)."""
    if not data:
        raise LogoError("The logo file is empty.")
    if len(data) > LOGO_MAX_BYTES:
        raise LogoError(f"The logo is larger than {LOGO_MAX_BYTES // 1024} KB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        return _raster(data)
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")):
        return sanitise_svg(data), "image/svg+xml"
    raise LogoError("The logo must be a PNG, JPEG or SVG image (checked by its content).")
