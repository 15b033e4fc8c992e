"""Reads of the contacts feature: an office's contacts and interactions, follow-ups due, open commitments, the
contact a letter goes to, and the CSV export. Each is a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from advocacy.csv_safety import safe_row
from advocacy.extensions import db
from advocacy.models.contacts import WILL_COSPONSOR, Interaction, OfficeContact, office_key

# The contacts CSV layout: what the export writes and the import reads (`contacts.services.import_contacts`).
CSV_HEADER = ["bioguide_id", "committee", "side", "name", "role", "email", "phone", "notes", "owner"]


def _ordered(query):
    return query.options(selectinload(OfficeContact.member), selectinload(OfficeContact.committee)).order_by(
        OfficeContact.office, OfficeContact.side.nulls_first(), OfficeContact.role, OfficeContact.name
    )


def contacts_of(offices: Iterable[str]) -> dict[str, list[OfficeContact]]:
    """The contacts of each office key, ordered by side, role and name."""
    keys = list(dict.fromkeys(offices))
    result: dict[str, list[OfficeContact]] = {key: [] for key in keys}
    if keys:
        for contact in db.session.scalars(_ordered(select(OfficeContact).where(OfficeContact.office.in_(keys)))):
            result[contact.office].append(contact)
    return result


def all_contacts(search: str = "") -> list[OfficeContact]:
    """Every contact (or those whose name, role, e-mail or office matches `search`), by office."""
    query = select(OfficeContact)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(OfficeContact.name).like(pattern),
                func.lower(OfficeContact.role).like(pattern),
                func.lower(OfficeContact.email).like(pattern),
                func.lower(OfficeContact.office).like(pattern),
            )
        )
    return list(db.session.scalars(_ordered(query)))


def interactions_of(office: str, limit: int = 50) -> list[Interaction]:
    """An office's interactions, newest first."""
    return list(
        db.session.scalars(
            select(Interaction)
            .where(Interaction.office == office)
            .options(selectinload(Interaction.campaign))
            .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
            .limit(limit)
        )
    )


def last_interactions(offices: Iterable[str]) -> dict[str, Interaction]:
    """The latest interaction of each office that has one (one query)."""
    keys = list(dict.fromkeys(offices))
    if not keys:
        return {}
    latest = (
        select(Interaction.id, func.row_number().over(
            partition_by=Interaction.office, order_by=(Interaction.occurred_on.desc(), Interaction.id.desc())
        ).label("n"))
        .where(Interaction.office.in_(keys))
        .subquery()
    )  # fmt: skip
    rows = db.session.scalars(
        select(Interaction).join(latest, latest.c.id == Interaction.id).where(latest.c.n == 1)
    ).all()
    return {row.office: row for row in rows}


def open_commitments(campaign_id: int, member_ids: Iterable[str]) -> dict[str, Interaction]:
    """The earliest commitment to cosponsor per member for a campaign, fulfilled or not (for the Targets page)."""
    ids = list(member_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Interaction)
        .where(
            Interaction.campaign_id == campaign_id,
            Interaction.outcome == WILL_COSPONSOR,
            Interaction.member_id.in_(ids),
        )
        .order_by(Interaction.fulfilled_at.is_(None), Interaction.occurred_on)
    ).all()
    result: dict[str, Interaction] = {}
    for row in rows:
        if row.member_id is None:  # not a member's office (the query asks for members; typed as optional)
            continue
        # an open commitment wins over a fulfilled one (it is what staff must act on)
        if row.fulfilled_at is None or row.member_id not in result:
            result[row.member_id] = row
    return result


def follow_ups_due(today: date, *, days_ahead: int = 0) -> list[Interaction]:
    """Interactions whose follow-up date has come (or comes within `days_ahead`) and is not done, oldest first."""
    return list(
        db.session.scalars(
            select(Interaction)
            .where(
                Interaction.follow_up_on.is_not(None),
                Interaction.follow_up_on <= today + timedelta(days=days_ahead),
                Interaction.follow_up_done_at.is_(None),
            )
            .options(selectinload(Interaction.member), selectinload(Interaction.committee))
            .order_by(Interaction.follow_up_on, Interaction.id)
            .limit(100)
        )
    )


@dataclass(frozen=True)
class ContactChoice:
    """The contact picked for a letter, and whether it came from the fallback role."""

    contact: OfficeContact
    fallback: bool


def pick_contact(
    contacts: dict[str, list[OfficeContact]], offices: list[str], role: str, fallback_role: str | None = None
) -> ContactChoice | None:
    """The first contact with an e-mail address and the role (compared case-insensitively), looking through the
    offices in order; else the same with the fallback role; else None."""
    for wanted, is_fallback in ((role, False), (fallback_role, True)):
        if not wanted or not wanted.strip():
            continue
        wanted_key = wanted.strip().casefold()
        for office in offices:
            for contact in contacts.get(office, []):
                if contact.email and contact.role.strip().casefold() == wanted_key:
                    return ContactChoice(contact, is_fallback)
    return None


def roles_of(offices: Iterable[str]) -> list[str]:
    """The roles on file for these offices, most common first (suggestions for the send form)."""
    keys = list(dict.fromkeys(offices))
    if not keys:
        return []
    rows = db.session.execute(
        select(OfficeContact.role, func.count())
        .where(OfficeContact.office.in_(keys), OfficeContact.role != "", OfficeContact.email.is_not(None))
        .group_by(OfficeContact.role)
        .order_by(func.count().desc(), OfficeContact.role)
    ).all()
    return [role for role, _count in rows]


def export_csv(contacts: list[OfficeContact]) -> str:
    """The contacts in the import's CSV layout (a re-import changes nothing); no cell starts a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for c in contacts:
        cells = [c.member_id, c.committee_id, c.side, c.name, c.role, c.email, c.phone, c.notes, c.owner]
        writer.writerow(safe_row(cells))
    return out.getvalue()


def member_office(bioguide_id: str) -> str:
    return office_key(bioguide_id, None)


def committee_office(thomas_id: str) -> str:
    return office_key(None, thomas_id)
