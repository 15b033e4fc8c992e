"""Admin: accounts and the mail outbox. Each request is one unit of work (advocacy.uow): no commit here."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from advocacy.auth import current_staff
from advocacy.auth.decorators import role_required
from advocacy.auth.forms import UserForm
from advocacy.auth.services import AccountError, WeakPassword, create_user
from advocacy.extensions import db
from advocacy.form_errors import add_error
from advocacy.models import MailMessage, User
from advocacy.models.users import ADMIN

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required(ADMIN)
def index() -> ResponseReturnValue:
    return redirect(url_for("admin.users"))


@bp.route("/users", methods=["GET", "POST"])
@role_required(ADMIN)
def users() -> ResponseReturnValue:
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data or "", form.password.data or "", form.role.data or "", actor=current_staff().email
            )
        except AccountError as exc:  # nothing was written (the checks come first)
            field = form.password if isinstance(exc, WeakPassword) else form.email
            add_error(field, str(exc))
        else:
            flash(f"Account {user.email} created.", "success")
            return redirect(url_for("admin.users"))
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", accounts=accounts, form=form)


@bp.route("/outbox")
@role_required(ADMIN)
def outbox() -> ResponseReturnValue:
    messages = db.session.scalars(select(MailMessage).order_by(MailMessage.created_at.desc()).limit(200)).all()
    return render_template("admin/outbox.html", messages=messages)
