"""Outgoing webhooks: signed JSON POSTs of events, retried with exponential backoff, with a delivery log.

Signature (documented on the admin page): for each attempt the sender takes the Unix time `t` and the exact
request body `b` (UTF-8 bytes), and sends

    X-Advocacy-Timestamp: t
    X-Advocacy-Signature: sha256=<hex HMAC-SHA256(secret, f"{t}.{b}")>

A receiver recomputes the HMAC with its secret, compares in constant time, and rejects old timestamps.

Claim-then-send here too: a delivery row (unique per event and endpoint) is inserted before the first attempt;
each attempt first takes a lease with a conditional UPDATE (committed) that moves `next_attempt_at` forward only
if it still holds the value this run read, so of concurrent runs (cron, a queued job, `--here`) exactly one sends
each delivery. It then sends with a short timeout from a small thread pool and records the result. The lease
outlasts a worst-case run (every attempt of a worker's share timing out), so a slow run keeps its deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import math
import secrets
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import SplitResult, urlsplit

import requests
from flask import current_app
from sqlalchemy import CursorResult, Table, select, update
from sqlalchemy.orm import selectinload

from advocacy.alerts.claims import insert_ignore
from advocacy.alerts.documents import event_document
from advocacy.extensions import db
from advocacy.models import Event, WebhookDelivery, WebhookEndpoint
from advocacy.models.alerts import WEBHOOK_DELIVERED, WEBHOOK_FAILED, WEBHOOK_PENDING
from advocacy.models.base import utcnow
from advocacy.models.events import (
    BILL_ACTION,
    BILL_COSPONSOR_ADDED,
    BILL_COSPONSOR_WITHDRAWN,
    BILL_RELATED,
    BILL_STAGE,
    BILL_TEXT,
    BILL_TITLE,
    BILL_TRACKED,
    ENDORSEMENT_CREATED,
    ENDORSEMENT_STATUS,
)
from advocacy.uow import checkpoint, transactional

logger = logging.getLogger(__name__)

WEBHOOK_EVENT_TYPES = (
    BILL_TRACKED,
    BILL_ACTION,
    BILL_STAGE,
    BILL_COSPONSOR_ADDED,
    BILL_COSPONSOR_WITHDRAWN,
    BILL_RELATED,
    BILL_TITLE,
    BILL_TEXT,
    ENDORSEMENT_CREATED,
    ENDORSEMENT_STATUS,
)
SIGNATURE_HEADER = "X-Advocacy-Signature"
TIMESTAMP_HEADER = "X-Advocacy-Timestamp"
LEASE = timedelta(minutes=2)  # the shortest lease; see lease_for()
LEASE_MARGIN = timedelta(minutes=1)


class WebhookError(Exception):
    """A user-facing problem with a webhook endpoint (bad URL, no event type...)."""


def validate_url(url: str) -> str:
    """Accept only absolute http(s) URLs with a host and without credentials or fragment. Raises WebhookError."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise WebhookError("That is not a valid URL.") from exc
    _check_parts(parts)
    if port == 0 or any(c.isspace() for c in url) or len(url) > 500:
        raise WebhookError("That is not a valid URL.")
    _check_address(parts.hostname or "")
    return url


def _check_parts(parts: SplitResult) -> None:
    """Scheme, host, no credentials, no fragment (the messages the admin page shows)."""
    if parts.scheme not in ("http", "https"):
        raise WebhookError("Only http:// and https:// URLs are allowed.")
    if not parts.hostname:
        raise WebhookError("The URL needs a host name.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise WebhookError("Do not put credentials in the URL: the signature authenticates each delivery.")
    if parts.fragment:
        raise WebhookError("The URL must not have a #fragment.")


def _check_address(hostname: str) -> None:
    """A literal IP address must be able to receive a POST (not multicast, not 0.0.0.0 / ::)."""
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        return  # a host name
    if address.is_multicast or address.is_unspecified:
        raise WebhookError("That address cannot receive webhooks.")


def create_endpoint(url: str, event_types: Iterable[str], description: str | None, actor: str) -> WebhookEndpoint:
    """Register an endpoint with a new random secret (shown to the admin once). The caller commits."""
    types = sorted(set(event_types))
    unknown = [t for t in types if t not in WEBHOOK_EVENT_TYPES]
    if unknown or not types:
        raise WebhookError("Choose at least one known event type.")
    endpoint = WebhookEndpoint(
        url=validate_url(url),
        event_types=types,
        description=(description or "").strip() or None,
        secret="whsec_" + secrets.token_urlsafe(32),
        active=True,
        created_by=actor,
        created_at=utcnow(),
    )
    db.session.add(endpoint)
    db.session.flush()
    logger.info("webhook %s to %s created by %s", endpoint.id, endpoint.url, actor)
    return endpoint


def set_active(endpoint: WebhookEndpoint, active: bool, actor: str) -> None:
    """Pause or resume an endpoint (paused endpoints get no new deliveries). The caller commits."""
    endpoint.active = active
    logger.info("webhook %s %s by %s", endpoint.id, "resumed" if active else "paused", actor)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for one attempt."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300) -> bool:
    """What a receiver does: constant-time compare, and refuse timestamps older than `tolerance` seconds."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


@transactional
def claim_deliveries(event_ids: list[int]) -> int:
    """Insert a pending delivery for each (event, active endpoint wanting its kind) not already claimed."""
    endpoints = db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))).all()
    if not endpoints or not event_ids:
        return 0
    events = db.session.scalars(
        select(Event)
        .where(Event.id.in_(event_ids))
        .options(selectinload(Event.bill), selectinload(Event.campaign))
        .order_by(Event.id)
    ).all()
    now = utcnow()
    rows = []
    for event in events:
        for endpoint in endpoints:
            if event.kind in endpoint.event_types and event.created_at >= endpoint.created_at:
                body = json.dumps(
                    {"webhook_id": endpoint.id, "event": event_document(event)}, sort_keys=True, ensure_ascii=False
                )
                rows.append(
                    {
                        "event_id": event.id,
                        "endpoint_id": endpoint.id,
                        "state": WEBHOOK_PENDING,
                        "body": body,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
    table = cast(Table, WebhookDelivery.__table__)
    inserted = insert_ignore(table, rows, ["event_id", "endpoint_id"], table.c.id)
    return len(inserted)


@dataclass(frozen=True)
class Attempt:
    """What one HTTP attempt needs (plain data: it runs in a worker thread without the database)."""

    delivery_id: int
    url: str
    secret: str
    body: bytes
    kind: str


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(attempt: Attempt, timeout: float) -> Outcome:
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "advocacy-webhooks/1",
        "X-Advocacy-Event": attempt.kind,
        "X-Advocacy-Delivery": str(attempt.delivery_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(attempt.secret, timestamp, attempt.body),
    }
    try:
        response = requests.post(
            attempt.url, data=attempt.body, headers=headers, timeout=timeout, allow_redirects=False
        )
        response.close()
    except requests.Timeout:
        return Outcome(attempt.delivery_id, None, f"timed out after {timeout:g} s")
    except requests.RequestException as exc:
        return Outcome(attempt.delivery_id, None, f"{type(exc).__name__}: {exc}"[:500])
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Outcome(attempt.delivery_id, response.status_code, error)


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts` (1, 2, ...): base × 2^(attempts-1), capped at a day."""
    base = float(current_app.config.get("WEBHOOK_BACKOFF_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 86400))


def lease_for(limit: int, workers: int, timeout: float) -> timedelta:
    """How long a run holds its deliveries: longer than its worst case (each worker's share all timing out)."""
    worst = timedelta(seconds=math.ceil(limit / max(1, workers)) * timeout)
    return max(LEASE, worst + LEASE_MARGIN)


def _claim(delivery: WebhookDelivery, lease_until: datetime) -> bool:
    """Take the lease if the delivery is still as this run read it (pending, same next_attempt_at). Not committed."""
    statement = (
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.state == WEBHOOK_PENDING,
            WebhookDelivery.next_attempt_at == delivery.next_attempt_at,
        )
        .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=lease_until)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount == 1


@transactional
def deliver_due(limit: int = 200) -> tuple[int, int]:
    """Send every due delivery (first tries and retries) concurrently; returns (delivered, failed attempts).

    Runs in the caller's unit of work or its own. The leases are committed (a checkpoint) before anything is
    sent, so that other runs see them; the outcomes are committed as soon as they are known.
    """
    config = current_app.config
    max_attempts = int(config.get("WEBHOOK_MAX_ATTEMPTS", 6))
    timeout = float(config.get("WEBHOOK_TIMEOUT", 5))
    max_workers = max(1, int(config.get("WEBHOOK_WORKERS", 4)))
    now = utcnow()
    due = db.session.scalars(
        select(WebhookDelivery)
        .join(WebhookEndpoint)
        .where(
            WebhookDelivery.state == WEBHOOK_PENDING,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.active.is_(True),
        )
        .options(selectinload(WebhookDelivery.endpoint), selectinload(WebhookDelivery.event))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    if not due:
        return (0, 0)
    lease_until = now + lease_for(limit, max_workers, timeout)
    attempts = []
    for delivery in sorted(due, key=lambda d: d.id):  # id order: concurrent runs lock rows in the same order
        if not _claim(delivery, lease_until):
            continue  # another run has it
        attempts.append(
            Attempt(
                delivery.id,
                delivery.endpoint.url,
                delivery.endpoint.secret,
                delivery.body.encode(),
                delivery.event.kind,
            )
        )
    checkpoint()  # the leases: other runs must see them before this one sends
    if not attempts:
        return (0, 0)
    workers = min(max_workers, len(attempts))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhook") as pool:
        outcomes = list(pool.map(lambda a: _post(a, timeout), attempts))
    delivered = failed = 0
    finished = utcnow()
    for outcome in outcomes:
        delivery = db.session.get_one(WebhookDelivery, outcome.delivery_id)
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        if outcome.ok:
            delivery.state = WEBHOOK_DELIVERED
            delivery.delivered_at = finished
            delivery.next_attempt_at = None
            delivered += 1
        else:
            failed += 1
            if delivery.attempts >= max_attempts:
                delivery.state = WEBHOOK_FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = finished + backoff(delivery.attempts)
            logger.warning("webhook delivery %s attempt %s failed: %s", delivery.id, delivery.attempts, outcome.error)
    checkpoint()  # the outcomes, kept even if later work of the run fails
    return (delivered, failed)


def deliveries_of(endpoint: WebhookEndpoint, limit: int = 100) -> list[WebhookDelivery]:
    """The endpoint's delivery log, newest first, with events loaded."""
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .options(selectinload(WebhookDelivery.event))
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        ).all()
    )


def describe_signature() -> dict[str, Any]:
    """The facts the admin page shows receivers."""
    return {"signature_header": SIGNATURE_HEADER, "timestamp_header": TIMESTAMP_HEADER}
