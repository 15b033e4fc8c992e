"""Cities pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from advocacy.auth.decorators import role_required
from advocacy.extensions import db
from advocacy.models import City, Endorsement, Member
from advocacy.models.users import VIEWER

bp = Blueprint("cities", __name__, url_prefix="/cities")
PER_PAGE = 50


@bp.route("/")
@role_required(VIEWER)
def index():
    query = select(City).options(selectinload(City.districts))
    q = (request.args.get("q") or "").strip()
    state = (request.args.get("state") or "").upper()[:2]
    if q:
        query = query.where(func.lower(City.name).startswith(q.lower(), autoescape=True))
    if state:
        query = query.where(City.state == state)
    page = db.paginate(
        query.order_by(City.population.desc().nulls_last(), City.name), per_page=PER_PAGE, error_out=False
    )
    return render_template("cities/index.html", page=page, filters={"q": q, "state": state})


@bp.route("/<int:city_id>")
@role_required(VIEWER)
def detail(city_id: int):
    city = db.session.scalar(select(City).where(City.id == city_id).options(selectinload(City.districts)))
    if city is None:
        abort(404)
    representatives = []
    if city.districts:
        pairs = {(d.state, d.district) for d in city.districts}
        candidates = db.session.scalars(
            select(Member).where(Member.is_current.is_(True), Member.state == city.state)
        ).all()
        representatives = [m for m in candidates if m.chamber == "senate" or (m.state, m.district) in pairs]
    endorsements = db.session.scalars(
        select(Endorsement)
        .where(Endorsement.city_id == city.id)
        .options(selectinload(Endorsement.campaign))
        .order_by(Endorsement.created_at.desc())
    ).all()
    return render_template("cities/detail.html", city=city, representatives=representatives, endorsements=endorsements)
