"""The merge fields of a letter: built from plain data, so that worker processes need no database.

`shared` (the same for every letter of a batch) holds the campaign, the verified endorsing cities (samples only in
a batch made with them), the facts about the current bill and the campaign's asks, the sender and the date;
`build_context(shared, members)` adds the recipient, their standing on the bill with the ask that fits it
(advocacy.letters.standing), and the endorsements seen from that recipient. FIELDS documents every field on the
template editor page.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from typing import Any

from advocacy.letters.addressing import committee_recipient, join_names, long_date, recipient
from advocacy.letters.standing import ask_for, campaign_asks, joint_ask, joint_standing, standing_of
from advocacy.representation import best_coverage

US_STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}  # fmt: skip

# (field, what it is, example) for the editor page.
FIELDS: list[tuple[str, str, str]] = [
    ("recipient.honorific", "Always “The Honorable”", "The Honorable"),
    ("recipient.full_name", "Full name (joint letters: names joined with “and”)", "Ted Lieu"),
    ("recipient.last_name", "Last name", "Lieu"),
    ("recipient.title_line", "Committee title line, when writing to a committee (may be empty)",
     "Chair, Subcommittee on Africa, Committee on Foreign Affairs"),
    ("recipient.chamber_name", "Chamber", "U.S. House of Representatives"),
    ("recipient.chamber_title", "Representative, Senator, Delegate or Resident Commissioner", "Representative"),
    ("recipient.office", "Office room and building (may be empty)", "2454 Rayburn House Office Building"),
    ("recipient.city_state_zip", "City, state and ZIP", "Washington, DC 20515"),
    ("recipient.salutation", "Salutation with its colon", "Dear Representative Lieu:"),
    ("recipient.state / recipient.seat", "State; seat such as CA-36 (senators: the state)", "CA / CA-36"),
    ("recipient.is_joint / recipient.is_committee", "A joint letter; a letter to a whole committee", "false"),
    ("ask", "The campaign's ask for this recipient's standing (edited per segment on the campaign page)",
     "Thank you for introducing H.R. 5323. We ask you to help move it forward: …"),
    ("standing.segment", "supporter, committee_leader, same_chamber, other_companion, other_no_companion, "
     "withdrawn (joint letters: committee_letter or joint when mixed)", "supporter"),
    ("standing.position / .position_text", "sponsor, original_cosponsor, cosponsor, withdrawn or none; in words",
     "original_cosponsor / Original cosponsor of H.R. 5323 (September 11, 2025)"),
    ("standing.is_sponsor / .is_cosponsor / .is_supporter / .is_withdrawn", "Yes/no tests for {% if %}", "true"),
    ("standing.sponsorship_date / .withdrawn_date", "Dates (YYYY-MM-DD; may be empty)", "2025-09-11"),
    ("standing.committees / .committee_text", "Seats on committees of referral: each has committee, role, text",
     "Ranking Member, Committee on Foreign Affairs"),
    ("standing.is_committee_leader / .leader_role", "Chair or ranking member of a committee of referral",
     "true / Ranking Member"),
    ("standing.same_chamber / .chamber_text", "In the bill's chamber; in words",
     "Senate, the other chamber (no companion bill)"),
    ("standing.companion", "The other chamber's companion bill this Congress (may be empty)", "S. 3072"),
    ("standing.each", "Joint letters: the standing of each addressee", ""),
    ("campaign.name", "Campaign name", "City and State Diplomacy"),
    ("campaign.ask", "What the campaign asks of Congress in general (the public page's ask)", ""),
    ("campaign.bill.citation", "Current bill citation", "H.R. 5323"),
    ("campaign.bill.title", "Current bill short title (else its official title)", "City and State Diplomacy Act"),
    ("campaign.bill.official_title", "Current bill official title", "To enhance subnational diplomacy..."),
    ("campaign.bill.phrase", "The bill as a sentence names it: “the City and State Diplomacy Act” or "
     "“a bill to enhance subnational diplomacy efforts within the Department of State”", ""),
    ("campaign.bills", "All bill versions, newest first: each has citation, title, congress, label", ""),
    ("endorsements.all", "All verified endorsing cities (sample endorsements only in a batch made with them)", ""),
    ("endorsements.local", "Those in or partly in the recipient's district (House) or state (Senate), by a Census, "
     "hand-set or signer-confirmed district link (not the ZIP/GeoNames approximation)", ""),
    ("endorsements.local_approximate", "Those whose link to the recipient's district is only the ZIP/GeoNames "
     "approximation: not in endorsements.local (they sign below; the batch report warns)", ""),
    ("endorsements.state", "Those in the recipient's state", ""),
    ("… .count / .count_text / .noun / .verb / .have", "Number of cities; “1 city” / “12 cities”; city/cities; "
     "is/are; has/have (number agreement)", "12 / 12 cities / cities / are / have"),
    ("… .population / .population_text", "Total population (number / “1,234,567”)", "5,438,000"),
    ("… .named / .named_text / .all_named", "At most five cities, largest first; them in words; whether that is "
     "all of them", "Los Angeles and Santa Monica"),
    ("… .partial", "Some of the cities are only partly in the district: say “in or partly in your district”",
     "false"),
    ("… .approximate", "Some of the cities' district links are ZIP/GeoNames approximations", "false"),
    ("… .names / .cities / .by_state", "“Los Angeles, CA; …”; list of cities (name, state, label, population, "
     "signer_name, signer_title, signs_as, sample, districts, districts_approximate); groups by state name with "
     "state, state_name, cities", ""),
    ("… .cities: city.partial / city.approximate", "In endorsements.local and .local_approximate: the city is only partly in "
     "the district; its link is a ZIP/GeoNames approximation", "true / false"),
    ("… .cities: city.districts / city.districts_approximate", "The city's districts (each: label such as NY-10, "
     "basis, share, whole, approximate); whether any of them is approximate", "NY-10 / false"),
    ("sender.organisation / sender.address / sender.signature", "Letterhead organisation, its address, the "
     "signature block", ""),
    ("date", "The letter's date written out", "November 27, 2026"),
    ("is_sample", "The batch includes sample endorsements (every page is marked “SAMPLE — NOT FOR SENDING”)",
     "false"),
]  # fmt: skip

# What changed in the current bill's text since the previous Congress's bill (see `text_changes`).
TEXT_CHANGE_FIELDS: list[tuple[str, str, str]] = [
    ("campaign.changes.since", "The previous Congress's bill compared with (empty when no texts yet)", "H.R. 9524 (118th)"),
    ("campaign.changes.summary", "One line: sections changed, added, removed, moved",
     "1 section added, 1 removed"),
    ("campaign.changes.sections", "Each section that differs: number, heading, status (changed, added, "
     "removed), moved, summary", ""),
    ("campaign.changes.names", "“§ 1 Office of Subnational Diplomacy (added); …”", ""),
]  # fmt: skip
FIELDS += TEXT_CHANGE_FIELDS


def text_changes(data: dict | None) -> dict:
    """The `campaign.changes` merge fields from plain comparison data (`advocacy.bills.texts.letter_changes`)."""
    data = data or {}
    sections = list(data.get("sections") or [])
    return {
        "since": data.get("since") or "",
        "summary": data.get("summary") or "",
        "sections": sections,
        "names": "; ".join(f"§ {s['number']} {s['heading']} ({s['status']})" for s in sections),
    }


NAMED_MAX = 5


def signs_as(name: str, title: str | None, city: str) -> str:
    """How an endorsement signs, the way sign-on letters do: "Kate Gallego, Mayor, City of Phoenix".

    A title that already names the city ("Mayor of Phoenix") is kept as the signer gave it.
    """
    title = (title or "").strip()
    if not title:
        return f"{name}, City of {city}"
    if city.lower() in title.lower():
        return f"{name}, {title}"
    return f"{name}, {title}, City of {city}"


def count_words(count: int, one: str = "city", many: str = "cities") -> dict:
    """Number agreement: {"count_text": "1 city", "noun": "city", "verb": "is", "have": "has"}."""
    singular = count == 1
    return {
        "count_text": f"{count:,} {one if singular else many}",
        "noun": one if singular else many,
        "verb": "is" if singular else "are",
        "have": "has" if singular else "have",
    }


def group(cities: list[dict]) -> dict:
    """Counts and lists of a set of endorsing cities (the `endorsements.*` merge fields); states by name."""
    unique = list({c["label"]: c for c in cities}.values())  # a city is named once, whatever the input
    by_state: OrderedDict[str, list[dict]] = OrderedDict()
    for city in sorted(unique, key=lambda c: (US_STATE_NAMES.get(c["state"], c["state"]), c["name"])):
        by_state.setdefault(city["state"], []).append(city)
    population = sum(c.get("population") or 0 for c in unique)
    named = sorted(unique, key=lambda c: (-(c.get("population") or 0), c["name"]))[:NAMED_MAX]
    one_state = len({c["state"] for c in unique}) <= 1
    return {
        "count": len(unique),
        **count_words(len(unique)),
        "population": population,
        "population_text": f"{population:,}",
        "names": "; ".join(c["label"] for c in unique),
        "cities": unique,
        "named": named,
        "named_text": join_names([c["name"] if one_state else c["label"] for c in named]),
        "all_named": len(named) == len(unique),
        # Any counted city only partly in the district: the count then reads "in or partly in your district".
        "partial": any(c.get("partial") for c in unique),
        "approximate": any(c.get("approximate") for c in unique),
        "by_state": [
            {"state": state, "state_name": US_STATE_NAMES.get(state, state), "cities": items}
            for state, items in by_state.items()
        ],
    }


def local_cities(endorsers: list[dict], members: list[dict]) -> list[dict]:
    """Endorsing cities the addressees represent (advocacy.representation: a House member's district, a
    senator's state, a delegate's territory); each a copy with `partial` (say "in or partly in your district")
    and `approximate` (the district link is a ZIP/GeoNames approximation)."""
    result = []
    for city in endorsers:
        how = best_coverage(city, members)
        if how is not None:
            result.append({**city, "partial": how.partial, "approximate": how.approximate})
    return result


EMPTY_FACTS: dict[str, Any] = {"citation": "", "chamber": "house", "sponsor_id": None, "cosponsors": {}, "seats": {},
               "committee": "", "companion": None}  # fmt: skip


def letter_standing(shared: dict, members: list[dict], *, committee_letter: bool = False) -> tuple[dict, str]:
    """(standing, ask) of one letter from the batch's bill facts and asks (advocacy.letters.standing)."""
    facts = shared.get("facts")
    standings = [standing_of(m, facts or EMPTY_FACTS) for m in members]
    if not facts:
        return (standings[0] if len(standings) == 1 else joint_standing(standings)), ""
    asks = campaign_asks(shared.get("asks"))
    if len(standings) == 1:
        return {**standings[0], "each": standings}, ask_for(standings[0], facts, asks)
    segment, ask = joint_ask(standings, facts, asks, committee_letter=committee_letter)
    return {**joint_standing(standings), "segment": segment}, ask


def build_context(
    shared: dict, members: list[dict], *, committee: dict | None = None, committee_letter: bool = False
) -> dict:
    """All merge fields of one letter (see FIELDS). `committee`: a letter to a whole committee (its office)."""
    endorsers = shared["endorsers"]
    states = {m["state"] for m in members}
    standing, ask = letter_standing(shared, members, committee_letter=committee_letter)
    local = local_cities(endorsers, members)
    return {
        "recipient": committee_recipient(committee, members) if committee else recipient(members),
        "campaign": shared["campaign"],
        "endorsements": {
            "all": group(endorsers),
            # A city whose district comes only from the ZIP/GeoNames approximation is not stated as local fact:
            # it is left out of `local` (it still signs) and kept apart for templates and the batch report.
            "local": group([c for c in local if not c["approximate"]]),
            "local_approximate": group([c for c in local if c["approximate"]]),
            "state": group([c for c in endorsers if c["state"] in states]),
        },
        "standing": standing,
        "ask": ask,
        "sender": shared["sender"],
        "date": shared["date_text"],
        "is_sample": is_sample_batch(shared),
    }


def is_sample_batch(shared: dict) -> bool:
    """A batch made with sample endorsements (and having some): every page is marked."""
    return bool(shared.get("include_samples")) and any(c.get("sample") for c in shared["endorsers"])


def sample_shared(template: dict | None = None) -> dict:
    """Plain sample data with every field, for checking templates when they are saved."""
    endorsers = [
        {"name": "Los Angeles", "state": "CA", "label": "Los Angeles, CA", "population": 3820914,
         "districts": [{"state": "CA", "district": 36, "label": "CA-36", "basis": "census", "share": 0.2,
                        "whole": False, "approximate": False}],
         "districts_approximate": False, "signer_name": "Sample Signer", "signer_title": "Mayor",
         "signs_as": "Sample Signer, Mayor, City of Los Angeles", "sample": False},
        {"name": "Austin", "state": "TX", "label": "Austin, TX", "population": 974447,
         "districts": [{"state": "TX", "district": 10, "label": "TX-10", "basis": "zip", "share": None,
                        "whole": None, "approximate": True}],
         "districts_approximate": True, "signer_name": "Sample Signer", "signer_title": "Mayor",
         "signs_as": "Sample Signer, Mayor, City of Austin", "sample": False},
    ]  # fmt: skip
    bill = {
        "citation": "H.R. 5323",
        "title": "To enhance subnational diplomacy efforts within the Department of State, and for other purposes.",
        "official_title": "To enhance subnational diplomacy efforts within the Department of State.",
        "short_title": None,
        "phrase": "a bill to enhance subnational diplomacy efforts within the Department of State",
        "congress": 119,
        "label": "H.R. 5323 (119th)",
    }
    template = template or {}
    return {
        "campaign": {"name": "Sample campaign", "slug": "sample", "ask": "Cosponsor the bill.", "bill": bill,
                     "bills": [bill], "changes": text_changes({
                         "since": "H.R. 9524 (118th)", "summary": "1 section added",
                         "sections": [{"number": "1", "heading": "Office of Subnational Diplomacy",
                                       "status": "added", "moved": False, "summary": "New section"}]})},
        "endorsers": endorsers,
        "sender": {"organisation": template.get("letterhead_name") or "Sample Coalition",
                   "address": template.get("letterhead_address") or "", "signature": "The undersigned"},
        "date_text": long_date(date(2026, 11, 27)),
        "facts": {**EMPTY_FACTS, "citation": "H.R. 5323", "sponsor_id": "L000582",
                  "committee": "Committee on Foreign Affairs"},
        "asks": {},
        "include_samples": False,
    }  # fmt: skip


SAMPLE_MEMBER = {
    "bioguide_id": "L000582",
    "first_name": "Ted",
    "last_name": "Lieu",
    "full_name": "Ted Lieu",
    "chamber": "house",
    "state": "CA",
    "district": 36,
    "office": "2454 Rayburn House Office Building",
    "committee_title": None,
    "committee_name": None,
}


def insertable_fields() -> list[tuple[str, str]]:
    """Each merge field of FIELDS as a name the editor can insert, with its description: "standing.position /
    .position_text" gives standing.position and standing.position_text; "… .count" is endorsements.local.count."""
    names: list[tuple[str, str]] = []
    for name, what, _example in FIELDS:
        if ": " in name:  # "… .cities: city.partial" describes an item inside a loop, not a field to insert
            continue
        parent = "endorsements.local" if name.startswith("…") else name.split(" / ")[0].rsplit(".", 1)[0]
        for part in name.lstrip("… ").split(" / "):
            full = parent + part if part.startswith(".") else part
            if (full, what) not in names:
                names.append((full, what))
    return names
