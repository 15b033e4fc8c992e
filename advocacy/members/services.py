"""Importing the @unitedstates roster and committees (the writes; the reads are in `members.queries`)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import select

from advocacy.cities.states import STATES
from advocacy.events import record_event
from advocacy.extensions import db
from advocacy.imports.sources import (
    ImportDataError,
    ImportReport,
    Progress,
    parse_yaml,
    progress_or_default,
    read_source,
    where,
)
from advocacy.models import Committee, CommitteeMembership, Member
from advocacy.models.members import HOUSE, JOINT, SENATE

logger = logging.getLogger(__name__)

LEGISLATORS_URL = "https://unitedstates.github.io/congress-legislators/legislators-current.yaml"
COMMITTEES_URL = "https://unitedstates.github.io/congress-legislators/committees-current.yaml"
MEMBERSHIP_URL = "https://unitedstates.github.io/congress-legislators/committee-membership-current.yaml"
ROSTER_SOURCE = "unitedstates"
MEMBERS_IMPORTED = "import.members"
COMMITTEES_IMPORTED = "import.committees"

# Roster fields compared and copied on import (the Member attributes).
MEMBER_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "nickname",
    "official_full_name",
    "chamber",
    "state",
    "district",
    "party",
    "office",
    "address",
    "phone",
    "website",
    "contact_form",
    "term_start",
    "term_end",
    "is_current",
    "source",
)


def system_code_for(thomas_id: str) -> str:
    """Congress.gov system code of a thomas id: HSFA -> hsfa00, HSFA16 -> hsfa16."""
    code = thomas_id.lower()
    return code if len(code) > 4 else f"{code}00"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any, context: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ImportDataError(f"{context}: bad date {value!r}") from exc


def _roster_entry(person: Any, name: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A roster entry's bioguide id, name mapping and last (current) term, checked."""
    context = where(name, person)
    if not isinstance(person, dict):
        raise ImportDataError(f"{context}: expected a legislator entry (a mapping)")
    ids, names, terms = person.get("id") or {}, person.get("name") or {}, person.get("terms") or []
    bioguide = _text(ids.get("bioguide")) if isinstance(ids, dict) else None
    if not bioguide or len(bioguide) > 10:
        raise ImportDataError(f"{context}: missing or bad id.bioguide")
    if not isinstance(terms, list) or not terms or not isinstance(terms[-1], dict):
        raise ImportDataError(f"{context} ({bioguide}): no terms")
    if not isinstance(names, dict):
        names = {}
    return bioguide, names, terms[-1]


def _seat(term: dict[str, Any], context: str) -> tuple[str, str, int | None]:
    """The term's chamber, state and district (None for a senator), checked."""
    kind = term.get("type")
    if kind not in ("rep", "sen"):
        raise ImportDataError(f"{context}: term type {kind!r} is neither rep nor sen")
    state = _text(term.get("state"))
    if state is None or state not in STATES:
        raise ImportDataError(f"{context}: bad state code {state!r}")
    if kind == "sen":
        return SENATE, state, None
    district = term.get("district")
    if not isinstance(district, int) or district < 0:
        raise ImportDataError(f"{context}: bad district {district!r}")
    return HOUSE, state, district


def _member_values(person: Any, name: str) -> dict[str, Any]:
    """The Member fields of one roster entry (its last term is the current one)."""
    bioguide, names, term = _roster_entry(person, name)
    context = where(name, term) + f" ({bioguide})"
    chamber, state, district = _seat(term, context)
    if not _text(names.get("last")):
        raise ImportDataError(f"{context}: missing name.last")
    return {
        "bioguide_id": bioguide,
        "first_name": _text(names.get("first")) or "",
        "middle_name": _text(names.get("middle")),
        "last_name": _text(names.get("last")),
        "suffix": _text(names.get("suffix")),
        "nickname": _text(names.get("nickname")),
        "official_full_name": _text(names.get("official_full")),
        "chamber": chamber,
        "state": state,
        "district": district,
        "party": _text(term.get("party")),
        "office": _text(term.get("office")),
        "address": _text(term.get("address")),
        "phone": _text(term.get("phone")),
        "website": _text(term.get("url")),
        "contact_form": _text(term.get("contact_form")),
        "term_start": _date(term.get("start"), context),
        "term_end": _date(term.get("end"), context),
        "is_current": True,
        "source": ROSTER_SOURCE,
    }


def _apply(obj: Any, values: dict[str, Any], fields: tuple[str, ...]) -> bool:
    """Set the fields that differ; True if anything changed (so an identical import writes nothing)."""
    changed = False
    for key in fields:
        if getattr(obj, key) != values[key]:
            setattr(obj, key, values[key])
            changed = True
    return changed


def _upsert_members(
    people: list[Any], name: str, existing: dict[str, Member], report: ImportReport, say: Progress
) -> set[str]:
    """Add the roster's new members and update the changed ones; the bioguide ids the roster lists."""
    seen: set[str] = set()
    new: list[Member] = []
    for index, person in enumerate(people, start=1):
        values = _member_values(person, name)
        bioguide = values["bioguide_id"]
        if bioguide in seen:
            raise ImportDataError(f"{where(name, person)}: {bioguide} appears twice")
        seen.add(bioguide)
        member = existing.get(bioguide)
        if member is None:
            new.append(Member(**values))
            report.add("added")
        elif _apply(member, values, MEMBER_FIELDS):
            report.add("updated")
        else:
            report.add("unchanged")
        if index % 5000 == 0:
            say(f"{name}: {index} members read")
    db.session.add_all(new)
    return seen


def import_members(location: str, *, progress: Progress | None = None, actor: str = "cli") -> ImportReport:
    """Import legislators-current.yaml: add new members, update changed ones, mark absent ones not current.

    Members are never deleted (bills and letters keep pointing at them). The caller's unit of work commits.
    """
    say = progress_or_default(progress)
    text, name = read_source(location)
    people = parse_yaml(text, name)
    if not isinstance(people, list):
        raise ImportDataError(f"{name}: expected a list of legislators (the legislators-current.yaml format)")
    report = ImportReport("members")
    existing = {m.bioguide_id: m for m in db.session.scalars(select(Member))}
    seen = _upsert_members(people, name, existing, report, say)
    report.read = len(people)
    gone = [m for bioguide, m in existing.items() if bioguide not in seen and m.is_current]
    for member in gone:
        member.is_current = False
    report.add("marked not current", len(gone))
    if report.changed:
        record_event(MEMBERS_IMPORTED, report.summary(), actor=actor)
    db.session.flush()
    missing_office = sum(1 for person in people if not (person.get("terms") or [{}])[-1].get("office"))
    if missing_office:
        report.notes.append(f"{missing_office} member(s) without a DC office on file (imported anyway)")
    logger.info("members import from %s by %s: %s", location, actor, report.summary())
    return report


def _committee_rows(committees: Any, name: str) -> list[dict[str, Any]]:
    """Flatten committees-current.yaml into committee and subcommittee rows (parents first)."""
    if not isinstance(committees, list):
        raise ImportDataError(f"{name}: expected a list of committees (the committees-current.yaml format)")
    parents: list[dict[str, Any]] = []
    subs: list[dict[str, Any]] = []
    for entry in committees:
        context = where(name, entry)
        if not isinstance(entry, dict):
            raise ImportDataError(f"{context}: expected a committee entry (a mapping)")
        thomas_id = _text(entry.get("thomas_id"))
        chamber = entry.get("type")
        if not thomas_id or len(thomas_id) > 6:
            raise ImportDataError(f"{context}: missing or bad thomas_id")
        if chamber not in (HOUSE, SENATE, JOINT):
            raise ImportDataError(f"{context} ({thomas_id}): type {chamber!r} is not house, senate or joint")
        if not _text(entry.get("name")):
            raise ImportDataError(f"{context} ({thomas_id}): missing name")
        parents.append(
            {
                "thomas_id": thomas_id,
                "system_code": system_code_for(thomas_id),
                "chamber": chamber,
                "name": _text(entry.get("name")),
                "parent_id": None,
                "url": _text(entry.get("url")),
                "address": _text(entry.get("address")),
            }
        )
        for sub in entry.get("subcommittees") or []:
            sub_context = where(name, sub)
            sub_id = _text(sub.get("thomas_id")) if isinstance(sub, dict) else None
            if not sub_id or not sub_id.isalnum() or len(sub_id) > 4:
                raise ImportDataError(f"{sub_context}: subcommittee of {thomas_id} without a valid thomas_id")
            if not _text(sub.get("name")):
                raise ImportDataError(f"{sub_context}: subcommittee {thomas_id}{sub_id} without a name")
            subs.append(
                {
                    "thomas_id": thomas_id + sub_id,
                    "system_code": system_code_for(thomas_id + sub_id),
                    "chamber": chamber,
                    "name": _text(sub.get("name")),
                    "parent_id": thomas_id,
                    "url": _text(sub.get("url")),
                    "address": _text(sub.get("address")),
                }
            )
    return parents + subs


COMMITTEE_FIELDS = ("system_code", "chamber", "name", "parent_id", "url", "address")
MEMBERSHIP_FIELDS = ("party_side", "rank", "title")


def import_committees(
    committees_location: str,
    membership_location: str,
    *,
    progress: Progress | None = None,
    actor: str = "cli",
) -> ImportReport:
    """Import committees-current.yaml and committee-membership-current.yaml.

    Committees and subcommittees are added or updated (never deleted: bills refer to their codes); the
    membership of every committee becomes exactly the file's. Members must be imported first. The caller's unit
    of work commits.
    """
    say = progress_or_default(progress)
    committees_text, committees_name = read_source(committees_location)
    membership_text, membership_name = read_source(membership_location)
    rows = _committee_rows(parse_yaml(committees_text, committees_name), committees_name)
    seats = parse_yaml(membership_text, membership_name)
    if not isinstance(seats, dict):
        raise ImportDataError(
            f"{membership_name}: expected a mapping of committee ids to members (committee-membership-current.yaml)"
        )
    report = ImportReport("committees")
    report.read = len(rows)
    existing = _upsert_committees(rows, committees_name, report)
    wanted = _wanted_seats(seats, set(existing), membership_name, committees_name, say)
    _sync_seats(wanted, report)
    if report.changed:
        record_event(COMMITTEES_IMPORTED, report.summary(), actor=actor)
        db.session.flush()
    logger.info(
        "committees import from %s and %s by %s: %s",
        committees_location,
        membership_location,
        actor,
        report.summary(),
    )
    return report


def _upsert_committees(rows: list[dict[str, Any]], committees_name: str, report: ImportReport) -> dict[str, Committee]:
    """Add or update the file's committees (parents first, so subcommittees can refer to them); all committees
    by thomas id."""
    existing = {c.thomas_id: c for c in db.session.scalars(select(Committee))}
    file_ids = [row["thomas_id"] for row in rows]
    if len(set(file_ids)) != len(file_ids):
        duplicate = next(t for t in file_ids if file_ids.count(t) > 1)
        raise ImportDataError(f"{committees_name}: committee {duplicate} appears twice")
    # A committee dropped from the file may hold a system code that a new one takes: free it first.
    codes = {row["system_code"] for row in rows}
    for thomas_id, committee in existing.items():
        if thomas_id not in set(file_ids) and committee.system_code in codes:
            committee.system_code = None
    for level in ("parents", "subcommittees"):
        new: list[Committee] = []
        for row in rows:
            if (row["parent_id"] is None) != (level == "parents"):
                continue
            found = existing.get(row["thomas_id"])
            if found is None:
                added = Committee(**row)
                new.append(added)
                existing[row["thomas_id"]] = added
                report.add("committees added")
            elif _apply(found, row, COMMITTEE_FIELDS):
                report.add("committees updated")
        db.session.add_all(new)
        db.session.flush()
    return existing


def _seat_values(person: Any, thomas_id: str, membership_name: str, member_ids: set[str]) -> tuple[str, dict[str, Any]]:
    """One committee seat of the membership file: the member's bioguide id and the seat's columns, checked."""
    context = where(membership_name, person)
    if not isinstance(person, dict):
        raise ImportDataError(f"{context}: expected a member entry under {thomas_id}")
    bioguide = _text(person.get("bioguide"))
    if not bioguide:
        raise ImportDataError(f"{context}: {thomas_id} member without a bioguide id")
    if bioguide not in member_ids:
        raise ImportDataError(
            f"{context}: {thomas_id} member {bioguide} is not in the roster (run `members import` first)"
        )
    side = person.get("party")
    if side not in ("majority", "minority"):
        raise ImportDataError(f"{context}: party should be majority or minority, not {side!r}")
    rank = person.get("rank")
    if rank is not None and not isinstance(rank, int):
        raise ImportDataError(f"{context}: bad rank {rank!r}")
    return bioguide, {"party_side": side, "rank": rank, "title": _text(person.get("title"))}


def _wanted_seats(
    seats: dict[str, Any], committee_ids: set[str], membership_name: str, committees_name: str, say: Progress
) -> dict[tuple[str, str], dict[str, Any]]:
    """The seats the membership file gives, by (committee thomas id, bioguide id)."""
    member_ids = set(db.session.scalars(select(Member.bioguide_id)))
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for thomas_id, people in seats.items():
        if thomas_id == "__line__":
            continue
        if thomas_id not in committee_ids:
            raise ImportDataError(f"{membership_name}: unknown committee {thomas_id!r} (not in {committees_name})")
        if not isinstance(people, list):
            raise ImportDataError(f"{membership_name}: {thomas_id} should list its members")
        for person in people:
            bioguide, values = _seat_values(person, thomas_id, membership_name, member_ids)
            wanted[(thomas_id, bioguide)] = values
            if len(wanted) % 5000 == 0:
                say(f"{membership_name}: {len(wanted)} seats read")
    return wanted


def _sync_seats(wanted: dict[tuple[str, str], dict[str, Any]], report: ImportReport) -> None:
    """Make the stored committee seats exactly `wanted`: add, update and remove."""
    current = {(m.committee_id, m.member_id): m for m in db.session.scalars(select(CommitteeMembership))}
    new_seats = []
    for key, values in wanted.items():
        seat = current.get(key)
        if seat is None:
            new_seats.append(CommitteeMembership(committee_id=key[0], member_id=key[1], **values))
        elif _apply(seat, values, MEMBERSHIP_FIELDS):
            report.add("seats updated")
    report.add("seats added", len(new_seats))
    removed = [seat for key, seat in current.items() if key not in wanted]
    for seat in removed:
        db.session.delete(seat)
    report.add("seats removed", len(removed))
    db.session.add_all(new_seats)
    db.session.flush()
    report.counts["unchanged seats"] = len(wanted) - len(new_seats) - report.counts.get("seats updated", 0)
