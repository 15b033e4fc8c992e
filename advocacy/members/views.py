"""Members and committees pages."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from advocacy.auth.decorators import role_required
from advocacy.cities.states import STATES
from advocacy.members.queries import (
    MemberFilters,
    committee_by_thomas_id,
    committees_overview,
    cosponsorships,
    endorsing_cities_for,
    is_leader,
    member_by_id,
    members_list,
    membership_order,
    missing_contact_fields,
    parties,
    sponsored_bills,
    top_committees,
)
from advocacy.models.users import VIEWER

bp = Blueprint("members", __name__)


@bp.route("/members/")
@role_required(VIEWER)
def index() -> ResponseReturnValue:
    filters = MemberFilters(
        chamber=request.args.get("chamber") or None,
        state=(request.args.get("state") or "").upper()[:2] or None,
        party=request.args.get("party") or None,
        committee=request.args.get("committee") or None,
        former=request.args.get("former") == "1",
    )
    return render_template(
        "members/index.html",
        members=members_list(filters),
        committees=top_committees(),
        parties=parties(),
        states=STATES,
        filters=asdict(filters),
    )


@bp.route("/members/<bioguide_id>")
@role_required(VIEWER)
def detail(bioguide_id: str) -> ResponseReturnValue:
    member = member_by_id(bioguide_id)
    if member is None:
        abort(404)
    return render_template(
        "members/detail.html",
        member=member,
        memberships=sorted(member.memberships, key=lambda m: (m.committee.parent_id is not None, m.committee.name)),
        sponsored=sponsored_bills(member),
        cosponsored=cosponsorships(member),
        endorsing_cities=endorsing_cities_for(member),
        missing=missing_contact_fields(member),
    )


@bp.route("/committees/")
@role_required(VIEWER)
def committees() -> ResponseReturnValue:
    overview = committees_overview()
    return render_template(
        "members/committees.html", committees=overview.committees, seats=overview.seats, leaders=overview.leaders
    )


@bp.route("/committees/<thomas_id>")
@role_required(VIEWER)
def committee(thomas_id: str) -> ResponseReturnValue:
    committee = committee_by_thomas_id(thomas_id)
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
