"""Convert GPO BILLSTATUS XML (the bulk-data form of the records the Congress.gov API serves) to the API's shape.

The BILLSTATUS files under tests/fixtures/billstatus are real records published by GPO (public domain; each
file's origin is in tests/fixtures/billstatus/SOURCE.md). The API answers the same records as JSON; this helper
turns a file into the `server.bills` record that tests/congress_fake.py serves (bill item plus the lists of
actions, cosponsors, committees, related bills and titles), so that the sync is exercised on real data through
real HTTP with real paging.

XML is parsed with defusedxml (no entities, no external references, no DTD tricks), as any XML from outside
should be. Both layouts GPO has published are read: the "legacy" one (`billNumber`, `billType`,
`committees/billCommittees`, one `committee` per action) and the current one that matches the API's JSON
(`number`, `type`, `committees/item`, `committees/item` per action).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from defusedxml import ElementTree

BILLSTATUS_DIR = Path(__file__).parent / "fixtures" / "billstatus"


def _py(element: Any) -> Any:
    """An element as Python data: text for a leaf, a list for `<item>` children, else a dict."""
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        return text or None
    if all(child.tag == "item" for child in children):
        return [_py(child) for child in children]
    result: dict[str, Any] = {}
    for child in children:
        if child.tag == "item":  # items mixed with other elements (legacy <actions> with counts)
            result.setdefault("item", []).append(_py(child))
        else:
            result[child.tag] = _py(child)
    return result


def _items(value: Any) -> list[dict[str, Any]]:
    """A list of item dicts whether the XML had `<item>` children, a single child or nothing."""
    if value is None:
        return []
    if isinstance(value, list):
        return [entry for entry in value if isinstance(entry, dict)]
    if isinstance(value, dict):
        # <committees><billCommittees><item>... or <actions><item>... mixed with count elements
        nested = [v for v in value.values() if isinstance(v, list)]
        if nested:
            return [entry for entry in nested[0] if isinstance(entry, dict)]
        return [value]
    return []


def _source_system(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    code = value.get("code")
    return {"code": int(code) if code and code.isdigit() else code, "name": value.get("name")}


def _action(item: dict[str, Any]) -> dict[str, Any]:
    committees = _items(item.get("committees"))
    if not committees and isinstance(item.get("committee"), dict):
        committees = [item["committee"]]  # legacy layout: one <committee> per action
    action: dict[str, Any] = {
        "actionDate": item.get("actionDate"),
        "text": item.get("text"),
        "type": item.get("type"),
        "actionCode": item.get("actionCode"),
        "sourceSystem": _source_system(item.get("sourceSystem")),
        "committees": [{"name": c.get("name"), "systemCode": c.get("systemCode")} for c in committees if c] or None,
    }
    if item.get("actionTime"):
        action["actionTime"] = item["actionTime"]
    votes = _items(item.get("recordedVotes"))
    if votes:
        action["recordedVotes"] = votes
    return action


def _committee(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": item.get("name"),
        "systemCode": item.get("systemCode"),
        "chamber": item.get("chamber"),
        "type": item.get("type"),
        "activities": [{"name": a.get("name"), "date": a.get("date")} for a in _items(item.get("activities"))],
        "subcommittees": [_committee(sub) for sub in _items(item.get("subcommittees"))],
    }


def _member(item: dict[str, Any]) -> dict[str, Any]:
    member = {
        "bioguideId": item.get("bioguideId"),
        "fullName": item.get("fullName"),
        "firstName": item.get("firstName"),
        "lastName": item.get("lastName"),
        "party": item.get("party"),
        "state": item.get("state"),
    }
    if item.get("district") is not None:
        member["district"] = int(item["district"])
    return member


def _cosponsor(item: dict[str, Any]) -> dict[str, Any]:
    return {
        **_member(item),
        "sponsorshipDate": item.get("sponsorshipDate"),
        "isOriginalCosponsor": (item.get("isOriginalCosponsor") or "").lower() == "true",
        "sponsorshipWithdrawnDate": item.get("sponsorshipWithdrawnDate"),
    }


def _related(item: dict[str, Any]) -> dict[str, Any]:
    latest = item.get("latestAction") if isinstance(item.get("latestAction"), dict) else None
    return {
        "congress": int(item["congress"]),
        "number": int(item["number"]),
        "type": item.get("type"),
        "title": item.get("title"),
        "latestAction": {"actionDate": latest.get("actionDate"), "text": latest.get("text")} if latest else None,
        "relationshipDetails": [
            {"type": d.get("type"), "identifiedBy": d.get("identifiedBy")}
            for d in _items(item.get("relationshipDetails"))
        ],
    }


def billstatus_record(path: Path) -> dict[str, Any]:
    """The `server.bills` record (API shapes) of one BILLSTATUS XML file."""
    root = ElementTree.parse(str(path)).getroot()
    element = root.find("bill")
    if element is None:
        raise ValueError(f"{path} has no <bill> element")
    data = _py(element)
    latest = data.get("latestAction") if isinstance(data.get("latestAction"), dict) else {}
    policy = data.get("policyArea") if isinstance(data.get("policyArea"), dict) else None
    bill = {
        "congress": int(data["congress"]),
        "type": data.get("type") or data.get("billType"),
        "number": data.get("number") or data.get("billNumber"),
        "originChamber": data.get("originChamber"),
        "title": data.get("title"),
        "introducedDate": data.get("introducedDate"),
        "updateDate": data.get("updateDate"),
        "updateDateIncludingText": data.get("updateDateIncludingText") or data.get("updateDate"),
        "latestAction": {k: v for k, v in latest.items() if k in ("actionDate", "actionTime", "text")},
        "sponsors": [_member(item) for item in _items(data.get("sponsors"))],
        "policyArea": {"name": policy.get("name")} if policy and policy.get("name") else None,
        "laws": [{"type": law.get("type"), "number": law.get("number")} for law in _items(data.get("laws"))],
    }
    return {
        "bill": bill,
        "actions": [_action(item) for item in _items(data.get("actions")) if item.get("actionDate")],
        "cosponsors": [_cosponsor(item) for item in _items(data.get("cosponsors"))],
        "committees": [_committee(item) for item in _items(data.get("committees"))],
        "relatedbills": [_related(item) for item in _items(data.get("relatedBills")) if item.get("number")],
        "titles": [{"title": t.get("title"), "titleType": t.get("titleType")} for t in _items(data.get("titles")) if t],
    }


def bill_key(record: dict[str, Any]) -> tuple[int, str, int]:
    """(congress, lower-case type, number) of a converted record, as `server.bills` keys it."""
    bill = record["bill"]
    return int(bill["congress"]), bill["type"].lower(), int(bill["number"])
