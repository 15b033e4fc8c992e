"""Security headers on every response, and small checks of hostile input shared by the views.

The Content-Security-Policy allows no inline or third-party scripts (the app serves its few scripts from
/static), no plugins, and forbids framing except on embeddable endpoints (names ending in ".widget").
Responses to a logged-in browser or an API token are `Cache-Control: no-store` (they can hold signers' e-mail
addresses and phone numbers) unless the view set its own caching.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, abort, request, session
from werkzeug.datastructures import MultiDict

MAX_JSON_DEPTH = 32  # deepest nesting of arrays and objects accepted in a JSON request body


class JSONTooDeep(ValueError):
    """A JSON document nested deeper than allowed (or too deep for the parser)."""


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply a parsed JSON value nests (walked without recursion; stops counting past `limit`)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse_json(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a JSON request body; ValueError if it is not JSON, JSONTooDeep if it nests deeper than `max_depth`."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise JSONTooDeep(f"JSON nested more than {max_depth} levels deep") from None
    if json_depth(value, max_depth) > max_depth:
        raise JSONTooDeep(f"JSON nested more than {max_depth} levels deep")
    return value


def several_workers_warning(workers: int, redis_url: str | None) -> str | None:
    """The warning for several web worker processes without Redis (each would count rate limits on its own)."""
    if workers > 1 and not redis_url:
        return (
            f"{workers} web worker processes run without REDIS_URL: rate limits (log-in, signing, API) are counted "
            f"per process, so each limit is in effect {workers} times higher. Set REDIS_URL to share them."
        )
    return None


def rate_limits_shared(app: Flask) -> bool:
    """Whether rate limits are counted in one place for all processes (Redis) or per process (memory)."""
    return str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://", "unix://"))


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors {frame_ancestors}"
)


def is_embeddable(endpoint: str | None) -> bool:
    return endpoint is not None and endpoint.endswith(".widget")


def has_nul(values: MultiDict[str, str]) -> bool:
    """Whether any key or value of a MultiDict (form, query) holds a NUL character."""
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters() -> None:
        """No form or query value may hold a NUL (PostgreSQL refuses them; no honest input has one): 400.

        The JSON API checks its own input and answers in JSON.
        """
        if request.path.startswith("/api/"):
            return
        if "\x00" in request.path or has_nul(request.args) or (request.method == "POST" and has_nul(request.form)):
            abort(400)

    @app.after_request
    def private_responses_are_not_stored(response: Response) -> Response:
        """No browser or proxy keeps a copy of what a logged-in user or an API token was shown."""
        private = request.authorization is not None or "_user_id" in session
        if private and request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.after_request
    def security_headers(response: Response) -> Response:
        embeddable = is_embeddable(request.endpoint)
        response.headers.setdefault(
            "Content-Security-Policy", CSP.format(frame_ancestors="*" if embeddable else "'none'")
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not embeddable:
            response.headers.setdefault("X-Frame-Options", "DENY")
        if not app.debug and not app.testing and app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
