"""The "API tokens" page: a logged-in user creates (shown once) and revokes their personal tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from advocacy.api import tokens
from advocacy.auth import current_staff
from advocacy.auth.decorators import role_required
from advocacy.form_errors import add_error
from advocacy.models.users import VIEWER

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")


class TokenForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=100)],
        description="Where the token is used, e.g. “newsletter sync”.",
    )
    submit = SubmitField("Create token")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")


@bp.route("/", methods=["GET", "POST"])
@role_required(VIEWER)
def index() -> ResponseReturnValue:
    form = TokenForm()
    raw = None
    if form.validate_on_submit():
        try:
            _row, raw = tokens.create_token(current_staff(), form.name.data or "")
        except tokens.TokenError as exc:
            add_error(form.name, str(exc))
        else:
            form = TokenForm(formdata=None)
    code = 400 if form.errors else 200
    page = render_template(
        "api/tokens.html", form=form, raw=raw, tokens=tokens.tokens_of(current_staff()), revoke_form=RevokeForm()
    )
    response = (page, code, {"Cache-Control": "no-store"})
    return response


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@role_required(VIEWER)
def revoke(token_id: int) -> ResponseReturnValue:
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        tokens.revoke_token(current_staff(), token_id)
    except tokens.TokenError:
        abort(404)
    flash("Token revoked: it no longer works.", "success")
    return redirect(url_for("api_tokens.index"))
