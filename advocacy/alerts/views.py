"""Follow buttons, the Following page, login-free unsubscribe, Atom feeds, webhooks and the alerts health page."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, or_, select

from advocacy.alerts import feeds, services, webhooks
from advocacy.alerts.forms import ActionForm, FollowForm, SettingsForm, UnsubscribeForm, WebhookForm
from advocacy.auth import current_staff, logged_in_staff
from advocacy.auth.decorators import role_required
from advocacy.extensions import csrf, db
from advocacy.models import AlertDelivery, AlertRun, Bill, Campaign, MailMessage, WebhookDelivery, WebhookEndpoint
from advocacy.models.alerts import FAILED, WEBHOOK_FAILED, WEBHOOK_PENDING
from advocacy.models.base import utcnow
from advocacy.models.mail import FAILED as MAIL_FAILED
from advocacy.models.users import ADMIN, VIEWER
from advocacy.scheduler import overview
from advocacy.security import rate_limits_shared
from advocacy.urls import absolute_url

logger = logging.getLogger(__name__)
bp = Blueprint("alerts", __name__)


@bp.app_context_processor
def follow_helpers() -> dict:
    """`follow_of(type, key)` for the Follow button include (one query per button)."""

    def follow_of(target_type: str, target_key: object):
        user = logged_in_staff()
        if user is None:
            return None
        return services.find_follow(user.id, target_type, str(target_key))

    return {"follow_of": follow_of, "follow_form": FollowForm, "unfollow_form": ActionForm}


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("alerts.following")


# --------------------------------------------------------------------------------------------- following


@bp.route("/alerts/follow", methods=["POST"])
@role_required(VIEWER)
def follow():
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        row, created = services.follow(current_staff(), form.target_type.data, form.target_key.data)
    except services.AlertError as exc:
        flash(str(exc), "error")
        return redirect(_safe_next(form.next.data))
    if created:  # the receipt is sent after the request's unit of work commits
        flash(f"You now follow {row.label}. A receipt is on its way by e-mail.", "success")
    return redirect(_safe_next(form.next.data))


@bp.route("/alerts/unfollow/<int:follow_id>", methods=["POST"])
@role_required(VIEWER)
def unfollow(follow_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if services.unfollow(current_staff(), follow_id):
        flash("Stopped following.", "success")
    return redirect(_safe_next(form.next.data))


@bp.route("/alerts/following", methods=["GET", "POST"])
@role_required(VIEWER)
def following():
    settings = services.settings_for(current_staff())  # may create the defaults (committed with the request)
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        services.set_mode(current_staff(), form.mode.data)
        flash("Alert settings saved.", "success")
        return redirect(url_for("alerts.following"))
    return render_template(
        "alerts/following.html", follows=services.follows_of(current_staff()), form=form, action_form=ActionForm()
    )


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """Login-free: GET shows a confirm button, POST unsubscribes (the signed token is the authority)."""
    try:
        unsub = services.read_unsubscribe_token(token)
    except services.AlertError as exc:
        return render_template("alerts/unsubscribe.html", error=str(exc), done=False, form=None), 400
    form = UnsubscribeForm()
    if request.method == "POST":
        removed = services.unsubscribe(unsub)
        return render_template("alerts/unsubscribe.html", done=True, removed=removed, unsub=unsub, form=None)
    return render_template("alerts/unsubscribe.html", done=False, unsub=unsub, form=form)


# --------------------------------------------------------------------------------------------- feeds


def _atom(body: bytes) -> ResponseReturnValue:
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/feeds/bills.atom")
def feed_bills():
    events = feeds.tracked_bill_events()
    return _atom(feeds.render_feed("feeds/bills", "Tracked bills", "/feeds/bills.atom", absolute_url("/"), events))


@bp.route("/feeds/bills/<int:congress>/<bill_type>/<int:number>.atom")
def feed_bill(congress: int, bill_type: str, number: int):
    bill = db.session.scalar(
        select(Bill).where(Bill.congress == congress, Bill.bill_type == bill_type.lower(), Bill.number == number)
    )
    if bill is None:
        abort(404)
    path = f"/feeds/bills/{bill.congress}/{bill.bill_type}/{bill.number}.atom"
    title = f"{bill.label}: {bill.display_title}"
    return _atom(
        feeds.render_feed(f"feeds/bill/{bill.id}", title, path, bill.congress_gov_url, feeds.bill_events(bill))
    )


@bp.route("/feeds/campaigns/<slug>.atom")
def feed_campaign(slug: str):
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        abort(404)
    return _atom(
        feeds.render_feed(
            f"feeds/campaign/{campaign.id}",
            campaign.name,
            f"/feeds/campaigns/{campaign.slug}.atom",
            absolute_url(f"/c/{campaign.slug}"),
            feeds.campaign_events(campaign),
        )
    )


# --------------------------------------------------------------------------------------------- admin


@bp.route("/admin/alerts")
@role_required(ADMIN)
def health():
    """Last runs, failures and stale syncs."""
    runs = db.session.scalars(select(AlertRun).order_by(AlertRun.id.desc()).limit(10)).all()
    stale = db.session.scalars(
        select(Bill)
        .where(
            Bill.tracked.is_(True),
            Bill.data_source != "demo",
            or_(Bill.stale_clause(utcnow()), Bill.sync_error.is_not(None)),
        )
        .order_by(Bill.congress.desc(), Bill.bill_type, Bill.number)
    ).all()
    counts = {
        "email_failed": db.session.scalar(select(func.count()).where(AlertDelivery.state == FAILED)),
        "mail_failed": db.session.scalar(select(func.count()).where(MailMessage.status == MAIL_FAILED)),
        "webhook_failed": db.session.scalar(select(func.count()).where(WebhookDelivery.state == WEBHOOK_FAILED)),
        "webhook_retrying": db.session.scalar(
            select(func.count()).where(WebhookDelivery.state == WEBHOOK_PENDING, WebhookDelivery.attempts > 0)
        ),
    }
    return render_template(
        "alerts/health.html",
        runs=runs,
        stale=stale,
        counts=counts,
        stale_hours=current_app.config.get("SYNC_STALE_HOURS", 48),
        rate_limits_shared=rate_limits_shared(current_app),
        schedule=overview(current_app),
    )


@bp.route("/admin/webhooks", methods=["GET", "POST"])
@role_required(ADMIN)
def webhook_list():
    form = WebhookForm()
    created = None
    if form.validate_on_submit():
        try:
            created = webhooks.create_endpoint(
                form.url.data, form.event_types.data, form.description.data, actor=current_staff().email
            )
        except webhooks.WebhookError as exc:
            form.url.errors.append(str(exc))
        else:
            form = WebhookForm(formdata=None)
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    code = 400 if form.errors else 200
    return (
        render_template(
            "alerts/webhooks.html", endpoints=endpoints, form=form, created=created, action_form=ActionForm()
        ),
        code,
    )


@bp.route("/admin/webhooks/<int:endpoint_id>")
@role_required(ADMIN)
def webhook_detail(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    return render_template(
        "alerts/webhook.html", hook=endpoint, deliveries=webhooks.deliveries_of(endpoint), action_form=ActionForm()
    )


@bp.route("/admin/webhooks/<int:endpoint_id>/toggle", methods=["POST"])
@role_required(ADMIN)
def webhook_toggle(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    webhooks.set_active(endpoint, not endpoint.active, actor=current_staff().email)
    flash(f"Webhook {endpoint.id} {'resumed' if endpoint.active else 'paused'}.", "success")
    return redirect(url_for("alerts.webhook_detail", endpoint_id=endpoint.id))
