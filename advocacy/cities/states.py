"""USPS codes of the states, DC and the territories (the only state codes the app accepts)."""

from __future__ import annotations

STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
}

# Largest district number in any state (California); 0 is at-large.
MAX_DISTRICT = 60


def parse_district(text: str, default_state: str | None = None) -> tuple[str, int]:
    """Parse "CA-36", "AK-AL", "CA 36", "36", "AL" or "0" into (state, district); ValueError if invalid.

    A bare number or "AL" needs `default_state`.
    """
    raw = text.strip().upper().replace(" ", "-")
    state, _, number = raw.rpartition("-")
    if not state:
        if default_state is None:
            raise ValueError(f"{text!r}: give the district as ST-N, e.g. CA-36")
        state = default_state
    if state not in STATES:
        raise ValueError(f"{text!r}: unknown state code {state!r}")
    if number == "AL":
        return state, 0
    if not number.isdigit() or int(number) > MAX_DISTRICT:
        raise ValueError(f"{text!r}: not a district number")
    return state, int(number)


def district_label(state: str, district: int) -> str:
    """ "CA-36" or "AK-AL"."""
    return f"{state}-{'AL' if district == 0 else district}"
