"""Members of Congress, committees and committee membership."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy import representation
from advocacy.models.base import Base, utcnow
from advocacy.representation import Coverage

HOUSE = "house"
SENATE = "senate"
JOINT = "joint"


class Member(Base):
    """A member of Congress, keyed by bioguide id. `is_current` is False once they leave the roster."""

    __tablename__ = "member"

    bioguide_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    middle_name: Mapped[str | None] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    suffix: Mapped[str | None] = mapped_column(String(20))
    nickname: Mapped[str | None] = mapped_column(String(80))
    official_full_name: Mapped[str | None] = mapped_column(String(160))
    chamber: Mapped[str | None] = mapped_column(String(10), index=True)
    state: Mapped[str | None] = mapped_column(String(2), index=True)
    # 0 = at-large (as in the @unitedstates data); None for senators.
    district: Mapped[int | None] = mapped_column(Integer)
    party: Mapped[str | None] = mapped_column(String(40))
    office: Mapped[str | None] = mapped_column(
        String(200)
    )  # room and building, e.g. "2454 Rayburn House Office Building"
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    contact_form: Mapped[str | None] = mapped_column(String(300))
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1", index=True)
    source: Mapped[str] = mapped_column(String(40), default="demo", server_default="demo")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[CommitteeMembership]] = relationship(back_populates="member")

    @property
    def display_name(self) -> str:
        """The name as people use it: official full name, else first (nickname) last."""
        if self.official_full_name:
            return self.official_full_name
        first = self.nickname or self.first_name
        return f"{first} {self.last_name}"

    @property
    def party_initial(self) -> str:
        return (self.party or "?")[:1].upper()

    @property
    def seat(self) -> str:
        """ "CA-36", "CA-AL" (at-large) or "CT" for a senator."""
        if self.chamber == SENATE or self.district is None:
            return self.state or "?"
        return f"{self.state}-{'AL' if self.district == 0 else self.district}"

    @property
    def title(self) -> str:
        """ "Rep." / "Sen." / "Del." for short labels."""
        if self.chamber == SENATE:
            return "Sen."
        return "Rep."

    def represents(self, city: Any) -> Coverage | None:
        """How this member represents `city` (a City or a letter's city dict), None if they do not: the one rule
        of advocacy.representation (district links, at-large seats, senators by state)."""
        return representation.represents(self, city)

    def __repr__(self) -> str:
        return f"<Member {self.bioguide_id} {self.display_name}>"


class Committee(Base):
    """A committee or subcommittee; `thomas_id` like HSFA or HSFA16, `system_code` like hsfa00 / hsfa16."""

    __tablename__ = "committee"

    thomas_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    system_code: Mapped[str | None] = mapped_column(String(10), unique=True)
    chamber: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("committee.thomas_id"))
    url: Mapped[str | None] = mapped_column(String(300))
    # The committee's own office as committees-current.yaml gives it: "2170 RHOB; Washington, DC 20515-6128".
    address: Mapped[str | None] = mapped_column(String(300))

    parent: Mapped[Committee | None] = relationship(remote_side=[thomas_id], back_populates="subcommittees")
    subcommittees: Mapped[list[Committee]] = relationship(back_populates="parent")
    memberships: Mapped[list[CommitteeMembership]] = relationship(
        back_populates="committee", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Committee {self.thomas_id}>"


class CommitteeMembership(Base):
    """A member's seat on a committee: majority/minority side, rank, and title (Chair, Ranking Member...)."""

    __tablename__ = "committee_membership"
    __table_args__ = (UniqueConstraint("committee_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[str] = mapped_column(ForeignKey("committee.thomas_id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.bioguide_id", ondelete="CASCADE"), index=True)
    party_side: Mapped[str | None] = mapped_column(String(10))  # majority / minority
    rank: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(80))

    committee: Mapped[Committee] = relationship(back_populates="memberships")
    member: Mapped[Member] = relationship(back_populates="memberships")


__all__ = ["HOUSE", "JOINT", "SENATE", "Committee", "CommitteeMembership", "Member"]
