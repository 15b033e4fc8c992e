"""The bill page's cosponsor chart: cosponsors over time by party, and where the committees' members stand.

Server-side SVG data (no JavaScript): `cosponsor_chart(bill)` reads the bill's cosponsorships (already loaded
on the bill page) and the members of its committees of referral, and returns plain numbers and path data for
templates/bills/_cosponsor_chart.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from advocacy.bills.stage import ENACTED, ENDED, FAILED, VETOED
from advocacy.extensions import db
from advocacy.models import Bill, Committee, CommitteeMembership, Member

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 12, 28
PARTY_COLOURS = {"D": "#1f5fa8", "R": "#b23a3a", "I": "#5f6b7a"}
PARTY_NAMES = {"D": "Democrats", "R": "Republicans", "I": "Independents"}
# Stages after which no cosponsor can join: the chart stops at the bill's last action instead of today.
_OVER = ENACTED | {VETOED, FAILED, ENDED}


@dataclass
class PartyLine:
    party: str
    name: str
    colour: str
    path: str
    final: int


@dataclass
class CommitteeStanding:
    """Members of one committee of referral: cosponsoring or not, by party."""

    name: str
    # (party, party name, colour, cosponsoring, not cosponsoring)
    rows: list[tuple[str, str, str, int, int]] = field(default_factory=list)


@dataclass
class CosponsorChart:
    start: date
    end: date
    peak: int
    total: int
    lines: list[PartyLine]
    y_ticks: list[tuple[float, int]]
    committees: list[CommitteeStanding]
    width: int = WIDTH
    height: int = HEIGHT


def _party(member: Member | None) -> str:
    initial = (getattr(member, "party_initial", None) or "I")[:1].upper()
    return initial if initial in PARTY_COLOURS else "I"


def _counts_over_time(events: list[tuple[date, str, int]]) -> dict[str, list[tuple[date, int]]]:
    """Per party, the running number of active cosponsors after each change (date order)."""
    running: dict[str, int] = {}
    series: dict[str, list[tuple[date, int]]] = {}
    for day, party, change in sorted(events):
        running[party] = running.get(party, 0) + change
        series.setdefault(party, []).append((day, running[party]))
    return series


def _cosponsor_events(bill: Bill) -> list[tuple[date, str, int]]:
    """(day, party, +1 joined / -1 withdrew) for every dated cosponsorship."""
    events: list[tuple[date, str, int]] = []
    for c in bill.cosponsorships:
        if c.sponsorship_date is None:
            continue
        party = _party(c.member)
        events.append((c.sponsorship_date, party, 1))
        if c.withdrawn_date is not None:
            events.append((c.withdrawn_date, party, -1))
    return events


def _time_span(bill: Bill, events: list[tuple[date, str, int]], today: date | None) -> tuple[date, date]:
    """The chart's first and last day (at least one day apart)."""
    start = min([bill.introduced_date or events[0][0], *(e[0] for e in events)])
    last_event = max(e[0] for e in events)
    # A bill still alive is drawn up to today; one that ended (law, veto, end of its Congress) up to its last action.
    alive = bill.stage not in _OVER
    end = max(last_event, bill.latest_action_date or last_event, (today or date.today()) if alive else last_event)
    if end <= start:
        end = date.fromordinal(start.toordinal() + 1)
    return start, end


def cosponsor_chart(bill: Bill, today: date | None = None) -> CosponsorChart | None:
    """The chart's data, or None when the bill has no dated cosponsor."""
    events = _cosponsor_events(bill)
    if not events:
        return None
    start, end = _time_span(bill, events, today)
    series = _counts_over_time(events)
    peak = max(max(n for _d, n in points) for points in series.values()) or 1
    span = (end - start).days or 1

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span, 1)

    def y(count: int) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * count / peak, 1)

    lines = []
    for party in sorted(series, key=lambda p: "DRI".index(p)):
        points = series[party]
        path = f"M{x(start)},{y(0)}"
        for day, count in points:
            path += f" H{x(day)} V{y(count)}"
        path += f" H{x(end)}"
        lines.append(PartyLine(party, PARTY_NAMES[party], PARTY_COLOURS[party], path, points[-1][1]))
    step = max(1, -(-peak // 4))
    ticks = [(y(n), n) for n in range(0, peak + 1, step)]
    return CosponsorChart(start, end, peak, sum(line.final for line in lines), lines, ticks, committee_standing(bill))


def committee_standing(bill: Bill) -> list[CommitteeStanding]:
    """For each committee of referral with members on file: how many of each party cosponsor."""
    codes = {c.committee_code for c in bill.committees}
    if not codes:
        return []
    cosponsors = {c.member_id for c in bill.cosponsorships if c.withdrawn_date is None}
    rows = db.session.execute(
        select(Committee.name, Member)
        .join(CommitteeMembership, CommitteeMembership.committee_id == Committee.thomas_id)
        .join(Member, Member.bioguide_id == CommitteeMembership.member_id)
        .where(Committee.system_code.in_(codes), Committee.parent_id.is_(None))
        .order_by(Committee.name)
    ).all()
    standings: dict[str, dict[str, list[int]]] = {}
    for name, member in rows:
        party = _party(member)
        counts = standings.setdefault(name, {}).setdefault(party, [0, 0])
        counts[0 if member.bioguide_id in cosponsors else 1] += 1
    return [
        CommitteeStanding(
            name,
            [
                (p, PARTY_NAMES[p], PARTY_COLOURS[p], n[0], n[1])
                for p, n in sorted(parties.items(), key=lambda i: "DRI".index(i[0]))
            ],
        )
        for name, parties in standings.items()
    ]
