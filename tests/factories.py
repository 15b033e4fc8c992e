"""Factories: the few rows a test needs, instead of loading the whole demo.

Each function adds one row with plain defaults (overridden by keyword), flushes so that it has an id, and
returns it; call them inside an app context and commit (or not) as the test needs. Names and numbers come
from a counter, so two calls never collide on a unique column.
"""

from __future__ import annotations

from itertools import count
from typing import Any

from advocacy.auth.services import create_user
from advocacy.extensions import db
from advocacy.models import Bill, Campaign, City, Endorsement, User
from advocacy.models.base import utcnow

PASSWORD = "correct horse battery"
_seq = count(1)


def _added(row: Any) -> Any:
    db.session.add(row)
    db.session.flush()
    return row


def make_account(role: str = "viewer", email: str | None = None, password: str = PASSWORD) -> User:
    """A staff account created through the service (hashed password, event recorded)."""
    return create_user(email or f"{role}{next(_seq)}@example.org", password, role, actor="test")


def make_bill(**fields: Any) -> Bill:
    """A bill of the 119th Congress (an H.Res. with a fresh number unless given)."""
    n = next(_seq)
    values: dict[str, Any] = {"congress": 119, "bill_type": "hres", "number": 9000 + n, "title": f"Resolution {n}"}
    return _added(Bill(**(values | fields)))


def make_city(**fields: Any) -> City:
    """A place in Ohio with a population and coordinates."""
    n = next(_seq)
    values: dict[str, Any] = {"name": f"Town {n}", "state": "OH", "population": 1000 + n}
    values |= {"latitude": 40.0, "longitude": -82.0 - n / 100}
    return _added(City(**(values | fields)))


def make_campaign(**fields: Any) -> Campaign:
    """A campaign with a fresh slug."""
    n = next(_seq)
    return _added(Campaign(**({"slug": f"campaign-{n}", "name": f"Campaign {n}"} | fields)))


def make_endorsement(campaign: Campaign, city: City | None = None, **fields: Any) -> Endorsement:
    """A verified endorsement of `campaign` by `city` (a new city unless given)."""
    values: dict[str, Any] = {"status": "verified", "signer_name": f"Signer {next(_seq)}", "verified_at": utcnow()}
    return _added(Endorsement(campaign=campaign, city=city or make_city(), **(values | fields)))
