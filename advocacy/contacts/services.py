"""Writes of the contacts feature: office contacts (by hand and CSV import), interactions, fulfilled commitments.

Plain functions that never touch `request` and never commit: they add and flush, and the view or command that
owns the unit of work commits (or rolls back on a ContactError).
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict, cast

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import CursorResult, event, exists, or_, select, update
from sqlalchemy.orm import Session

from advocacy.contacts.errors import ContactError, ContactImportError
from advocacy.csv_safety import unguarded_cell
from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.models import Bill, Campaign, CampaignBill, Committee, Cosponsorship, Member
from advocacy.models.base import utcnow
from advocacy.models.contacts import (
    INTERACTION_KINDS,
    OUTCOMES,
    SIDES,
    WILL_COSPONSOR,
    Interaction,
    OfficeContact,
    office_key,
)
from advocacy.models.events import BILL_COSPONSOR_ADDED, Event

logger = logging.getLogger(__name__)

CONTACT_FIELDS = ("name", "role", "email", "phone", "notes", "owner", "side")
REQUIRED_COLUMNS = {"name", "role", "email", "phone", "notes"}
MAX_IMPORT_ROWS = 20_000


class ContactValues(TypedDict):
    """A contact's cleaned fields (`_clean`): a name and a role always, the rest None when empty."""

    name: str
    role: str
    email: str | None
    phone: str | None
    notes: str | None
    owner: str | None
    side: str | None


@dataclass(frozen=True)
class Office:
    """A member's office or a committee's staff."""

    member_id: str | None
    committee_id: str | None

    @property
    def key(self) -> str:
        return office_key(self.member_id, self.committee_id)


def resolve_office(bioguide_id: str | None = None, committee: str | None = None) -> Office:
    """The office named by a bioguide id or a committee's thomas id (e.g. HSFA); exactly one of them."""
    bioguide_id = (bioguide_id or "").strip().upper() or None
    committee = (committee or "").strip().upper() or None
    if bool(bioguide_id) == bool(committee):
        raise ContactError("Give either a member (bioguide id) or a committee (thomas id such as HSFA), not both.")
    if bioguide_id:
        if db.session.get(Member, bioguide_id) is None:
            raise ContactError(f"No member with bioguide id “{bioguide_id}” (import the roster first).")
        return Office(bioguide_id, None)
    if db.session.get(Committee, committee) is None:
        raise ContactError(f"No committee “{committee}” (use its thomas id, e.g. HSFA or SSFR).")
    return Office(None, committee)


def _clean(data: dict[str, Any], office: Office) -> ContactValues:
    values = {name: (str(data.get(name) or "")).strip() for name in CONTACT_FIELDS}
    if not values["name"]:
        raise ContactError("The contact needs a name.")
    if len(values["name"]) > 200 or len(values["role"]) > 120 or len(values["phone"]) > 40:
        raise ContactError("Name (200), role (120) or phone (40 characters) is too long.")
    if values["email"]:
        try:
            values["email"] = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ContactError(f"“{values['email']}” is not a valid e-mail address: {exc}") from None
    side = values["side"].lower()
    if side and (office.committee_id is None or side not in SIDES):
        raise ContactError("Side is “majority” or “minority”, for committee staff only.")
    return ContactValues(
        name=values["name"],
        role=values["role"],
        email=_or_none(values["email"]),
        phone=_or_none(values["phone"]),
        notes=_or_none(values["notes"]),
        owner=_or_none(values["owner"]),
        side=_or_none(side),
    )


def _or_none(text: str) -> str | None:
    return text or None


def _find(office: Office, name: str) -> OfficeContact | None:
    return db.session.scalar(
        select(OfficeContact).where(OfficeContact.office == office.key, OfficeContact.name_key == name.casefold())
    )


def save_contact(
    contact: OfficeContact | None, office: Office, data: dict[str, Any], *, actor: str, log: bool = True
) -> OfficeContact:
    """Create (contact None) or update a contact of an office; one contact per name and office.

    `log=False` for imports, which log one summary instead of a line per contact."""
    values = _clean(data, office)
    other = _find(office, values["name"])
    if other is not None and other is not contact:
        raise ContactError(f"{values['name']} is already a contact of this office.")
    creating = contact is None
    if contact is None:
        contact = OfficeContact()
        db.session.add(contact)
    contact.office, contact.member_id, contact.committee_id = office.key, office.member_id, office.committee_id
    contact.name_key = values["name"].casefold()
    for name, value in values.items():
        setattr(contact, name, value)
    db.session.flush()
    if log:
        logger.info("%s %s contact %s (%s)", actor, "added" if creating else "updated", contact.id, office.key)
    return contact


def delete_contact(contact: OfficeContact, *, actor: str) -> None:
    """Remove a contact (e-mails already sent keep the name and address they went to)."""
    logger.info("%s deleted contact %s (%s)", actor, contact.id, contact.office)
    db.session.delete(contact)
    db.session.flush()


@dataclass
class ImportReport:
    """What a CSV import did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: int = 0
    offices: set[str] = field(default_factory=set)

    def summary(self) -> str:
        return (
            f"{self.lines} contact line(s) for {len(self.offices)} office(s): {self.added} added, "
            f"{self.updated} updated, {self.unchanged} unchanged."
        )


def _import_header(reader: csv.DictReader[str]) -> list[str]:
    """The file's column names (trimmed, lower case), set on the reader; the import's columns must be there."""
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    if missing or not ({"bioguide_id", "committee"} & set(header)):
        raise ContactImportError(
            "the header must have bioguide_id (or committee), name, role, email, phone, notes"
            + (f"; missing: {', '.join(missing)}" if missing else ""),
            1,
        )
    reader.fieldnames = header
    return header


def _import_line(row: dict[str, Any], line: int) -> tuple[Office, ContactValues]:
    """The office and the cleaned fields of one line; what is wrong becomes an import error of that line."""
    try:
        office = resolve_office(row.get("bioguide_id"), row.get("committee"))
        return office, _clean(row, office)
    except ContactError as exc:
        raise ContactImportError(str(exc), line) from None


def _import_contact(office: Office, values: ContactValues, header: list[str], report: ImportReport, actor: str) -> None:
    """Add the contact, or update the columns the file has (its other columns are kept), counting which."""
    contact = _find(office, values["name"])
    if contact is None:
        save_contact(None, office, dict(values), actor=actor, log=False)
        report.added += 1
        return
    wanted = {k: v for k, v in values.items() if k in REQUIRED_COLUMNS or k in header}
    if all(getattr(contact, k) == v for k, v in wanted.items()):
        report.unchanged += 1
        return
    data = {k: getattr(contact, k) for k in CONTACT_FIELDS} | wanted
    save_contact(contact, office, data, actor=actor, log=False)
    report.updated += 1


def import_contacts(text: str, *, actor: str) -> ImportReport:
    """Import contacts from CSV text (the layout of `contacts.queries.CSV_HEADER`; `bioguide_id` or `committee`
    names the office).

    All or nothing: the first bad line raises ContactImportError with its line number and nothing is kept (the
    caller rolls back). Idempotent: a contact is keyed by office and name, so a re-import updates in place and
    reports the rest unchanged.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = _import_header(reader)
    report = ImportReport()
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        line = reader.line_num
        report.lines += 1
        if report.lines > MAX_IMPORT_ROWS:
            raise ContactImportError(f"more than {MAX_IMPORT_ROWS:,} contacts in one file", line)
        if None in row:
            raise ContactImportError("more cells than the header has columns", line)
        office, values = _import_line({k: unguarded_cell(v) for k, v in row.items()}, line)
        key = (office.key, values["name"].casefold())
        if key in seen:
            raise ContactImportError(f"{values['name']} of this office is already on line {seen[key]}", line)
        seen[key] = line
        report.offices.add(office.key)
        _import_contact(office, values, header, report, actor)
    record_event("contacts.imported", f"Contacts imported: {report.summary()}", actor=actor)
    logger.info("%s imported contacts: %s", actor, report.summary())
    return report


# --- interactions ----------------------------------------------------------------------------------------------


def _interaction_facts(data: dict[str, Any]) -> tuple[str, str | None, date]:
    """The interaction's kind, outcome (None: none recorded) and date, checked."""
    kind, outcome = data.get("kind"), data.get("outcome") or None
    if kind not in INTERACTION_KINDS:
        raise ContactError("Kind is a meeting, a call or an e-mail.")
    if outcome is not None and outcome not in OUTCOMES:
        raise ContactError("Unknown outcome.")
    occurred_on = data.get("occurred_on")
    if not isinstance(occurred_on, date):
        raise ContactError("The interaction needs a date.")
    return str(kind), outcome, occurred_on


def _committed_bill(office: Office, campaign: object) -> Bill:
    """The bill a "will cosponsor" commitment is about: the campaign's current bill, for a member's office."""
    if office.member_id is None:
        raise ContactError("Only a member's office can commit to cosponsor.")
    if not isinstance(campaign, Campaign):
        raise ContactError("Choose the campaign whose bill the member will cosponsor.")
    if campaign.current_bill is None:
        raise ContactError(f"The campaign “{campaign.name}” has no bill to cosponsor yet.")
    return campaign.current_bill


def record_interaction(office: Office, data: dict[str, Any], *, actor: str) -> Interaction:
    """Log a meeting, call or e-mail with an office.

    "Will cosponsor" is a commitment about a campaign's bills; if the member already cosponsors one of them it
    is fulfilled at once, otherwise when a sync records the cosponsorship (see `fulfil_commitments`).
    """
    kind, outcome, occurred_on = _interaction_facts(data)
    campaign = data.get("campaign")
    committed = _committed_bill(office, campaign) if outcome == WILL_COSPONSOR else None
    interaction = Interaction(
        office=office.key,
        member_id=office.member_id,
        committee_id=office.committee_id,
        campaign=campaign if isinstance(campaign, Campaign) else None,
        bill=committed,
        kind=kind,
        occurred_on=occurred_on,
        outcome=outcome,
        attendees=(data.get("attendees") or "").strip() or None,
        notes=(data.get("notes") or "").strip() or None,
        follow_up_on=data.get("follow_up_on"),
        recorded_by=actor,
    )
    db.session.add(interaction)
    if committed is not None and office.member_id is not None and _cosponsors(office.member_id, committed.id):
        interaction.fulfilled_at = utcnow()
    db.session.flush()
    logger.info("%s recorded a %s with %s (%s)", actor, kind, office.key, outcome or "no outcome")
    return interaction


def _cosponsors(member_id: str, bill_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Cosponsorship.member_id == member_id,
                    Cosponsorship.bill_id == bill_id,
                    Cosponsorship.withdrawn_date.is_(None),
                )
            )
        )
    )


def delete_interaction(interaction: Interaction, *, actor: str) -> None:
    """Remove an interaction recorded by mistake."""
    logger.info("%s deleted interaction %s (%s)", actor, interaction.id, interaction.office)
    db.session.delete(interaction)
    db.session.flush()


def complete_follow_up(interaction: Interaction, *, actor: str) -> None:
    """Mark an interaction's follow-up as done (it leaves the dashboard)."""
    if interaction.follow_up_on is None:
        raise ContactError("This interaction has no follow-up.")
    interaction.follow_up_done_at = utcnow()
    db.session.flush()
    logger.info("%s completed the follow-up of interaction %s", actor, interaction.id)


def fulfil_commitments(session: Session, events: list[Event]) -> int:
    """Mark open "will cosponsor" commitments fulfilled by cosponsor-added events: same member, a bill of the
    commitment's campaign, of the committed bill's Congress or later (a reintroduction counts).

    Runs inside the flush that writes the events (see `_on_flush`): the commitment and the sync that fulfilled
    it commit together. Returns how many commitments were fulfilled.
    """
    count = 0
    for item in events:
        member_id = (item.data or {}).get("bioguide_id")
        if not member_id or item.bill_id is None:
            continue
        congress = select(Bill.congress).where(Bill.id == item.bill_id).scalar_subquery()
        result = session.execute(
            update(Interaction)
            .where(
                Interaction.member_id == member_id,
                Interaction.outcome == WILL_COSPONSOR,
                Interaction.fulfilled_at.is_(None),
                Interaction.campaign_id.in_(
                    select(CampaignBill.campaign_id).where(CampaignBill.bill_id == item.bill_id)
                ),
                or_(
                    Interaction.bill_id.is_(None),
                    Interaction.bill_id.in_(select(Bill.id).where(Bill.congress <= congress)),
                ),
            )
            .values(fulfilled_at=utcnow(), fulfilled_event_id=item.id)
            .execution_options(synchronize_session=False)
        )
        count += cast(CursorResult[Any], result).rowcount
    if count:
        logger.info("%d commitment(s) to cosponsor fulfilled by a sync", count)
    return count


@event.listens_for(Session, "after_flush")
def _on_flush(session: Session, flush_context: Any) -> None:
    """The hook on the sync: cosponsor-added events just written fulfil the matching commitments."""
    added = [obj for obj in session.new if isinstance(obj, Event) and obj.kind == BILL_COSPONSOR_ADDED]
    if added:
        fulfil_commitments(session, added)
