"""The merge fields of a letter: built from plain data, so that worker processes need no database.

`shared` (the same for every letter of a batch) holds the campaign, the verified endorsing cities, the sender and
the date; `build_context(shared, members)` adds the recipient and the endorsements seen from that recipient.
FIELDS documents every field on the template editor page.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

from advocacy.letters.addressing import long_date, recipient
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
     "Chair, Committee on Foreign Affairs"),
    ("recipient.chamber_name", "Chamber", "U.S. House of Representatives"),
    ("recipient.chamber_title", "Representative, Senator, Delegate or Resident Commissioner", "Representative"),
    ("recipient.office", "Office room and building (may be empty)", "2454 Rayburn House Office Building"),
    ("recipient.city_state_zip", "City, state and ZIP", "Washington, DC 20515"),
    ("recipient.salutation", "Salutation with its colon", "Dear Representative Lieu:"),
    ("recipient.state / recipient.seat", "State; seat such as CA-36 (senators: the state)", "CA / CA-36"),
    ("campaign.name", "Campaign name", "City and State Diplomacy"),
    ("campaign.ask", "What the campaign asks of Congress", ""),
    ("campaign.bill.citation", "Current bill citation", "H.R. 5323"),
    ("campaign.bill.title", "Current bill short title (else its official title)", "City and State Diplomacy Act"),
    ("campaign.bill.official_title", "Current bill official title", "To enhance subnational diplomacy..."),
    ("campaign.bills", "All bill versions, newest first: each has citation, title, congress, label", ""),
    ("endorsements.all", "All verified endorsing cities", ""),
    ("endorsements.local", "Those in the recipient's district (House) or state (Senate)", ""),
    ("endorsements.state", "Those in the recipient's state", ""),
    ("… .count / .population / .population_text", "Number of cities; total population (number / “1,234,567”)",
     "5 / 5,438,000"),
    ("… .names / .cities / .by_state", "“Los Angeles, CA; …”; list of cities (name, state, label, population, "
     "signer_name, signer_title); groups with state, state_name, cities", ""),
    ("sender.organisation / sender.address / sender.signature", "Letterhead organisation, its address, the "
     "signature block", ""),
    ("date", "The letter's date written out", "November 27, 2026"),
]  # fmt: skip


def group(cities: list[dict]) -> dict:
    """Counts and lists of a set of endorsing cities (the `endorsements.*` merge fields)."""
    by_state: OrderedDict[str, list[dict]] = OrderedDict()
    for city in sorted(cities, key=lambda c: (c["state"], c["name"])):
        by_state.setdefault(city["state"], []).append(city)
    population = sum(c.get("population") or 0 for c in cities)
    return {
        "count": len(cities),
        "population": population,
        "population_text": f"{population:,}",
        "names": "; ".join(c["label"] for c in cities),
        "cities": cities,
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


def build_context(shared: dict, members: list[dict]) -> dict:
    """All merge fields of one letter (see FIELDS)."""
    endorsers = shared["endorsers"]
    states = {m["state"] for m in members}
    return {
        "recipient": recipient(members),
        "campaign": shared["campaign"],
        "endorsements": {
            "all": group(endorsers),
            "local": group(local_cities(endorsers, members)),
            "state": group([c for c in endorsers if c["state"] in states]),
        },
        "sender": shared["sender"],
        "date": shared["date_text"],
    }


def sample_shared(template: dict | None = None) -> dict:
    """Plain sample data with every field, for checking templates when they are saved."""
    endorsers = [
        {"name": "Los Angeles", "state": "CA", "label": "Los Angeles, CA", "population": 3820914,
         "districts": [["CA", 36]], "signer_name": "Sample Signer", "signer_title": "Mayor"},
        {"name": "Austin", "state": "TX", "label": "Austin, TX", "population": 974447,
         "districts": [["TX", 10]], "signer_name": "Sample Signer", "signer_title": "Mayor"},
    ]  # fmt: skip
    bill = {
        "citation": "H.R. 5323",
        "title": "To enhance subnational diplomacy efforts within the Department of State, and for other purposes.",
        "official_title": "To enhance subnational diplomacy efforts within the Department of State.",
        "short_title": None,
        "congress": 119,
        "label": "H.R. 5323 (119th)",
    }
    template = template or {}
    return {
        "campaign": {"name": "Sample campaign", "slug": "sample", "ask": "Cosponsor the bill.", "bill": bill,
                     "bills": [bill]},
        "endorsers": endorsers,
        "sender": {"organisation": template.get("letterhead_name") or "Sample Coalition",
                   "address": template.get("letterhead_address") or "", "signature": "The undersigned"},
        "date_text": long_date(date(2026, 11, 27)),
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
