"""Public pages (no login): campaign page, exports, widget, signing, confirmation, withdrawal, verification."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for

from advocacy.campaigns.queries import campaign_by_slug
from advocacy.endorsements import queries as endorsement_queries
from advocacy.endorsements import services
from advocacy.endorsements.receipts import receipt_pdf
from advocacy.endorsements.tokens import normalise_code
from advocacy.extensions import db, limiter
from advocacy.models import Campaign, City, Endorsement, Invitation
from advocacy.models.campaigns import VERIFIED
from advocacy.models.endorsements import CONFIRM, WITHDRAW
from advocacy.public.forms import ConfirmForm, SignForm, WithdrawForm
from advocacy.public.queries import (
    STATE_PREVIEW,
    city_suggestions,
    endorsement_by_code,
    export_rows,
    map_points,
    public_endorsements,
    summarise,
    to_csv,
)
from advocacy.public.usmap import build_map
from advocacy.representation import population_total
from advocacy.urls import absolute_url

logger = logging.getLogger(__name__)
bp = Blueprint("public", __name__)
CITY_SUGGESTIONS = 300


def post_limit() -> str:
    """Rate limit of the public POST endpoints, per client address (config PUBLIC_POST_RATE_LIMIT)."""
    return current_app.config.get("PUBLIC_POST_RATE_LIMIT", "20 per hour")


public_post_limit = limiter.limit(post_limit, methods=["POST"])


def _campaign_or_404(slug: str) -> Campaign:
    campaign = campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return campaign


def _link_error(error: services.TokenError) -> tuple[str, int]:
    """The page for a link that does not work; nothing the failed attempt touched is stored."""
    db.session.rollback()
    code = 404 if error.reason == "invalid" else 410
    return render_template("public/link_error.html", message=str(error)), code


# --- campaign page and exports -------------------------------------------------------------------------------


@bp.route("/c/<slug>")
def campaign(slug: str):
    campaign = _campaign_or_404(slug)
    endorsements = public_endorsements(campaign)
    return render_template(
        "public/campaign.html",
        campaign=campaign,
        endorsements=endorsements,
        summary=summarise(endorsements),
        usmap=build_map(map_points(endorsements)),
        STATE_PREVIEW=STATE_PREVIEW,
        widget_src=absolute_url(url_for("public.widget", slug=campaign.slug)),
    )


@bp.route("/c/<slug>/states/<state>")
def state(slug: str, state: str):
    campaign = _campaign_or_404(slug)
    state = state.upper()[:2]
    endorsements = public_endorsements(campaign, state=state)
    return render_template(
        "public/state.html",
        campaign=campaign,
        state=state,
        endorsements=endorsements,
        population=population_total(e.city for e in endorsements),
    )


@bp.route("/c/<slug>/endorsements.csv")
def endorsements_csv(slug: str):
    campaign = _campaign_or_404(slug)
    rows = export_rows(public_endorsements(campaign))
    return Response(
        to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{campaign.slug}-endorsements.csv"'},
    )


@bp.route("/c/<slug>/endorsements.json")
def endorsements_json(slug: str):
    campaign = _campaign_or_404(slug)
    endorsements = public_endorsements(campaign)
    summary = summarise(endorsements)
    return jsonify(
        campaign={"slug": campaign.slug, "name": campaign.name, "ask": campaign.ask},
        cities=summary.cities,
        population=summary.population,
        population_sources=summary.population_note,
        endorsements=export_rows(endorsements),
    )


@bp.route("/c/<slug>/widget")
def widget(slug: str):
    campaign = _campaign_or_404(slug)
    endorsements = public_endorsements(campaign)
    summary = summarise(endorsements)
    usmap = build_map(map_points(endorsements))
    # Meant to be embedded in other sites' pages: advocacy.security allows framing for *.widget endpoints.
    return Response(render_template("public/widget.html", campaign=campaign, summary=summary, usmap=usmap))


# --- signing -------------------------------------------------------------------------------------------------


def _details(form: SignForm) -> services.SignerDetails:
    return services.SignerDetails(
        name=form.signer_name.data,
        title=form.signer_title.data,
        email=form.signer_email.data,
        phone=form.signer_phone.data or None,
        statement=form.statement.data or None,
        signature=form.signature.data,
        districts=form.confirmed_districts,
    )


def _handle_sign(form: SignForm, campaign: Campaign, city: City | None, invitation: Invitation | None):
    """Validate and store the signature (the request's unit of work commits it and then sends the mail);
    returns a response, or None to show the form again."""
    if not form.validate_on_submit():
        return None
    if form.website.data:
        logger.warning(
            "honeypot filled on the signing form of %s from %s: discarded", campaign.slug, request.remote_addr
        )
        return redirect(url_for("public.signed", slug=campaign.slug))
    city = city or form.resolved_city
    if city is None:  # cannot happen: the city field is required and resolves the city when it validates
        return None
    try:
        services.sign(campaign, city, _details(form), client_ip=request.remote_addr, invitation=invitation)
    except (services.CityAlreadyEndorsed, services.CityNotEndorsable) as exc:
        db.session.rollback()
        form.already = str(exc)
        return None
    return redirect(url_for("public.signed", slug=campaign.slug))


@bp.route("/sign/<token>", methods=["GET", "POST"])
@public_post_limit
def sign_invited(token: str):
    try:
        invitation = services.invitation_for_token(token)
    except services.TokenError as exc:
        return _link_error(exc)
    campaign, city = invitation.campaign, invitation.city
    form = SignForm()
    del form.city
    form.fixed_city = city
    form.attestation.label.text = campaign.attestation
    if city.email_domains:  # the city's own domains, never another city's example
        domains = " or ".join(f"@{domain}" for domain in city.email_domains[:3])
        form.signer_email.description = (
            f"Use your address at the city ({domains}): it verifies the endorsement at once."
        )
    if request.method == "GET":
        form.signer_name.data = invitation.contact_name
        form.signer_email.data = invitation.email
        form.districts.data = ", ".join(d.label for d in city.districts)
        if not city.endorsable:
            form.already = str(services.CityNotEndorsable(city))
    response = _handle_sign(form, campaign, city, invitation)
    if response is not None:
        return response
    status = 409 if form.already else 200
    return render_template("public/sign.html", form=form, campaign=campaign, city=city, invited=True), status


@bp.route("/c/<slug>/sign", methods=["GET", "POST"])
@public_post_limit
def sign_open(slug: str):
    campaign = _campaign_or_404(slug)
    if not campaign.allow_open_signon:
        return render_template(
            "public/closed.html", campaign=campaign, contact=endorsement_queries.campaign_contact(campaign)
        ), 403
    form = SignForm()
    form.attestation.label.text = campaign.attestation
    response = _handle_sign(form, campaign, None, None)
    if response is not None:
        return response
    status = 409 if form.already else 200
    return (
        render_template(
            "public/sign.html",
            form=form,
            campaign=campaign,
            city=None,
            invited=False,
            suggestions=city_suggestions(CITY_SUGGESTIONS),
        ),
        status,
    )


@bp.route("/c/<slug>/signed")
def signed(slug: str):
    return render_template("public/signed.html", campaign=_campaign_or_404(slug))


# --- confirmation and withdrawal -----------------------------------------------------------------------------


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public_post_limit
def confirm(token: str):
    try:
        endorsement = services.endorsement_for_token(token, CONFIRM)
    except services.TokenError as exc:
        return _link_error(exc)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            endorsement = services.confirm(token, client_ip=request.remote_addr)
        except services.TokenError as exc:
            return _link_error(exc)
        return render_template("public/confirmed.html", endorsement=endorsement)
    if endorsement.status != "pending":
        return _link_error(services.TokenError("used"))
    return render_template("public/confirm.html", endorsement=endorsement, form=form)


@bp.route("/withdraw/<token>", methods=["GET", "POST"])
@public_post_limit
def withdraw(token: str):
    try:
        endorsement = services.endorsement_for_token(token, WITHDRAW)
    except services.TokenError as exc:
        return _link_error(exc)
    form = WithdrawForm()
    error = None
    if form.validate_on_submit():
        try:
            endorsement = services.withdraw_by_signer(token, client_ip=request.remote_addr, reason=form.reason.data)
        except services.EndorsementError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            return render_template("public/withdrawn.html", endorsement=endorsement)
    return render_template("public/withdraw.html", endorsement=endorsement, form=form, error=error)


# --- verification --------------------------------------------------------------------------------------------


def _by_code(code: str) -> Endorsement:
    code = normalise_code(code)
    endorsement = endorsement_by_code(code) if code else None
    if endorsement is None:
        abort(404)
    return endorsement


@bp.route("/verify/<code>")
def verify(code: str):
    endorsement = _by_code(code)
    return render_template("public/verify.html", e=endorsement, active=endorsement.status == VERIFIED)


@bp.route("/verify/<code>/receipt.pdf")
def verify_receipt(code: str):
    endorsement = _by_code(code)
    return Response(
        receipt_pdf(endorsement),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="endorsement-{endorsement.verification_code}.pdf"'},
    )
