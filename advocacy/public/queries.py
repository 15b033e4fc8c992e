"""Read-only queries and exports behind the public pages (what the public may see, nothing more).

Public output never includes signers' e-mail addresses or phone numbers, nor pending endorsements.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from advocacy.csv_safety import safe_cell
from advocacy.endorsements.queries import verified_endorsements
from advocacy.extensions import db
from advocacy.models import Campaign, City, Endorsement
from advocacy.models.campaigns import VERIFIED
from advocacy.public.usmap import MapPoint
from advocacy.representation import population_total

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


def public_endorsements(campaign: Campaign, state: str | None = None) -> list[Endorsement]:
    """Verified endorsements only, by state and city, with their cities loaded: the one rule for every public
    page, export and widget. Endorsements awaiting review (confirmed from a non-official address) are for staff
    pages only, whatever the query string says: anyone can sign from a free-mail address and confirm.

    One query (the city comes with the same join), so thousands of endorsements load quickly.
    """
    query = (
        verified_endorsements(campaign, state=state)
        .options(contains_eager(Endorsement.city))
        .order_by(City.state, City.name)
    )
    return list(db.session.scalars(query))


# Up to this many endorsements the public page lists every city; above it, each state shows its largest
# cities and links to a page with all of that state's endorsers.
FULL_LIST_LIMIT = 300
STATE_PREVIEW = 10


@dataclass
class StateGroup:
    """The endorsements of one state, as the public page shows them."""

    state: str
    endorsements: list[Endorsement]
    shown: list[Endorsement]
    population: int

    @property
    def more(self) -> int:
        return len(self.endorsements) - len(self.shown)


@dataclass
class Summary:
    """Counts for the public page and the widget."""

    cities: int = 0
    population: int = 0
    # "about 6.3 million residents" and where the figures come from ("Census estimate 2024; GeoNames").
    population_about: str = ""
    population_note: str = ""
    samples: int = 0
    by_state: list[StateGroup] = field(default_factory=list)
    full_list: bool = True


def summarise(endorsements: list[Endorsement], full_list_limit: int = FULL_LIST_LIMIT) -> Summary:
    """Count verified cities and the population they represent; group everything shown by state.

    Long lists are cut to each state's largest cities (the state pages have the rest).
    """
    verified = [e for e in endorsements if e.status == VERIFIED]
    full_list = len(endorsements) <= full_list_limit
    groups = []
    for state, group in groupby(endorsements, key=lambda e: e.city.state):
        items = list(group)
        if full_list:
            shown = items
        else:
            largest = sorted(items, key=lambda e: -(e.city.population or 0))[:STATE_PREVIEW]
            shown = sorted(largest, key=lambda e: e.city.name)
        groups.append(StateGroup(state, items, shown, sum(e.city.population or 0 for e in items)))
    total = population_total(e.city for e in verified)
    return Summary(
        cities=total.cities,
        population=total.population,
        population_about=total.about,
        population_note=total.note,
        samples=sum(1 for e in endorsements if e.is_sample),
        by_state=groups,
        full_list=full_list,
    )


def map_points(endorsements: list[Endorsement]) -> list[MapPoint]:
    """The cities to draw on the map."""
    return [
        MapPoint(
            label=e.city.label
            + (" (sample)" if e.is_sample else "")
            + ("" if e.status == VERIFIED else f" ({e.status})"),
            latitude=e.city.latitude,
            longitude=e.city.longitude,
            state=e.city.state,
            status=e.status,
            sample=e.is_sample,
            population=e.city.population,
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
            "sample": e.is_sample,
        }
        for e in endorsements
    ]


def to_csv(rows: list[dict]) -> str:
    """CSV text of export rows, with formula injection neutralised in every cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([("yes" if row[c] else "no") if c == "sample" else safe_cell(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def city_suggestions(limit: int) -> list[str]:
    """Labels of the `limit` most populous cities, sorted: the signing form's suggestions."""
    cities = db.session.scalars(select(City).order_by(City.population.desc().nulls_last()).limit(limit))
    return sorted(city.label for city in cities)


def endorsement_by_code(code: str) -> Endorsement | None:
    """The endorsement with this (normalised) verification code: the public receipt check."""
    return db.session.scalar(select(Endorsement).where(Endorsement.verification_code == code))
