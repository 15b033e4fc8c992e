"""Office contacts (staffers of a member's office or of a committee), interactions with offices, and the e-mails
that carried letters to those contacts (the delivery log of "Send by e-mail")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.models.base import Base, utcnow
from advocacy.models.bills import Bill
from advocacy.models.campaigns import Campaign
from advocacy.models.letters import Letter
from advocacy.models.mail import MailMessage
from advocacy.models.members import Committee, Member

SIDES = ("majority", "minority")

INTERACTION_KINDS = {"meeting": "Meeting", "call": "Call", "email": "E-mail"}
WILL_COSPONSOR = "will_cosponsor"
OUTCOMES = {
    WILL_COSPONSOR: "Will cosponsor",
    "needs_local_support": "Needs more local support",
    "no": "No",
}

# A letter e-mail follows its outbox message: queued → sent or failed; `outbox` without a mail server.
EMAIL_QUEUED = "queued"
EMAIL_OUTBOX = "outbox"
EMAIL_SENT = "sent"
EMAIL_FAILED = "failed"


def office_key(member_id: str | None, committee_id: str | None) -> str:
    """ "member:L000582" or "committee:HSFA": one value naming an office, for uniqueness and lookups."""
    return f"member:{member_id}" if member_id else f"committee:{committee_id}"


class OfficeContact(Base):
    """A staffer of a member's office or of a committee (majority or minority staff).

    The contact belongs to the office, not to the member's term: when the member leaves, the contact stays and
    is shown as "former office". `owner` is who on our side holds the relationship.
    """

    __tablename__ = "office_contact"
    __table_args__ = (
        UniqueConstraint("office", "name_key"),
        CheckConstraint("(member_id IS NULL) <> (committee_id IS NULL)", name="one_office"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office: Mapped[str] = mapped_column(String(24), index=True)  # office_key(member_id, committee_id)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("member.bioguide_id", ondelete="CASCADE"), index=True)
    committee_id: Mapped[str | None] = mapped_column(ForeignKey("committee.thomas_id", ondelete="CASCADE"), index=True)
    side: Mapped[str | None] = mapped_column(String(10))  # committee staff: majority / minority
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # casefolded name: one contact per person and office
    role: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    member: Mapped[Member | None] = relationship()
    committee: Mapped[Committee | None] = relationship()

    @property
    def is_former_office(self) -> bool:
        """The member this office belonged to is no longer in Congress."""
        return self.member is not None and not self.member.is_current

    @property
    def office_name(self) -> str:
        if self.member is not None:
            return f"{self.member.title} {self.member.display_name} ({self.member.party_initial}-{self.member.seat})"
        if self.committee is not None:
            side = f", {self.side} staff" if self.side else ""
            return f"{self.committee.name}{side}"
        return self.office


class Interaction(Base):
    """A meeting, call or e-mail with an office, its outcome and an optional follow-up date.

    An outcome "will cosponsor" is a commitment about the campaign's current bill (`bill`): it is marked fulfilled
    when a sync records the member as a new cosponsor of that bill, or of a reintroduction in a later Congress.
    """

    __tablename__ = "interaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    office: Mapped[str] = mapped_column(String(24), index=True)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("member.bioguide_id", ondelete="CASCADE"), index=True)
    committee_id: Mapped[str | None] = mapped_column(ForeignKey("committee.thomas_id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"), index=True)
    # A commitment is about the campaign's current bill when it was made (or a reintroduction in a later Congress).
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bill.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))
    occurred_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(24))
    attendees: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    follow_up_done_at: Mapped[datetime | None] = mapped_column(DateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(DateTime)
    fulfilled_event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    recorded_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[Member | None] = relationship()
    committee: Mapped[Committee | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    bill: Mapped[Bill | None] = relationship()

    @property
    def kind_label(self) -> str:
        return INTERACTION_KINDS.get(self.kind, self.kind)

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome or "", self.outcome or "")

    @property
    def is_commitment(self) -> bool:
        return self.outcome == WILL_COSPONSOR


class LetterEmail(Base):
    """One letter sent by e-mail, with its PDF attached, to one office contact: the delivery log of a send.

    One row per letter (unique): starting the send twice cannot create a second e-mail. The message itself goes
    through the outbox (MailMessage), which claims it before sending; its outcome is copied here by the outbox's
    `mail_result` signal in the same commit.
    """

    __tablename__ = "letter_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("letter_batch.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("office_contact.id", ondelete="SET NULL"), index=True)
    mail_message_id: Mapped[int | None] = mapped_column(ForeignKey("mail_message.id", ondelete="SET NULL"), unique=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(254))
    message_id: Mapped[str] = mapped_column(String(250))  # the Message-ID header
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))  # of the attached PDF: equals the manifest's
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=EMAIL_QUEUED, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    letter: Mapped[Letter] = relationship()
    contact: Mapped[OfficeContact | None] = relationship()
    mail_message: Mapped[MailMessage | None] = relationship()
