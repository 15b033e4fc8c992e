"""Members and committees pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.auth.decorators import role_required
from advocacy.extensions import db
from advocacy.models import Bill, City, CityDistrict, Committee, CommitteeMembership, Cosponsorship, Member
from advocacy.models.users import VIEWER

bp = Blueprint("members", __name__)


@bp.route("/members/")
@role_required(VIEWER)
def index():
    query = select(Member).options(selectinload(Member.memberships).selectinload(CommitteeMembership.committee))
    chamber = request.args.get("chamber") or None
    state = (request.args.get("state") or "").upper()[:2] or None
    party = request.args.get("party") or None
    committee = request.args.get("committee") or None
    show_former = request.args.get("former") == "1"
    if not show_former:
        query = query.where(Member.is_current.is_(True))
    if chamber in ("house", "senate"):
        query = query.where(Member.chamber == chamber)
    if state:
        query = query.where(Member.state == state)
    if party:
        query = query.where(Member.party == party)
    if committee:
        query = query.join(CommitteeMembership).where(CommitteeMembership.committee_id == committee)
    members = db.session.scalars(
        query.order_by(Member.state, Member.chamber.desc(), Member.district, Member.last_name)
    ).all()
    committees = db.session.scalars(
        select(Committee).where(Committee.parent_id.is_(None)).order_by(Committee.name)
    ).all()
    parties = db.session.scalars(select(Member.party).where(Member.party.is_not(None)).distinct()).all()
    return render_template(
        "members/index.html",
        members=members,
        committees=committees,
        parties=sorted(parties),
        filters={"chamber": chamber, "state": state, "party": party, "committee": committee, "former": show_former},
    )


@bp.route("/members/<bioguide_id>")
@role_required(VIEWER)
def detail(bioguide_id: str):
    member = db.session.scalar(
        select(Member)
        .where(Member.bioguide_id == bioguide_id)
        .options(selectinload(Member.memberships).selectinload(CommitteeMembership.committee))
    )
    if member is None:
        abort(404)
    sponsored = db.session.scalars(select(Bill).where(Bill.sponsor_id == member.bioguide_id)).all()
    cosponsored = db.session.scalars(
        select(Cosponsorship)
        .where(Cosponsorship.member_id == member.bioguide_id)
        .options(selectinload(Cosponsorship.bill))
    ).all()
    in_seat = select(CityDistrict.city_id).where(CityDistrict.state == member.state)
    if member.chamber == "house" and member.district is not None:
        in_seat = in_seat.where(CityDistrict.district == member.district)
    cities = db.session.scalars(
        select(City).where(City.id.in_(in_seat)).order_by(City.population.desc().nulls_last())
    ).all()
    return render_template(
        "members/detail.html", member=member, sponsored=sponsored, cosponsored=cosponsored, cities=cities
    )


@bp.route("/committees/<thomas_id>")
@role_required(VIEWER)
def committee(thomas_id: str):
    committee = db.session.scalar(
        select(Committee)
        .where(Committee.thomas_id == thomas_id.upper())
        .options(
            selectinload(Committee.memberships).selectinload(CommitteeMembership.member),
            selectinload(Committee.subcommittees),
        )
    )
    if committee is None:
        abort(404)

    def order(m: CommitteeMembership) -> tuple:
        leader = 0 if m.title else 1
        return (leader, 0 if m.party_side == "majority" else 1, m.rank or 999)

    memberships = sorted(committee.memberships, key=order)
    return render_template("members/committee.html", committee=committee, memberships=memberships)
