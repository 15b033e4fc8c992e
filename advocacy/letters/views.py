"""Letters: the templates and the generated batches."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.auth.decorators import role_required
from advocacy.extensions import db
from advocacy.models import LetterBatch, LetterTemplate
from advocacy.models.users import VIEWER

bp = Blueprint("letters", __name__, url_prefix="/letters")


@bp.route("/")
@role_required(VIEWER)
def index():
    templates = db.session.scalars(select(LetterTemplate).order_by(LetterTemplate.name)).all()
    batches = db.session.scalars(
        select(LetterBatch)
        .options(selectinload(LetterBatch.template), selectinload(LetterBatch.campaign))
        .order_by(LetterBatch.created_at.desc())
        .limit(50)
    ).all()
    return render_template("letters/index.html", templates=templates, batches=batches)
