"""The weekly target list of a campaign, as a page and as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.auth.decorators import role_required
from advocacy.extensions import db
from advocacy.models import Campaign, CampaignBill
from advocacy.models.users import VIEWER
from advocacy.targets.services import campaign_targets, targets_csv

bp = Blueprint("targets", __name__)


def _campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(
        select(Campaign)
        .where(Campaign.slug == slug)
        .options(selectinload(Campaign.bill_links).selectinload(CampaignBill.bill))
    )
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/targets")
@role_required(VIEWER)
def choose():
    """The navigation's Targets: the campaign's targets when there is one campaign, else the list to pick from."""
    slugs = db.session.scalars(select(Campaign.slug).order_by(Campaign.name).limit(2)).all()
    if len(slugs) == 1:
        return redirect(url_for("targets.index", slug=slugs[0]))
    return redirect(url_for("campaigns.index"))


@bp.route("/campaigns/<slug>/targets")
@role_required(VIEWER)
def index(slug: str):
    campaign = _campaign(slug)
    return render_template("targets/index.html", campaign=campaign, result=campaign_targets(campaign))


@bp.route("/campaigns/<slug>/targets.csv")
@role_required(VIEWER)
def export(slug: str):
    campaign = _campaign(slug)
    return Response(
        targets_csv(campaign_targets(campaign)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{campaign.slug}-targets.csv"'},
    )
