"""The ZIP (ZCTA) → congressional district table, used to suggest a city's districts from its ZIP codes."""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.models.base import Base


class ZipDistrict(Base):
    """One (ZCTA, district) pair of the zccd.csv format; a ZIP split across districts has several rows."""

    __tablename__ = "zip_district"
    __table_args__ = (UniqueConstraint("zcta", "state", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    zcta: Mapped[str] = mapped_column(String(5), index=True)
    state: Mapped[str] = mapped_column(String(2))
    # 0 = at-large (AK, DE, ND, SD, VT, WY, DC, PR).
    district: Mapped[int] = mapped_column(Integer)

    @property
    def label(self) -> str:
        return f"{self.state}-{'AL' if self.district == 0 else self.district}"


__all__ = ["ZipDistrict"]
