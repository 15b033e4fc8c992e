"""Cities pages: search and filter, a city's districts and members, adding and editing cities."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload

from advocacy.auth import current_staff
from advocacy.auth.decorators import role_required
from advocacy.campaigns.queries import all_campaigns
from advocacy.cities.errors import CityError
from advocacy.cities.forms import CityForm, DistrictsForm, ZipForm
from advocacy.cities.queries import (
    ENDORSEMENT_FILTERS,
    city_by_id,
    city_search,
    districts_for_zips,
    endorsement_status_by_city,
    endorsements_of,
)
from advocacy.cities.services import create_city, set_city_districts, update_city
from advocacy.cities.states import STATES, district_label
from advocacy.extensions import db
from advocacy.form_errors import add_error
from advocacy.models import City, Member
from advocacy.models.users import ADVOCATE, VIEWER

bp = Blueprint("cities", __name__, url_prefix="/cities")
PER_PAGE = 50


def _int_arg(name: str) -> int | None:
    raw = (request.args.get(name) or "").replace(",", "").strip()
    return int(raw) if raw.isdigit() else None


@bp.route("/")
@role_required(VIEWER)
def index():
    state = (request.args.get("state") or "").upper()[:2]
    endorsement = request.args.get("endorsement") or ""
    filters = {
        "q": (request.args.get("q") or "").strip()[:200],
        "state": state if state in STATES else "",
        "population_min": _int_arg("population_min"),
        "population_max": _int_arg("population_max"),
        "endorsement": endorsement if endorsement in ENDORSEMENT_FILTERS else "",
    }
    query = city_search(**{k: v or None for k, v in filters.items()}).options(selectinload(City.districts))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    statuses = endorsement_status_by_city([city.id for city in page.items])
    args = {k: v for k, v in filters.items() if v not in (None, "")}
    return render_template(
        "cities/index.html",
        page=page,
        statuses=statuses,
        filters=filters,
        args=args,
        states=STATES,
        endorsement_filters=ENDORSEMENT_FILTERS,
    )


def _get_city(city_id: int) -> City:
    city = city_by_id(city_id)
    if city is None:
        abort(404)
    return city


def _render_detail(city: City, districts_form: DistrictsForm | None = None, zip_form: ZipForm | None = None):
    representing = city.representatives(Member.last_name)
    senators = [m for m, _how in representing if m.chamber == "senate"]
    house = [(m, how) for m, how in representing if m.chamber != "senate"]
    by_seat = {(m.state, m.district): m for m, _how in house}
    districts = [(d, by_seat.get((d.state, d.district)) or by_seat.get((d.state, 0))) for d in city.districts]
    endorsements = endorsements_of(city)
    if districts_form is None:
        districts_form = DistrictsForm(state=city.state, data={"districts": ", ".join(d.label for d in city.districts)})
    endorsed = {e.campaign_id for e in endorsements if e.is_active}
    campaigns = all_campaigns()
    return render_template(
        "cities/detail.html",
        city=city,
        districts=districts,
        senators=senators,
        house=house,
        endorsements=endorsements,
        invitable=[c for c in campaigns if c.id not in endorsed],
        districts_form=districts_form,
        zip_form=zip_form or ZipForm(),
    )


@bp.route("/<int:city_id>")
@role_required(VIEWER)
def detail(city_id: int):
    return _render_detail(_get_city(city_id))


@bp.route("/new", methods=["GET", "POST"])
@role_required(ADVOCATE)
def new():
    form = CityForm()
    if form.validate_on_submit():
        try:
            city = create_city(form.values(), actor=current_staff().email)
        except CityError as exc:
            add_error(form.name, str(exc))
        else:
            flash(f"{city.label} added.", "success")
            return redirect(url_for("cities.detail", city_id=city.id))
    return render_template("cities/edit.html", form=form, city=None)


@bp.route("/<int:city_id>/edit", methods=["GET", "POST"])
@role_required(ADVOCATE)
def edit(city_id: int):
    city = _get_city(city_id)
    form = CityForm(
        obj=city, data=None if request.method == "POST" else {"email_domains": "\n".join(city.email_domains)}
    )
    if form.validate_on_submit():
        try:
            changed = update_city(city, form.values(), actor=current_staff().email)
        except CityError as exc:
            add_error(form.name, str(exc))
        else:
            flash("City saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("cities.detail", city_id=city.id))
    return render_template("cities/edit.html", form=form, city=city)


@bp.route("/<int:city_id>/districts", methods=["POST"])
@role_required(ADVOCATE)
def set_districts(city_id: int):
    city = _get_city(city_id)
    form = DistrictsForm(state=city.state)
    if not form.validate_on_submit():
        return _render_detail(city, districts_form=form), 400
    changed = set_city_districts(city, form.pairs, source="manual", actor=current_staff().email)
    flash("Districts set by hand." if changed else "Nothing changed.", "success")
    return redirect(url_for("cities.detail", city_id=city.id))


@bp.route("/<int:city_id>/zips", methods=["POST"])
@role_required(ADVOCATE)
def districts_from_zips(city_id: int):
    city = _get_city(city_id)
    form = ZipForm()
    if form.validate_on_submit():
        found, unknown = districts_for_zips(form.codes)
        pairs = {pair for pairs in found.values() for pair in pairs if pair[0] == city.state}
        if unknown:
            add_error(form.zips, f"Not in the ZIP → district table: {', '.join(unknown)}.")
        elif not pairs:
            add_error(form.zips, f"None of these ZIP codes lies in {city.state}.")
        else:
            changed = set_city_districts(city, pairs, source="zip", actor=current_staff().email)
            labels = ", ".join(district_label(s, d) for s, d in sorted(pairs))
            flash(
                f"Districts {labels} set from ZIP codes {', '.join(form.codes)}." if changed else "Nothing changed.",
                "success",
            )
            return redirect(url_for("cities.detail", city_id=city.id))
    return _render_detail(city, zip_form=form), 400
