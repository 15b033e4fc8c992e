"""Bills list and bill page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.auth.decorators import role_required
from advocacy.bills.stage import STAGE_LABELS, derive_stage, tracker_position
from advocacy.extensions import db
from advocacy.models import BILL_TYPES, Bill, Campaign, CampaignBill, Cosponsorship, Endorsement
from advocacy.models.campaigns import ACTIVE_STATUSES
from advocacy.models.users import VIEWER

bp = Blueprint("bills", __name__, url_prefix="/bills")


@bp.route("/")
@role_required(VIEWER)
def index():
    query = select(Bill).options(selectinload(Bill.sponsor))
    congress = request.args.get("congress", type=int)
    stage = request.args.get("stage")
    campaign_slug = request.args.get("campaign")
    if congress:
        query = query.where(Bill.congress == congress)
    if stage in STAGE_LABELS:
        query = query.where(Bill.stage == stage)
    if campaign_slug:
        query = (
            query.join(CampaignBill, CampaignBill.bill_id == Bill.id)
            .join(Campaign)
            .where(Campaign.slug == campaign_slug)
        )
    bills = db.session.scalars(
        query.order_by(Bill.latest_action_date.desc().nulls_last(), Bill.congress.desc(), Bill.number)
    ).all()
    congresses = db.session.scalars(select(Bill.congress).distinct().order_by(Bill.congress.desc())).all()
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.name)).all()
    return render_template(
        "bills/index.html",
        bills=bills,
        congresses=congresses,
        campaigns=campaigns,
        filters={"congress": congress, "stage": stage, "campaign": campaign_slug},
    )


@bp.route("/<int:congress>/<bill_type>/<int:number>")
@role_required(VIEWER)
def detail(congress: int, bill_type: str, number: int):
    if bill_type not in BILL_TYPES:
        abort(404)
    bill = db.session.scalar(
        select(Bill)
        .where(Bill.congress == congress, Bill.bill_type == bill_type, Bill.number == number)
        .options(
            selectinload(Bill.sponsor),
            selectinload(Bill.actions),
            selectinload(Bill.cosponsorships).selectinload(Cosponsorship.member),
            selectinload(Bill.committees),
            selectinload(Bill.related_bills),
        )
    )
    if bill is None:
        abort(404)
    result = derive_stage(bill.actions, bill.congress)
    campaigns = db.session.scalars(
        select(Campaign).join(CampaignBill).where(CampaignBill.bill_id == bill.id).order_by(Campaign.name)
    ).all()
    endorsements = db.session.scalars(
        select(Endorsement)
        .where(Endorsement.campaign_id.in_([c.id for c in campaigns]), Endorsement.status.in_(ACTIVE_STATUSES))
        .options(selectinload(Endorsement.city))
    ).all()
    active_cosponsors = [c for c in bill.cosponsorships if c.withdrawn_date is None]
    party_split: dict[str, int] = {}
    for c in active_cosponsors:
        party_split[c.member.party_initial] = party_split.get(c.member.party_initial, 0) + 1
    return render_template(
        "bills/detail.html",
        bill=bill,
        stage=result,
        position=tracker_position(result),
        campaigns=campaigns,
        endorsements=endorsements,
        party_split=party_split,
    )
