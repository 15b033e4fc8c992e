"""US letter-to-Congress addressing: addressee blocks, title lines and salutations (DOMAIN.md §5).

Pure functions on plain data (dicts made by `member_data`), so that worker processes need no database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

HOUSE_ZIP = "20515"
SENATE_ZIP = "20510"
CHAMBER_NAMES = {"house": "U.S. House of Representatives", "senate": "United States Senate"}
# Non-voting House members and how they are addressed.
DELEGATE_STATES = {"DC", "GU", "VI", "AS", "MP"}
RESIDENT_COMMISSIONER_STATES = {"PR"}
# A committee chair's titles as the rosters spell them (the leaders: selector and committee letters).
CHAIR_TITLES = ("Chair", "Chairman", "Chairwoman")
# Committee titles used in the salutation ("Dear Chair Mast"); other titles only appear in the title line.
SALUTATION_TITLES = (*CHAIR_TITLES, "Ranking Member")


def long_date(value: date) -> str:
    """ "November 27, 2026"."""
    return f"{value:%B} {value.day}, {value.year}"


def committee_short_name(name: str) -> str:
    """ "House Committee on Foreign Affairs" -> "Committee on Foreign Affairs" (the chamber is in the block)."""
    for prefix in ("House ", "Senate ", "Joint "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def member_data(member: Any, committee_title: str | None = None, committee_name: str | None = None) -> dict:
    """Plain data of a Member (ORM object or anything with the same attributes) for the renderer."""
    return {
        "bioguide_id": member.bioguide_id,
        "first_name": member.nickname or member.first_name,
        "last_name": member.last_name,
        "full_name": member.official_full_name or f"{member.nickname or member.first_name} {member.last_name}",
        "chamber": member.chamber,
        "state": member.state,
        "district": member.district,
        "office": (member.office or "").strip() or None,
        "committee_title": committee_title,
        "committee_name": committee_name,
    }


def chamber_title(member: dict) -> str:
    """ "Representative", "Senator", "Delegate" or "Resident Commissioner"."""
    if member["chamber"] == "senate":
        return "Senator"
    if member["state"] in DELEGATE_STATES:
        return "Delegate"
    if member["state"] in RESIDENT_COMMISSIONER_STATES:
        return "Resident Commissioner"
    return "Representative"


def seat(member: dict) -> str:
    """ "CA-36", "AK-AL" or "CT" (senators)."""
    if member["chamber"] == "senate" or member["district"] is None:
        return member["state"] or ""
    return f"{member['state']}-{'AL' if member['district'] == 0 else member['district']}"


def addressee(member: dict) -> dict:
    """The addressee block and salutation name of one member, plus what was missing to write them."""
    chamber = member["chamber"] if member["chamber"] in CHAMBER_NAMES else "house"
    title = member.get("committee_title")
    title_line = None
    if title and member.get("committee_name"):
        title_line = f"{title}, {committee_short_name(member['committee_name'])}"
    salutation_title = title if title in SALUTATION_TITLES else chamber_title(member)
    missing = []
    if not member.get("office"):
        missing.append("office room and building")
    if member["chamber"] not in CHAMBER_NAMES:
        missing.append("chamber")
    zip_code = SENATE_ZIP if chamber == "senate" else HOUSE_ZIP
    return {
        **member,
        "honorific": "The Honorable",
        "title_line": title_line,
        "chamber_title": chamber_title(member),
        "chamber_name": CHAMBER_NAMES[chamber],
        "city_state_zip": f"Washington, DC {zip_code}",
        "zip": zip_code,
        "seat": seat(member),
        "salutation_name": f"{salutation_title} {member['last_name']}",
        "lines": [
            f"The Honorable {member['full_name']}",
            *([title_line] if title_line else []),
            CHAMBER_NAMES[chamber],
            *([member["office"]] if member.get("office") else []),
            f"Washington, DC {zip_code}",
        ],
        "missing": missing,
    }


def join_names(names: list[str]) -> str:
    """ "A", "A and B", "A, B, and C"."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _one_recipient(block: dict) -> dict:
    one = dict(block)
    one["salutation"] = f"Dear {one['salutation_name']}:"
    one["addressees"] = [block]
    one["is_joint"] = False
    one["is_committee"] = False
    return one


def _joined(blocks: list[dict], key: str, separator: str = "; ") -> str | None:
    """The blocks' non-empty values of `key`, joined (None when none has one)."""
    return separator.join(b[key] for b in blocks if b[key]) or None


def _joint_recipient(blocks: list[dict]) -> dict:
    names = {key: join_names([b[key] for b in blocks]) for key in ("full_name", "first_name", "last_name")}
    salutation_name = join_names([b["salutation_name"] for b in blocks])
    return {
        "bioguide_id": ", ".join(b["bioguide_id"] for b in blocks),
        "honorific": "The Honorable",
        **names,
        "title_line": _joined(blocks, "title_line"),
        "chamber": blocks[0]["chamber"] if len({b["chamber"] for b in blocks}) == 1 else "both",
        "chamber_name": " and ".join(dict.fromkeys(b["chamber_name"] for b in blocks)),
        "chamber_title": blocks[0]["chamber_title"],
        "office": _joined(blocks, "office"),
        "city_state_zip": "; ".join(dict.fromkeys(b["city_state_zip"] for b in blocks)),
        "state": blocks[0]["state"],
        "district": None,
        "seat": ", ".join(b["seat"] for b in blocks),
        "salutation_name": salutation_name,
        "salutation": f"Dear {salutation_name}:",
        "addressees": blocks,
        "is_joint": True,
        "is_committee": False,
        "missing": [f"{b['full_name']}: {m}" for b in blocks for m in b["missing"]],
    }


def recipient(members: list[dict]) -> dict:
    """The `recipient` merge field for a letter to one member or a joint letter to several.

    A joint letter joins names and salutations: "Dear Chair Mast and Ranking Member Meeks:".
    """
    blocks = [addressee(m) for m in members]
    return _one_recipient(blocks[0]) if len(blocks) == 1 else _joint_recipient(blocks)


# Building abbreviations of committees-current.yaml ("2170 RHOB; Washington, DC 20515-6128").
BUILDINGS = {
    "RHOB": "Rayburn House Office Building",
    "LHOB": "Longworth House Office Building",
    "CHOB": "Cannon House Office Building",
    "FHOB": "Ford House Office Building",
    "DSOB": "Dirksen Senate Office Building",
    "HSOB": "Hart Senate Office Building",
    "RSOB": "Russell Senate Office Building",
    "CAPITOL": "U.S. Capitol",
}


def office_lines(address: str | None) -> tuple[str | None, str | None]:
    """ "2170 RHOB; Washington, DC 20515-6128" -> ("2170 Rayburn House Office Building", "Washington, DC 20515-6128")."""
    if not address or not address.strip():
        return None, None
    room, _, city = (part.strip() for part in address.partition(";"))
    words = room.split()
    if words and words[-1].upper() in BUILDINGS:
        room = " ".join([*words[:-1], BUILDINGS[words[-1].upper()]])
    return room or None, city or None


def committee_leaders(members: list[dict]) -> list[dict]:
    """The committee's chair, then its ranking member, among the addressees (either may be missing)."""
    chair = next((m for m in members if (m.get("committee_title") or "") in CHAIR_TITLES), None)
    ranking = next((m for m in members if m.get("committee_title") == "Ranking Member"), None)
    return [m for m in (chair, ranking) if m is not None]


def committee_recipient(committee: dict, members: list[dict]) -> dict:
    """The `recipient` of one letter to a whole committee: its chair and ranking member "and Members of the
    Committee", at the committee's own office (name, room and building from committees-current.yaml).

    `committee`: {"name" (title form, e.g. "Committee on Foreign Affairs"), "chamber", "address", "is_sub"}.
    """
    chamber = committee["chamber"] if committee["chamber"] in CHAMBER_NAMES else "house"
    body = "Subcommittee" if committee.get("is_sub") else "Committee"
    leaders = committee_leaders(members)
    room, city_line = office_lines(committee.get("address"))
    zip_code = SENATE_ZIP if chamber == "senate" else HOUSE_ZIP
    city_line = city_line or f"Washington, DC {zip_code}"
    lines = [f"The Honorable {m['full_name']}, {m['committee_title']}" for m in leaders]
    lines.append(f"and Members of the {body}" if leaders else f"Members of the {body}")
    lines += [committee["name"], CHAMBER_NAMES[chamber], *([room] if room else []), city_line]
    greeting = [f"{m['committee_title']} {m['last_name']}" for m in leaders] + [f"Members of the {body}"]
    block = {
        "lines": lines, "title_line": None, "office": room, "full_name": committee["name"],
        "bioguide_id": "", "missing": [] if room else ["committee office room and building"],
    }  # fmt: skip
    return {
        "bioguide_id": ", ".join(m["bioguide_id"] for m in members),
        "honorific": "The Honorable",
        "full_name": f"Members of the {committee['name']}",
        "first_name": "",
        "last_name": join_names([m["last_name"] for m in leaders]),
        "title_line": None,
        "chamber": chamber,
        "chamber_name": CHAMBER_NAMES[chamber],
        "chamber_title": "Members",
        "office": room,
        "city_state_zip": city_line,
        "state": "",
        "district": None,
        "seat": "",
        "salutation_name": join_names(greeting),
        "salutation": f"Dear {join_names(greeting)}:",
        "addressees": [block],
        "is_joint": True,
        "is_committee": True,
        "committee": committee,
        "missing": [f"{committee['name']}: {m}" for m in block["missing"]],
    }
