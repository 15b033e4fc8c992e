"""Plain, immutable records of what Congress.gov says about a bill, as returned by `CongressClient`.

The API's JSON is camelCase, nests single values in containers and mixes date formats; these records are the
normalised form the rest of the app works with (lower-case bill types, integer numbers, `date` objects,
two-letter state codes), so that the sync and the views never touch raw JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from advocacy.congress.citations import Citation

__all__ = [
    "ActionData",
    "BillCommitteeData",
    "BillData",
    "CommitteeActivity",
    "CommitteeRef",
    "CosponsorData",
    "LawRef",
    "MemberData",
    "MemberRef",
    "RelatedBillData",
    "Relationship",
    "TitleData",
]


@dataclass(frozen=True)
class MemberRef:
    """A member of Congress as a bill's sponsor or cosponsor lists them.

    `full_name` is Congress.gov's display name ("Rep. Lieu, Ted [D-CA-36]" on bill pages); `name` gives
    "Ted Lieu". `state` is a two-letter code; `district` is None for senators and 0 for at-large seats.
    """

    bioguide_id: str
    full_name: str
    first_name: str | None
    last_name: str | None
    party: str | None
    state: str | None
    district: int | None

    @property
    def name(self) -> str:
        """First and last name, for letters and lists."""
        parts = [part for part in (self.first_name, self.last_name) if part]
        return " ".join(parts) if parts else self.full_name


@dataclass(frozen=True)
class MemberData(MemberRef):
    """A member's own record (/member/{bioguideId}): the reference fields plus how to reach their office.

    `website` comes from `officialWebsiteUrl` or `officialUrl`, whichever the API sent; `chamber` is "House" or
    "Senate" for the latest term.
    """

    website: str | None = None
    chamber: str | None = None
    office_address: str | None = None
    phone: str | None = None
    current_member: bool | None = None

    @property
    def ref(self) -> MemberRef:
        """The same member as a plain `MemberRef` (e.g. to compare with a sponsor)."""
        return MemberRef(
            bioguide_id=self.bioguide_id,
            full_name=self.full_name,
            first_name=self.first_name,
            last_name=self.last_name,
            party=self.party,
            state=self.state,
            district=self.district,
        )


@dataclass(frozen=True)
class LawRef:
    """A law a bill became: `law_type` "Public Law" or "Private Law", `number` like "116-135"."""

    law_type: str
    number: str


@dataclass(frozen=True)
class BillData:
    """The bill item: titles, dates, sponsor and the counts of its sub-resources.

    `update_date` is Congress.gov's text as sent; comparing it with the stored value tells a poller whether
    anything changed. `cosponsors_count` excludes withdrawn cosponsors, as Congress.gov does.
    """

    congress: int
    bill_type: str
    number: int
    title: str
    origin_chamber: str | None
    introduced_date: date | None
    update_date: str | None
    update_date_including_text: str | None
    latest_action_date: date | None
    latest_action_time: str | None
    latest_action_text: str | None
    sponsors: tuple[MemberRef, ...]
    policy_area: str | None
    cosponsors_count: int
    actions_count: int
    laws: tuple[LawRef, ...] = ()

    @property
    def citation(self) -> Citation:
        """The bill's `Citation` (display forms, Congress.gov URL)."""
        return Citation(self.congress, self.bill_type, self.number)

    @property
    def sponsor(self) -> MemberRef | None:
        """The (first) sponsor; bills have exactly one, but the API sends a list."""
        return self.sponsors[0] if self.sponsors else None


@dataclass(frozen=True)
class CommitteeRef:
    """A committee named on an action: name as printed and Congress.gov system code ("hsfa00")."""

    name: str
    system_code: str | None


@dataclass(frozen=True)
class ActionData:
    """One action on a bill. The same step can arrive twice from different `source_system`s."""

    action_date: date
    action_time: str | None
    text: str
    type: str | None
    action_code: str | None
    source_system: str | None  # name, e.g. "House floor actions", "Library of Congress"
    committees: tuple[CommitteeRef, ...]
    source_system_code: str | None = None  # "0" Senate, "1"/"2" House, "9" Library of Congress


@dataclass(frozen=True)
class CosponsorData:
    """A cosponsorship; withdrawn ones are kept (with `withdrawn_date`) because the history matters."""

    member: MemberRef
    sponsorship_date: date | None
    is_original: bool
    withdrawn_date: date | None

    @property
    def withdrawn(self) -> bool:
        """Whether the member has withdrawn their cosponsorship."""
        return self.withdrawn_date is not None


class CommitteeActivity(NamedTuple):
    """What a committee did with the bill ("Referred to", "Markup by", "Reported by") and when."""

    name: str
    date: date | None


@dataclass(frozen=True)
class BillCommitteeData:
    """A committee (or subcommittee) that handled the bill, with its activities in API order."""

    system_code: str
    name: str
    chamber: str | None
    type: str | None
    activities: tuple[CommitteeActivity, ...]
    subcommittees: tuple[BillCommitteeData, ...] = ()


class Relationship(NamedTuple):
    """How a related bill relates ("Identical bill", "Related bill") and who said so (House, Senate, CRS)."""

    type: str
    identified_by: str | None


@dataclass(frozen=True)
class RelatedBillData:
    """A bill Congress.gov relates to this one."""

    congress: int
    bill_type: str
    number: int
    title: str | None
    latest_action_date: date | None
    latest_action_text: str | None
    relationships: tuple[Relationship, ...]

    @property
    def citation(self) -> Citation:
        """The related bill's `Citation`."""
        return Citation(self.congress, self.bill_type, self.number)


@dataclass(frozen=True)
class TitleData:
    """One of a bill's titles with its Congress.gov type ("Display Title", "Short Title(s) as Introduced")."""

    title: str
    title_type: str | None
