"""Dashboard."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from advocacy.bills.forms import SyncForm
from advocacy.bills.sync import sync_enabled
from advocacy.extensions import db
from advocacy.main.queries import needs_you
from advocacy.models import Bill, Campaign, Endorsement, Event
from advocacy.models.base import utcnow
from advocacy.models.campaigns import VERIFIED
from advocacy.scheduler import overview

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every page: send them to the icon (no 404 in every log)."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/dashboard")
@login_required
def dashboard():
    bills = db.session.scalars(
        select(Bill)
        .where(Bill.tracked.is_(True))
        .options(selectinload(Bill.sponsor))
        .order_by(Bill.congress.desc(), Bill.bill_type, Bill.number)
    ).all()
    campaigns = db.session.execute(
        select(Campaign, func.count(Endorsement.id))
        .outerjoin(Endorsement, (Endorsement.campaign_id == Campaign.id) & (Endorsement.status == VERIFIED))
        .group_by(Campaign.id)
        .order_by(Campaign.name)
    ).all()
    events = db.session.scalars(
        select(Event).options(selectinload(Event.bill)).order_by(Event.created_at.desc(), Event.id.desc()).limit(20)
    ).all()
    return render_template(
        "main/dashboard.html",
        bills=bills,
        campaigns=campaigns,
        events=events,
        now=utcnow(),
        sync_enabled=sync_enabled(),
        sync_form=SyncForm(),
        needs_you=needs_you(),
        schedule=overview(current_app),
    )
