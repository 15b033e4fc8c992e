"""Log in and log out; the account page (password, log out everywhere). Each request is one unit of work
(advocacy.uow): the views call the services and never commit."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user

from advocacy.auth import current_staff, logged_in_staff, services
from advocacy.auth.decorators import role_required
from advocacy.auth.forms import LoginForm, LogoutEverywhereForm, PasswordForm
from advocacy.extensions import limiter
from advocacy.form_errors import add_error
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
def login() -> ResponseReturnValue:
    if logged_in_staff() is not None:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is None:  # the failure count is committed with the page that says so
            flash(services.LOGIN_FAILED, "error")
        else:
            services.start_session(user)
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    user = logged_in_staff()
    if user is not None:
        services.end_session(user.session_token)
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@role_required(VIEWER)
def account() -> ResponseReturnValue:
    """Change the password (ends the other logins) or end every login of this account."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_staff(), form.current.data or "", form.new.data or "")
        except services.AccountError as exc:
            field = form.current if isinstance(exc, services.WrongPassword) else form.new
            add_error(field, str(exc))
        else:
            flash("Password changed. Your other logins have ended.", "info")
            return redirect(url_for("auth.account"))
    code = 422 if form.errors else 200
    return render_template("auth/account.html", form=form, everywhere=LogoutEverywhereForm()), code


@bp.route("/account/logout-everywhere", methods=["POST"])
@role_required(VIEWER)
def logout_everywhere() -> ResponseReturnValue:
    if not LogoutEverywhereForm().validate_on_submit():
        abort(400)
    services.end_all_sessions(current_staff())
    logout_user()
    flash("You are logged out everywhere: every login of this account has ended.", "info")
    return redirect(url_for("auth.login"))
