"""Error pages: friendly HTML, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from advocacy.extensions import db

logger = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This page does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than this site accepts."),
    429: ("Too many requests", "Please wait a moment and try again."),
    500: ("Something went wrong", "The error has been logged. Please try again later."),
}


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, (f"Error {code}", "The request could not be completed."))
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(400, "The form expired or was not sent from this site. Go back, reload and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        logger.exception("unhandled error", exc_info=error)
        db.session.rollback()
        return _render(InternalServerError.code)
