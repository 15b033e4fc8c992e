"""Bill citations: what people paste is read into one canonical Citation, or refused with a clear message."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from advocacy.congress.citations import (
    BILL_TYPES,
    Citation,
    CitationError,
    current_congress,
    ordinal,
    parse_citation,
)

TODAY = date(2026, 6, 15)  # the 119th Congress
HR3571 = Citation(116, "hr", 3571)


@pytest.mark.parametrize(
    ("citation", "display", "label", "url_word"),
    [
        (Citation(116, "hr", 3571), "H.R. 3571", "H.R. 3571 (116th)", "house-bill"),
        (Citation(116, "s", 4426), "S. 4426", "S. 4426 (116th)", "senate-bill"),
        (Citation(111, "hres", 12), "H.Res. 12", "H.Res. 12 (111th)", "house-resolution"),
        (Citation(112, "sjres", 5), "S.J.Res. 5", "S.J.Res. 5 (112th)", "senate-joint-resolution"),
        (Citation(113, "hconres", 3), "H.Con.Res. 3", "H.Con.Res. 3 (113th)", "house-concurrent-resolution"),
        (Citation(121, "hjres", 1), "H.J.Res. 1", "H.J.Res. 1 (121st)", "house-joint-resolution"),
        (Citation(122, "sres", 9), "S.Res. 9", "S.Res. 9 (122nd)", "senate-resolution"),
        (Citation(123, "sconres", 2), "S.Con.Res. 2", "S.Con.Res. 2 (123rd)", "senate-concurrent-resolution"),
    ],
)
def test_citation_renders_every_bill_type(citation: Citation, display: str, label: str, url_word: str) -> None:
    """Each bill type prints as on the bill, with correct ordinals, and links to its Congress.gov page."""
    assert citation.display == display
    assert citation.label == label
    assert citation.congress_gov_url == (
        f"https://www.congress.gov/bill/{ordinal(citation.congress)}-congress/{url_word}/{citation.number}"
    )


def test_citation_slug_and_api_path() -> None:
    """The slug and the API path are the forms used in URLs and API calls."""
    assert HR3571.slug == "116-hr-3571"
    assert HR3571.api_path == "bill/116/hr/3571"
    assert HR3571.congress_gov_url == "https://www.congress.gov/bill/116th-congress/house-bill/3571"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (12, "12th"), (13, "13th"), (101, "101st"), (111, "111th")],
)
def test_ordinal_suffixes(n: int, expected: str) -> None:
    """Ordinals follow English, including the 11th-13th exceptions."""
    assert ordinal(n) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 1, 2), 118),
        (date(2025, 1, 3), 119),
        (date(2026, 12, 31), 119),
        (date(2027, 1, 3), 120),
        (date(2019, 6, 27), 116),
        (date(1789, 3, 4), 1),
    ],
)
def test_current_congress_turns_over_on_january_3(today: date, expected: int) -> None:
    """A new Congress starts on January 3 of odd years; the day before belongs to the previous one."""
    assert current_congress(today) == expected


@pytest.mark.parametrize(
    "text",
    [
        "H.R. 3571",
        "HR3571",
        "hr 3571",
        "H R 3571",
        "h.r.3571",
        "  H.R.\u00a03571  ",
        "House Bill 3571",
    ],
)
def test_house_bill_spellings_with_congress_argument(text: str) -> None:
    """Dots, spaces and case do not matter; the Congress can come from the argument."""
    assert parse_citation(text, congress=116, today=TODAY) == HR3571


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("S. 4426", Citation(119, "s", 4426)),
        ("S.4426", Citation(119, "s", 4426)),
        ("H.Res. 12", Citation(119, "hres", 12)),
        ("S.J.Res. 5", Citation(119, "sjres", 5)),
        ("H.Con.Res. 3", Citation(119, "hconres", 3)),
        ("S. Con. Res. 2", Citation(119, "sconres", 2)),
        ("hjres 5", Citation(119, "hjres", 5)),
        ("H.J. Res. 1", Citation(119, "hjres", 1)),
        ("sres9", Citation(119, "sres", 9)),
    ],
)
def test_types_without_congress_default_to_current(text: str, expected: Citation) -> None:
    """Without any Congress, the one in session on `today` is assumed."""
    assert parse_citation(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "H.R. 3571 (116th)",
        "H.R. 3571 (116th Congress)",
        "H.R. 3571 (116)",
        "116 H.R. 3571",
        "116th H.R. 3571",
        "116th Congress H.R. 3571",
        "H.R.3571-116",
        "H.R. 3571, 116th Congress",
        "H.R. 3571 116th",
        "116-hr-3571",
        "H.R. 3571 (116ᵗʰ)",
        "ＨＲ３５７１（116th）",
    ],
)
def test_congress_inside_the_text(text: str) -> None:
    """The Congress may be written before, after or in brackets, and wins over today's date."""
    assert parse_citation(text, today=TODAY) == HR3571


@pytest.mark.parametrize(
    "text",
    [
        "https://www.congress.gov/bill/116th-congress/house-bill/3571",
        "https://www.congress.gov/bill/116th-congress/house-bill/3571/text",
        "https://www.congress.gov/bill/116th-congress/house-bill/3571/actions?q=%7B%22search%22%3A%5B%5D%7D&s=1&r=2",
        "https://www.congress.gov/bill/116th-congress/house-bill/3571#toc",
        "http://congress.gov/bill/116th-congress/house-bill/3571/all-actions",
        "www.congress.gov/bill/116th-congress/house-bill/3571",
        "congress.gov/bill/116th-congress/house-bill/3571?format=json",
        "HTTPS://WWW.CONGRESS.GOV/BILL/116TH-CONGRESS/HOUSE-BILL/3571",
        "https://api.congress.gov/v3/bill/116/hr/3571?format=json",
        "bill/116/hr/3571",
    ],
)
def test_congress_gov_links(text: str) -> None:
    """Links to any page of a bill on Congress.gov (and API paths) are read as that bill."""
    assert parse_citation(text, today=TODAY) == HR3571


def test_matching_congress_argument_is_accepted() -> None:
    """Naming the same Congress in the text and the argument is not a conflict."""
    assert parse_citation("H.R. 3571 (116th)", congress=116, today=TODAY) == HR3571


@pytest.mark.parametrize(
    ("text", "congress", "message"),
    [
        ("", None, "no bill citation"),
        ("   ", None, "no bill citation"),
        ("hello", None, "not a bill citation"),
        ("3571", None, "not a bill citation"),
        ("HR", None, "not a bill citation"),
        ("HB 5", None, "'HB'"),
        ("X.Y. 12", None, "'X.Y' in 'X.Y. 12' is not a bill type"),
        ("HR 0", None, "between 1 and 99999"),
        ("HR 100000", None, "between 1 and 99999"),
        ("HR 99999999999999999999999", None, "between 1 and 99999"),
        ("H.R. 3571 (999th)", None, "999th Congress has not started yet"),
        ("H.R. 3571 (121st)", None, "121st Congress has not started yet"),
        ("H.R. 3571 (0th)", None, "out of range"),
        ("H.R. 3571", 0, "out of range"),
        ("H.R. 3571 (116th)", 117, "116th and 117th"),
        ("116th H.R. 3571 (117th)", None, "116th and 117th"),
        ("https://www.congress.gov/bill/116th-congress/house-amendment/5", None, "'house-amendment'"),
        ("https://www.congress.gov/members", None, "not a Congress.gov bill link"),
        ("https://example.org/bill/116/hr/3571", None, "not a Congress.gov bill link"),
        ("H.R. 3571 " + "x" * 3000, None, "too long"),
    ],
)
def test_errors_name_what_was_not_understood(text: str, congress: int | None, message: str) -> None:
    """Garbage, out-of-range numbers and conflicting Congresses raise CitationError saying why."""
    with pytest.raises(CitationError) as caught:
        parse_citation(text, congress=congress, today=TODAY)
    assert message in str(caught.value)


def test_a_congress_that_has_not_started_is_refused_naming_the_current_one() -> None:
    """The 120th Congress begins on January 3, 2027: until then a citation for it is refused, and the message
    names the current Congress (so that "H.R. 1 (120th)" typed by mistake is not tracked as a future bill)."""
    with pytest.raises(CitationError) as caught:
        parse_citation("H.R. 1 (120th)", today=TODAY)
    assert str(caught.value) == (
        "the 120th Congress has not started yet (it begins on January 3, 2027); the current Congress is the 119th"
    )
    assert parse_citation("H.R. 1 (120th)", today=date(2027, 1, 3)) == Citation(120, "hr", 1)
    with pytest.raises(CitationError, match="current Congress is the 119th"):
        parse_citation("H.R. 1", congress=120, today=TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Congress.gov's own headings
        ("H.R.5323 - 119th Congress (2025-2026)", Citation(119, "hr", 5323)),
        ("H.R.3571 - 116th Congress (2019-2020)", Citation(116, "hr", 3571)),
        ("H.R.4526 - City and State Diplomacy Act", Citation(119, "hr", 4526)),
        # GovTrack bill URLs
        ("govtrack.us/congress/bills/119/hr5323", Citation(119, "hr", 5323)),
        ("https://www.govtrack.us/congress/bills/116/s4426/text", Citation(116, "s", 4426)),
        ("https://www.govtrack.us/congress/bills/117/hconres5", Citation(117, "hconres", 5)),
        # punctuation people paste
        ("H.R. 5323.", Citation(119, "hr", 5323)),
        ("H.R. No. 5323", Citation(119, "hr", 5323)),
        ("H.R. #5323", Citation(119, "hr", 5323)),
        ("H,R, 5323", Citation(119, "hr", 5323)),
        # congress.gov links with a bare Congress number
        ("https://www.congress.gov/bill/119/house-bill/5323", Citation(119, "hr", 5323)),
        ("congress.gov/bill/116/senate-bill/4426/text", Citation(116, "s", 4426)),
        # THOMAS
        ("http://thomas.loc.gov/cgi-bin/bdquery/z?d116:HR03571:", Citation(116, "hr", 3571)),
        ("thomas.loc.gov/cgi-bin/query/z?c111:H.R.3590:", Citation(111, "hr", 3590)),
        ("H.R.3571.IH", Citation(119, "hr", 3571)),
        ("hr3571enr", Citation(119, "hr", 3571)),
        # a thousands separator is part of the number, never a Congress
        ("H.R. 1,118", Citation(119, "hr", 1118)),
        ("116 H.R. 1,118", Citation(116, "hr", 1118)),
        ("H.R. 10,000 (118th)", Citation(118, "hr", 10000)),
        ("H.R. 1, 118th Congress", Citation(118, "hr", 1)),
        ("HR3571,116", Citation(116, "hr", 3571)),
    ],
)
def test_citations_as_people_paste_them(text: str, expected: Citation) -> None:
    """Headings, GovTrack and THOMAS links, stray punctuation and thousands separators read as the bill meant."""
    assert parse_citation(text, today=TODAY) == expected


def test_citation_error_is_a_value_error() -> None:
    """Callers that catch ValueError (forms, CLI) also catch citation errors."""
    assert issubclass(CitationError, ValueError)


def test_citation_refuses_invalid_fields() -> None:
    """A Citation cannot be built with an unknown type or an impossible number."""
    with pytest.raises(CitationError):
        Citation(116, "hb", 1)
    with pytest.raises(CitationError):
        Citation(116, "hr", 0)


# ------------------------------------------------------------------ properties

citations = st.builds(
    Citation,
    congress=st.integers(min_value=1, max_value=current_congress(TODAY)),  # a later Congress has not started
    bill_type=st.sampled_from(BILL_TYPES),
    number=st.integers(min_value=1, max_value=99999),
)


@given(citations)
def test_round_trips(citation: Citation) -> None:
    """Every printed form of a citation parses back to the same citation."""
    assert parse_citation(citation.display, congress=citation.congress, today=TODAY) == citation
    assert parse_citation(citation.label, today=TODAY) == citation
    assert parse_citation(citation.congress_gov_url, today=TODAY) == citation
    assert parse_citation(citation.slug, today=TODAY) == citation
    assert parse_citation(citation.api_path, today=TODAY) == citation


def _accepts_or_refuses(text: str, congress: int | None = None) -> None:
    try:
        result = parse_citation(text, congress=congress, today=TODAY)
    except CitationError as exc:
        assert str(exc)
    else:
        assert result.bill_type in BILL_TYPES
        assert 1 <= result.number <= 99999
        assert 1 <= result.congress <= current_congress(TODAY)


@given(st.text())
@example("\x00")
@example("H.R. ")
@example("٣٥٧١ HR")
@example("hr 3571 (" + "9" * 5000 + ")")
@example("İ.R. 5")
def test_any_text_is_parsed_or_refused_with_citation_error(text: str) -> None:
    """No string makes the parser raise anything but CitationError."""
    _accepts_or_refuses(text)


_separators = st.sampled_from(["", " ", ".", "-", "  ", ". ", "/", ",", "\u00a0", "\t"])
_type_spellings = st.sampled_from(
    ["H.R.", "HR", "h r", "S.", "s", "H.Res.", "hres", "S.J.Res.", "H.Con.Res.", "sconres", "HB", "Hx", "RES"]
)
_numbers = st.one_of(
    st.integers(min_value=-5, max_value=200_000).map(str), st.sampled_from(["0", "007", "9" * 40, "", "3571a"])
)
_congress_parts = st.sampled_from(
    ["", " (116th)", "-116", " (0th)", " (121st)", " (116)", "(", ")", " 116th Congress", " (99999999th)"]
)
_prefixes = st.sampled_from(["", "116 ", "116th ", "117th Congress ", "0 ", "https://www.congress.gov/bill/"])


@given(
    st.tuples(_prefixes, _type_spellings, _separators, _numbers, _congress_parts).map("".join),
    st.one_of(st.none(), st.integers(min_value=-3, max_value=200)),
)
def test_citation_like_text_is_parsed_or_refused(text: str, congress: int | None) -> None:
    """Near-miss citations (bad numbers, odd separators, conflicting Congresses) never crash the parser."""
    _accepts_or_refuses(text, congress)


_url_words = st.sampled_from(
    ["house-bill", "senate-bill", "house-joint-resolution", "house-amendment", "bill", "", "senate-resolution"]
)


@given(
    st.sampled_from(["https://www.", "http://", "", "www.", "https://api."]),
    st.integers(min_value=0, max_value=400),
    st.sampled_from(["th", "st", "nd", "rd", "", "x"]),
    _url_words,
    _numbers,
    st.sampled_from(["", "/text", "/actions?x=1", "#a", "?q=%7B%7D", "/", "//", " extra"]),
)
def test_url_like_text_is_parsed_or_refused(
    scheme: str, congress: int, suffix: str, word: str, number: str, tail: str
) -> None:
    """Mangled Congress.gov links never crash the parser."""
    _accepts_or_refuses(f"{scheme}congress.gov/bill/{congress}{suffix}-congress/{word}/{number}{tail}")
