"""Letter templates (with their saved versions), batches of generated letters, the letters and their delivery."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow
from advocacy.models.campaigns import Campaign
from advocacy.models.members import Member

BODY_FORMATS = ("markdown", "plain")
# Fields of a template that every saved version keeps a copy of.
VERSIONED_FIELDS = (
    "name",
    "re_line",
    "body",
    "body_format",
    "closing",
    "signature_block",
    "letterhead_name",
    "letterhead_address",
    "logo",
    "logo_mime",
)

BATCH_QUEUED = "queued"
BATCH_RUNNING = "running"
BATCH_CANCELLING = "cancelling"
BATCH_FINALIZING = "finalizing"
BATCH_DONE = "done"
BATCH_CANCELLED = "cancelled"
BATCH_FAILED = "failed"
BATCH_FINAL_STATUSES = (BATCH_DONE, BATCH_CANCELLED, BATCH_FAILED)

LETTER_QUEUED = "queued"
LETTER_RENDERING = "rendering"
LETTER_DONE = "done"
LETTER_FAILED = "failed"
LETTER_CANCELLED = "cancelled"

DELIVERY_METHODS = {
    "email": "E-mail to staffer",
    "fax": "Fax",
    "hand": "Hand delivery",
    "district_mail": "District office mail",
}


class LetterTemplate(Base):
    """A letter template: merge fields in Jinja syntax, rendered in a sandbox. `version` counts the saves."""

    __tablename__ = "letter_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    re_line: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[str] = mapped_column(String(10), default="markdown", server_default="markdown")
    closing: Mapped[str] = mapped_column(String(200), default="Sincerely,")
    signature_block: Mapped[str] = mapped_column(Text, default="")
    letterhead_name: Mapped[str] = mapped_column(String(200), default="")
    letterhead_address: Mapped[str] = mapped_column(Text, default="")
    # An uploaded logo, checked by content (PNG, JPEG, or sanitised SVG); at most LOGO_MAX_BYTES.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[LetterTemplateVersion]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        order_by="LetterTemplateVersion.number.desc()",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<LetterTemplate {self.slug} v{self.version}>"


class LetterTemplateVersion(Base):
    """A frozen copy of a template as saved; letters record the version they were made from."""

    __tablename__ = "letter_template_version"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("letter_template.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    re_line: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_format: Mapped[str] = mapped_column(String(10), default="markdown")
    closing: Mapped[str] = mapped_column(String(200), default="Sincerely,")
    signature_block: Mapped[str] = mapped_column(Text, default="")
    letterhead_name: Mapped[str] = mapped_column(String(200), default="")
    letterhead_address: Mapped[str] = mapped_column(Text, default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    template: Mapped[LetterTemplate] = relationship(back_populates="versions")

    def snapshot(self) -> dict:
        """The version as plain data (what the renderer gets, never the ORM object)."""
        return {name: getattr(self, name) for name in VERSIONED_FIELDS}


class LetterBatch(Base):
    """One generation run: a template version, a campaign and a recipient selector."""

    __tablename__ = "letter_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("letter_template.id"), index=True)
    template_version_id: Mapped[int | None] = mapped_column(ForeignKey("letter_template_version.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    selector: Mapped[str] = mapped_column(String(200))
    joint: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    letter_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=BATCH_QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # Letters finished in any way (done, failed or cancelled): the batch is complete when it reaches `total`.
    settled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    job_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    merged_pages: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)
    # Heartbeat: every letter a job claims (and finishing the batch) moves this on by JOBS_LEASE_SECONDS. A batch
    # not finished whose lease has passed has lost its jobs (a crash, a restart): see advocacy.letters.recovery.
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Sample (demo) endorsements are left out unless the batch was made with them (then marked on every page).
    include_samples: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # What the batch summary reports beyond the letters: vacant seats, former members left out.
    notes: Mapped[list[str] | None] = mapped_column(JSON, default=list)

    template: Mapped[LetterTemplate] = relationship()
    template_version: Mapped[LetterTemplateVersion | None] = relationship()
    campaign: Mapped[Campaign] = relationship()
    letters: Mapped[list[Letter]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="Letter.position"
    )

    @property
    def is_finished(self) -> bool:
        return self.status in BATCH_FINAL_STATUSES

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.settled / self.total)

    @property
    def is_interrupted(self) -> bool:
        """Not finished, and no job has worked on it for longer than its lease: its work was lost."""
        expired = self.lease_expires_at is not None and self.lease_expires_at < utcnow()
        return not self.is_finished and expired


class Letter(Base):
    """One generated letter to one recipient, or one joint letter to several (`member_ids`)."""

    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("letter_batch.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    member_id: Mapped[str | None] = mapped_column(ForeignKey("member.bioguide_id"))
    # Every addressee of the letter in order (one for a per-member letter).
    member_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    template_version_id: Mapped[int | None] = mapped_column(ForeignKey("letter_template_version.id"))
    recipient_name: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str | None] = mapped_column(String(300))
    pages: Mapped[int | None] = mapped_column(Integer)
    # When the letter ends with the batch's shared signatories part: the number of pages before it.
    own_pages: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    warnings: Mapped[str | None] = mapped_column(Text)
    # The batch preview, kept for the report: the recipient's standing on the bill, the ask used, local cities.
    standing: Mapped[str | None] = mapped_column(Text)
    ask: Mapped[str | None] = mapped_column(Text)
    local_cities: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=LETTER_QUEUED)
    error: Mapped[str | None] = mapped_column(Text)
    # How many times a job claimed it, and until when the current claim holds (LETTER_TIMEOUT + JOBS_LEASE_SECONDS):
    # a letter still "rendering" after that lost its worker and is queued again (failed after MAX_ATTEMPTS).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime)

    batch: Mapped[LetterBatch] = relationship(back_populates="letters")
    member: Mapped[Member | None] = relationship()
    template_version: Mapped[LetterTemplateVersion | None] = relationship()
    deliveries: Mapped[list[LetterDelivery]] = relationship(
        back_populates="letter",
        cascade="all, delete-orphan",
        order_by="LetterDelivery.sent_on",
        passive_deletes=True,
    )


class LetterDelivery(Base):
    """A record that a letter was sent: how, when, by whom, with a note."""

    __tablename__ = "letter_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(Date)
    person: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    letter: Mapped[Letter] = relationship(back_populates="deliveries")

    @property
    def method_label(self) -> str:
        return DELIVERY_METHODS.get(self.method, self.method)
