"""Letter templates, batches of generated letters, and the letters themselves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow
from advocacy.models.campaigns import Campaign
from advocacy.models.members import Member


class LetterTemplate(Base):
    """A letter template: merge fields in Jinja syntax, rendered in a sandbox."""

    __tablename__ = "letter_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    re_line: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(String(200), default="Sincerely,")
    signature_block: Mapped[str] = mapped_column(Text, default="")
    letterhead_name: Mapped[str] = mapped_column(String(200), default="")
    letterhead_address: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LetterBatch(Base):
    """One generation run: a template, a campaign and a recipient selector."""

    __tablename__ = "letter_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("letter_template.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    selector: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)

    template: Mapped[LetterTemplate] = relationship()
    campaign: Mapped[Campaign] = relationship()
    letters: Mapped[list[Letter]] = relationship(back_populates="batch", cascade="all, delete-orphan")


class Letter(Base):
    """One generated letter to one recipient (or one joint letter)."""

    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("letter_batch.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("member.bioguide_id"))
    recipient_name: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str | None] = mapped_column(String(300))
    pages: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    warnings: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    error: Mapped[str | None] = mapped_column(Text)

    batch: Mapped[LetterBatch] = relationship(back_populates="letters")
    member: Mapped[Member | None] = relationship()
