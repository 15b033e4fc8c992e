"""Campaigns (a policy position across bill versions) and city endorsements of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow
from advocacy.models.bills import Bill
from advocacy.models.cities import City

PENDING = "pending"
CONFIRMED = "confirmed"
VERIFIED = "verified"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
ENDORSEMENT_STATUSES = (PENDING, CONFIRMED, VERIFIED, REJECTED, WITHDRAWN)
# An endorsement in one of these states blocks another for the same city and campaign.
ACTIVE_STATUSES = (PENDING, CONFIRMED, VERIFIED)

DEFAULT_ATTESTATION = "I am authorised to endorse on behalf of the city."


class Campaign(Base):
    """A campaign spans the versions of a bill reintroduced across Congresses; endorsements belong to it."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    ask: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str | None] = mapped_column(Text)
    allow_open_signon: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    attestation: Mapped[str] = mapped_column(Text, default=DEFAULT_ATTESTATION)
    # Who signers and cities contact about the campaign (shown when a city has already endorsed).
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # The letters' ask per recipient segment (advocacy.letters.standing.SEGMENTS); a missing key uses the default.
    letter_asks: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    bill_links: Mapped[list[CampaignBill]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignBill.position"
    )
    endorsements: Mapped[list[Endorsement]] = relationship(back_populates="campaign")

    @property
    def bills(self) -> list[Bill]:
        """The linked bills, newest Congress first."""
        return sorted((link.bill for link in self.bill_links), key=lambda b: (b.congress, b.bill_type), reverse=True)

    @property
    def current_bill(self) -> Bill | None:
        """The bill of the latest Congress (the House bill when both chambers have one)."""
        bills = self.bills
        if not bills:
            return None
        latest = bills[0].congress
        same = [b for b in bills if b.congress == latest]
        return next((b for b in same if b.bill_type == "hr"), same[0])

    def __repr__(self) -> str:
        return f"<Campaign {self.slug}>"


class CampaignBill(Base):
    """Link between a campaign and one version of its bill."""

    __tablename__ = "campaign_bill"
    __table_args__ = (UniqueConstraint("campaign_id", "bill_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="bill_links")
    bill: Mapped[Bill] = relationship()


class Endorsement(Base):
    """A city's endorsement of a campaign, signed by someone in the mayor's office.

    The partial unique index allows one *active* endorsement (pending, confirmed or verified) per city and
    campaign; rejected and withdrawn ones stay as history.
    """

    __tablename__ = "endorsement"
    __table_args__ = (
        Index(
            "uq_endorsement_active_city_campaign",
            "campaign_id",
            "city_id",
            unique=True,
            sqlite_where=text("status IN ('pending', 'confirmed', 'verified')"),
            postgresql_where=text("status IN ('pending', 'confirmed', 'verified')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(200))
    signer_email: Mapped[str | None] = mapped_column(String(254))
    signer_phone: Mapped[str | None] = mapped_column(String(40))
    statement: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)  # rejection or withdrawal reason
    source_note: Mapped[str | None] = mapped_column(Text)
    # The districts the signer confirmed or corrected on the signing form: {"before": [...], "after": [...]}
    # as labels ("NY-10"); applied to the city (basis "signer") when the endorsement is verified.
    signer_districts: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Public code on the receipt and at /verify/<code>; set when the endorsement is verified.
    verification_code: Mapped[str | None] = mapped_column(String(32), unique=True)

    campaign: Mapped[Campaign] = relationship(back_populates="endorsements")
    city: Mapped[City] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_sample(self) -> bool:
        """Sample (demo) endorsements carry a source note; they are not real positions of their cities."""
        return bool(self.source_note)
