"""Read-only queries and exports behind the public pages (what the public may see, nothing more).

Public output never includes signers' e-mail addresses or phone numbers, nor pending endorsements.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.extensions import db
from advocacy.models import Campaign, CampaignBill, City, Endorsement
from advocacy.models.campaigns import CONFIRMED, VERIFIED
from advocacy.public.usmap import MapPoint

CSV_COLUMNS = (
    "city",
    "state",
    "population",
    "status",
    "signer_name",
    "signer_title",
    "statement",
    "confirmed_at",
    "verified_at",
    "sample",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def campaign_by_slug(slug: str) -> Campaign | None:
    """A campaign with its bill versions loaded."""
    return db.session.scalar(
        select(Campaign)
        .where(Campaign.slug == slug)
        .options(selectinload(Campaign.bill_links).selectinload(CampaignBill.bill))
    )


def public_endorsements(campaign: Campaign, include_confirmed: bool = False) -> list[Endorsement]:
    """Verified (and, when asked, confirmed) endorsements, by state and city, with their cities loaded."""
    statuses = (VERIFIED, CONFIRMED) if include_confirmed else (VERIFIED,)
    return list(
        db.session.scalars(
            select(Endorsement)
            .join(City, Endorsement.city_id == City.id)
            .where(Endorsement.campaign_id == campaign.id, Endorsement.status.in_(statuses))
            .options(selectinload(Endorsement.city))
            .order_by(City.state, City.name)
        )
    )


@dataclass
class Summary:
    """Counts for the public page and the widget."""

    cities: int = 0
    population: int = 0
    confirmed: int = 0
    samples: int = 0
    by_state: list[tuple[str, list[Endorsement]]] = field(default_factory=list)


def summarise(endorsements: list[Endorsement]) -> Summary:
    """Count verified cities and the population they represent; group everything shown by state."""
    verified = [e for e in endorsements if e.status == VERIFIED]
    return Summary(
        cities=len(verified),
        population=sum(e.city.population or 0 for e in verified),
        confirmed=sum(1 for e in endorsements if e.status == CONFIRMED),
        samples=sum(1 for e in endorsements if e.source_note),
        by_state=[(state, list(group)) for state, group in groupby(endorsements, key=lambda e: e.city.state)],
    )


def map_points(endorsements: list[Endorsement]) -> list[MapPoint]:
    """The cities to draw on the map."""
    return [
        MapPoint(
            label=e.city.label
            + (" (sample)" if e.source_note else "")
            + ("" if e.status == VERIFIED else f" ({e.status})"),
            latitude=e.city.latitude,
            longitude=e.city.longitude,
            state=e.city.state,
            status=e.status,
            sample=bool(e.source_note),
        )
        for e in endorsements
    ]


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def export_rows(endorsements: list[Endorsement]) -> list[dict]:
    """One plain dict per endorsement, the public fields only (CSV and JSON share it)."""
    return [
        {
            "city": e.city.name,
            "state": e.city.state,
            "population": e.city.population,
            "status": e.status,
            "signer_name": e.signer_name,
            "signer_title": e.signer_title,
            "statement": e.statement,
            "confirmed_at": _iso(e.confirmed_at),
            "verified_at": _iso(e.verified_at),
            "sample": bool(e.source_note),
        }
        for e in endorsements
    ]


def neutralise_formula(value: object) -> str:
    """A CSV cell that a spreadsheet will not run: text starting with = + - @ (or tab, CR) gets a leading '."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(rows: list[dict]) -> str:
    """CSV text of export rows, with formula injection neutralised in every cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [("yes" if row[c] else "no") if c == "sample" else neutralise_formula(row[c]) for c in CSV_COLUMNS]
        )
    return out.getvalue()
