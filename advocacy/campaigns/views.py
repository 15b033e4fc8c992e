"""Staff campaign pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.auth.decorators import role_required
from advocacy.campaigns.forms import CampaignForm
from advocacy.campaigns.services import EDITABLE, update_campaign
from advocacy.extensions import db
from advocacy.models import Campaign, CampaignBill, City, Endorsement
from advocacy.models.users import ADVOCATE, VIEWER

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def _get_campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(
        select(Campaign)
        .where(Campaign.slug == slug)
        .options(selectinload(Campaign.bill_links).selectinload(CampaignBill.bill))
    )
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/")
@role_required(VIEWER)
def index():
    campaigns = db.session.scalars(
        select(Campaign)
        .options(selectinload(Campaign.bill_links).selectinload(CampaignBill.bill))
        .order_by(Campaign.name)
    ).all()
    return render_template("campaigns/index.html", campaigns=campaigns)


@bp.route("/<slug>")
@role_required(VIEWER)
def detail(slug: str):
    campaign = _get_campaign(slug)
    endorsements = db.session.scalars(
        select(Endorsement)
        .join(City)
        .where(Endorsement.campaign_id == campaign.id)
        .options(selectinload(Endorsement.city).selectinload(City.districts))
        .order_by(City.state, City.name, Endorsement.created_at)
    ).all()
    return render_template("campaigns/detail.html", campaign=campaign, endorsements=endorsements)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@role_required(ADVOCATE)
def edit(slug: str):
    campaign = _get_campaign(slug)
    form = CampaignForm(obj=campaign)
    if form.validate_on_submit():
        changed = update_campaign(campaign, {f: getattr(form, f).data for f in EDITABLE}, actor=current_user.email)
        db.session.commit()
        flash("Campaign saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("campaigns.detail", slug=campaign.slug))
    return render_template("campaigns/edit.html", campaign=campaign, form=form)
