"""A response cache in front of the public pages that crowds load (campaign page, state pages, exports, widget).

It sits in front of the whole Flask app (WSGI middleware), so a hit costs about what a "hello world" costs.
Responses are kept in each worker process for PUBLIC_CACHE_SECONDS (default 30, 0 turns it off): a new
endorsement shows within a minute. Only GETs from visitors without a session cookie are served from or stored
in the cache (logged-in staff see the navigation, so their pages differ), only 200 answers are stored, and
never one that sets a cookie. Headers (security headers included) are stored with the body.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.http import parse_cookie

CACHEABLE = re.compile(r"^/c/[^/]+(?:/endorsements\.(?:csv|json)|/widget|/states/[A-Za-z]{2})?$")
MAX_ENTRIES = 256

_cache: dict[str, tuple[float, str, list[tuple[str, str]], bytes]] = {}
_lock = threading.Lock()


def clear() -> None:
    """Forget every cached response."""
    with _lock:
        _cache.clear()


class PublicCache:
    """WSGI middleware: serve cacheable public GETs from memory for `ttl` seconds."""

    def __init__(self, app: Callable, ttl: Callable[[], int], private_cookies: tuple[str, ...]):
        self.app = app
        self.ttl = ttl
        self.private_cookies = private_cookies

    def _cacheable(self, environ: dict[str, Any]) -> bool:
        if environ.get("REQUEST_METHOD") != "GET" or not CACHEABLE.match(environ.get("PATH_INFO", "")):
            return False
        cookies = environ.get("HTTP_COOKIE")
        return not cookies or not any(name in parse_cookie(cookies) for name in self.private_cookies)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        ttl = self.ttl()
        if not ttl or not self._cacheable(environ):
            return self.app(environ, start_response)
        key = environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", "")
        now = time.monotonic()
        with _lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] > now:
            _, status, headers, body = hit
            start_response(status, headers)
            return [body]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = captured.get("headers", [])
        if captured.get("status", "").startswith("200") and not any(k.lower() == "set-cookie" for k, _ in headers):
            with _lock:
                if len(_cache) >= MAX_ENTRIES:
                    expired = [k for k, v in _cache.items() if v[0] <= now] or list(_cache)[: MAX_ENTRIES // 4]
                    for stale in expired:
                        _cache.pop(stale, None)
                _cache[key] = (now + ttl, captured["status"], headers, body)
        return [body]


def install(flask_app: Any) -> None:
    """Put the cache in front of the app's WSGI callable."""
    flask_app.wsgi_app = PublicCache(
        flask_app.wsgi_app,
        ttl=lambda: flask_app.config.get("PUBLIC_CACHE_SECONDS", 30),
        private_cookies=(flask_app.config.get("SESSION_COOKIE_NAME", "session"), "remember_token"),
    )
