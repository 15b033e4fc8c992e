"""Security headers on every response.

The Content-Security-Policy allows no inline or third-party scripts (the app serves its few scripts from
/static), no plugins, and forbids framing except on embeddable endpoints (names ending in ".widget").
"""

from __future__ import annotations

from flask import Flask, Response, abort, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors {frame_ancestors}"
)


def is_embeddable(endpoint: str | None) -> bool:
    return bool(endpoint) and endpoint.endswith(".widget")


def has_nul(values: object) -> bool:
    """Whether any key or value of a MultiDict (form, query) holds a NUL character."""
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))  # type: ignore[attr-defined]


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
