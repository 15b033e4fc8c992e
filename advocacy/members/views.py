"""Members and committees pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from advocacy.auth.decorators import role_required
from advocacy.cities.states import STATES
from advocacy.extensions import db
from advocacy.members.queries import (
    endorsing_cities_for,
    is_leader,
    membership_order,
    missing_contact_fields,
)
from advocacy.models import Bill, Committee, CommitteeMembership, Cosponsorship, Member
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
        query = query.where(
            Member.bioguide_id.in_(
                select(CommitteeMembership.member_id).where(CommitteeMembership.committee_id == committee)
            )
        )
    members = db.session.scalars(
        query.order_by(Member.state, Member.chamber.desc(), Member.district, Member.last_name)
    ).all()
    committees = db.session.scalars(
        select(Committee).where(Committee.parent_id.is_(None)).order_by(Committee.chamber, Committee.name)
    ).all()
    parties = db.session.scalars(select(Member.party).where(Member.party.is_not(None)).distinct()).all()
    return render_template(
        "members/index.html",
        members=members,
        committees=committees,
        parties=sorted(parties),
        states=STATES,
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
    sponsored = db.session.scalars(
        select(Bill).where(Bill.sponsor_id == member.bioguide_id, Bill.tracked.is_(True)).order_by(Bill.congress.desc())
    ).all()
    cosponsored = db.session.scalars(
        select(Cosponsorship)
        .join(Bill)
        .where(Cosponsorship.member_id == member.bioguide_id, Bill.tracked.is_(True))
        .options(selectinload(Cosponsorship.bill))
        .order_by(Bill.congress.desc())
    ).all()
    return render_template(
        "members/detail.html",
        member=member,
        memberships=sorted(member.memberships, key=lambda m: (m.committee.parent_id is not None, m.committee.name)),
        sponsored=sponsored,
        cosponsored=cosponsored,
        endorsing_cities=endorsing_cities_for(member),
        missing=missing_contact_fields(member),
    )


@bp.route("/committees/")
@role_required(VIEWER)
def committees():
    parents = db.session.scalars(
        select(Committee)
        .where(Committee.parent_id.is_(None))
        .options(selectinload(Committee.subcommittees))
        .order_by(Committee.chamber, Committee.name)
    ).all()
    seats = dict(
        db.session.execute(
            select(CommitteeMembership.committee_id, func.count(CommitteeMembership.id)).group_by(
                CommitteeMembership.committee_id
            )
        ).all()
    )
    leaders = db.session.scalars(
        select(CommitteeMembership)
        .where(CommitteeMembership.title.is_not(None))
        .options(selectinload(CommitteeMembership.member))
    ).all()
    leaders_by_committee: dict[str, list[CommitteeMembership]] = {}
    for seat in sorted(leaders, key=membership_order):
        if is_leader(seat.title):
            leaders_by_committee.setdefault(seat.committee_id, []).append(seat)
    return render_template("members/committees.html", committees=parents, seats=seats, leaders=leaders_by_committee)


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
    memberships = sorted(committee.memberships, key=membership_order)
    leaders = [m for m in memberships if is_leader(m.title)]
    by_side = {
        side: [m for m in memberships if m.party_side == side and not is_leader(m.title)]
        for side in ("majority", "minority")
    }
    return render_template(
        "members/committee.html",
        committee=committee,
        leaders=leaders,
        by_side=by_side,
        subcommittees=sorted(committee.subcommittees, key=lambda c: c.name),
    )
