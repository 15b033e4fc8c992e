"""PDF rendering with WeasyPrint behind a URL fetcher that can only read the app's own assets.

Every PDF the app makes (letters, endorsement receipts) goes through `render_pdf`. Documents refer to assets
as `asset:NAME`; the fetcher serves those from memory (e.g. an uploaded logo) or from the whitelisted folder
advocacy/static/pdf after resolving the path, and refuses everything else: `file:` anywhere else, `http(s):`,
`ftp:`, `data:`, redirects. A refused URL is recorded and the resource simply left out.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

logger = logging.getLogger(__name__)

ASSET_DIR = Path(__file__).resolve().parent / "static" / "pdf"
ASSET_SCHEME = "asset:"
BASE_URL = "asset:/"


class BlockedResource(URLFetchingError):
    """A document asked for a resource outside the app's own assets."""


class AssetFetcher(URLFetcher):
    """Serves `asset:NAME` from `assets` (in memory) or ASSET_DIR; refuses any other URL.

    `blocked` lists the URLs that were refused, so that callers can report them.
    """

    def __init__(self, assets: dict[str, tuple[bytes, str]] | None = None, asset_dir: Path = ASSET_DIR):
        super().__init__(allowed_protocols=("asset",), allow_redirects=False, timeout=1)
        self.assets = dict(assets or {})
        self.asset_dir = asset_dir.resolve()
        self.blocked: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if not url.startswith(ASSET_SCHEME):
            return self._refuse(url)
        name = url[len(ASSET_SCHEME) :].lstrip("/").split("?", 1)[0].split("#", 1)[0]
        if name in self.assets:
            body, mime = self.assets[name]
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        path = (self.asset_dir / name).resolve()
        if not name or not path.is_relative_to(self.asset_dir) or not path.is_file():
            return self._refuse(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    def _refuse(self, url: str) -> URLFetcherResponse:
        self.blocked.append(url[:200])
        logger.warning("PDF renderer refused to fetch %s", url[:200])
        raise BlockedResource(f"refused to fetch {url[:200]}")


_font_config_local = threading.local()


def font_config() -> FontConfiguration:
    """One FontConfiguration per thread, reused across renders (parsing fonts again costs time)."""
    config = getattr(_font_config_local, "config", None)
    if config is None:
        config = _font_config_local.config = FontConfiguration()
    return config


def load_css(css_text: str, fetcher: AssetFetcher | None = None) -> CSS:
    """Parse a stylesheet once (callers may cache it and pass it to many renders)."""
    return CSS(string=css_text, base_url=BASE_URL, url_fetcher=fetcher or AssetFetcher(), font_config=font_config())


def render_pdf(
    html: str,
    *,
    stylesheets: list[CSS] | None = None,
    assets: dict[str, tuple[bytes, str]] | None = None,
    fetcher: AssetFetcher | None = None,
) -> bytes:
    """Render `html` to PDF bytes; only app assets can be loaded (see the module docstring).

    The output is deterministic for identical input (no creation date in the metadata).
    """
    fetcher = fetcher or AssetFetcher(assets)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets or [], font_config=font_config(), uncompressed_pdf=False)
