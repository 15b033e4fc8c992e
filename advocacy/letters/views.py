"""Letters: templates (editor, preview), batches (generate, progress, cancel, downloads) and the delivery log."""

from __future__ import annotations

import ctypes.util
import logging
from datetime import date
from typing import cast

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from advocacy.auth import current_staff
from advocacy.auth.decorators import role_required
from advocacy.extensions import db
from advocacy.form_errors import flash_errors
from advocacy.jobs import JobTimeout, get_runner, local_pool
from advocacy.keep_input import keep, restore
from advocacy.letters import planning, queries, services
from advocacy.letters.addressing import member_data
from advocacy.letters.context import FIELDS, SAMPLE_MEMBER, insertable_fields, sample_shared
from advocacy.letters.errors import LetterError
from advocacy.letters.forms import DeliveryForm, GenerateForm, TemplateForm
from advocacy.letters.logos import LOGO_MAX_BYTES
from advocacy.letters.recovery import recover_batch
from advocacy.letters.standing import SEGMENTS, load_bill_facts, standing_of
from advocacy.letters.tasks import batch_dir, merged_name, preview_html, preview_pdf, zip_name
from advocacy.models import Campaign, Letter, LetterBatch, LetterTemplate, Member
from advocacy.models.letters import LETTER_DONE
from advocacy.models.users import ADVOCATE, VIEWER, User

logger = logging.getLogger(__name__)

bp = Blueprint("letters", __name__, url_prefix="/letters")


@bp.record_once
def _check_harfbuzz(state) -> None:
    if not ctypes.util.find_library("harfbuzz-subset"):
        logger.warning(
            "libharfbuzz-subset0 is not installed: PDF font subsetting falls back to fontTools and letters render "
            "about twice as slowly (Debian/Ubuntu: apt-get install libharfbuzz-subset0)"
        )


@bp.app_template_global()
def letter_deliveries(campaign_id: int) -> list:
    """Deliveries of a campaign's letters, for the include on the campaign page."""
    return queries.campaign_deliveries(campaign_id)


def _generate_form() -> GenerateForm:
    form = GenerateForm()
    form.template.choices = [
        SelectChoice(t.slug, t.name) for t in db.session.scalars(select(LetterTemplate).order_by(LetterTemplate.name))
    ]
    form.campaign.choices = [
        SelectChoice(c.slug, c.name) for c in db.session.scalars(select(Campaign).order_by(Campaign.name))
    ]
    return form


@bp.route("/")
@role_required(VIEWER)
def index():
    templates = db.session.scalars(select(LetterTemplate).order_by(LetterTemplate.name)).all()
    batches = db.session.scalars(
        select(LetterBatch)
        .options(selectinload(LetterBatch.template), selectinload(LetterBatch.campaign))
        .order_by(LetterBatch.created_at.desc(), LetterBatch.id.desc())
        .limit(50)
    ).all()
    form = restore(_generate_form(), "generate")
    return render_template("letters/index.html", templates=templates, batches=batches, form=form)


def _get_template(template_id: int) -> LetterTemplate:
    return db.get_or_404(LetterTemplate, template_id)


def _uploaded_logo() -> bytes | None:
    upload = request.files.get("logo")
    if isinstance(upload, FileStorage) and upload.filename:
        return upload.read(LOGO_MAX_BYTES + 1)
    return None


def _edit(template: LetterTemplate | None):
    form = TemplateForm(obj=template)
    problems: list[dict] = []
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in services.TEMPLATE_TEXT_FIELDS}
        problems = services.check_template_fields(data)
        if not problems:
            try:
                template = services.save_template(
                    template,
                    data,
                    actor=current_staff().email,
                    logo=_uploaded_logo(),
                    remove_logo=form.remove_logo.data,
                )
            except LetterError as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                flash(f"Template saved (version {template.version}).", "success")
                return redirect(url_for("letters.edit_template", template_id=template.id))
    status = 422 if request.method == "POST" else 200
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.name)).all()
    return (
        render_template(
            "letters/template_edit.html", form=form, template=template, problems=problems, fields=FIELDS, insertable=insertable_fields(),
            recipient_groups=_recipient_groups(campaigns[0] if campaigns else None), campaigns=campaigns,
        ),
        status,
    )  # fmt: skip


def _recipient_groups(campaign: Campaign | None) -> list[tuple[str, list[tuple[Member, str]]]]:
    """The current members grouped by their standing on the campaign's bill (sponsor and cosponsors, committee
    leaders, the bill's chamber, the other chamber ...), each with its standing in words, for the preview picker."""
    members = db.session.scalars(
        select(Member).where(Member.is_current.is_(True)).order_by(Member.last_name, Member.first_name)
    ).all()
    facts = load_bill_facts(campaign) if campaign else None
    if facts is None:
        return [("Members", [(m, m.seat) for m in members])]
    groups: dict[str, list[tuple[Member, str]]] = {segment: [] for segment in SEGMENTS}
    facts_data = facts.as_dict()
    for member in members:
        standing = standing_of({"bioguide_id": member.bioguide_id, "chamber": member.chamber}, facts_data)
        words = standing["position_text"] if standing["segment"] != "committee_leader" else standing["committee_text"]
        groups[standing["segment"]].append((member, f"{member.seat}; {words}"))
    return [(SEGMENTS[segment][0], rows) for segment, rows in groups.items() if rows]


def _preview_data(template: dict, member_id: str | None, campaign_slug: str | None) -> tuple[dict, list[dict]]:
    """The shared data (the chosen campaign, or the first; sample data without one) and the chosen member."""
    member = db.session.get(Member, member_id or "")
    members = [member_data(member)] if member else [SAMPLE_MEMBER]
    query = select(Campaign).order_by(Campaign.id)
    if campaign_slug:
        query = select(Campaign).where(Campaign.slug == campaign_slug)
    campaign = db.session.scalar(query.limit(1))
    shared = planning.shared_data(campaign, template, date.today()) if campaign else sample_shared(template)
    return shared, members


def _letter_page(html: str) -> str:
    """The letter's HTML with the PDF's stylesheet and the page box drawn on screen (pdf/screen.css)."""
    links = "".join(
        f'<link rel="stylesheet" href="{url_for("static", filename=name)}">'
        for name in ("pdf/letter.css", "pdf/screen.css")
    )
    return html.replace("</head>", f"{links}</head>", 1)


@bp.route("/templates/new", methods=["GET", "POST"])
@role_required(ADVOCATE)
def new_template():
    return _edit(None)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@role_required(VIEWER)
def edit_template(template_id: int):
    if request.method == "POST" and not cast(User, current_user).has_role(ADVOCATE):
        abort(403)
    return _edit(_get_template(template_id))


@bp.route("/templates/<int:template_id>/duplicate", methods=["POST"])
@role_required(ADVOCATE)
def duplicate_template(template_id: int):
    copy = services.duplicate_template(_get_template(template_id), actor=current_staff().email)
    flash(f"Copied as “{copy.name}”.", "success")
    return redirect(url_for("letters.edit_template", template_id=copy.id))


@bp.route("/templates/<int:template_id>/delete", methods=["POST"])
@role_required(ADVOCATE)
def delete_template(template_id: int):
    try:
        services.delete_template(_get_template(template_id), actor=current_staff().email)
    except LetterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("letters.edit_template", template_id=template_id))
    flash("Template deleted.", "success")
    return redirect(url_for("letters.index"))


@bp.route("/templates/<int:template_id>/preview")
@role_required(VIEWER)
def preview(template_id: int):
    """The letter for one member: HTML at once, or the PDF (?format=pdf)."""
    template = _get_template(template_id)
    snapshot = services.template_snapshot(template)
    shared, members = _preview_data(snapshot, request.args.get("member"), request.args.get("campaign"))
    pdf = request.args.get("format") == "pdf"
    task = preview_pdf if pdf else preview_html
    try:
        result = local_pool().call(task, snapshot, shared, members, timeout=10)
    except JobTimeout:
        result = {"error": "The preview took too long (time limit)."}
    if "error" in result:
        return render_template("letters/preview_error.html", template=template, error=result["error"]), 422
    if pdf:
        return Response(result["pdf"], mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="preview-{template.slug}.pdf"'})  # fmt: skip
    response = Response(_letter_page(result["html"]), mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'self'; frame-ancestors 'self'"
    return response


@bp.route("/templates/preview", methods=["POST"])
@role_required(ADVOCATE)
def live_preview():
    """The editor's live preview: the unsaved fields rendered as the letter (the same sandboxed render and stylesheet
    as the PDF) for the chosen member, as JSON {"html"} or {"error", "field", "line"} (422)."""
    form = TemplateForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    snapshot = {name: getattr(form, name).data for name in services.TEMPLATE_TEXT_FIELDS if name != "slug"}
    saved = db.session.get(LetterTemplate, request.form.get("template_id", type=int) or 0)
    snapshot.update(logo=saved.logo if saved else None, logo_mime=saved.logo_mime if saved else None)
    shared, members = _preview_data(snapshot, request.form.get("member"), request.form.get("campaign"))
    try:
        result = local_pool().call(preview_html, snapshot, shared, members, timeout=10)
    except JobTimeout:
        result = {"error": "The preview took too long (time limit)."}
    if "error" in result:
        return jsonify({k: result.get(k) for k in ("error", "field", "line")}), 422
    return jsonify(html=_letter_page(result["html"]))


GENERATE_FIELDS = ("template", "campaign", "selector", "joint", "include_samples")


def _flash_errors(form: GenerateForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


@bp.route("/plan", methods=["POST"])
@role_required(ADVOCATE)
def plan():
    """The batch preview: each recipient's standing, the ask that will be used, local cities, warnings."""
    form = _generate_form()
    if not form.validate_on_submit():
        _flash_errors(form)
        keep(form, "generate", GENERATE_FIELDS)
        return redirect(url_for("letters.index"))
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == form.campaign.data))
    try:
        batch_plan = planning.plan_batch(
            campaign, form.selector.data, joint=form.joint.data, include_samples=form.include_samples.data
        )
    except LetterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        keep(form, "generate", GENERATE_FIELDS)
        return redirect(url_for("letters.index"))
    db.session.rollback()  # a preview writes nothing
    return render_template("letters/plan.html", form=form, plan=batch_plan, campaign=campaign)


@bp.route("/generate", methods=["POST"])
@role_required(ADVOCATE)
def generate():
    form = _generate_form()
    if not form.validate_on_submit():
        _flash_errors(form)
        keep(form, "generate", GENERATE_FIELDS)
        return redirect(url_for("letters.index"))
    template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == form.template.data))
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == form.campaign.data))
    try:
        batch = services.create_batch(template, campaign, form.selector.data, joint=form.joint.data,
                                      include_samples=form.include_samples.data,
                                      actor=current_staff().email)  # fmt: skip
    except LetterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        keep(form, "generate", GENERATE_FIELDS)
        return redirect(url_for("letters.index"))
    services.start_batch(batch, get_runner())  # its jobs are submitted once this request's unit of work commits
    return redirect(url_for("letters.batch", batch_id=batch.id))


def _get_batch(batch_id: int) -> LetterBatch:
    batch = db.session.scalar(
        select(LetterBatch)
        .where(LetterBatch.id == batch_id)
        .options(
            selectinload(LetterBatch.letters).selectinload(Letter.deliveries),
            selectinload(LetterBatch.template),
            selectinload(LetterBatch.template_version),
            selectinload(LetterBatch.campaign),
        )
    )
    if batch is None:
        abort(404)
    return batch


@bp.route("/batches/<int:batch_id>")
@role_required(VIEWER)
def batch(batch_id: int):
    return render_template("letters/batch.html", batch=_get_batch(batch_id), delivery_form=DeliveryForm())


@bp.route("/batches/<int:batch_id>/status.json")
@role_required(VIEWER)
def batch_status(batch_id: int):
    return jsonify(queries.batch_progress(db.get_or_404(LetterBatch, batch_id)))


@bp.route("/batches/<int:batch_id>/cancel", methods=["POST"])
@role_required(ADVOCATE)
def cancel(batch_id: int):
    try:
        services.cancel_batch(db.get_or_404(LetterBatch, batch_id), actor=current_staff().email)
    except LetterError as exc:
        flash(str(exc), "error")
    else:
        flash("Batch cancelled: letters not yet started will not be made.", "success")
    return redirect(url_for("letters.batch", batch_id=batch_id))


@bp.route("/batches/<int:batch_id>/retry", methods=["POST"])
@role_required(ADVOCATE)
def retry(batch_id: int):
    batch = db.get_or_404(LetterBatch, batch_id)
    if batch.is_interrupted:  # its jobs were lost (a crash, a restart): resume it
        result = recover_batch(batch.id, runner=get_runner())
        resumed = f"{result.requeued} interrupted letter(s) and the waiting ones are queued again"
        flash(f"Resuming the batch: {resumed}." if result.resumed else "Finishing the batch.", "success")
        return redirect(url_for("letters.batch", batch_id=batch_id))
    try:
        count = services.retry_failed_letters(batch, actor=current_staff().email)
    except LetterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("letters.batch", batch_id=batch_id))
    services.start_batch(batch, get_runner())
    flash(f"Retrying {count} letter(s).", "success")
    return redirect(url_for("letters.batch", batch_id=batch_id))


@bp.route("/batches/<int:batch_id>/<kind>")
@role_required(VIEWER)
def download(batch_id: int, kind: str):
    names = {"zip": zip_name(batch_id), "merged": merged_name(batch_id)}
    if kind not in names:
        abort(404)
    path = batch_dir(batch_id) / names[kind]
    if not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=names[kind])


@bp.route("/letter/<int:letter_id>.pdf")
@role_required(VIEWER)
def letter_pdf(letter_id: int):
    letter = db.get_or_404(Letter, letter_id)
    if letter.status != LETTER_DONE or not letter.filename:
        abort(404)
    return send_file(batch_dir(letter.batch_id) / "letters" / letter.filename, download_name=letter.filename)


@bp.route("/letter/<int:letter_id>/deliveries", methods=["POST"])
@role_required(ADVOCATE)
def add_delivery(letter_id: int):
    letter = db.get_or_404(Letter, letter_id)
    form = DeliveryForm()
    if form.validate_on_submit():
        services.record_delivery(letter, method=form.method.data, sent_on=form.sent_on.data, person=form.person.data,
                                 note=form.note.data, actor=current_staff().email)  # fmt: skip
        flash(f"Marked the letter to {letter.recipient_name} as sent.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("letters.batch", batch_id=letter.batch_id) + f"#letter-{letter.id}")
