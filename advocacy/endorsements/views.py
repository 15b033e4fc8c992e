"""Staff pages: one endorsement with its audit trail and review buttons; invitations of a campaign."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from advocacy.auth import current_staff
from advocacy.auth.decorators import role_required
from advocacy.campaigns.queries import campaign_by_slug
from advocacy.endorsements import queries, services
from advocacy.endorsements.forms import ActionForm, BulkInviteForm, InviteForm, ReasonForm
from advocacy.endorsements.receipts import receipt_pdf
from advocacy.extensions import db
from advocacy.form_errors import add_error
from advocacy.models import Campaign, Endorsement, Invitation
from advocacy.models.users import ADVOCATE, VIEWER

bp = Blueprint("endorsements", __name__, url_prefix="/endorsements")
MAX_CSV_BYTES = 1024 * 1024


def _endorsement(endorsement_id: int) -> Endorsement:
    endorsement = queries.endorsement_by_id(endorsement_id)
    if endorsement is None:
        abort(404)
    return endorsement


def _campaign(slug: str) -> Campaign:
    campaign = campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/<int:endorsement_id>")
@role_required(VIEWER)
def detail(endorsement_id: int):
    endorsement = _endorsement(endorsement_id)
    return render_template(
        "endorsements/detail.html",
        e=endorsement,
        events=queries.audit_trail(endorsement),
        invitation=queries.invitation_of(endorsement),
        official=queries.is_official_email(endorsement.signer_email, endorsement.city.email_domains),
        action_form=ActionForm(),
        reason_form=ReasonForm(),
    )


def _apply(change: Callable[[], object], success: Callable[[], str]) -> None:
    """Run a staff change; the request's unit of work commits it and sends its mail. A refused change is
    rolled back and the reason shown."""
    try:
        change()
    except services.EndorsementError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(success(), "success")


def _review(endorsement_id: int, action: str):
    endorsement = _endorsement(endorsement_id)
    form = ActionForm() if action == "approve" else ReasonForm()
    if not form.validate_on_submit():
        flash("Give a reason." if action != "approve" else "The form expired; try again.", "error")
        return redirect(url_for("endorsements.detail", endorsement_id=endorsement.id))
    change: Callable[[], object]
    if isinstance(form, ReasonForm):
        refuse = services.reject if action == "reject" else services.withdraw_by_staff
        change = partial(refuse, endorsement, form.reason.data, actor=current_staff().email)
    else:
        change = partial(services.approve, endorsement, actor=current_staff().email)
    _apply(change, lambda: f"Endorsement of {endorsement.city.label}: {endorsement.status}.")
    return redirect(url_for("endorsements.detail", endorsement_id=endorsement_id))


@bp.route("/<int:endorsement_id>/approve", methods=["POST"])
@role_required(ADVOCATE)
def approve(endorsement_id: int):
    return _review(endorsement_id, "approve")


@bp.route("/<int:endorsement_id>/reject", methods=["POST"])
@role_required(ADVOCATE)
def reject(endorsement_id: int):
    return _review(endorsement_id, "reject")


@bp.route("/<int:endorsement_id>/withdraw", methods=["POST"])
@role_required(ADVOCATE)
def withdraw(endorsement_id: int):
    return _review(endorsement_id, "withdraw")


@bp.route("/<int:endorsement_id>/receipt.pdf")
@role_required(VIEWER)
def receipt(endorsement_id: int):
    endorsement = _endorsement(endorsement_id)
    if not endorsement.verification_code:
        abort(404)
    return Response(
        receipt_pdf(endorsement),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="endorsement-{endorsement.verification_code}.pdf"'},
    )


# --- invitations ---------------------------------------------------------------------------------------------


def _invitations_page(campaign: Campaign, invite_form: InviteForm, bulk_form: BulkInviteForm, results=None, code=200):
    return (
        render_template(
            "endorsements/invitations.html",
            campaign=campaign,
            invitations=queries.invitations_of(campaign),
            invite_form=invite_form,
            bulk_form=bulk_form,
            action_form=ActionForm(),
            results=results,
        ),
        code,
    )


@bp.route("/campaign/<slug>/invitations")
@role_required(VIEWER)
def invitations(slug: str):
    form = InviteForm()
    form.city.data = request.args.get("city", "")[:200]
    return _invitations_page(_campaign(slug), form, BulkInviteForm())


@bp.route("/campaign/<slug>/invite", methods=["POST"])
@role_required(ADVOCATE)
def invite(slug: str):
    campaign = _campaign(slug)
    form = InviteForm()
    city = form.resolved_city if form.validate_on_submit() else None  # the city field resolves it when valid
    if city is not None:
        try:
            _, link = services.invite(campaign, city, form.email.data, form.name.data, actor=current_staff().email)
        except services.EndorsementError as exc:
            db.session.rollback()
            add_error(form.email, str(exc))
        else:
            flash(f"Invitation sent to {form.email.data} for {city.label}.", "success")
            return redirect(url_for("endorsements.invitations", slug=slug))
    return _invitations_page(campaign, form, BulkInviteForm(), code=400)


@bp.route("/campaign/<slug>/invite/bulk", methods=["POST"])
@role_required(ADVOCATE)
def invite_bulk(slug: str):
    campaign = _campaign(slug)
    form = BulkInviteForm()
    results = None
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_CSV_BYTES + 1)
        try:
            if len(raw) > MAX_CSV_BYTES:
                raise services.EndorsementError("The file is larger than 1 MiB; split it.")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise services.EndorsementError("The file is not UTF-8 text; save it as “CSV UTF-8”.") from exc
            results = services.import_invitations(campaign, text, actor=current_staff().email)
        except services.EndorsementError as exc:
            db.session.rollback()
            add_error(form.file, str(exc))
        else:
            ok = sum(1 for r in results if r.ok)
            flash(f"{ok} invitation(s) sent, {len(results) - ok} row(s) with errors.", "success" if ok else "error")
    return _invitations_page(campaign, InviteForm(formdata=None), form, results=results)


def _invitation_action(invitation_id: int, action: str):
    invitation = db.get_or_404(Invitation, invitation_id)
    slug = invitation.campaign.slug
    if not ActionForm().validate_on_submit():
        abort(400)
    service = services.resend_invitation if action == "resend" else services.revoke_invitation
    _apply(
        partial(service, invitation, actor=current_staff().email),
        lambda: f"Invitation {'sent again' if action == 'resend' else 'revoked'}.",
    )
    return redirect(url_for("endorsements.invitations", slug=slug))


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@role_required(ADVOCATE)
def resend(invitation_id: int):
    return _invitation_action(invitation_id, "resend")


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@role_required(ADVOCATE)
def revoke(invitation_id: int):
    return _invitation_action(invitation_id, "revoke")
