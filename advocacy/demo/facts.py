"""Demo facts: the six real bills of the city-diplomacy campaign, their people and a dozen cities.

Written by hand from the sources named in each entry (bill texts at GPO and Congress.gov [H]; press releases
and news [M]); see ../shared/DOMAIN.md. Facts marked [M] carry their source so the pages can show it, and a
real sync from Congress.gov overwrites all bill data. Office data: @unitedstates congress-legislators,
snapshot 2026-06-15 (CC0). Populations: GeoNames (CC BY 4.0), marked as such. Districts of the cities are
approximate (basis "demo", labelled approximate on every page and in letters' batch reports) until the Census
relationship file is imported (`flask districts import-census`), which replaces them.
"""

from __future__ import annotations

from typing import Any

HOUSE_REFERRAL = "Referred to the House Committee on Foreign Affairs."
SENATE_REFERRAL = "Read twice and referred to the Committee on Foreign Relations."
TITLE_2019 = "To establish an Office of Subnational Diplomacy within the Department of State, and for other purposes."
TITLE_2021 = (
    "To establish an Office of City and State Diplomacy within the Department of State, and for other purposes."
)
TITLE_2024 = "To enhance subnational diplomacy efforts within the Department of State, and for other purposes."

_LEG = "@unitedstates congress-legislators snapshot 2026-06-15"

# Bioguide ids that older demos gave the wrong member, and the right ones: `demo load` corrects the demo's bills.
# S000522 is Christopher H. Smith (NJ-4); Albio Sires is S001165 (DOMAIN.md; bioguide.congress.gov).
WRONG_IDS = {"S000522": "S001165"}

# Members: current ones with their DC office from the roster snapshot; former ones without office data.
MEMBERS: list[dict[str, Any]] = [
    dict(
        bioguide_id="L000582",
        first_name="Ted",
        last_name="Lieu",
        official_full_name="Ted Lieu",
        chamber="house",
        state="CA",
        district=36,
        party="Democrat",
        office="2454 Rayburn House Office Building",
        address="2454 Rayburn House Office Building Washington DC 20515-0536",
        phone="202-225-3976",
        website="https://lieu.house.gov",
        term_start="2025-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="W000795",
        first_name="Joe",
        middle_name="G.",
        last_name="Wilson",
        official_full_name="Joe Wilson",
        chamber="house",
        state="SC",
        district=2,
        party="Republican",
        office="1436 Longworth House Office Building",
        address="1436 Longworth House Office Building Washington DC 20515-4002",
        phone="202-225-2452",
        website="https://joewilson.house.gov",
        term_start="2025-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="M001137",
        first_name="Gregory",
        middle_name="W.",
        last_name="Meeks",
        official_full_name="Gregory W. Meeks",
        chamber="house",
        state="NY",
        district=5,
        party="Democrat",
        office="2310 Rayburn House Office Building",
        address="2310 Rayburn House Office Building Washington DC 20515-3205",
        phone="202-225-3461",
        website="https://meeks.house.gov",
        term_start="2025-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="W000812",
        first_name="Ann",
        last_name="Wagner",
        official_full_name="Ann Wagner",
        chamber="house",
        state="MO",
        district=2,
        party="Republican",
        office="2350 Rayburn House Office Building",
        address="2350 Rayburn House Office Building Washington DC 20515-2502",
        phone="202-225-1621",
        website="https://wagner.house.gov",
        term_start="2025-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="C001091",
        first_name="Joaquin",
        last_name="Castro",
        official_full_name="Joaquin Castro",
        chamber="house",
        state="TX",
        district=20,
        party="Democrat",
        office="2241 Rayburn House Office Building",
        address="2241 Rayburn House Office Building Washington DC 20515-4320",
        phone="202-225-3236",
        website="https://castro.house.gov",
        term_start="2025-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="C001055",
        first_name="Ed",
        last_name="Case",
        official_full_name="Ed Case",
        chamber="house",
        state="HI",
        district=1,
        party="Democrat",
        office="2210 Rayburn House Office Building",
        address="2210 Rayburn House Office Building Washington DC 20515-1101",
        phone="202-225-2726",
        website="https://case.house.gov",
        term_start="2025-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="M001199",
        first_name="Brian",
        middle_name="J.",
        last_name="Mast",
        official_full_name="Brian J. Mast",
        chamber="house",
        state="FL",
        district=21,
        party="Republican",
        office="2182 Rayburn House Office Building",
        address="2182 Rayburn House Office Building Washington DC 20515-0921",
        phone="202-225-3026",
        website="https://mast.house.gov",
        term_start="2025-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="M001169",
        first_name="Christopher",
        middle_name="S.",
        last_name="Murphy",
        official_full_name="Christopher Murphy",
        chamber="senate",
        state="CT",
        district=None,
        party="Democrat",
        office="136 Hart Senate Office Building",
        address="136 Hart Senate Office Building Washington DC 20510",
        phone="202-224-4041",
        website="https://www.murphy.senate.gov",
        contact_form="https://www.murphy.senate.gov/contact",
        term_start="2025-01-03",
        term_end="2031-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="C001056",
        first_name="John",
        last_name="Cornyn",
        official_full_name="John Cornyn",
        chamber="senate",
        state="TX",
        district=None,
        party="Republican",
        office="517 Hart Senate Office Building",
        address="517 Hart Senate Office Building Washington DC 20510",
        phone="202-224-2934",
        website="https://www.cornyn.senate.gov",
        contact_form="https://www.cornyn.senate.gov/contact",
        term_start="2021-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="R000584",
        first_name="James",
        middle_name="E.",
        last_name="Risch",
        official_full_name="James E. Risch",
        chamber="senate",
        state="ID",
        district=None,
        party="Republican",
        office="483 Russell Senate Office Building",
        address="483 Russell Senate Office Building Washington DC 20510",
        phone="202-224-2752",
        website="https://www.risch.senate.gov",
        contact_form="https://www.risch.senate.gov/public/index.cfm?p=Email",
        term_start="2021-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    dict(
        bioguide_id="S001181",
        first_name="Jeanne",
        last_name="Shaheen",
        official_full_name="Jeanne Shaheen",
        chamber="senate",
        state="NH",
        district=None,
        party="Democrat",
        office="506 Hart Senate Office Building",
        address="506 Hart Senate Office Building Washington DC 20510",
        phone="202-224-2841",
        website="https://www.shaheen.senate.gov",
        contact_form="https://www.shaheen.senate.gov/contact/contact-jeanne",
        term_start="2021-01-03",
        term_end="2027-01-03",
        is_current=True,
    ),
    # Former members who cosponsored earlier versions (no longer in the roster: no office data).
    dict(
        bioguide_id="P000612",
        first_name="David",
        last_name="Perdue",
        chamber="senate",
        state="GA",
        district=None,
        party="Republican",
        is_current=False,
    ),
    dict(
        bioguide_id="C001084",
        first_name="David",
        last_name="Cicilline",
        chamber="house",
        state="RI",
        district=1,
        party="Democrat",
        is_current=False,
    ),
    dict(
        # S001165 (DOMAIN.md; bioguide.congress.gov): S000522 is Christopher H. Smith (NJ-4) in the roster.
        bioguide_id="S001165",
        first_name="Albio",
        last_name="Sires",
        chamber="house",
        state="NJ",
        district=8,
        party="Democrat",
        is_current=False,
    ),
    dict(
        bioguide_id="A000378",
        first_name="Cynthia",
        last_name="Axne",
        chamber="house",
        state="IA",
        district=3,
        party="Democrat",
        is_current=False,
    ),
]

COMMITTEES: list[dict[str, Any]] = [
    dict(
        thomas_id="HSFA",
        system_code="hsfa00",
        chamber="house",
        name="House Committee on Foreign Affairs",
        url="https://foreignaffairs.house.gov/",
        address="2170 RHOB; Washington, DC 20515-6128",
    ),
    dict(
        thomas_id="SSFR",
        system_code="ssfr00",
        chamber="senate",
        name="Senate Committee on Foreign Relations",
        url="http://www.foreign.senate.gov/",
    ),
]

# (committee, member, side, rank, title) from committee-membership-current.yaml in the same snapshot.
MEMBERSHIPS = [
    ("HSFA", "M001199", "majority", 1, "Chair"),
    ("HSFA", "W000795", "majority", 3, None),
    ("HSFA", "M001137", "minority", 1, "Ranking Member"),
    ("HSFA", "C001091", "minority", 5, None),
    ("HSFA", "L000582", "minority", 7, None),
    ("SSFR", "R000584", "majority", 1, "Chairman"),
    ("SSFR", "C001056", "majority", 12, None),
    ("SSFR", "S001181", "minority", 1, "Ranking Member"),
    ("SSFR", "M001169", "minority", 3, None),
]


def _intro(date: str, chamber: str) -> list[dict]:
    """Introduction and referral actions [H] for a bill introduced on `date`."""
    if chamber == "house":
        return [
            dict(action_date=date, text="Introduced in House", action_type="IntroReferral", action_code="Intro-H"),
            dict(
                action_date=date,
                text=HOUSE_REFERRAL,
                action_type="IntroReferral",
                action_code="H11100",
                committee_code="hsfa00",
                committee_name="Foreign Affairs Committee",
            ),
        ]
    return [
        dict(action_date=date, text="Introduced in Senate", action_type="IntroReferral", action_code="10000"),
        dict(
            action_date=date,
            text=SENATE_REFERRAL,
            action_type="IntroReferral",
            committee_code="ssfr00",
            committee_name="Foreign Relations Committee",
        ),
    ]


def _committee(code: str, referred: str, extra: list[dict] | None = None) -> dict:
    names = {"hsfa00": ("Foreign Affairs Committee", "House"), "ssfr00": ("Foreign Relations Committee", "Senate")}
    name, chamber = names[code]
    return dict(
        committee_code=code,
        name=name,
        chamber=chamber,
        activities=[{"name": "Referred to", "date": referred}, *(extra or [])],
    )


BILLS: list[dict[str, Any]] = [
    dict(
        congress=116,
        bill_type="hr",
        number=3571,
        short_title="City and State Diplomacy Act",
        title=TITLE_2019,
        introduced_date="2019-06-27",
        origin_chamber="House",
        sponsor="L000582",
        cosponsors=["W000795"],
        actions=_intro("2019-06-27", "house")
        + [
            dict(
                action_date="2019-12-18",
                text="Committee Consideration and Mark-up Session Held.",
                action_type="Committee",
                committee_code="hsfa00",
                committee_name="Foreign Affairs Committee",
                source_note="[M] secondary source: HFAC markup of 2019-12-18 (press reports).",
            ),
            dict(
                action_date="2019-12-18",
                text="Ordered to be Reported by Unanimous Consent.",
                action_type="Committee",
                committee_code="hsfa00",
                committee_name="Foreign Affairs Committee",
                source_note="[M] secondary source: ordered reported at the HFAC markup (press reports).",
            ),
        ],
        committees=[_committee("hsfa00", "2019-06-27", [{"name": "Markup by", "date": "2019-12-18"}])],
        source_note="Introduction and referral [H] (Congress.gov); markup and ordered reported [M] (press reports).",
    ),
    dict(
        congress=116,
        bill_type="s",
        number=4426,
        short_title="City and State Diplomacy Act",
        title=TITLE_2019,
        introduced_date="2020-08-04",
        origin_chamber="Senate",
        sponsor="M001169",
        cosponsors=["P000612"],
        actions=_intro("2020-08-04", "senate"),
        committees=[_committee("ssfr00", "2020-08-04")],
        source_note="Introduction and referral [H] (Congress.gov).",
    ),
    dict(
        congress=117,
        bill_type="hr",
        number=4526,
        short_title="City and State Diplomacy Act",
        title=TITLE_2021,
        introduced_date="2021-07-19",
        origin_chamber="House",
        sponsor="L000582",
        cosponsors=["W000795", "M001137", "C001084", "S001165", "W000812", "C001091", "A000378", "C001055"],
        actions=_intro("2021-07-19", "house")
        + [
            dict(
                action_date="2021-07-28",
                text="Ordered to be Reported by Unanimous Consent.",
                action_type="Committee",
                committee_code="hsfa00",
                committee_name="Foreign Affairs Committee",
                source_note="[M] secondary source: HFAC approved the bill in late July 2021 (press release); "
                "the exact date is not confirmed.",
            ),
        ],
        committees=[_committee("hsfa00", "2021-07-19")],
        source_note="Introduction and referral [H]; HFAC approval late July 2021 [M]; text carried in House NDAA "
        "amendments (H.R. 4350 FY22, H.R. 7900 FY23) [M].",
    ),
    dict(
        congress=117,
        bill_type="s",
        number=3072,
        short_title="City and State Diplomacy Act",
        title=TITLE_2021,
        introduced_date="2021-10-26",
        origin_chamber="Senate",
        sponsor="M001169",
        cosponsors=["C001056"],
        actions=_intro("2021-10-26", "senate"),
        committees=[_committee("ssfr00", "2021-10-26")],
        source_note="Introduction and referral [H] (Congress.gov).",
    ),
    dict(
        congress=118,
        bill_type="hr",
        number=9524,
        short_title="Enhancing Subnational Diplomacy Act",
        title=TITLE_2024,
        introduced_date="2024-09-10",
        origin_chamber="House",
        sponsor="L000582",
        cosponsors=["W000795", "M001137"],
        actions=_intro("2024-09-10", "house"),
        committees=[_committee("hsfa00", "2024-09-10")],
        source_note="Introduction and referral [H] (Congress.gov).",
    ),
    dict(
        congress=119,
        bill_type="hr",
        number=5323,
        short_title=None,
        title=TITLE_2024,
        introduced_date="2025-09-11",
        origin_chamber="House",
        sponsor="L000582",
        cosponsors=["M001137"],
        actions=_intro("2025-09-11", "house"),
        committees=[_committee("hsfa00", "2025-09-11")],
        source_note="Introduction and referral [H] (Congress.gov).",
    ),
]

CAMPAIGN: dict[str, Any] = dict(
    slug="city-state-diplomacy",
    name="Subnational Diplomacy: an office for cities and states at the State Department",
    ask=(
        "Create a permanent office at the Department of State that gives cities and states a door into U.S. "
        "diplomacy: pass H.R. 5323 in the 119th Congress."
    ),
    description=(
        "One policy campaign reintroduced across four Congresses (H.R. 3571 / S. 4426, H.R. 4526 / S. 3072, "
        "H.R. 9524, H.R. 5323). Endorsements belong to the campaign, whichever version is current."
    ),
    allow_open_signon=False,
    attestation="I am authorised to endorse on behalf of the city.",
)

# Cities active in city diplomacy (named in the seed article) and in the districts of the bills' members.
# Districts [M]: approximate 119th-Congress districts, basis "demo", checked against the members' district
# offices in each city (@unitedstates legislators-district-offices.yaml, snapshot 2026-06-15); the Census
# relationship file (`districts import-census`) replaces them. All are incorporated municipalities.
_GEONAMES = dict(population_source="GeoNames", kind="municipality")
CITIES: list[dict[str, Any]] = [
    dict(
        name="Los Angeles",
        state="CA",
        population=3820914,
        latitude=34.05223,
        longitude=-118.24368,
        geonames_id=5368361,
        **_GEONAMES,
        email_domains=["lacity.org"],
        # [M] CA-29 (north-east San Fernando Valley) included: the Census file puts part of the city in it.
        districts=[29, 30, 32, 34, 36, 37],
    ),
    dict(
        name="New York City",
        state="NY",
        population=8804190,
        latitude=40.71427,
        longitude=-74.00597,
        geonames_id=5128581,
        **_GEONAMES,
        email_domains=["nyc.gov", "cityhall.nyc.gov"],
        # NY-3 (part of Queens: Suozzi's office in Douglaston) and NY-5 to NY-16 (offices in the five boroughs;
        # NY-16 reaches into the Bronx): the 13 districts the city overlaps in the 119th Congress [M]; NY-4
        # (Nassau County) does not. Source: members' district offices in the city (@unitedstates
        # legislators-district-offices.yaml, snapshot 2026-06-15) and the 2024 New York district map.
        districts=[3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
    ),
    dict(
        name="Atlanta",
        state="GA",
        population=510823,
        latitude=33.749,
        longitude=-84.38798,
        geonames_id=4180439,
        **_GEONAMES,
        email_domains=["atlantaga.gov"],
        districts=[5, 6, 13],
    ),
    dict(
        name="Washington",
        state="DC",
        population=689545,
        latitude=38.89511,
        longitude=-77.03637,
        geonames_id=4140963,
        **_GEONAMES,
        email_domains=["dc.gov"],
        districts=[0],
    ),
    dict(
        name="Austin",
        state="TX",
        population=974447,
        latitude=30.26715,
        longitude=-97.74306,
        geonames_id=4671654,
        **_GEONAMES,
        email_domains=["austintexas.gov"],
        districts=[10, 35, 37],
    ),
    dict(
        name="Charlotte",
        state="NC",
        population=911311,
        latitude=35.22709,
        longitude=-80.84313,
        geonames_id=4460243,
        **_GEONAMES,
        email_domains=["charlottenc.gov"],
        districts=[12, 14],
    ),
    dict(
        name="Chicago",
        state="IL",
        population=2664452,
        latitude=41.85003,
        longitude=-87.65005,
        geonames_id=4887398,
        **_GEONAMES,
        email_domains=["cityofchicago.org"],
        districts=[1, 2, 3, 4, 5, 7, 8, 9],
    ),
    dict(
        name="San Antonio",
        state="TX",
        population=1526656,
        latitude=29.42412,
        longitude=-98.49363,
        geonames_id=4726206,
        **_GEONAMES,
        email_domains=["sanantonio.gov"],
        districts=[20, 21, 23, 28, 35],
    ),
    dict(
        name="Santa Monica",
        state="CA",
        population=93220,
        latitude=34.01949,
        longitude=-118.49138,
        geonames_id=5393212,
        **_GEONAMES,
        email_domains=["santamonica.gov"],
        districts=[36],
    ),
    dict(
        name="Honolulu",
        state="HI",
        population=350964,
        latitude=21.30694,
        longitude=-157.85833,
        geonames_id=5856195,
        **_GEONAMES,
        email_domains=["honolulu.gov"],
        districts=[1],
    ),
    dict(
        name="Hartford",
        state="CT",
        population=121054,
        latitude=41.76371,
        longitude=-72.68509,
        geonames_id=4835797,
        **_GEONAMES,
        email_domains=["hartfordct.gov"],
        districts=[1],
    ),
    dict(
        name="Columbia",
        state="SC",
        population=142416,
        latitude=34.00071,
        longitude=-81.03481,
        geonames_id=4575352,
        **_GEONAMES,
        email_domains=["columbiasc.gov"],
        districts=[2, 6],
    ),
]

# Sample endorsements so that the dashboard, the public page and the letters have something to show.
# They are NOT real positions of these cities: every page marks them as sample data.
SAMPLE_NOTE = "Sample endorsement loaded with the demo data; not a real position of this city."
SAMPLE_ENDORSEMENTS = ["Los Angeles, CA", "Santa Monica, CA", "San Antonio, TX", "Honolulu, HI", "Atlanta, GA"]
