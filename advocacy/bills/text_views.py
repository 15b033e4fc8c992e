"""Bill text pages: one version's text with its table of contents, and two versions compared side by side.

The bill page and the campaign page include their text sections from templates of their own
(`bills/_texts.html`, `campaigns/_text_changes.html`), which read through the template globals below.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup, escape

from advocacy.auth.decorators import role_required
from advocacy.bills.texts import (
    WordOp,
    campaign_changes,
    compare_versions,
    previous_congress_version,
    versions_of,
)
from advocacy.extensions import db
from advocacy.models import Bill, BillTextCheck, BillTextVersion, Campaign
from advocacy.models.users import VIEWER

bp = Blueprint("texts", __name__, url_prefix="/bills")


@bp.app_template_global()
def bill_text_versions(bill: Bill) -> list[BillTextVersion]:
    """The bill's stored text versions, oldest first (for the bill page's text section)."""
    return versions_of(bill)


@bp.app_template_global()
def bill_text_problem(bill: Bill) -> str | None:
    """Why the last text sync did not store everything (refused XML, unreachable host...), if it did not."""
    check = db.session.get(BillTextCheck, bill.id)
    return check.error if check is not None else None


@bp.app_template_global()
def previous_congress_text(bill: Bill) -> BillTextVersion | None:
    """The first text of the campaign bill this one reintroduces, for "compared with the previous Congress"."""
    return previous_congress_version(bill)


@bp.app_template_global()
def campaign_text_changes(campaign: Campaign):
    """Per reintroduction, the comparison with the previous Congress's text (campaign page)."""
    return campaign_changes(campaign)


def diff_html(ops: tuple[WordOp, ...], side: str) -> Markup:
    """One side of a word diff as escaped HTML: deleted words in <del> (old side), inserted in <ins> (new side)."""
    wrapper = Markup("<del>%s</del>") if side == "old" else Markup("<ins>%s</ins>")
    parts: list[Markup] = []
    for op in ops:
        text = op.old if side == "old" else op.new
        if not text:
            continue
        body = Markup("<br>").join(escape(line) for line in text.split("\n"))
        parts.append(body if op.tag == "equal" else wrapper % body)
    return Markup(" ").join(parts)


bp.add_app_template_filter(diff_html, "diff_html")


def _version_or_404(version_id: int | None) -> BillTextVersion:
    version = db.session.get(BillTextVersion, version_id) if version_id else None
    if version is None:
        abort(404)
    return version


@bp.route("/<int:congress>/<bill_type>/<int:number>/text/<int:version_id>")
@role_required(VIEWER)
def text(congress: int, bill_type: str, number: int, version_id: int):
    version = _version_or_404(version_id)
    bill = version.bill
    if (bill.congress, bill.bill_type, bill.number) != (congress, bill_type, number):
        abort(404)
    return render_template("bills/text.html", bill=bill, version=version, versions=versions_of(bill))


@bp.route("/compare")
@role_required(VIEWER)
def compare():
    old = _version_or_404(request.args.get("old", type=int))
    new = _version_or_404(request.args.get("new", type=int))
    comparison = compare_versions(old, new)
    return render_template("bills/text_compare.html", old=old, new=new, comparison=comparison)
