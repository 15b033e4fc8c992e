"""Who represents which city: the one home of the rule, used by letters, targets, member and city pages, the API
and the public page.

- A House member represents the cities with a link to their district, "partly" where the city lies only
  partly in it (a Census link with whole = False, or an approximate link of a city with several districts).
- A member for an at-large state or a territory (district 0: at-large representative, delegate, resident
  commissioner) represents every city of that state or territory.
- A senator represents the cities of their state.

The rule works on plain values (chamber, state, district; the city's state and district links) so that ORM
objects and the plain dicts that letters are rendered from go through the same code. It imports no model and
no database: the models call it (`Member.represents(city)`, `City.representatives()`), and the queries that
load the candidates live with their feature (`advocacy.members.queries.represented_cities`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

SENATE = "senate"
# Link bases (CityDistrict.source) that only approximate a city's districts (ZIP codes, a place file's point):
# letters say so instead of naming the city as in the district. Defined here, with the rule that reads them;
# `advocacy.models.cities` re-exports it.
APPROXIMATE_BASES = ("zip", "import", "demo")

C = TypeVar("C")
M = TypeVar("M")


@dataclass(frozen=True)
class Seat:
    """A member's seat: chamber, state and district (0 = at-large or delegate; None for senators)."""

    chamber: str | None
    state: str | None
    district: int | None


@dataclass(frozen=True)
class Link:
    """A city's link to a district, with its basis (CityDistrict.source), share of land and whole/partial."""

    state: str
    district: int
    basis: str | None = None
    share: float | None = None
    whole: bool | None = None


@dataclass(frozen=True)
class Coverage:
    """How a member represents a city. `partial`: say "in or partly in your district"; `approximate`: the link
    is a ZIP/GeoNames approximation (say so); `basis` of the link used (None when by state)."""

    partial: bool = False
    approximate: bool = False
    basis: str | None = None
    share: float | None = None


_STATEWIDE = Coverage()


def seat_of(member: Any) -> Seat:
    """The seat of a Member or of a plain member dict (chamber, state, district)."""
    if isinstance(member, Mapping):
        return Seat(member.get("chamber"), member.get("state"), member.get("district"))
    return Seat(member.chamber, member.state, member.district)


def _link(entry: Any) -> Link:
    if isinstance(entry, Link):
        return entry
    if isinstance(entry, Mapping):
        return Link(entry["state"], int(entry["district"]), entry.get("basis"), entry.get("share"), entry.get("whole"))
    if hasattr(entry, "source"):  # a CityDistrict row
        return Link(entry.state, entry.district, entry.source, entry.share, entry.whole)
    state, district = entry[0], entry[1]  # the older ["CA", 36] pairs
    return Link(state, int(district))


def links_of(city: Any) -> list[Link]:
    """The district links of a City or of a plain city dict ("districts": dicts or [state, district] pairs)."""
    entries = city.get("districts") or [] if isinstance(city, Mapping) else city.districts
    return [_link(e) for e in entries]


def _state_of(city: Any) -> str:
    return city["state"] if isinstance(city, Mapping) else city.state


def coverage(seat: Seat, city_state: str, links: Sequence[Link]) -> Coverage | None:
    """How the seat represents a city in `city_state` with these district links; None if it does not."""
    if seat.state is None:
        return None
    if seat.chamber == SENATE:
        return _STATEWIDE if city_state == seat.state else None
    if seat.district is None:
        return None
    if seat.district == 0:
        return _STATEWIDE if city_state == seat.state or any(lk.state == seat.state for lk in links) else None
    for lk in links:
        if lk.state == seat.state and lk.district == seat.district:
            partial = len(links) > 1 if lk.whole is None else not lk.whole
            return Coverage(partial=partial, approximate=lk.basis in APPROXIMATE_BASES, basis=lk.basis, share=lk.share)
    return None


def represents(member: Any, city: Any) -> Coverage | None:
    """How `member` (Member or dict) represents `city` (City or dict); None if they do not."""
    return coverage(seat_of(member), _state_of(city), links_of(city))


def cities_represented(member: Any, cities: Iterable[C]) -> list[tuple[C, Coverage]]:
    """The cities (in the order given) that the member represents, each with how."""
    seat = seat_of(member)
    found = ((city, coverage(seat, _state_of(city), links_of(city))) for city in cities)
    return [(city, how) for city, how in found if how is not None]


def members_representing(city: Any, members: Iterable[M]) -> list[tuple[M, Coverage]]:
    """The members (in the order given) who represent the city, each with how."""
    state, links = _state_of(city), links_of(city)
    found = ((member, coverage(seat_of(member), state, links)) for member in members)
    return [(member, how) for member, how in found if how is not None]


def best_coverage(city: Any, members: Iterable[Any]) -> Coverage | None:
    """The fullest way any of `members` represents the city (whole before partial, exact before approximate)."""
    found = [c for _m, c in members_representing(city, members)]
    if not found:
        return None
    return min(found, key=lambda c: (c.partial, c.approximate))


def approximate_warnings(cities: Iterable[Mapping[str, Any]]) -> list[str]:
    """Batch-report warnings for local cities whose district link is an approximation (letters' manifest)."""
    labels = [c["label"] for c in cities if c.get("approximate")]
    if not labels:
        return []
    return [
        f"districts approximate (ZIP/GeoNames, not Census) for {', '.join(labels)}: not named as in the district; "
        "check before sending"
    ]


# --- who may be concerned ---------------------------------------------------------------------------------


def states_touched(cities: Iterable[Any]) -> set[str]:
    """States whose members may represent these cities (the cities' own and those of their district links)."""
    states: set[str] = set()
    for city in cities:
        states.add(_state_of(city))
        states.update(lk.state for lk in links_of(city))
    return states


# --- totals -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationTotal:
    """Residents of a set of cities, each counted once, with where the figures come from."""

    cities: int
    population: int
    sources: tuple[str, ...]

    @property
    def note(self) -> str:
        """ "Census estimate 2024" or "Census estimate 2024; GeoNames" ("" when unknown)."""
        return "; ".join(self.sources)

    @property
    def about(self) -> str:
        """ "about 6.3 million residents" / "about 93,000 residents" / "12,345 residents"."""
        n = self.population
        if n >= 1_000_000:
            text = f"about {n / 1_000_000:.1f} million"
        elif n >= 10_000:
            text = f"about {round(n, -3):,}"
        else:
            text = f"{n:,}"
        return f"{text} residents"


def population_total(cities: Iterable[Any]) -> PopulationTotal:
    """Sum the populations of cities (City objects or dicts with id/label), counting each city once."""
    seen: set[Any] = set()
    total = 0
    sources: dict[str, None] = {}
    for city in cities:
        if isinstance(city, Mapping):
            key, population, note = (
                city.get("id") or city.get("label"),
                city.get("population"),
                city.get("population_note"),
            )
        else:
            key, population, note = city.id, city.population, city.population_note
        if key in seen:
            continue
        seen.add(key)
        total += population or 0
        if population and note:
            sources[note] = None
    return PopulationTotal(len(seen), total, tuple(sources))
