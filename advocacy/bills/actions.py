"""Which rows of a bill's action list are the same action: the one home of that rule.

Congress.gov lists each action as its source systems reported it: the House floor (code 2), House committees
(1), the Senate (0, or no code) and the Library of Congress (9). The Library's feed carries two reporting
systems: its own numeric action codes ("1000" introduced, "36000" became law) and copies of chamber records
under the chamber's codes ("Intro-H", "E30000" signed by the President). So "Signed by President." can come as
House floor E30000, Library copy E30000 *and* Library 36000 with the type BecameLaw. The rule:

- Rows with the same date and text from **different reporting systems** are one action reported again; the
  copies are merged and every copy's source, code and type is kept (`reported_as`), because a copy's type can
  be the only sign of enactment.
- Rows from **the same reporting system** are separate actions, even with the same date and text: five
  "Motion to reconsider laid on the table" of one day (different times), or one referral row per committee.
  Only a row identical in every field (time, code, type, committees) is the record repeating itself.
- When several systems report a (date, text), the chamber's rows are the actions (the system with the most
  rows; the Library's own codes only when nothing else reported it) and the other copies attach to them,
  matched by action code when it matches.

Each merged action has a stable key: date, normalised text and its occurrence among that day's actions with
that text, ordered by time, code and committees, so that re-syncs match the stored rows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from advocacy.congress.types import ActionData

LIBRARY_OF_CONGRESS = "9"
LIBRARY_COPY = "9:chamber-code"
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Action text compared across source systems: whitespace- and case-folded, without a final period."""
    return _SPACE.sub(" ", text).strip().rstrip(".").lower()


def action_key(action_date: date, text: str, occurrence: int = 0) -> str:
    """Stable identity of the `occurrence`-th action with this date and text (0 keeps the historic key)."""
    base = f"{action_date.isoformat()}|{normalise_text(text)}"
    if occurrence:
        base += f"|{occurrence}"
    return hashlib.sha256(base.encode()).hexdigest()


@dataclass(frozen=True)
class MergedAction:
    """One real action: its primary copy (from the chamber that reported it) and every copy in the record."""

    primary: ActionData
    copies: tuple[ActionData, ...]
    occurrence: int

    @property
    def key(self) -> str:
        return action_key(self.primary.action_date, self.primary.text, self.occurrence)

    @property
    def types(self) -> list[str]:
        """Every distinct type the copies carry, the primary's first."""
        seen: list[str] = []
        for copy in self.copies:
            if copy.type and copy.type not in seen:
                seen.append(copy.type)
        return seen

    @property
    def committee(self):
        """The committee named on the action (the primary's, else any copy's)."""
        for copy in (self.primary, *self.copies):
            if copy.committees:
                return copy.committees[0]
        return None

    @property
    def reported_as(self) -> list[dict]:
        """Every copy as stored: source system name, action code and type."""
        return [{"source": c.source_system, "code": c.action_code, "type": c.type} for c in self.copies]


def _source(action: ActionData) -> str:
    """The reporting system of a row. The Library of Congress feed carries two: its own numeric codes
    ("1000", "36000") and copies of chamber records under the chamber's codes ("Intro-H", "E30000")."""
    source = str(action.source_system_code) if action.source_system_code is not None else action.source_system or ""
    if source == LIBRARY_OF_CONGRESS and action.action_code and not action.action_code.isdigit():
        return LIBRARY_COPY
    return source


def _fingerprint(action: ActionData) -> tuple:
    return (
        _source(action),
        action.action_time or "",
        action.action_code or "",
        action.type or "",
        tuple((c.system_code or "", c.name) for c in action.committees),
    )


def _order(action: ActionData) -> tuple:
    return (
        action.action_time or "",
        action.action_code or "",
        tuple((c.system_code or "", c.name) for c in action.committees),
    )


def _by_source(rows: list[ActionData]) -> dict[str, list[ActionData]]:
    """The rows of one (date, text) per source system, the very same row twice kept once."""
    by_source: dict[str, list[ActionData]] = {}
    seen: set[tuple] = set()
    for row in rows:
        fingerprint = _fingerprint(row)
        if fingerprint in seen:
            continue  # the very same row twice: the record repeating itself
        seen.add(fingerprint)
        by_source.setdefault(_source(row), []).append(row)
    return by_source


def _attach_copies(primaries: list[ActionData], items: list[ActionData], copies: list[list[ActionData]]) -> None:
    """Give each row of another source to one primary: a free one with the same action code, else the first free."""
    taken: set[int] = set()
    for row in sorted(items, key=_order):
        free = [i for i in range(len(primaries)) if i not in taken]
        candidates = free or list(range(len(primaries)))
        same_code = [i for i in candidates if row.action_code and primaries[i].action_code == row.action_code]
        index = (same_code or candidates)[0]
        taken.add(index)
        copies[index].append(row)


def _merge_group(rows: list[ActionData]) -> list[MergedAction]:
    """The actions among the rows of one (date, text): the chamber source with most rows gives the primaries."""
    by_source = _by_source(rows)
    chambers = {source: items for source, items in by_source.items() if source != LIBRARY_OF_CONGRESS}
    pool = chambers or by_source
    primary_source = max(pool, key=lambda source: len(pool[source]))  # first seen wins a tie
    primaries = sorted(by_source[primary_source], key=_order)
    copies: list[list[ActionData]] = [[row] for row in primaries]
    for source, items in by_source.items():
        if source != primary_source:
            _attach_copies(primaries, items, copies)
    return [
        MergedAction(primary=primary, copies=tuple(group), occurrence=occurrence)
        for occurrence, (primary, group) in enumerate(zip(primaries, copies, strict=True))
    ]


def merge_actions(actions: Iterable[ActionData]) -> list[MergedAction]:
    """The record's real actions (see the module docstring), oldest first.

    `actions` are in the record's order (newest first, as Congress.gov lists them)."""
    groups: dict[tuple[date, str], list[ActionData]] = {}
    position: dict[int, int] = {}  # id(row) -> index in the record (Congress.gov lists newest first)
    for index, action in enumerate(actions):
        position.setdefault(id(action), index)
        groups.setdefault((action.action_date, normalise_text(action.text)), []).append(action)

    merged: list[MergedAction] = []
    for rows in groups.values():
        merged.extend(_merge_group(rows))
    # Oldest first: by date, then within a day in reverse record order (the record lists newest first, and
    # most rows carry no time of day).
    merged.sort(key=lambda m: (m.primary.action_date, -position[id(m.primary)]))
    return merged
