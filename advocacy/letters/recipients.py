"""Who a batch of letters goes to: a selector ("committee:HSFA", "state:CA", "member:L000582", ...) turned into
the current members each letter is addressed to.

Each selector kind has one small resolver in `RESOLVERS` (kind -> function); `resolve_recipients` parses the
selector, calls the resolver and shapes the letters (one per member, or one joint letter). The committee seats
(`committee_seats`) are the same rows the Targets page ranks, so a committee letter and the Targets page can
never disagree about who sits on a committee.

Former members are never written to: a `member:` selector naming one is refused (`FormerMember`); committee
and state selectors leave them out and say so in the notes, with the seats that have no current member.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from advocacy.extensions import db
from advocacy.letters.addressing import CHAIR_TITLES, member_data
from advocacy.letters.errors import FormerMember, InvalidSelector
from advocacy.letters.queries import verified_cities
from advocacy.letters.standing import bill_chamber, committee_title_name
from advocacy.models import Bill, Campaign, Committee, CommitteeMembership, Cosponsorship, Member
from advocacy.representation import cities_represented, states_touched

SELECTOR_HELP = (
    "committee:HSFA (or a subcommittee such as HSFA16), leaders:HSFA (chair and ranking member, one joint letter), "
    "state:CA, member:L000582 (or several: member:L000582,M001137), endorsers, cosponsors, noncosponsors, all"
)
# Territories and DC elect no senators: no Senate seat of theirs is ever vacant.
NO_SENATORS = ("DC", "PR", "GU", "VI", "AS", "MP")


@dataclass
class Recipients:
    """The addressees of a batch: one list of members per letter; `joint` forces one letter to all.

    `committee`: a joint letter to a whole committee (its name in title form, chamber, office address);
    `committee_letter`: the letter goes to a committee of referral of the bill (or its leaders), which picks the
    committee ask; `notes`: what the batch summary reports (vacant seats).
    """

    letters: list[list[dict]]
    description: str
    committee: dict | None = None
    committee_letter: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class Selection:
    """What one resolver found: the members (in letter order) and what the batch summary says about them.

    `titles`: bioguide id -> (committee title, committee name) for the address block; `committee`: the
    committee a committee or leaders selector named; `whole_committee`: a joint letter is addressed to the
    committee itself; `joint`: the selector always makes one joint letter (leaders).
    """

    members: list[Member]
    description: str
    titles: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    committee: Committee | None = None
    whole_committee: bool = False
    joint: bool = False


Resolver = Callable[[str, Campaign, bool], Selection]


# --- shared reads ----------------------------------------------------------------------------------------------


def order_members(members: Iterable[Member]) -> list[Member]:
    """Letter order: by state, senators before representatives, by district, by last name."""
    return sorted(members, key=lambda m: (m.state or "", m.chamber != "senate", m.district or 0, m.last_name))


def current_members(query: Select[Any]) -> list[Member]:
    """The members of `query` who are current members of Congress."""
    return list(db.session.scalars(query.where(Member.is_current.is_(True))))


def committee_seats(committee_ids: Sequence[str]) -> list[CommitteeMembership]:
    """Every seat on these committees (former members included, so that callers can report them), with the member
    and the committee loaded, by party side and rank. The one read of committee rosters for letters and Targets."""
    return list(
        db.session.scalars(
            select(CommitteeMembership)
            .join(Member)
            .where(CommitteeMembership.committee_id.in_(committee_ids))
            .options(selectinload(CommitteeMembership.member), selectinload(CommitteeMembership.committee))
            .order_by(CommitteeMembership.party_side, CommitteeMembership.rank)
        )
    )


def current_seats(committee_ids: Sequence[str]) -> list[CommitteeMembership]:
    """The seats on these committees held by current members of Congress."""
    return [seat for seat in committee_seats(committee_ids) if seat.member.is_current]


def is_referral(committee: Committee, campaign: Campaign) -> bool:
    """Whether the committee (or its parent, for a subcommittee) is a committee of referral of the current bill."""
    bill = campaign.current_bill
    if bill is None:
        return False
    codes = {c.committee_code for c in bill.committees}
    return committee.system_code in codes or (committee.parent is not None and committee.parent.system_code in codes)


# --- vacant seats ----------------------------------------------------------------------------------------------


def _seat_name(state: str, district: int) -> str:
    return f"{state}-{'AL' if district == 0 else district}"


def _expected_districts(members: list[Member]) -> set[int]:
    """A state's House districts: up to its highest current district (0 for an at-large seat); with no current
    representative at all, the districts its former members held."""
    current = {m.district for m in members if m.is_current and m.chamber == "house" and m.district is not None}
    if current and 0 not in current:
        return set(range(1, max(current) + 1))
    if current:
        return {0}
    return {m.district for m in members if m.chamber == "house" and m.district is not None}


def _state_vacancies(state: str, members: list[Member]) -> list[str]:
    held = {m.district for m in members if m.is_current and m.chamber == "house"}
    vacant = []
    for district in sorted(_expected_districts(members) - held):
        former = [m.display_name for m in members if m.district == district and not m.is_current]
        vacant.append(
            f"{_seat_name(state, district)} (House) is vacant" + (f": formerly {', '.join(former)}" if former else "")
        )
    senators = sum(1 for m in members if m.is_current and m.chamber == "senate")
    if state not in NO_SENATORS and senators < 2:
        vacant.append(f"{state}: {2 - senators} Senate seat(s) vacant")
    return vacant


def vacant_seats(states: set[str]) -> list[str]:
    """Seats of these states with no current member, from the imported roster: House districts up to the state's
    highest current district that no current member holds, and Senate seats short of two.

    A state with demo members only is skipped: without the imported roster there is nothing to count seats by.
    """
    if not states:
        return []
    members = db.session.scalars(select(Member).where(Member.state.in_(states))).all()
    vacant = []
    for state in sorted(states):
        here = [m for m in members if m.state == state]
        if any(m.source != "demo" for m in here if m.is_current):
            vacant += _state_vacancies(state, here)
    return vacant


# --- one resolver per selector kind ----------------------------------------------------------------------------


def _committee(arg: str) -> Committee:
    committee = db.session.get(Committee, arg.upper())
    if committee is None:
        raise InvalidSelector(f"No committee “{arg}” (use its thomas id, e.g. HSFA, SSFR or HSFA16).")
    return committee


def _committee_selection(committee: Committee, seats: list[CommitteeMembership], all_seats: list[CommitteeMembership],
                         description: str) -> Selection:  # fmt: skip
    title_name = committee_title_name(committee)
    notes = [
        f"{s.member.display_name} ({s.member.seat}) is listed on {committee.name} but is no longer a member of "
        "Congress: left out"
        for s in all_seats
        if not s.member.is_current
    ]
    return Selection(
        members=[s.member for s in seats],
        description=description,
        titles={s.member_id: (s.title, title_name) for s in seats},
        notes=notes,
        committee=committee,
    )


def resolve_committee(arg: str, campaign: Campaign, include_samples: bool) -> Selection:
    """committee:HSFA — every current member of the committee (or subcommittee); joint: one letter to it."""
    committee = _committee(arg)
    all_seats = committee_seats([committee.thomas_id])
    current = [s for s in all_seats if s.member.is_current]
    selection = _committee_selection(committee, current, all_seats, committee.name)
    selection.whole_committee = True
    return selection


def resolve_leaders(arg: str, campaign: Campaign, include_samples: bool) -> Selection:
    """leaders:HSFA — the chair and the ranking member, always one joint letter."""
    committee = _committee(arg)
    all_seats = committee_seats([committee.thomas_id])
    current = [s for s in all_seats if s.member.is_current]
    chair = [s for s in current if s.title in CHAIR_TITLES]
    ranking = [s for s in current if s.title == "Ranking Member"]
    leaders = chair[:1] + ranking[:1]
    if len(leaders) < 2:
        raise InvalidSelector(f"{committee.name}: no chair and ranking member on file.")
    selection = _committee_selection(committee, leaders, all_seats, f"leaders of {committee.name}")
    selection.joint = True
    return selection


def resolve_state(arg: str, campaign: Campaign, include_samples: bool) -> Selection:
    """state:CA — the state's delegation, with its vacant seats in the notes."""
    state = arg.upper()
    return Selection(
        members=order_members(current_members(select(Member).where(Member.state == state))),
        description=f"delegation of {state}",
        notes=vacant_seats({state}),
    )


def resolve_member(arg: str, campaign: Campaign, include_samples: bool) -> Selection:
    """member:L000582,M001137 — hand-picked members, in the order given; a former member is refused."""
    ids = [part.strip().upper() for part in re.split(r"[,\s]+", arg) if part.strip()]
    found = {m.bioguide_id: m for m in db.session.scalars(select(Member).where(Member.bioguide_id.in_(ids)))}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise InvalidSelector(f"Unknown bioguide id(s): {', '.join(unknown)}.")
    former = [found[i] for i in ids if not found[i].is_current]
    if former:
        names = ", ".join(f"{m.display_name} ({m.bioguide_id})" for m in former)
        raise FormerMember(f"No longer a member of Congress: {names}. Letters go to current members only.")
    return Selection(members=[found[i] for i in dict.fromkeys(ids)], description="hand-picked members")


def resolve_endorsers(arg: str, campaign: Campaign, include_samples: bool) -> Selection:
    """endorsers — the members who represent a verified endorsing city; districts with endorsing cities but no
    current member are reported."""
    cities = verified_cities(campaign, include_samples=include_samples)
    candidates = current_members(select(Member).where(Member.state.in_(states_touched(cities))))
    members = order_members(m for m in candidates if cities_represented(m, cities))
    wanted = {(d.state, d.district) for c in cities for d in c.districts}
    held = {(m.state, m.district) for m in members if m.chamber == "house"}
    notes = [
        f"{_seat_name(state, district)} (House) has endorsing cities but no current member"
        for state, district in sorted(wanted - held)
    ]
    return Selection(members=members, description="members representing endorsing cities", notes=notes)


def _current_bill(campaign: Campaign) -> Bill:
    bill = campaign.current_bill
    if bill is None:
        raise InvalidSelector("The campaign has no bill.")
    return bill


def _active_cosponsor_ids(bill: Bill) -> set[str]:
    return set(
        db.session.scalars(
            select(Cosponsorship.member_id).where(
                Cosponsorship.bill_id == bill.id, Cosponsorship.withdrawn_date.is_(None)
            )
        )
    )


def resolve_cosponsors(arg: str, campaign: Campaign, include_samples: bool) -> Selection:
    """cosponsors — the current bill's cosponsors (not those who withdrew)."""
    bill = _current_bill(campaign)
    ids = _active_cosponsor_ids(bill)
    return Selection(
        members=order_members(current_members(select(Member).where(Member.bioguide_id.in_(ids)))),
        description=f"cosponsors of {bill.display}",
    )


def resolve_noncosponsors(arg: str, campaign: Campaign, include_samples: bool) -> Selection:
    """noncosponsors — the members of the bill's chamber who neither sponsor nor cosponsor it."""
    bill = _current_bill(campaign)
    chamber = bill_chamber(bill.bill_type)
    excluded = _active_cosponsor_ids(bill) | {bill.sponsor_id}
    members = current_members(select(Member).where(Member.chamber == chamber))
    return Selection(
        members=order_members(m for m in members if m.bioguide_id not in excluded),
        description=f"{chamber.title()} members not cosponsoring {bill.display}",
    )


def resolve_all(arg: str, campaign: Campaign, include_samples: bool) -> Selection:
    """all — every current member of Congress."""
    return Selection(members=order_members(current_members(select(Member))), description="all current members")


RESOLVERS: dict[str, Resolver] = {
    "committee": resolve_committee,
    "leaders": resolve_leaders,
    "state": resolve_state,
    "member": resolve_member,
    "endorsers": resolve_endorsers,
    "cosponsors": resolve_cosponsors,
    "noncosponsors": resolve_noncosponsors,
    "all": resolve_all,
}


# --- the selector ----------------------------------------------------------------------------------------------


def parse_selector(selector: str) -> tuple[str, str]:
    """ "Committee: hsfa " -> ("committee", "hsfa")."""
    kind, _, arg = selector.strip().partition(":")
    return kind.strip().lower(), arg.strip()


def _committee_address(committee: Committee) -> dict[str, Any]:
    return {
        "thomas_id": committee.thomas_id,
        "name": committee_title_name(committee),
        "chamber": committee.chamber,
        "address": committee.address or (committee.parent.address if committee.parent else None),
        "is_sub": committee.parent is not None,
    }


def resolve_recipients(
    selector: str, campaign: Campaign, *, joint: bool = False, include_samples: bool = False
) -> Recipients:
    """Turn a selector (see SELECTOR_HELP) into the current members each letter goes to.

    Former members are never written to: naming one is refused; committee and state selectors report the seats
    with no current member. `joint` with a committee selector makes one letter to the whole committee.
    """
    kind, arg = parse_selector(selector)
    resolver = RESOLVERS.get(kind)
    if resolver is None:
        raise InvalidSelector(f"Unknown recipients “{selector}”. Use one of: {SELECTOR_HELP}.")
    picked = resolver(arg, campaign, include_samples)
    if not picked.members:
        raise InvalidSelector(f"No current members match “{selector}”.")
    joint = joint or picked.joint
    data = [member_data(m, *picked.titles.get(m.bioguide_id, (None, None))) for m in picked.members]
    committee = picked.committee
    return Recipients(
        letters=[data] if joint else [[d] for d in data],
        description=picked.description,
        committee=_committee_address(committee) if committee and picked.whole_committee and joint else None,
        committee_letter=joint and committee is not None and is_referral(committee, campaign),
        notes=picked.notes,
    )
