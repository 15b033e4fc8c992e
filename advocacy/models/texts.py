"""Text versions of bills (Introduced in House, Reported in House, ...), parsed into ordered sections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow
from advocacy.models.bills import Bill


class BillTextVersion(Base):
    """One published text of a bill, stored once: a version is never fetched again after it is stored.

    `sections` is the parsed text, in order: `[{"number": "2", "heading": "Findings", "blocks": [{"level": 1,
    "enum": "(a)", "heading": "In general", "text": "..."}]}]`; level 0 is the section's own lead-in text.
    """

    __tablename__ = "bill_text_version"
    __table_args__ = (UniqueConstraint("bill_id", "version_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), index=True)
    # GPO's version code ("ih", "rh", "eh", "enr"...) when the document URL shows it, else type and date.
    version_key: Mapped[str] = mapped_column(String(120))
    version_type: Mapped[str] = mapped_column(String(120))
    version_date: Mapped[date | None] = mapped_column(Date)
    source_url: Mapped[str] = mapped_column(Text)
    source_format: Mapped[str] = mapped_column(String(20))  # "bill-xml", "uslm" or "text"
    pdf_url: Mapped[str | None] = mapped_column(Text)
    official_title: Mapped[str | None] = mapped_column(Text)  # "To establish an Office of ..." as this text has it
    sections: Mapped[list[dict]] = mapped_column(JSON, default=list)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    content_sha256: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    bill: Mapped[Bill] = relationship()

    @property
    def label(self) -> str:
        """ "Introduced in House, Jun 27, 2019"."""
        when = (
            f", {self.version_date:%b} {self.version_date.day}, {self.version_date.year}" if self.version_date else ""
        )
        return f"{self.version_type}{when}"

    def __repr__(self) -> str:
        return f"<BillTextVersion {self.bill_id} {self.version_key}>"


class BillTextCheck(Base):
    """When the bill's text versions were last listed, and the bill's Congress.gov updateDate then.

    A sync lists the texts again only when that date moved (or when forced), so a re-sync with nothing new
    still costs one request per bill.
    """

    __tablename__ = "bill_text_check"

    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id", ondelete="CASCADE"), primary_key=True)
    bill_update_date: Mapped[str | None] = mapped_column(String(40))
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)
