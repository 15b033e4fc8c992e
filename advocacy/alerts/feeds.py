"""Atom feeds (RFC 4287) of bill events and campaign news: public, no login.

Only public facts go in: bill changes reported by Congress.gov and newly verified endorsements (city and
campaign). Actors, client IPs and invitation events never do. Entry ids are tag: URIs (RFC 4151) built from
BASE_URL's host and the event id, so they never change; the XML is built with ElementTree (escaped), with
characters XML forbids removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from advocacy.alerts.services import KIND_LABELS, is_alert_event
from advocacy.extensions import db
from advocacy.models import Bill, Campaign, CampaignBill, Endorsement, Event
from advocacy.models.events import (
    BILL_ACTION,
    BILL_COSPONSOR_ADDED,
    BILL_COSPONSOR_WITHDRAWN,
    BILL_RELATED,
    BILL_STAGE,
    BILL_TEXT,
    BILL_TITLE,
    BILL_TRACKED,
    ENDORSEMENT_STATUS,
)
from advocacy.urls import absolute_url, base_url

ATOM = "http://www.w3.org/2005/Atom"
FEED_BILL_KINDS = (
    BILL_TRACKED,
    BILL_ACTION,
    BILL_STAGE,
    BILL_COSPONSOR_ADDED,
    BILL_COSPONSOR_WITHDRAWN,
    BILL_RELATED,
    BILL_TITLE,
    BILL_TEXT,
)
FEED_LIMIT = 50
TAG_DATE = "2026"
EMPTY_UPDATED = datetime(2019, 1, 1)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
KIND_LABELS_FEED = {**KIND_LABELS, BILL_TRACKED: "Now tracked", BILL_TITLE: "Title changed"}

ET.register_namespace("", ATOM)


def _clean(text: str | None) -> str:
    return _INVALID_XML.sub("", text or "")


def _stamp(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def tag_uri(specific: str) -> str:
    """A stable tag: URI for this installation (host of BASE_URL)."""
    host = urlsplit(base_url()).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:advocacy/{specific}"


def _query(*conditions) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(*conditions)
            .options(
                selectinload(Event.bill),
                selectinload(Event.campaign),
                selectinload(Event.endorsement).selectinload(Endorsement.city),
            )
            .order_by(Event.id.desc())
            .limit(FEED_LIMIT)
        ).all()
    )


def tracked_bill_events() -> list[Event]:
    """Latest events of every tracked bill."""
    tracked = select(Bill.id).where(Bill.tracked.is_(True))
    return _query(Event.bill_id.in_(tracked), Event.kind.in_(FEED_BILL_KINDS))


def bill_events(bill: Bill) -> list[Event]:
    return _query(Event.bill_id == bill.id, Event.kind.in_(FEED_BILL_KINDS))


def campaign_events(campaign: Campaign) -> list[Event]:
    """Events of the campaign's bills and its newly verified endorsements."""
    bills = select(CampaignBill.bill_id).where(CampaignBill.campaign_id == campaign.id)
    events = _query(
        or_(
            (Event.bill_id.in_(bills)) & Event.kind.in_(FEED_BILL_KINDS),
            (Event.campaign_id == campaign.id) & (Event.kind == ENDORSEMENT_STATUS),
        )
    )
    return [e for e in events if e.kind != ENDORSEMENT_STATUS or is_alert_event(e)]


def _entry_parts(event: Event) -> tuple[str, str, str]:
    """(title, text, link) of an event, public facts only."""
    label = KIND_LABELS_FEED.get(event.kind, event.kind)
    campaign, bill = event.campaign, event.bill
    if event.kind == ENDORSEMENT_STATUS and campaign is not None:
        city = event.endorsement.city.label if event.endorsement is not None else "A city"
        return (
            f"{campaign.name}: {label}",
            f"{city} endorsed {campaign.name} (verified).",
            absolute_url(f"/c/{campaign.slug}"),
        )
    if bill is not None:
        return (f"{bill.label}: {label}", event.summary, bill.congress_gov_url)
    return (label, event.summary, absolute_url("/"))  # the feeds' queries select events with a bill or a campaign


def render_feed(feed_id: str, title: str, self_path: str, alternate: str, events: Sequence[Event]) -> bytes:
    """An Atom document for `events` (newest first)."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = tag_uri(feed_id)
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _clean(title)
    updated = max((e.created_at for e in events), default=EMPTY_UPDATED)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=absolute_url(self_path))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=alternate)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Advocacy"
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "Advocacy"
    for event in events:
        entry_title, text, link = _entry_parts(event)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = tag_uri(f"event/{event.id}")
        ET.SubElement(entry, f"{{{ATOM}}}title", type="text").text = _clean(entry_title)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(event.created_at)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(event.created_at)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=link)
        ET.SubElement(entry, f"{{{ATOM}}}category", term=event.kind)
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = _clean(text)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
