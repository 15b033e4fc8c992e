"""Cities (US places) and the congressional districts they lie in."""

from __future__ import annotations

import unicodedata

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from advocacy.models.base import Base

DISTRICT_SOURCES = ("manual", "zip", "import", "demo")


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

    def __repr__(self) -> str:
        return f"<City {self.label}>"


class CityDistrict(Base):
    """A congressional district a city lies in (district 0 = at-large); `source` says how we know."""

    __tablename__ = "city_district"
    __table_args__ = (UniqueConstraint("city_id", "state", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(2))
    district: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10), default="manual")

    city: Mapped[City] = relationship(back_populates="districts")

    @property
    def label(self) -> str:
        return f"{self.state}-{'AL' if self.district == 0 else self.district}"
