"""Contacts pages: the list (search, import, export), adding and editing a contact, recording interactions.

The member, committee, Targets and dashboard pages show contacts, interactions and follow-ups through the
template globals defined here (one include each), so those pages' own views stay as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from advocacy.auth import current_staff
from advocacy.auth.decorators import role_required
from advocacy.campaigns.queries import all_campaigns
from advocacy.contacts import queries, services
from advocacy.contacts.forms import ContactForm, ImportForm, InteractionForm
from advocacy.extensions import db
from advocacy.form_errors import flash_errors
from advocacy.models import Campaign
from advocacy.models.contacts import Interaction, OfficeContact
from advocacy.models.users import ADVOCATE, VIEWER

logger = logging.getLogger(__name__)

bp = Blueprint("contacts", __name__, url_prefix="/contacts")
MAX_IMPORT_BYTES = 2 * 1024 * 1024


@bp.app_template_global()
def office_panel(member_id: str | None = None, committee_id: str | None = None) -> dict:
    """An office's contacts and interactions, for the include on the member and committee pages."""
    office = queries.member_office(member_id) if member_id else queries.committee_office(committee_id or "")
    return {
        "office": office,
        "member_id": member_id,
        "committee_id": committee_id,
        "contacts": queries.contacts_of([office])[office],
        "interactions": queries.interactions_of(office),
    }


@bp.app_template_global()
def target_offices(campaign_id: int, member_ids: list[str]) -> dict:
    """Contacts, last interaction and commitment to cosponsor per member, for the Targets page."""
    offices = {m: queries.member_office(m) for m in member_ids}
    contacts = queries.contacts_of(offices.values())
    last = queries.last_interactions(offices.values())
    return {
        "contacts": {m: contacts.get(o, []) for m, o in offices.items()},
        "last": {m: last.get(o) for m, o in offices.items()},
        "commitments": queries.open_commitments(campaign_id, member_ids),
    }


@bp.app_template_global()
def follow_ups_due() -> list[Interaction]:
    """Follow-ups whose date has come, for the dashboard."""
    return queries.follow_ups_due(date.today())


def _office_url(member_id: str | None, committee_id: str | None) -> str:
    if member_id:
        return url_for("members.detail", bioguide_id=member_id) + "#office-contacts"
    return url_for("members.committee", thomas_id=committee_id) + "#office-contacts"


@bp.route("/")
@role_required(VIEWER)
def index():
    search = request.args.get("q", "")[:100]
    return render_template(
        "contacts/index.html", contacts=queries.all_contacts(search), search=search, import_form=ImportForm()
    )


@bp.route("/export.csv")
@role_required(VIEWER)
def export():
    return Response(
        queries.export_csv(queries.all_contacts()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


@bp.route("/import", methods=["POST"])
@role_required(ADVOCATE)
def import_csv():
    form = ImportForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("contacts.index"))
    data = form.file.data.read(MAX_IMPORT_BYTES + 1)
    try:
        if len(data) > MAX_IMPORT_BYTES:
            raise services.ContactImportError(f"the file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise services.ContactImportError("the file is not UTF-8 text") from None
        report = services.import_contacts(text, actor=current_staff().email)
    except services.ContactError as exc:
        db.session.rollback()
        flash(f"Nothing imported: {exc}", "error")
        return redirect(url_for("contacts.index"))
    flash(f"Imported: {report.summary()}", "success")
    return redirect(url_for("contacts.index"))


def _edit(contact: OfficeContact | None):
    form = ContactForm(obj=contact)
    if contact is None and request.method == "GET":
        form.bioguide_id.data = request.args.get("member", "")[:10]
        form.committee.data = request.args.get("committee", "")[:10]
    elif contact is not None and request.method == "GET":
        form.bioguide_id.data, form.committee.data = contact.member_id, contact.committee_id
    if form.validate_on_submit():
        try:
            office = services.resolve_office(form.bioguide_id.data, form.committee.data)
            data = {name: getattr(form, name).data for name in services.CONTACT_FIELDS}
            contact = services.save_contact(contact, office, data, actor=current_staff().email)
        except services.ContactError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(f"Saved {contact.name}.", "success")
            return redirect(_office_url(contact.member_id, contact.committee_id))
    status = 422 if request.method == "POST" else 200
    return render_template("contacts/edit.html", form=form, contact=contact), status


@bp.route("/new", methods=["GET", "POST"])
@role_required(ADVOCATE)
def new():
    return _edit(None)


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required(ADVOCATE)
def edit(contact_id: int):
    return _edit(db.get_or_404(OfficeContact, contact_id))


@bp.route("/<int:contact_id>/delete", methods=["POST"])
@role_required(ADVOCATE)
def delete(contact_id: int):
    return _remove(db.get_or_404(OfficeContact, contact_id), services.delete_contact, "Contact removed.")


def _remove(record: OfficeContact | Interaction, delete: Callable[..., None], message: str) -> ResponseReturnValue:
    """Delete a contact or an interaction through its service, commit, and go back to its office's page."""
    back = _office_url(record.member_id, record.committee_id)
    delete(record, actor=current_staff().email)
    flash(message, "success")
    return redirect(back)


def _interaction_form() -> InteractionForm:
    form = InteractionForm()
    campaigns = all_campaigns()
    form.campaign.choices = [SelectChoice("", "(none)")] + [SelectChoice(str(c.id), c.name) for c in campaigns]
    if request.method == "GET" and len(campaigns) == 1:
        form.campaign.data = str(campaigns[0].id)
    return form


@bp.route("/interactions/new", methods=["GET", "POST"])
@role_required(ADVOCATE)
def new_interaction():
    form = _interaction_form()
    if request.method == "GET":
        form.bioguide_id.data = request.args.get("member", "")[:10]
        form.committee.data = request.args.get("committee", "")[:10]
    if form.validate_on_submit():
        campaign = db.session.get(Campaign, int(form.campaign.data)) if form.campaign.data else None
        data = {name: getattr(form, name).data for name in ("kind", "occurred_on", "outcome", "attendees", "notes",
                                                             "follow_up_on")} | {"campaign": campaign}  # fmt: skip
        try:
            office = services.resolve_office(form.bioguide_id.data, form.committee.data)
            interaction = services.record_interaction(office, data, actor=current_staff().email)
        except services.ContactError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(f"{interaction.kind_label} of {interaction.occurred_on:%B %-d, %Y} recorded.", "success")
            return redirect(_office_url(interaction.member_id, interaction.committee_id))
    status = 422 if request.method == "POST" else 200
    return render_template("contacts/interaction.html", form=form), status


@bp.route("/interactions/<int:interaction_id>/delete", methods=["POST"])
@role_required(ADVOCATE)
def delete_interaction(interaction_id: int):
    return _remove(db.get_or_404(Interaction, interaction_id), services.delete_interaction, "Interaction removed.")


@bp.route("/interactions/<int:interaction_id>/follow-up-done", methods=["POST"])
@role_required(ADVOCATE)
def follow_up_done(interaction_id: int):
    interaction = db.get_or_404(Interaction, interaction_id)
    try:
        services.complete_follow_up(interaction, actor=current_staff().email)
    except services.ContactError as exc:
        abort(400, str(exc))
    flash("Follow-up marked done.", "success")
    return redirect(url_for("main.dashboard"))
