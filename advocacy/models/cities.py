"""Cities (US places) and the congressional districts they lie in."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates

from advocacy.models.base import Base
from advocacy.models.members import Member
from advocacy.representation import APPROXIMATE_BASES, Coverage, members_representing, states_touched

# How a city <-> district link is known (CityDistrict.source, "basis" in the API), best first. An import replaces
# links of a lower rank only; a link set by hand or confirmed by the signer is never overwritten by an import.
BASIS_RANK = {"signer": 5, "manual": 4, "census": 3, "zip": 2, "import": 1, "demo": 1}
BASIS_LABELS = {
    "signer": "confirmed by the signer",
    "manual": "set by hand",
    "census": "Census relationship file",
    "zip": "ZIP approximation (from ZIP codes)",
    "import": "approximate (place file, by ZIP)",
    "demo": "approximate (demo data)",
}
# Bases that are guesses, which pages, letters and batch reports call "approximate": APPROXIMATE_BASES, defined
# with the representation rule that reads them (advocacy.representation) and imported above.
# Bases an import never replaces.
PROTECTED_BASES = ("signer", "manual")

# City.kind: what the Census says the place is (None: not matched to a Census place yet).
MUNICIPALITY = "municipality"  # incorporated place (city, town, village, borough...)
CONSOLIDATED = "consolidated"  # consolidated city or the balance of one (Butte-Silver Bow (balance))
CDP = "cdp"  # census-designated place: a statistical area, no government of its own
OTHER = "other"  # anything else, e.g. a GeoNames place with no Census place behind it
KIND_LABELS = {
    MUNICIPALITY: "incorporated municipality",
    CONSOLIDATED: "consolidated city",
    CDP: "census-designated place (no municipal government)",
    OTHER: "not a Census municipality",
    None: "not matched to a Census place",
}


def name_search_key(name: str) -> str:
    """The form of a city name that prefix search compares: lower case ASCII ("Cañon City" -> "canon city")."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return decomposed.encode("ascii", "ignore").decode("ascii")


class City(Base):
    """A US place that can endorse. Unique on (name, state), and on its GeoNames id / Census GEOID when given."""

    __tablename__ = "city"
    __table_args__ = (UniqueConstraint("name", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # name_search_key(name), kept in step by `_set_name_key`; byte-order collation on PostgreSQL so that the
    # prefix range `q <= key < q + chr(127)` uses the index whatever the database's locale.
    name_key: Mapped[str] = mapped_column(
        String(200).with_variant(postgresql.VARCHAR(200, collation="C"), "postgresql"),
        index=True,
        default="",
        server_default="",
    )
    state: Mapped[str] = mapped_column(String(2), index=True)
    population: Mapped[int | None] = mapped_column(Integer, index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geonames_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    geoid: Mapped[str | None] = mapped_column(String(20), unique=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    # The Census name with its legal suffix ("Denver city"); `name` is the display name without it.
    census_name: Mapped[str | None] = mapped_column(String(200))
    # Staff decision overriding the rule "only municipalities endorse" (None: follow the rule).
    endorsable_override: Mapped[bool | None] = mapped_column(Boolean)
    # Where the population figure comes from ("GeoNames", "Census estimate", "2020 Census") and its year.
    population_source: Mapped[str | None] = mapped_column(String(40))
    population_year: Mapped[int | None] = mapped_column(Integer)
    mayor_name: Mapped[str | None] = mapped_column(String(200))
    # Lower-case domains whose addresses verify a signer automatically, e.g. ["lacity.org"].
    email_domains: Mapped[list[str]] = mapped_column(JSON, default=list)

    districts: Mapped[list[CityDistrict]] = relationship(
        back_populates="city", cascade="all, delete-orphan", order_by="(CityDistrict.state, CityDistrict.district)"
    )

    @validates("name")
    def _set_name_key(self, key: str, value: str) -> str:
        self.name_key = name_search_key(value or "")
        return value

    @property
    def label(self) -> str:
        """ "Los Angeles, CA"."""
        return f"{self.name}, {self.state}"

    @property
    def endorsable(self) -> bool:
        """Whether the city can endorse: municipalities (and places not yet matched to the Census) by default;
        census-designated places and other non-municipalities only when staff mark them endorsable."""
        if self.endorsable_override is not None:
            return self.endorsable_override
        return self.kind in (None, MUNICIPALITY, CONSOLIDATED)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind or "")

    @property
    def population_note(self) -> str:
        """ "Census estimate 2024", "GeoNames" or "" (where the population figure comes from)."""
        return " ".join(str(p) for p in (self.population_source, self.population_year) if p)

    def representatives(self, *order_by: Any) -> list[tuple[Member, Coverage]]:
        """The current members who represent this city (advocacy.representation's rule), each with how; ordered
        by `order_by` (columns of Member), by default chamber, district, last name. Two queries: the candidates
        of the states the city touches, then the rule in Python (in the city's own session: models never import
        the extensions)."""
        session = object_session(self)
        if session is None:
            raise ValueError(f"{self!r} is not in a session")
        candidates = session.scalars(
            select(Member)
            .where(Member.is_current.is_(True), Member.state.in_(states_touched([self])))
            .order_by(*(order_by or (Member.chamber, Member.district, Member.last_name)))
        )
        return members_representing(self, candidates)

    def __repr__(self) -> str:
        return f"<City {self.label}>"


class CityDistrict(Base):
    """A congressional district a city lies in (district 0 = at-large or delegate); `source` is the basis.

    Census links carry the share of the city's land in the district and whether the city lies wholly in it.
    """

    __tablename__ = "city_district"
    __table_args__ = (UniqueConstraint("city_id", "state", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(2))
    district: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10), default="manual")
    share: Mapped[float | None] = mapped_column(Float)
    whole: Mapped[bool | None] = mapped_column(Boolean)

    city: Mapped[City] = relationship(back_populates="districts")

    @property
    def label(self) -> str:
        return f"{self.state}-{'AL' if self.district == 0 else self.district}"

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.source, self.source)

    @property
    def approximate(self) -> bool:
        return self.source in APPROXIMATE_BASES
