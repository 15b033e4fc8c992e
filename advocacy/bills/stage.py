"""Derive a bill's stage from its whole action history (texts and every copy's type), not its latest action.

The model follows how bills really move, as the most careful trackers model it (GovTrack's status logic in
unitedstates/congress `bill_info.py` distinguishes about 30 statuses: passed over to the other chamber,
passed back with an amendment, conference, ping-pong failure, enacted by signature / veto override / the
ten-day rule, vetoed and override attempts, suspension and cloture failures). This module keeps the states an
advocate acts on:

    introduced → in committee → reported → passed House | passed Senate
      → resolving differences: amendment exchange | conference       (the chambers passed different texts)
      → passed both chambers (the same text) → to the President
      → became law: signed | over a veto | without signature
    and: agreed to (a simple resolution by its chamber, a concurrent resolution by both; nothing goes to the
    President), vetoed (pocket veto and failed override included), failed (a vote on passage, a suspension or
    cloture failed; later progress clears it), ended (its Congress adjourned first; `furthest` keeps how far).

A bill on the Senate calendar under Rule XIV ("Read the second time. Placed on Senate Legislative Calendar
under General Orders.") skipped committee: it is still "introduced", not "reported".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

INTRODUCED = "introduced"
IN_COMMITTEE = "in_committee"
REPORTED = "reported"
PASSED_HOUSE = "passed_house"
PASSED_SENATE = "passed_senate"
AMENDMENT_EXCHANGE = "amendment_exchange"
CONFERENCE = "conference"
PASSED_BOTH = "passed_both"
AGREED_TO = "agreed_to"
TO_PRESIDENT = "to_president"
BECAME_LAW = "became_law"  # signed by the President
LAW_OVER_VETO = "law_over_veto"
LAW_WITHOUT_SIGNATURE = "law_without_signature"
VETOED = "vetoed"
FAILED = "failed"
ENDED = "ended"

STAGE_LABELS = {
    INTRODUCED: "Introduced",
    IN_COMMITTEE: "In committee",
    REPORTED: "Reported by committee",
    PASSED_HOUSE: "Passed House",
    PASSED_SENATE: "Passed Senate",
    AMENDMENT_EXCHANGE: "Resolving differences: amendment exchange",
    CONFERENCE: "Resolving differences: conference",
    PASSED_BOTH: "Passed both chambers",
    AGREED_TO: "Agreed to",
    TO_PRESIDENT: "To the President",
    BECAME_LAW: "Became law",
    LAW_OVER_VETO: "Became law over a veto",
    LAW_WITHOUT_SIGNATURE: "Became law without signature",
    VETOED: "Vetoed",
    FAILED: "Failed",
    ENDED: "Ended with its Congress",
}
ENACTED = frozenset({BECAME_LAW, LAW_OVER_VETO, LAW_WITHOUT_SIGNATURE})
# The steps of the stage tracker, in order (a passed-one-chamber stage sits at step 3).
TRACKER_STEPS = (
    INTRODUCED,
    IN_COMMITTEE,
    REPORTED,
    "passed_one",
    "resolving",
    PASSED_BOTH,
    TO_PRESIDENT,
    BECAME_LAW,
)
# The tracker's own steps (the others show their STAGE_LABELS).
TRACKER_LABELS = {"passed_one": "Passed one chamber", "resolving": "Resolving differences"}
_RANK = {
    INTRODUCED: 0,
    IN_COMMITTEE: 1,
    REPORTED: 2,
    PASSED_HOUSE: 3,
    PASSED_SENATE: 3,
    AMENDMENT_EXCHANGE: 4,
    CONFERENCE: 4,
    PASSED_BOTH: 5,
    AGREED_TO: 5,
    TO_PRESIDENT: 6,
    BECAME_LAW: 7,
    LAW_OVER_VETO: 7,
    LAW_WITHOUT_SIGNATURE: 7,
}

_REFERRED = re.compile(r"\breferred (?:to|concurrently to)\b|\bread twice and referred\b", re.I)
# Only an explicit report counts: calendar placement alone also happens to bills that skip committee
# (Senate Rule XIV: "Read the second time. Placed on Senate Legislative Calendar under General Orders.").
_REPORTED = re.compile(
    r"ordered to be reported|\breported (?:by|to|favorably|with|without|an original|\(amended\))"
    r"|\bwritten report\b|\breported an original\b",
    re.I,
)
_PASSED = {
    "house": re.compile(
        r"passed/agreed to in house|\bpassed house\b|^on passage passed\b|considered (?:as )?passed house"
        r"|resolution agreed to in house|^on motion to suspend the rules and (?:pass|agree)[^.]*\bagreed to\b",
        re.I,
    ),
    "senate": re.compile(
        r"passed/agreed to in senate|\bpassed senate\b|considered (?:as )?passed senate"
        r"|resolution agreed to in senate",
        re.I,
    ),
}
_WITH_AMENDMENT = re.compile(r"\bwith (?:an )?amendments?\b|\bas amended\b", re.I)
_OVER_VETO = re.compile(
    r"over (?:the )?(?:president'?s )?veto|objections of the president to the contrary notwithstanding"
    r"|two-thirds of the members present having voted in the affirmative",
    re.I,
)
_FAILED_WORD = re.compile(r"\bfailed\b|\bnot agreed to\b|\bnot invoked\b|\bnot sustained\b", re.I)
_FAILED = re.compile(
    r"failed of passage|failed/not agreed to in (?:house|senate)|\bon passage failed\b"
    r"|^cloture (?:on the motion to proceed )?.*not invoked|motion to suspend the rules and pass.*\bfailed\b",
    re.I,
)
# "House agreed to Senate amendment", "Senate concurred in the House amendment to the Senate amendment",
# "On motion that the House agree to the Senate amendment (with an amendment) Agreed to".
_AGREE_AMENDMENT = re.compile(
    r"\b(?P<chamber>house|senate) (?:agreed|agree|concurred|concur|agreeing|concurring) (?:to|in) "
    r"(?:the )?(?:house|senate) amendments?",
    re.I,
)
_AMEND_AMENDMENT = re.compile(
    r"\b(?:agree|agreed|concur|concurred)\s+(?:with|in)\s+(?:an\s+)?amendments?\s+to\s+(?:the\s+)?"
    r"(?:house|senate)\s+amendment",
    re.I,
)
_DISAGREE = re.compile(r"\b(?:house|senate) (?:disagreed|disagree|insisted|insists?) ", re.I)
_CONFERENCE_REPORT_AGREED = re.compile(
    r"conference report agreed to in (?P<chamber>house|senate)|(?P<chamber2>house|senate) agreed to "
    r"(?:the )?conference report|on agreeing to the conference report agreed to",
    re.I,
)
_CONFERENCE = re.compile(
    r"\bconferees?\b|\bconference (?:held|requested|report filed|papers)\b|\b(?:request|requested|requests|asks?) "
    r"(?:for )?a conference|\bagreed to (?:a|the) conference\b",
    re.I,
)
# "Rule H. Res. 445 passed House.": the special rule for debating the bill passed, not the bill.
_ABOUT_THE_RULE = re.compile(r"^(?:rule|rules committee resolution) h\.\s?res\.", re.I)
_TO_PRESIDENT = re.compile(r"presented to (?:the )?president", re.I)
_SIGNED = re.compile(r"^signed by (?:the )?president", re.I)
_BECAME_LAW = re.compile(r"became (?:public|private) law", re.I)
# The ten-day rule: the President neither signs nor vetoes; the enrolled bill goes to the Archivist unsigned.
_WITHOUT_SIGNATURE = re.compile(
    r"sent to (?:the )?archivist of the united states unsigned|without (?:the )?(?:president'?s )?signature", re.I
)
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
        label = STAGE_LABELS.get(self.stage, self.stage)
        if self.stage in (ENDED, FAILED, VETOED) and self.furthest != self.stage and self.furthest in STAGE_LABELS:
            if self.stage == VETOED and self.furthest == TO_PRESIDENT:
                return label
            return f"{label} (furthest: {STAGE_LABELS[self.furthest].lower()})"
        return label


def congress_end(congress: int) -> date:
    """The day a Congress ends: noon, 3 January of the year after its second session (20th Amendment)."""
    return date(1789 + 2 * congress, 1, 3)


def _types(action: ActionLike) -> set[str]:
    """Every type of the action's copies, lower case (a merged action may carry President *and* BecameLaw)."""
    types = getattr(action, "action_types", None)
    if types is None:
        single = getattr(action, "action_type", None) or getattr(action, "type", None)
        types = [single] if single else []
    return {kind.lower() for kind in types if kind}


def _chamber(match: re.Match, *groups: str) -> str:
    for group in groups:
        value = match.groupdict().get(group)
        if value:
            return value.lower()
    return ""


class _Walk:
    """The state of one walk through a bill's actions."""

    def __init__(self, bill_type: str) -> None:
        self.bill_type = bill_type
        self.origin = "senate" if bill_type.startswith("s") else "house"
        self.simple = bill_type in ("hres", "sres")
        self.concurrent = bill_type in ("hconres", "sconres")
        self.progress = INTRODUCED
        self.passed: set[str] = set()
        self.conference_agreed: set[str] = set()
        self.terminal: str | None = None  # FAILED or VETOED
        self.vetoed = False
        self.overridden: set[str] = set()
        self.signed = False
        self.without_signature = False

    def advance(self, stage: str, *, force: bool = False) -> None:
        """Move forward (or sideways between equal ranks when `force`); real progress clears a failure."""
        if _RANK[stage] > _RANK[self.progress]:
            if self.terminal == FAILED:
                self.terminal = None
            self.progress = stage
        elif force or _RANK[stage] == _RANK[self.progress]:
            self.progress = stage

    def both_passed(self) -> None:
        self.advance(AGREED_TO if self.concurrent else PASSED_BOTH, force=True)

    def enacted(self) -> None:
        if self.vetoed:
            stage = LAW_OVER_VETO
        elif self.without_signature and not self.signed:
            stage = LAW_WITHOUT_SIGNATURE
        else:
            stage = BECAME_LAW
        self.terminal = None
        self.progress = stage

    def step(self, action: ActionLike) -> None:
        """Take one action into account: the first rule (in `_RULES` order) that recognises it decides."""
        text = (action.text or "").strip()
        if self.progress in ENACTED or _ABOUT_THE_RULE.search(text):
            return
        types = _types(action)
        for rule in self._RULES:
            if rule(self, action, text, types):
                return

    # Each rule: True when it recognised the action (the walk stops there for this action).

    def _unsigned_law(self, action: ActionLike, text: str, types: set[str]) -> bool:
        if not _WITHOUT_SIGNATURE.search(text):
            return False
        self.without_signature = True
        self.enacted()
        return True

    def _law(self, action: ActionLike, text: str, types: set[str]) -> bool:
        signed = bool(_SIGNED.search(text))
        if not ("becamelaw" in types or _BECAME_LAW.search(text) or signed):
            return False
        if signed:
            self.signed = True
        self.enacted()
        return True

    def _override(self, action: ActionLike, text: str, types: set[str]) -> bool:
        if not (self.vetoed and _OVER_VETO.search(text)):
            return False
        chamber = "house" if re.search(r"\bhouse\b", text, re.I) else "senate" if "senate" in text.lower() else ""
        if _FAILED_WORD.search(text):
            return True  # a failed override leaves the bill vetoed
        if re.search(r"\bpassed\b|\bagreed to\b", text, re.I):
            self.overridden.add(chamber or ("house" if "house" not in self.overridden else "senate"))
            if len(self.overridden) == 2:
                self.enacted()
        return True

    def _veto(self, action: ActionLike, text: str, types: set[str]) -> bool:
        if not ("veto" in types or _VETOED.search(text)):
            return False
        self.vetoed = True
        self.terminal = VETOED
        return True

    def _to_president(self, action: ActionLike, text: str, types: set[str]) -> bool:
        if not _TO_PRESIDENT.search(text):
            return False
        self.advance(TO_PRESIDENT)
        return True

    def _conference_report(self, action: ActionLike, text: str, types: set[str]) -> bool:
        match = _CONFERENCE_REPORT_AGREED.search(text)
        if not match or _FAILED_WORD.search(text):
            return False
        chamber = _chamber(match, "chamber", "chamber2") or self._floor_chamber(action, text)
        self.conference_agreed.add(chamber)
        if len(self.conference_agreed) == 2:
            self.both_passed()
        else:
            self.advance(CONFERENCE, force=True)
        return True

    def _conference(self, action: ActionLike, text: str, types: set[str]) -> bool:
        if not _CONFERENCE.search(text) or _FAILED_WORD.search(text):
            return False
        self.advance(CONFERENCE, force=True)
        return True

    def _amend_amendment(self, action: ActionLike, text: str, types: set[str]) -> bool:
        if not _AMEND_AMENDMENT.search(text) or _FAILED_WORD.search(text):
            return False
        self.advance(AMENDMENT_EXCHANGE, force=True)
        return True

    def _agree_amendment(self, action: ActionLike, text: str, types: set[str]) -> bool:
        match = _AGREE_AMENDMENT.search(text)
        if not match or _FAILED_WORD.search(text):
            return False
        if _WITH_AMENDMENT.search(text[match.end() :]) or re.search(r"with an amendment", text, re.I):
            self.advance(AMENDMENT_EXCHANGE, force=True)
        else:
            self.passed.update(("house", "senate"))
            self.both_passed()
        return True

    def _disagree(self, action: ActionLike, text: str, types: set[str]) -> bool:
        if not _DISAGREE.search(text):
            return False
        self.advance(AMENDMENT_EXCHANGE, force=True)
        return True

    def _failed(self, action: ActionLike, text: str, types: set[str]) -> bool:
        if not _FAILED.search(text):
            return False
        self.terminal = FAILED
        return True

    def _passed_chamber(self, action: ActionLike, text: str, types: set[str]) -> bool:
        for chamber, pattern in _PASSED.items():
            if pattern.search(text):
                self.passage(chamber, text)
                return True
        return False

    def _committee(self, action: ActionLike, text: str, types: set[str]) -> bool:
        if _REPORTED.search(text):
            self.advance(REPORTED)
        elif _REFERRED.search(text):
            self.advance(IN_COMMITTEE)
        return True

    _RULES: tuple[Callable[[_Walk, ActionLike, str, set[str]], bool], ...] = (
        _unsigned_law,
        _law,
        _override,
        _veto,
        _to_president,
        _conference_report,
        _conference,
        _amend_amendment,
        _agree_amendment,
        _disagree,
        _failed,
        _passed_chamber,
        _committee,
    )

    def _floor_chamber(self, action: ActionLike, text: str) -> str:
        source = (getattr(action, "source_system", None) or "").lower()
        if "house" in source or re.search(r"\bhouse\b", text, re.I):
            return "house"
        return "senate"

    def passage(self, chamber: str, text: str) -> None:
        if self.simple:
            self.advance(AGREED_TO)
            return
        other = "senate" if chamber == "house" else "house"
        first_time = chamber not in self.passed
        self.passed.add(chamber)
        if other not in self.passed:
            self.advance(PASSED_HOUSE if chamber == "house" else PASSED_SENATE)
        elif first_time and _WITH_AMENDMENT.search(text) and chamber != self.origin:
            # The second chamber passed its own version: the texts differ, back to the first chamber.
            self.advance(AMENDMENT_EXCHANGE, force=True)
        elif first_time:
            self.both_passed()


def derive_stage(
    actions: Iterable[ActionLike], congress: int, today: date | None = None, bill_type: str = "hr"
) -> StageResult:
    """Walk the actions (oldest first; within a day in the order given) and return the bill's stage."""
    today = today or date.today()
    walk = _Walk(bill_type)
    ordered = sorted(actions, key=lambda a: a.action_date)  # stable: a day's actions keep their given order
    for action in ordered:
        walk.step(action)
    progress = walk.progress
    if progress in ENACTED:
        return StageResult(progress, progress)
    if walk.terminal == VETOED:
        return StageResult(VETOED, progress)
    if progress != AGREED_TO and today >= congress_end(congress):
        return StageResult(ENDED, progress)
    if walk.terminal == FAILED:
        return StageResult(FAILED, progress)
    return StageResult(progress, progress)


def tracker_position(result: StageResult) -> int:
    """Index in TRACKER_STEPS reached by the bill (for the stage tracker)."""
    rank = _RANK.get(result.furthest, 0)
    if result.furthest == AGREED_TO:
        return TRACKER_STEPS.index(PASSED_BOTH)
    return min(rank, len(TRACKER_STEPS) - 1)
