"""Security headers on every response.

The Content-Security-Policy allows no inline or third-party scripts (the app serves its few scripts from
/static), no plugins, and forbids framing except on embeddable endpoints (names ending in ".widget").
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors {frame_ancestors}"
)


def is_embeddable(endpoint: str | None) -> bool:
    return bool(endpoint) and endpoint.endswith(".widget")


def register(app: Flask) -> None:
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
