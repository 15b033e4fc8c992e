"""Bills list, bill page, tracking and syncing from the web."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from advocacy.auth import current_staff
from advocacy.auth.decorators import role_required
from advocacy.bills import queries
from advocacy.bills.cosponsor_chart import cosponsor_chart
from advocacy.bills.errors import SyncError
from advocacy.bills.forms import SyncForm, TrackForm, TrackRelatedForm
from advocacy.bills.results import SyncResult, SyncStatus
from advocacy.bills.services import campaign_suggestions
from advocacy.bills.stage import STAGE_LABELS, StageResult, tracker_position
from advocacy.bills.sync import sync_enabled, track
from advocacy.bills.tasks import sync_bills
from advocacy.congress.citations import Citation
from advocacy.extensions import db
from advocacy.jobs import get_runner
from advocacy.keep_input import keep, restore
from advocacy.models import BILL_TYPES, Bill
from advocacy.models.users import ADVOCATE, VIEWER

bp = Blueprint("bills", __name__, url_prefix="/bills")


def _track_form() -> TrackForm:
    form = TrackForm()
    campaigns = queries.campaigns_by_name()
    form.campaign.choices = [SelectChoice("", "(none)")] + [SelectChoice(c.slug, c.name) for c in campaigns]
    return form


def _flash_result(result: SyncResult) -> None:
    if result.status == SyncStatus.FAILED:
        flash(f"Sync of {result.citation.label} failed: {result.message}", "error")
    elif result.status == SyncStatus.DEFERRED:
        flash(f"{result.citation.label}: {result.message}", "error")
    else:
        flash(result.line(), "success")


def _bill_url(citation: Citation) -> str:
    return url_for("bills.detail", congress=citation.congress, bill_type=citation.bill_type, number=citation.number)


@bp.route("/")
@role_required(VIEWER)
def index():
    congress = request.args.get("congress", type=int)
    stage = request.args.get("stage")
    campaign_slug = request.args.get("campaign")
    query = queries.bills_select(
        congress=congress, stage=stage if stage in STAGE_LABELS else None, campaign_slug=campaign_slug
    )
    bills = db.session.scalars(
        query.order_by(Bill.latest_action_date.desc().nulls_last(), Bill.congress.desc(), Bill.number)
    ).all()
    return render_template(
        "bills/index.html",
        bills=bills,
        congresses=queries.stored_congresses(),
        campaigns=queries.campaigns_by_name(),
        filters={"congress": congress, "stage": stage, "campaign": campaign_slug},
        form=restore(_track_form(), "track"),
        sync_enabled=sync_enabled(),
    )


def _track_and_redirect(citation: Citation, campaign_slug: str | None, form: TrackForm | None = None):
    """Track a bill for the current user, flash the outcome, and go to the bill (or back to the list, where the
    track field shows what was typed)."""
    try:
        result = track(citation, campaign_slug=campaign_slug, actor=current_staff().email)
    except SyncError as exc:
        flash(exc.message, "error")
    else:
        _flash_result(result)
        if result.status != SyncStatus.FAILED:
            return redirect(_bill_url(citation))
    if form is not None:
        keep(form, "track", ("citation", "campaign"))
    return redirect(url_for("bills.index"))


@bp.route("/track", methods=["POST"])
@role_required(ADVOCATE)
def track_bill():
    form = _track_form()
    if not form.validate_on_submit():
        for field_errors in form.errors.values():
            for error in field_errors:
                flash(f"Could not track: {error}", "error")
        keep(form, "track", ("citation", "campaign"))
        return redirect(url_for("bills.index"))
    return _track_and_redirect(form.parsed, form.campaign.data or None, form)


@bp.route("/track-related", methods=["POST"])
@role_required(ADVOCATE)
def track_related():
    form = TrackRelatedForm()
    if not form.validate_on_submit():
        abort(400)
    return _track_and_redirect(form.parsed, form.campaign.data or None)


@bp.route("/<int:congress>/<bill_type>/<int:number>/sync", methods=["POST"])
@role_required(ADVOCATE)
def sync_now(congress: int, bill_type: str, number: int):
    if bill_type not in BILL_TYPES:
        abort(404)
    form = SyncForm()
    if not form.validate_on_submit():
        abort(400)
    citation = Citation(congress, bill_type, number)
    if not sync_enabled():
        flash("Syncing is off: set CONGRESS_API_KEY (free key at https://api.congress.gov/sign-up/).", "error")
    else:
        job_id = get_runner().submit(sync_bills, [(congress, bill_type, number)], current_staff().email, True)
        flash(f"Sync of {citation.label} started in the background: reload this page in a few seconds.", "success")
        return redirect(_bill_url(citation) + f"?job={job_id}")
    return redirect(_bill_url(citation))


@bp.route("/sync-all", methods=["POST"])
@role_required(ADVOCATE)
def sync_all():
    form = SyncForm()
    if not form.validate_on_submit():
        abort(400)
    if not sync_enabled():
        flash("Syncing is off: set CONGRESS_API_KEY (free key at https://api.congress.gov/sign-up/).", "error")
        return redirect(url_for("main.dashboard"))
    get_runner().submit(sync_bills, None, current_staff().email, False)
    flash("Sync of all tracked bills started in the background; changes appear under Recent activity.", "success")
    return redirect(url_for("main.dashboard"))


@bp.route("/jobs/<job_id>")
@role_required(VIEWER)
def job_status(job_id: str):
    """Status of a background sync (queued, running, finished, failed, unknown) as JSON."""
    return {"job": job_id, "status": get_runner().status(job_id)}


@bp.route("/<int:congress>/<bill_type>/<int:number>")
@role_required(VIEWER)
def detail(congress: int, bill_type: str, number: int):
    if bill_type not in BILL_TYPES:
        abort(404)
    bill = queries.load_bill(congress, bill_type, number)
    if bill is None:
        abort(404)
    result = StageResult(bill.stage, bill.stage_furthest)
    campaigns = queries.campaigns_of(bill)
    endorsements = queries.active_endorsements(campaigns)
    active_cosponsors = [c for c in bill.cosponsorships if c.withdrawn_date is None]
    party_split: dict[str, int] = {}
    for c in active_cosponsors:
        party_split[c.member.party_initial] = party_split.get(c.member.party_initial, 0) + 1
    referral_codes = {c.committee_code for c in bill.committees}
    on_referral = queries.members_on_committees(referral_codes, [c.member_id for c in bill.cosponsorships])
    return render_template(
        "bills/detail.html",
        bill=bill,
        stage=result,
        position=tracker_position(result),
        campaigns=campaigns,
        endorsements=endorsements,
        party_split=party_split,
        on_referral=on_referral,
        cosponsor_chart=cosponsor_chart(bill),
        suggestions=campaign_suggestions(bill, campaigns),
        tracked_related=queries.stored_related(bill),
        sync_form=SyncForm(),
        related_form=TrackRelatedForm(),
        sync_enabled=sync_enabled(),
    )
