"""Derive a bill's stage from its whole action history, not from the latest action's text alone.

Stages, in order: introduced → in committee → reported → passed House / passed Senate → passed both →
to President → became law; plus vetoed, failed (floor vote or cloture), and ended (its Congress adjourned
sine die without enactment; `furthest` keeps how far it got).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

INTRODUCED = "introduced"
IN_COMMITTEE = "in_committee"
REPORTED = "reported"
PASSED_HOUSE = "passed_house"
PASSED_SENATE = "passed_senate"
PASSED_BOTH = "passed_both"
TO_PRESIDENT = "to_president"
BECAME_LAW = "became_law"
VETOED = "vetoed"
FAILED = "failed"
ENDED = "ended"

STAGE_LABELS = {
    INTRODUCED: "Introduced",
    IN_COMMITTEE: "In committee",
    REPORTED: "Reported by committee",
    PASSED_HOUSE: "Passed House",
    PASSED_SENATE: "Passed Senate",
    PASSED_BOTH: "Passed both chambers",
    TO_PRESIDENT: "To the President",
    BECAME_LAW: "Became law",
    VETOED: "Vetoed",
    FAILED: "Failed",
    ENDED: "Ended with its Congress",
}
# The steps of the stage tracker, in order (a passed-one-chamber stage sits at step 3).
TRACKER_STEPS = (INTRODUCED, IN_COMMITTEE, REPORTED, "passed_one", PASSED_BOTH, TO_PRESIDENT, BECAME_LAW)
_RANK = {
    INTRODUCED: 0,
    IN_COMMITTEE: 1,
    REPORTED: 2,
    PASSED_HOUSE: 3,
    PASSED_SENATE: 3,
    PASSED_BOTH: 4,
    TO_PRESIDENT: 5,
    BECAME_LAW: 6,
}

_REFERRED = re.compile(r"\breferred to\b|\bread twice and referred\b", re.I)
# Only an explicit report counts: calendar placement alone also happens to bills that skip committee
# (Senate Rule XIV: "Read the second time. Placed on Senate Legislative Calendar under General Orders.").
_REPORTED = re.compile(
    r"ordered to be reported|\breported (?:by|to|favorably|with|without|an original)|\bwritten report\b",
    re.I,
)
_PASSED_HOUSE = re.compile(r"passed/agreed to in house|\bpassed house\b|^on passage passed\b", re.I)
_PASSED_SENATE = re.compile(r"passed/agreed to in senate|\bpassed senate\b", re.I)
_FAILED = re.compile(
    r"failed of passage|failed/not agreed to in (?:house|senate)|\bon passage failed\b"
    r"|cloture (?:on the motion to proceed )?.*not invoked|motion to suspend the rules and pass.*\bfailed\b",
    re.I,
)
_TO_PRESIDENT = re.compile(r"presented to (?:the )?president", re.I)
_BECAME_LAW = re.compile(r"became (?:public|private) law", re.I)
_VETOED = re.compile(r"\bvetoed by (?:the )?president|pocket vetoed", re.I)


class ActionLike(Protocol):
    action_date: date
    text: str


@dataclass(frozen=True)
class StageResult:
    stage: str
    furthest: str  # the furthest step reached, also for ended/failed/vetoed bills

    @property
    def label(self) -> str:
        label = STAGE_LABELS[self.stage]
        if self.stage in (ENDED, FAILED) and self.furthest != self.stage:
            return f"{label} (furthest: {STAGE_LABELS[self.furthest].lower()})"
        return label


def congress_end(congress: int) -> date:
    """The day a Congress ends: noon, 3 January of the year after its second session (20th Amendment)."""
    return date(1789 + 2 * congress, 1, 3)


def _action_type(action: ActionLike) -> str:
    return (getattr(action, "action_type", None) or getattr(action, "type", None) or "").lower()


def derive_stage(actions: Iterable[ActionLike], congress: int, today: date | None = None) -> StageResult:
    """Walk the actions in date order and return the bill's stage; see the module docstring."""
    today = today or date.today()
    progress = INTRODUCED
    passed_house = passed_senate = False
    terminal: str | None = None  # FAILED or VETOED, cleared by a later step forward

    def advance(stage: str) -> None:
        nonlocal progress, terminal
        if _RANK[stage] > _RANK[progress]:
            terminal = None  # real progress after a failure (e.g. passed on a second vote) ends it
        if _RANK[stage] >= _RANK[progress]:
            progress = stage

    ordered = sorted(actions, key=lambda a: (a.action_date, getattr(a, "action_time", None) or ""))
    for action in ordered:
        text = action.text or ""
        kind = _action_type(action)
        if kind == "becamelaw" or _BECAME_LAW.search(text):
            advance(BECAME_LAW)
        elif kind == "veto" or _VETOED.search(text):
            terminal = VETOED
        elif _TO_PRESIDENT.search(text):
            advance(TO_PRESIDENT)
        elif _FAILED.search(text):
            if terminal != VETOED:  # a failed override leaves the bill vetoed
                terminal = FAILED
        elif _PASSED_HOUSE.search(text):
            passed_house = True
            advance(PASSED_BOTH if passed_senate else PASSED_HOUSE)
        elif _PASSED_SENATE.search(text):
            passed_senate = True
            advance(PASSED_BOTH if passed_house else PASSED_SENATE)
        elif _REPORTED.search(text):
            advance(REPORTED)
        elif _REFERRED.search(text):
            advance(IN_COMMITTEE)

    if terminal == VETOED:
        return StageResult(VETOED, progress)
    if progress != BECAME_LAW and today >= congress_end(congress):
        return StageResult(ENDED, progress)
    if terminal == FAILED:
        return StageResult(FAILED, progress)
    return StageResult(progress, progress)


def tracker_position(result: StageResult) -> int:
    """Index in TRACKER_STEPS reached by the bill (for the stage tracker)."""
    return _RANK.get(result.furthest, 0)
