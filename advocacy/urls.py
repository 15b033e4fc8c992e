"""Absolute links, the one place that builds them, and development's BASE_URL.

Links in e-mails, receipts, feeds, the widget snippet and letters are built from `BASE_URL` (services have
no request to take it from) with `absolute_url(path)`; nothing else concatenates BASE_URL by hand.

In development without `BASE_URL`, each request tells the app the address the server is bound to (from the
WSGI environment's SERVER_NAME and SERVER_PORT: the socket, not the client's Host header, so a request cannot
plant another host in e-mails); it is recorded in the instance folder so that CLI commands and jobs started
later link to the same server. Production requires `BASE_URL`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, request

from config import DEV_BASE_URL_FILE

logger = logging.getLogger(__name__)


def base_url() -> str:
    """The public address of this installation, without a trailing slash (config's BASE_URL)."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


def absolute_url(path: str) -> str:
    """`path` (e.g. "/sign/<token>", from `url_for` or written out) as an absolute link on BASE_URL."""
    return f"{base_url()}/{path.lstrip('/')}"


def server_base_url(environ: dict) -> str:
    """The scheme, host and port that this server was started on."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("SERVER_NAME") or "127.0.0.1"
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 (a wildcard bind is reached through loopback locally)
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = str(environ.get("SERVER_PORT") or "")
    default = (scheme == "http" and port == "80") or (scheme == "https" and port == "443")
    return f"{scheme}://{host}" if default or not port else f"{scheme}://{host}:{port}"


def register(app: Flask) -> None:
    """In development without BASE_URL, keep `BASE_URL` equal to the running server's address."""
    if not app.config.get("BASE_URL_FROM_SERVER"):
        return

    @app.before_request
    def _follow_server_address() -> None:
        current = server_base_url(request.environ)
        if current == app.config["BASE_URL"]:
            return
        app.config["BASE_URL"] = current
        try:
            (Path(app.config["INSTANCE_PATH"]) / DEV_BASE_URL_FILE).write_text(current + "\n")
        except OSError:  # a read-only instance folder: links in this process are still right
            logger.warning("could not record the development address %s", current)
        logger.info("BASE_URL is unset: links point to this server, %s", current)
