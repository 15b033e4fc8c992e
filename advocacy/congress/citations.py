"""Bill citations: read what people paste ("H.R. 3571", "S.4426", a Congress.gov link) into one canonical form.

Advocates copy bill numbers from press releases, letters and browser address bars, so the parser is lenient
about spelling (dots, spaces, case, ordinal suffixes) but strict about meaning: a number out of range, an
unknown bill type or two different Congresses in one citation is an error that says what was not understood.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "BILL_TYPES",
    "Citation",
    "CitationError",
    "current_congress",
    "ordinal",
    "parse_citation",
]

BILL_TYPES: tuple[str, ...] = ("hr", "s", "hjres", "sjres", "hconres", "sconres", "hres", "sres")

_DISPLAY_PREFIX = {
    "hr": "H.R.",
    "s": "S.",
    "hjres": "H.J.Res.",
    "sjres": "S.J.Res.",
    "hconres": "H.Con.Res.",
    "sconres": "S.Con.Res.",
    "hres": "H.Res.",
    "sres": "S.Res.",
}

# The words Congress.gov uses in its web URLs, e.g. /bill/116th-congress/house-bill/3571.
_URL_WORDS = {
    "hr": "house-bill",
    "s": "senate-bill",
    "hjres": "house-joint-resolution",
    "sjres": "senate-joint-resolution",
    "hconres": "house-concurrent-resolution",
    "sconres": "senate-concurrent-resolution",
    "hres": "house-resolution",
    "sres": "senate-resolution",
}
_TYPE_BY_URL_WORD = {word: bill_type for bill_type, word in _URL_WORDS.items()}

# Spellings (letters only, after dots and spaces are removed) that people use for each type.
_TYPE_ALIASES: dict[str, str] = {bill_type: bill_type for bill_type in BILL_TYPES}
_TYPE_ALIASES.update({word.replace("-", ""): bill_type for word, bill_type in _TYPE_BY_URL_WORD.items()})
_TYPE_ALIASES.update({"hrres": "hres", "hjr": "hjres", "sjr": "sjres", "hcres": "hconres", "scres": "sconres"})

MAX_BILL_NUMBER = 99999
FIRST_CONGRESS_YEAR = 1789
_MAX_INPUT_LENGTH = 2000  # a URL with a long query string still fits; anything longer is not a citation

_ORD = r"(?:st|nd|rd|th)"
_CITATION_RE = re.compile(
    rf"""
    (?:(?P<pre>[0-9]+){_ORD}?(?:\s*congress)?[\s,:\-]*)?      # "116 ", "116th ", "116th Congress, "
    (?P<type>[a-z](?:[a-z.,\s]{{0,24}}[a-z])?)[.,]?           # "H.R.", "hr", "H R", "S. Con. Res.", "H,R,"
    [\s.\-]*
    (?P<num>[0-9]+)
    (?:
        \s*\(\s*(?P<paren>[0-9]+){_ORD}?(?:\s*congress)?\s*\)   # " (116th)", "(116th Congress)"
      | \s*[-\u2013\u2014/,]\s*(?P<dash>[0-9]+){_ORD}?(?:\s*congress)?   # "-116", ", 116th Congress"
      | \s+(?P<ord>[0-9]+){_ORD}(?:\s*congress)?               # " 116th"
      | \s+(?P<word>[0-9]+)\s*congress                         # " 116 Congress"
    )?
    """,
    re.VERBOSE | re.ASCII,
)
_WEB_URL_RE = re.compile(
    r"(?:https?://)?(?:www\.)?congress\.gov/bill/(?P<congress>[0-9]+)(?:(?:st|nd|rd|th)-congress)?/"
    r"(?P<word>[a-z-]+)/(?P<num>[0-9]+)(?:[/?#].*)?",
    re.ASCII | re.DOTALL,
)
# GovTrack: https://www.govtrack.us/congress/bills/119/hr5323 (and its sub-pages).
_GOVTRACK_RE = re.compile(
    r"(?:https?://)?(?:www\.)?govtrack\.us/congress/bills/(?P<congress>[0-9]+)/(?P<type>[a-z]+)(?P<num>[0-9]+)"
    r"(?:[/?#].*)?",
    re.ASCII | re.DOTALL,
)
# THOMAS (the Library's site before Congress.gov): .../bdquery/z?d116:HR03571:, .../query/z?c116:H.R.3571:
_THOMAS_RE = re.compile(
    r"(?:(?:https?://)?thomas\.loc\.gov/cgi-bin/[a-z]+/)?z\?[cd](?P<congress>[0-9]{1,3}):"
    r"(?P<type>[a-z.]+?)\.?(?P<num>[0-9]{1,5})[.:](?:.*)?",
    re.ASCII | re.DOTALL,
)
# A text version code after the number, as in THOMAS and GPO file names: "H.R.3571.IH", "hr3571enr".
_VERSION_SUFFIX = re.compile(r"(?<=[0-9])\.?(?:ih|is|rh|rs|rfh|rfs|eh|es|eas|eah|enr|pcs|pch|cph|cps|ath|ats)$")
# Congress.gov headings: "H.R.5323 - 119th Congress (2025-2026)", "H.R.4526 - City and State Diplomacy Act".
_YEARS = re.compile(r"\s*\(\s*[0-9]{4}\s*[-\u2013\u2014]\s*[0-9]{4}\s*\)\s*$")
_HEADING_TITLE = re.compile(
    r"^(?P<cite>.*?[0-9])\s+[-\u2013\u2014:]\s+(?![0-9]+(?:st|nd|rd|th)?(?:\s*congress)?\s*$)[a-z].*$"
)
# "H.R. 1,118": a thousands separator is part of the number, never a Congress ("H.R. 1, 118th" is one).
_THOUSANDS = re.compile(r"(?<![0-9])([0-9]{1,2}),([0-9]{3})(?![0-9])(?!\s*(?:st|nd|rd|th)\b)(?!\s*congress)")
# "H.R. No. 5323", "H.R. #5323", "H.R. Number 5323".
_NUMBER_WORD = re.compile(r"(?:\bno\.?|#|\bnumber\b)\s*(?=[0-9])")
_API_PATH_RE = re.compile(
    r"(?:(?:https?://)?api\.congress\.gov)?(?:/?v3)?/?bill/(?P<congress>[0-9]+)/(?P<type>[a-z]+)/(?P<num>[0-9]+)"
    r"(?:[/?#].*)?",
    re.ASCII | re.DOTALL,
)


class CitationError(ValueError):
    """A bill citation that could not be understood; the message says which part and why."""


def ordinal(n: int) -> str:
    """Return the English ordinal used for Congresses: 111 -> "111th", 121 -> "121st", 122 -> "122nd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Citation:
    """One bill or resolution in one Congress, in the API's terms (lower-case type, integer number)."""

    congress: int
    bill_type: str  # lower case: hr s hjres sjres hconres sconres hres sres
    number: int

    def __post_init__(self) -> None:
        if self.bill_type not in _DISPLAY_PREFIX:
            raise CitationError(f"unknown bill type {self.bill_type!r} (expected one of {', '.join(BILL_TYPES)})")
        if not 1 <= self.number <= MAX_BILL_NUMBER:
            raise CitationError(f"bill number {self.number} is not between 1 and {MAX_BILL_NUMBER}")
        if self.congress < 1:
            raise CitationError(f"Congress {self.congress} is not a valid Congress number")

    @property
    def display(self) -> str:
        """The citation as printed on the bill and in letters: "H.R. 3571", "S.J.Res. 5"."""
        return f"{_DISPLAY_PREFIX[self.bill_type]} {self.number}"

    @property
    def label(self) -> str:
        """Display form with the Congress, unambiguous across reintroductions: "H.R. 3571 (116th)"."""
        return f"{self.display} ({ordinal(self.congress)})"

    @property
    def slug(self) -> str:
        """URL- and file-safe key: "116-hr-3571"."""
        return f"{self.congress}-{self.bill_type}-{self.number}"

    @property
    def api_path(self) -> str:
        """Path of the bill item in the Congress.gov API, relative to /v3: "bill/116/hr/3571"."""
        return f"bill/{self.congress}/{self.bill_type}/{self.number}"

    @property
    def congress_gov_url(self) -> str:
        """The bill's public page on Congress.gov, for people to follow."""
        return (
            f"https://www.congress.gov/bill/{ordinal(self.congress)}-congress/"
            f"{_URL_WORDS[self.bill_type]}/{self.number}"
        )

    def __str__(self) -> str:
        return self.label


def current_congress(today: date) -> int:
    """Return the Congress in session on `today`.

    Since the 20th Amendment, Congress N runs from January 3 of 1789 + 2(N - 1): 2025-01-03 opens the 119th,
    so 2025-01-02 still belongs to the 118th.
    """
    years = today.year - FIRST_CONGRESS_YEAR
    congress = years // 2 + 1
    if years % 2 == 0 and (today.month, today.day) < (1, 3):
        congress -= 1
    return congress


def parse_citation(text: str, congress: int | None = None, today: date | None = None) -> Citation:
    """Read a bill citation as people write it and return the canonical `Citation`.

    Accepts "H.R. 3571", "HR3571", "hr 3571", "H R 3571", "H,R, 3571", "S. 4426", "H.Con.Res. 3", "hjres 5";
    "H.R. 5323.", "H.R. No. 5323", "H.R. #5323", "H.R. 1,118" (H.R. 1118: a thousands separator is never a
    Congress); a Congress inside the text ("H.R. 3571 (116th)", "116 H.R. 3571", "116th H.R. 3571",
    "H.R.3571-116"); Congress.gov headings ("H.R.5323 - 119th Congress (2025-2026)", "H.R.4526 - City and
    State Diplomacy Act"); the slug "116-hr-3571", API paths, Congress.gov bill URLs (with "116th-congress" or a
    bare 116, any sub-page, query or fragment), GovTrack bill URLs, THOMAS links (z?d116:HR03571:) and text
    version codes ("H.R.3571.IH"). Without a Congress in the text, `congress` is used, else the Congress in
    session on `today` (default: the current date).

    Raises `CitationError` (and nothing else) for anything it cannot read, for numbers out of range, for a
    Congress that has not started yet (naming the current one), and when the text and `congress` name
    different Congresses.
    """
    if not isinstance(text, str):
        raise CitationError(f"expected text, got {type(text).__name__}")
    if len(text) > _MAX_INPUT_LENGTH:
        raise CitationError(f"too long to be a bill citation ({len(text)} characters)")
    # NFKC folds full-width digits, non-breaking spaces and superscript ordinals ("116ᵗʰ") to plain ASCII.
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    if not cleaned:
        raise CitationError("no bill citation given")

    cleaned = _tidy(cleaned)
    bill_type, number_text, congress_texts = _split(cleaned, text)
    number = _number(number_text, text)
    current = current_congress(today or date.today())

    found = {_congress_number(value, text) for value in congress_texts if value is not None}
    if congress is not None:
        if isinstance(congress, bool) or not isinstance(congress, int):
            raise CitationError(f"Congress must be a whole number, got {congress!r}")
        found.add(congress)
    if len(found) > 1:
        named = " and ".join(ordinal(value) for value in sorted(found))
        raise CitationError(f"{_quote(text)} names two different Congresses: {named}")
    chosen = found.pop() if found else current
    if chosen > current:
        start = FIRST_CONGRESS_YEAR + 2 * (chosen - 1)
        raise CitationError(
            f"the {ordinal(chosen)} Congress has not started yet (it begins on January 3, {start}); "
            f"the current Congress is the {ordinal(current)}"
        )
    if chosen < 1:
        raise CitationError(f"the {ordinal(chosen)} Congress is out of range (1st to {ordinal(current)})")
    return Citation(congress=chosen, bill_type=bill_type, number=number)


def _tidy(cleaned: str) -> str:
    """Remove what people paste around a citation: a final period, "No."/"#" before the number, thousands
    separators, the years or the title of a Congress.gov heading, a text version code."""
    if "://" in cleaned or "congress.gov" in cleaned or "govtrack" in cleaned or "thomas.loc.gov" in cleaned:
        return cleaned
    cleaned = _YEARS.sub("", cleaned)
    heading = _HEADING_TITLE.match(cleaned)
    if heading:
        cleaned = heading["cite"]
    cleaned = cleaned.rstrip(" .;:")
    cleaned = _NUMBER_WORD.sub(" ", cleaned)
    cleaned = _THOUSANDS.sub(r"\1\2", cleaned)
    return _VERSION_SUFFIX.sub("", cleaned).strip()


def _split(cleaned: str, original: str) -> tuple[str, str, list[str | None]]:
    """Split cleaned text into (bill type, number digits, Congress digits found in the text)."""
    for pattern in (_GOVTRACK_RE, _THOMAS_RE):
        match = pattern.fullmatch(cleaned)
        if match:
            return _bill_type(match["type"], original), match["num"], [match["congress"]]
    if "congress.gov" in cleaned or "://" in cleaned or cleaned.startswith("www."):
        return _split_url(cleaned, original)
    api_match = _API_PATH_RE.fullmatch(cleaned)
    if api_match:
        return _bill_type(api_match["type"], original), api_match["num"], [api_match["congress"]]
    match = _CITATION_RE.fullmatch(cleaned)
    if not match:
        raise CitationError(f"{_quote(original)} is not a bill citation like 'H.R. 3571' or 'S. 4426 (116th)'")
    congresses = [match[group] for group in ("pre", "paren", "dash", "ord", "word")]
    return _bill_type(match["type"], original), match["num"], congresses


def _split_url(cleaned: str, original: str) -> tuple[str, str, list[str | None]]:
    web = _WEB_URL_RE.fullmatch(cleaned)
    if web:
        bill_type = _TYPE_BY_URL_WORD.get(web["word"])
        if bill_type is None:
            raise CitationError(f"{_quote(original)} is a Congress.gov page for {web['word']!r}, not a bill")
        return bill_type, web["num"], [web["congress"]]
    api = _API_PATH_RE.fullmatch(cleaned)
    if api:
        return _bill_type(api["type"], original), api["num"], [api["congress"]]
    raise CitationError(
        f"{_quote(original)} is not a Congress.gov bill link like "
        "https://www.congress.gov/bill/116th-congress/house-bill/3571"
    )


def _bill_type(raw: str, original: str) -> str:
    letters = re.sub(r"[^a-z]", "", raw)
    bill_type = _TYPE_ALIASES.get(letters)
    if bill_type is None:
        raise CitationError(
            f"{raw.strip().upper()!r} in {_quote(original)} is not a bill type "
            "(H.R., S., H.J.Res., S.J.Res., H.Con.Res., S.Con.Res., H.Res., S.Res.)"
        )
    return bill_type


def _number(digits: str, original: str) -> int:
    # Length check first: int() of thousands of digits is slow and, past 4300, refused by Python.
    significant = digits.lstrip("0") or "0"
    value = int(significant) if len(significant) <= 6 else MAX_BILL_NUMBER + 1
    if not 1 <= value <= MAX_BILL_NUMBER:
        raise CitationError(f"bill number in {_quote(original)} is not between 1 and {MAX_BILL_NUMBER}")
    return value


def _congress_number(digits: str, original: str) -> int:
    significant = digits.lstrip("0") or "0"
    if len(significant) > 4:
        raise CitationError(f"Congress {significant[:12]}... in {_quote(original)} is out of range")
    return int(significant)


def _quote(text: str) -> str:
    """Quote user text in a message, shortened so that a pasted page does not flood the error."""
    return repr(text if len(text) <= 80 else text[:77] + "...")
