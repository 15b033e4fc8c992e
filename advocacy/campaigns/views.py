"""Staff campaign pages: list, create, edit, link bill versions; the endorsements of a campaign."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from advocacy.auth import current_staff
from advocacy.auth.decorators import role_required
from advocacy.campaigns.errors import CampaignError
from advocacy.campaigns.forms import ASK_HELP, CampaignForm, LinkBillForm, NewCampaignForm
from advocacy.campaigns.queries import all_campaigns, campaign_by_slug, staff_endorsements
from advocacy.campaigns.services import (
    EDITABLE,
    create_campaign,
    link_bill,
    unlink_bill,
    update_campaign,
)
from advocacy.endorsements.forms import ActionForm, InviteForm
from advocacy.extensions import db
from advocacy.form_errors import add_error
from advocacy.keep_input import keep, restore
from advocacy.models import Campaign
from advocacy.models.campaigns import VERIFIED
from advocacy.models.users import ADVOCATE, VIEWER
from advocacy.public.queries import map_points
from advocacy.public.usmap import build_map

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def _get_campaign(slug: str) -> Campaign:
    campaign = campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return campaign


def _values(form: CampaignForm) -> dict:
    values = {f: getattr(form, f).data for f in EDITABLE if f != "letter_asks"}
    values["letter_asks"] = form.asks_data() or None
    values["contact_email"] = (values["contact_email"] or "").strip() or None
    return values


@bp.route("/")
@role_required(VIEWER)
def index():
    return render_template("campaigns/index.html", campaigns=all_campaigns())


@bp.route("/new", methods=["GET", "POST"])
@role_required(ADVOCATE)
def new():
    form = NewCampaignForm()
    if form.validate_on_submit():
        try:
            campaign = create_campaign(form.slug.data, _values(form), actor=current_staff().email)
        except CampaignError as exc:
            db.session.rollback()
            add_error(form.slug, str(exc))
        else:
            flash("Campaign created. Now link its bill versions.", "success")
            return redirect(url_for("campaigns.detail", slug=campaign.slug))
    return render_template("campaigns/new.html", form=form)


@bp.route("/<slug>")
@role_required(VIEWER)
def detail(slug: str):
    campaign = _get_campaign(slug)
    endorsements = staff_endorsements(campaign)
    verified = [e for e in endorsements if e.status == VERIFIED]  # what the public map shows, from the same rows
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        endorsements=endorsements,
        usmap=build_map(map_points(verified)),
        link_form=restore(LinkBillForm(), "link-bill"),
        invite_form=InviteForm(),
        action_form=ActionForm(),
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@role_required(ADVOCATE)
def edit(slug: str):
    campaign = _get_campaign(slug)
    form = CampaignForm(obj=campaign)
    if not form.is_submitted():
        form.load_asks(campaign.letter_asks)
    if form.validate_on_submit():
        changed = update_campaign(campaign, _values(form), actor=current_staff().email)
        flash("Campaign saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("campaigns.detail", slug=campaign.slug))
    return render_template("campaigns/edit.html", campaign=campaign, form=form, ask_help=ASK_HELP)


@bp.route("/<slug>/bills", methods=["POST"])
@role_required(ADVOCATE)
def link(slug: str):
    campaign = _get_campaign(slug)
    form = LinkBillForm()
    if form.validate_on_submit():
        try:
            bill = link_bill(campaign, form.citation.data, actor=current_staff().email)
        except CampaignError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            keep(form, "link-bill", ("citation",))
        else:
            flash(f"{bill.label} linked.", "success")
    else:
        flash(" ".join(form.citation.errors) or "The form expired; try again.", "error")
        keep(form, "link-bill", ("citation",))
    return redirect(url_for("campaigns.detail", slug=slug))


@bp.route("/<slug>/bills/<int:bill_id>/unlink", methods=["POST"])
@role_required(ADVOCATE)
def unlink(slug: str, bill_id: int):
    campaign = _get_campaign(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        unlink_bill(campaign, bill_id, actor=current_staff().email)
    except CampaignError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash("Bill unlinked.", "success")
    return redirect(url_for("campaigns.detail", slug=slug))
