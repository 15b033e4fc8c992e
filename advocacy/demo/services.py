"""Loading the demo data: idempotent upserts by natural keys, never overwriting synced bills."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from advocacy.bills.services import action_dedupe_key, get_bill, refresh_stage
from advocacy.demo import facts
from advocacy.demo.letter import DEMO_TEMPLATE, SUPERSEDED
from advocacy.extensions import db
from advocacy.letters.services import add_version
from advocacy.models import (
    Bill,
    BillAction,
    BillCommittee,
    Campaign,
    CampaignBill,
    City,
    CityDistrict,
    Committee,
    CommitteeMembership,
    Cosponsorship,
    Endorsement,
    Interaction,
    Letter,
    LetterTemplate,
    Member,
    OfficeContact,
)
from advocacy.models.base import utcnow
from advocacy.models.campaigns import ACTIVE_STATUSES, VERIFIED

logger = logging.getLogger(__name__)


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1

    corrected: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.created:
            text = "Added " + ", ".join(f"{n} {what}" for what, n in sorted(self.created.items())) + "."
        else:
            text = "Demo data already loaded: nothing to add."
        return text + "".join(f" Corrected {fix}." for fix in self.corrected)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_demo() -> DemoReport:
    """Load (or complete) the demo data; running it again adds nothing. The caller's unit of work commits."""
    report = DemoReport()
    _load_members(report)
    _load_committees(report)
    for spec in facts.BILLS:
        _repair_cosponsors(_load_bill(spec, report), spec, report)
    db.session.flush()
    _drop_misnamed_members(report)
    campaign = _load_campaign(report)
    _load_cities(report)
    db.session.flush()
    _load_sample_endorsements(campaign, report)
    _load_letter_template(report)
    db.session.flush()
    logger.info("demo load: %s", report.summary())
    return report


def _load_members(report: DemoReport) -> None:
    for spec in facts.MEMBERS:
        if db.session.get(Member, spec["bioguide_id"]) is not None:
            continue
        values = dict(spec)
        values["term_start"] = _d(values.get("term_start"))
        values["term_end"] = _d(values.get("term_end"))
        db.session.add(Member(source="demo", **values))
        report.add("members")


def _load_committees(report: DemoReport) -> None:
    for spec in facts.COMMITTEES:
        if db.session.get(Committee, spec["thomas_id"]) is None:
            db.session.add(Committee(**spec))
            report.add("committees")
    db.session.flush()
    for committee_id, member_id, side, rank, title in facts.MEMBERSHIPS:
        exists = db.session.scalar(
            select(CommitteeMembership.id).where(
                CommitteeMembership.committee_id == committee_id, CommitteeMembership.member_id == member_id
            )
        )
        if exists is None:
            db.session.add(
                CommitteeMembership(
                    committee_id=committee_id, member_id=member_id, party_side=side, rank=rank, title=title
                )
            )
            report.add("committee seats")


def _load_bill(spec: dict, report: DemoReport) -> Bill:
    bill = get_bill(spec["congress"], spec["bill_type"], spec["number"])
    if bill is not None:
        return bill  # already there: demo or synced, either way left alone
    bill = Bill(
        congress=spec["congress"],
        bill_type=spec["bill_type"],
        number=spec["number"],
        title=spec["title"],
        short_title=spec["short_title"],
        introduced_date=_d(spec["introduced_date"]),
        origin_chamber=spec["origin_chamber"],
        sponsor_id=spec["sponsor"],
        policy_area="International Affairs",
        data_source="demo",
        source_note=spec["source_note"],
        tracked=True,
    )
    db.session.add(bill)
    seen: set[str] = set()
    for action in spec["actions"]:
        action_date = date.fromisoformat(action["action_date"])
        key = action_dedupe_key(action_date, action["text"])
        if key in seen:
            continue
        seen.add(key)
        values = {k: v for k, v in action.items() if k != "action_date"}
        bill.actions.append(BillAction(action_date=action_date, dedupe_key=key, source_system="demo", **values))
    for member_id in spec["cosponsors"]:
        bill.cosponsorships.append(
            Cosponsorship(member_id=member_id, sponsorship_date=bill.introduced_date, is_original=True)
        )
    for committee in spec["committees"]:
        bill.committees.append(BillCommittee(**committee))
    latest = max(bill.actions, key=lambda a: a.action_date)
    bill.latest_action_date = latest.action_date
    bill.latest_action_text = latest.text
    refresh_stage(bill)
    report.add("bills")
    return bill


def _repair_cosponsors(bill: Bill, spec: dict, report: DemoReport) -> None:
    """Point a demo bill's cosponsor rows made with a wrong bioguide id (facts.WRONG_IDS) to the right member.

    Older demos gave Albio Sires Christopher H. Smith's id, so a roster import made Smith an original cosponsor of
    H.R. 4526. Only bills the demo made are touched (a synced bill's cosponsors come from Congress.gov)."""
    if bill.data_source != "demo":
        return
    have = {c.member_id for c in bill.cosponsorships}
    for row in list(bill.cosponsorships):
        wrong, right = row.member_id, facts.WRONG_IDS.get(row.member_id)
        if right is None or right not in spec["cosponsors"]:
            continue
        if right in have:
            bill.cosponsorships.remove(row)
        else:
            row.member_id = right
            have.add(right)
        report.corrected.append(f"{bill.label}: cosponsor {wrong} is {right}")
        logger.info("demo load: %s cosponsor %s corrected to %s", bill.label, wrong, right)


def _drop_misnamed_members(report: DemoReport) -> None:
    """Remove a member row an older demo made under a wrong id (Albio Sires as S000522) once nothing refers to it.

    A row a roster import wrote (source other than "demo") or one still referred to is left alone."""
    for wrong, right in facts.WRONG_IDS.items():
        member = db.session.get(Member, wrong)
        spec = next(m for m in facts.MEMBERS if m["bioguide_id"] == right)
        if member is None or member.source != "demo":
            continue
        if (member.first_name, member.last_name) != (spec["first_name"], spec["last_name"]):
            continue
        references = [
            select(Bill.id).where(Bill.sponsor_id == wrong),
            select(Cosponsorship.id).where(Cosponsorship.member_id == wrong),
            select(CommitteeMembership.id).where(CommitteeMembership.member_id == wrong),
            select(Letter.id).where(Letter.member_id == wrong),
            select(OfficeContact.id).where(OfficeContact.member_id == wrong),
            select(Interaction.id).where(Interaction.member_id == wrong),
        ]
        if any(db.session.scalar(query.limit(1)) is not None for query in references):
            continue
        db.session.delete(member)
        report.corrected.append(
            f"{spec['first_name']} {spec['last_name']} is {right}: the demo's row under {wrong} removed"
        )


def _load_campaign(report: DemoReport) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == facts.CAMPAIGN["slug"]))
    if campaign is None:
        campaign = Campaign(**facts.CAMPAIGN)
        db.session.add(campaign)
        report.add("campaigns")
    linked = {link.bill_id for link in campaign.bill_links}
    for position, spec in enumerate(facts.BILLS):
        bill = get_bill(spec["congress"], spec["bill_type"], spec["number"])
        if bill is not None and bill.id not in linked:
            campaign.bill_links.append(CampaignBill(bill=bill, position=position))
            report.add("campaign bill links")
    return campaign


def _load_cities(report: DemoReport) -> None:
    for spec in facts.CITIES:
        city = db.session.scalar(select(City).where(City.name == spec["name"], City.state == spec["state"]))
        if city is not None:
            continue
        values = {k: v for k, v in spec.items() if k != "districts"}
        city = City(**values)
        city.districts = [CityDistrict(state=spec["state"], district=d, source="demo") for d in spec["districts"]]
        db.session.add(city)
        report.add("cities")


def _load_sample_endorsements(campaign: Campaign, report: DemoReport) -> None:
    for label in facts.SAMPLE_ENDORSEMENTS:
        name, state = label.rsplit(", ", 1)
        city = db.session.scalar(select(City).where(City.name == name, City.state == state))
        if city is None:
            continue
        active = db.session.scalar(
            select(func.count(Endorsement.id)).where(
                Endorsement.campaign_id == campaign.id,
                Endorsement.city_id == city.id,
                Endorsement.status.in_(ACTIVE_STATUSES),
            )
        )
        if active:
            continue
        now = utcnow()
        db.session.add(
            Endorsement(
                campaign=campaign,
                city=city,
                status=VERIFIED,
                signer_name="Sample Signer",
                signer_title="Office of the Mayor (sample)",
                signer_email=f"sample@{city.email_domains[0]}" if city.email_domains else None,
                source_note=facts.SAMPLE_NOTE,
                confirmed_at=now,
                verified_at=now,
            )
        )
        report.add("sample endorsements")


def _load_letter_template(report: DemoReport) -> None:
    template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == DEMO_TEMPLATE["slug"]))
    if template is None:
        db.session.add(LetterTemplate(**DEMO_TEMPLATE))
        report.add("letter templates")
    elif any(template.body == old["body"] and template.re_line == old["re_line"] for old in SUPERSEDED):
        template.body, template.re_line = DEMO_TEMPLATE["body"], DEMO_TEMPLATE["re_line"]
        add_version(template, "demo")
        report.add("letter templates updated")
