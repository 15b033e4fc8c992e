"""Log in and log out; the account page (password, log out everywhere)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from advocacy.auth import services
from advocacy.auth.decorators import role_required
from advocacy.auth.forms import LoginForm, LogoutEverywhereForm, PasswordForm
from advocacy.extensions import db, limiter
from advocacy.models.users import VIEWER

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Accept only a local path for `next` (no scheme, no host, no `//`): no open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.commit()  # the failure count
            flash(services.LOGIN_FAILED, "error")
        else:
            services.start_session(user)
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_session(current_user.session_token)
        db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@role_required(VIEWER)
def account():
    """Change the password (ends the other logins) or end every login of this account."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AccountError as exc:
            db.session.rollback()
            (form.current if "current" in str(exc) else form.new).errors.append(str(exc))
        else:
            db.session.commit()
            flash("Password changed. Your other logins have ended.", "info")
            return redirect(url_for("auth.account"))
    code = 422 if form.errors else 200
    return render_template("auth/account.html", form=form, everywhere=LogoutEverywhereForm()), code


@bp.route("/account/logout-everywhere", methods=["POST"])
@role_required(VIEWER)
def logout_everywhere():
    if not LogoutEverywhereForm().validate_on_submit():
        abort(400)
    services.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    flash("You are logged out everywhere: every login of this account has ended.", "info")
    return redirect(url_for("auth.login"))
