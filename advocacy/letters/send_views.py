"""Pages of "Send by e-mail" (advocacy.letters.sending): the form, the review, the send, and Retry.

A blueprint of its own under /letters, so that the letters blueprint stays as it is; the batch and campaign
pages show the e-mails through the template globals below (one include each).
"""

from __future__ import annotations

import hashlib
import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from advocacy.auth import current_staff
from advocacy.auth.decorators import role_required
from advocacy.contacts.queries import roles_of
from advocacy.extensions import db
from advocacy.letters import sending
from advocacy.letters.context import FIELDS
from advocacy.models import LetterBatch
from advocacy.models.contacts import LetterEmail
from advocacy.models.users import ADVOCATE

logger = logging.getLogger(__name__)

bp = Blueprint("sending", __name__, url_prefix="/letters")


class SendForm(FlaskForm):
    """Who gets each letter (contact role, fallback role) and the e-mail's subject and body templates."""

    role = StringField("Contact role", validators=[DataRequired(), Length(max=120)],
                       description="e.g. Foreign Affairs LA (compared without regard to case)")  # fmt: skip
    fallback_role = StringField(
        "Fallback role", validators=[Optional(), Length(max=120)], description="used where an office has no contact "
        "with the role above, e.g. Legislative Director"
    )  # fmt: skip
    subject = StringField("Subject", validators=[DataRequired(), Length(max=1000)], default=sending.DEFAULT_SUBJECT)
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=20_000)], default=sending.DEFAULT_BODY,
                         render_kw={"rows": 14})  # fmt: skip
    reviewed: str | None = None  # the digest of what the review page showed (set on the review)


@bp.app_template_global()
def letter_emails(batch_id: int) -> dict[int, LetterEmail]:
    """The e-mail of each letter of a batch, for the include on the batch page."""
    return sending.batch_emails(batch_id)


@bp.app_template_global()
def failed_letter_emails(campaign_id: int) -> list[LetterEmail]:
    """Failed letter e-mails of a campaign, for the include on the campaign page."""
    return sending.failed_emails(campaign_id=campaign_id)


@bp.app_template_filter()
def smtp_error(error: str | None) -> str:
    return sending.readable_error(error)


@bp.route("/batches/<int:batch_id>/send", methods=["GET", "POST"])
@role_required(ADVOCATE)
def send(batch_id: int) -> ResponseReturnValue:
    """GET: the form. POST: the review (recipients and each message); POST with `confirm`: queue and send."""
    batch = db.get_or_404(LetterBatch, batch_id)
    form = SendForm()
    plan = messages = problem = lines = None
    if form.validate_on_submit():
        try:
            plan = sending.plan_send(batch, form.role.data, form.fallback_role.data)
            if _confirmed(form):
                lines = sending.queue_emails(plan, form.subject.data, form.body.data, actor=current_staff().email)
            else:
                messages = sending.render_messages(batch, plan.ready, form.subject.data, form.body.data)
        except sending.MessageProblem as exc:
            db.session.rollback()
            problem = exc
        except sending.SendError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            plan = None
    if lines is not None:
        _send_now(lines)
        return redirect(url_for("letters.batch", batch_id=batch.id) + "#emails")
    if messages is not None:
        form.reviewed = _digest(form)
    roles = roles_of(o for letter in batch.letters for o in sending.letter_offices(batch, letter))
    status = 422 if request.method == "POST" and (problem or form.errors) else 200
    return render_template(
        "letters/send.html", batch=batch, form=form, plan=plan, messages=messages, problem=problem, roles=roles,
        fields=FIELDS, email_fields=sending.EMAIL_FIELDS, outcomes=sending,
    ), status  # fmt: skip


def _confirmed(form: SendForm) -> bool:
    """The user pressed Send on the review of exactly these recipients and messages (else: review again)."""
    if request.form.get("confirm") != "yes":
        return False
    if request.form.get("reviewed") != _digest(form):
        flash("The recipients or the message changed since the review: check them again.", "error")
        return False
    return True


def _send_now(lines: list[sending.QueuedLine]) -> None:
    """Store the queued e-mails, then send them in the request (counted in the flash message), or, for a long
    send that must not hold the request, from a job once the request's unit of work has committed."""
    queued = [line.email for line in lines if line.outcome == sending.QUEUED_NOW and line.email is not None]
    limit = int(current_app.config.get("LETTER_EMAIL_IN_REQUEST", sending.DEFAULT_IN_REQUEST))
    if len(queued) > limit:
        sending.send_later(queued)
        flash(*_summary(lines, len(queued), None, None))
        return
    sent, failed = sending.send_now(queued)
    flash(*_summary(lines, len(queued), sent, failed))


def _summary(lines: list[sending.QueuedLine], queued: int, sent: int | None, failed: int | None) -> tuple[str, str]:
    """The flash message after a send: counts, and every letter not sent with why (none is skipped silently).

    `sent` None: the e-mails are being sent by a background job."""
    if sent is None or failed is None:
        text = f"{queued} e-mail(s) queued: they are being sent in the background (reload to see each one)"
        sent = failed = 0
    else:
        text = f"{queued} e-mail(s) queued: {sent} sent, {failed} failed"
        if sent + failed < queued:
            text += ", the rest kept in the outbox"
    already = sum(1 for line in lines if line.outcome == sending.ALREADY)
    if already:
        text += f"; {already} already sent before"
    not_sent = [
        f"{line.letter.recipient_name} ({line.outcome}{f': {line.detail}' if line.detail else ''})"
        for line in lines
        if line.outcome not in (sending.QUEUED_NOW, sending.ALREADY)
    ]
    if not_sent:
        text += ". Not sent: " + "; ".join(not_sent)
    return text + ".", "error" if failed or not_sent else "success"


def _digest(form: SendForm) -> str:
    """What the user reviewed: sending requires the same roles and templates (changed fields need a new review)."""
    text = "\x00".join(f.data or "" for f in (form.role, form.fallback_role, form.subject, form.body))
    return hashlib.sha256(text.encode()).hexdigest()


@bp.route("/emails/<int:email_id>/bounced", methods=["POST"])
@role_required(ADVOCATE)
def bounced(email_id: int):
    email = db.get_or_404(LetterEmail, email_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        sending.mark_bounced(email, request.form.get("reason", ""), actor=current_staff().email)
    except sending.SendError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"The e-mail to {email.address} is marked as bounced: retry it once the address is fixed.", "success")
    return redirect(url_for("letters.batch", batch_id=email.batch_id) + "#emails")


@bp.route("/emails/<int:email_id>/retry", methods=["POST"])
@role_required(ADVOCATE)
def retry(email_id: int):
    email = db.get_or_404(LetterEmail, email_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sending.retry_email(email, actor=current_staff().email)
    except sending.SendError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        sending.send_now([email])
        db.session.refresh(email)
        if email.status == "failed":
            flash(f"Still failing: {sending.readable_error(email.error)}", "error")
        else:
            flash(f"Letter to {email.letter.recipient_name} {email.status} ({email.address}).", "success")
    back = request.form.get("back")
    if back == "campaign":
        return redirect(url_for("campaigns.detail", slug=email.letter.batch.campaign.slug) + "#emails")
    return redirect(url_for("letters.batch", batch_id=email.batch_id) + "#emails")
