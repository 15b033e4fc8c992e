"""Admin: accounts and the mail outbox."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from advocacy.auth.decorators import role_required
from advocacy.auth.forms import UserForm
from advocacy.auth.services import AccountError, create_user
from advocacy.extensions import db
from advocacy.models import MailMessage, User
from advocacy.models.users import ADMIN

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required(ADMIN)
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users", methods=["GET", "POST"])
@role_required(ADMIN)
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.password.data, form.role.data, actor=current_user.email)
        except AccountError as exc:
            db.session.rollback()
            field = form.password if "assword" in str(exc) else form.email
            field.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Account {user.email} created.", "success")
            return redirect(url_for("admin.users"))
    accounts = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", accounts=accounts, form=form)


@bp.route("/outbox")
@role_required(ADMIN)
def outbox():
    messages = db.session.scalars(select(MailMessage).order_by(MailMessage.created_at.desc()).limit(200)).all()
    return render_template("admin/outbox.html", messages=messages)
