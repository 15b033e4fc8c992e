"""JSON API /api/v1. Public reads (bills, campaigns with verified endorsements, cities, members, committees);
a personal token (Authorization: Bearer ...) for events and for writes. Every error inside /api/v1 is
`{"error": {"code", "message"}}` with the matching status; single resources carry an ETag (If-None-Match → 304).
The OpenAPI document (advocacy/api/openapi.py) describes exactly this; schemathesis checks it in CI.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from advocacy.alerts.documents import event_document, iso
from advocacy.api import serializers as s
from advocacy.api import services
from advocacy.api.errors import HTTP_CODES, ApiError, error_response
from advocacy.api.openapi import LIST_ENDORSEMENTS
from advocacy.api.openapi import document as openapi_document
from advocacy.api.schemas import MAX_INT, NewInvitation, NewLetterBatch, TrackBill, parse
from advocacy.api.tokens import authenticate, live_token_id
from advocacy.bills.documents import bill_document
from advocacy.bills.queries import bills_select, load_bill
from advocacy.bills.stage import STAGE_LABELS
from advocacy.campaigns.queries import campaign_by_slug
from advocacy.cities.queries import city_search
from advocacy.extensions import csrf, db, limiter
from advocacy.members.queries import member_by_id
from advocacy.models import (
    BILL_TYPES,
    Bill,
    Campaign,
    CampaignBill,
    City,
    Committee,
    CommitteeMembership,
    Event,
    Member,
)
from advocacy.models.users import ADVOCATE, VIEWER
from advocacy.security import MAX_JSON_DEPTH, JSONTooDeep, parse_json

logger = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token auth, no cookies: CSRF does not apply

MAX_PER_PAGE = 100


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.headers)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    if status == 429:
        message = f"Too many requests: the limit is {exc.description}." if exc.description else "Too many requests."
    else:
        message = exc.description or "The request could not be completed."
    return error_response(status, HTTP_CODES.get(status, "error"), message, headers)


@bp.errorhandler(Exception)
def _unhandled(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    db.session.rollback()
    return error_response(500, "internal_error", "Something went wrong; the error has been logged.")


@bp.before_app_request
def _api_routing_errors():
    """Unknown paths and wrong methods under /api/v1 never reach a blueprint handler: answer them in JSON here."""
    exc = request.routing_exception
    if exc is None or not request.path.startswith(bp.url_prefix or "/api/v1"):
        return None
    if isinstance(exc, HTTPException) and (exc.code or 500) >= 400:
        return _http_error(exc)
    return None


PAGE = {"page", "per_page"}
QUERY_PARAMETERS = {
    "api.bills": {"congress", "stage", "campaign", *PAGE},
    "api.campaigns": PAGE,
    "api.cities": {"state", "q", *PAGE},
    "api.members": {"state", "chamber", *PAGE},
    "api.committees": PAGE,
    "api.events": {"after", "limit"},
}


@bp.before_request
def _check_query():
    """Refuse NUL characters (PostgreSQL cannot store or compare them) and query parameters we do not know."""
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        raise ApiError(400, "bad_request", "NUL characters are not allowed.")
    unknown = sorted(set(request.args) - QUERY_PARAMETERS.get(request.endpoint or "", set()))
    if unknown:
        raise ApiError(400, "unknown_parameter", f"Unknown query parameter(s): {', '.join(unknown)[:200]}.")


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "300 per minute")


def _rate_key() -> str:
    """A real token has its own bucket; everything else (no header, a made-up one) counts against the address."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw:
        token_id = live_token_id(raw.strip())
        if token_id is not None:
            return f"api-token:{token_id}"
    return "api-ip:" + (request.remote_addr or "?")


limiter.limit(_rate_limit, key_func=_rate_key)(bp)


# --------------------------------------------------------------------------------------------- helpers


def token_required(role: str = VIEWER) -> Callable:
    """Require `Authorization: Bearer <token>` of an active user with at least `role` (401 / 403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, raw = header.partition(" ")
            challenge = {"WWW-Authenticate": 'Bearer realm="advocacy"'}
            if not header:
                raise ApiError(
                    401, "unauthorized", "This needs an API token: Authorization: Bearer <token>.", challenge
                )
            user = authenticate(raw.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                raise ApiError(401, "invalid_token", "The API token is not valid (wrong, or revoked).", challenge)
            if not user.has_role(role):
                raise ApiError(403, "forbidden", f"This needs an account with the {role} role or above.")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _int_arg(name: str, default: int, minimum: int, maximum: int) -> int:
    """The integer query parameter `name` (`default` when absent); 400 outside minimum..maximum."""
    value = _optional_int_arg(name, minimum, maximum)
    return default if value is None else value


def _optional_int_arg(name: str, minimum: int, maximum: int) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    if not value.strip().lstrip("-").isdigit() or not minimum <= int(value) <= maximum:
        raise ApiError(400, "bad_request", f"`{name}` must be an integer from {minimum} to {maximum}.")
    return int(value)


def _str_arg(name: str, max_length: int = 200) -> str | None:
    value = request.args.get(name)
    if value is not None and len(value) > max_length:
        raise ApiError(400, "bad_request", f"`{name}` is too long (at most {max_length} characters).")
    return value


def _page_links(endpoint: str, page: int, per_page: int, total: int, **params: Any) -> dict[str, Any]:
    params = {k: v for k, v in params.items() if v is not None}
    last = max(1, -(-total // per_page))

    def link(p: int) -> str:
        return url_for(endpoint, page=p, per_page=per_page, **params)

    return {
        "self": link(page),
        "first": link(1),
        "last": link(last),
        "next": link(page + 1) if page < last else None,
        "prev": link(page - 1) if page > 1 else None,
    }


def _paginate(query, endpoint: str, serialize: Callable[[Any], dict], **params: Any) -> Response:
    page = _int_arg("page", 1, 1, 100000)
    per_page = _int_arg("per_page", 20, 1, MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify(
        {
            "data": [serialize(row) for row in rows],
            "meta": {"page": page, "per_page": per_page, "total": total},
            "links": _page_links(endpoint, page, per_page, total, **params),
        }
    )


def _single(document: dict[str, Any]) -> ResponseReturnValue:
    """A single resource with a strong ETag; If-None-Match with the same tag answers 304."""
    response = jsonify({"data": document})
    response.add_etag()
    return response.make_conditional(request)


def _json_body() -> dict[str, Any]:
    body = None
    if request.is_json:
        try:
            body = parse_json(request.get_data(cache=True))
        except JSONTooDeep:
            raise ApiError(400, "bad_request", f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.") from None
        except ValueError:
            body = None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "Send a JSON object (Content-Type: application/json).")
    return body


# --------------------------------------------------------------------------------------------- documents


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.route("/bills")
def bills():
    congress = _optional_int_arg("congress", 1, 999)
    stage = _str_arg("stage")
    campaign = _str_arg("campaign")
    if stage is not None and stage not in STAGE_LABELS:
        raise ApiError(400, "bad_request", f"`stage` must be one of: {', '.join(STAGE_LABELS)}.")
    query = bills_select(congress=congress, stage=stage, campaign_slug=campaign).order_by(
        Bill.congress.desc(), Bill.bill_type, Bill.number
    )
    return _paginate(query, "api.bills", s.bill_summary, congress=congress, stage=stage, campaign=campaign)


@bp.route("/bills", methods=["POST"])
@token_required(ADVOCATE)
def track_bill():
    body = parse(TrackBill, _json_body())
    bill, created = services.track_bill(body.citation, body.campaign, actor=g.api_user.email)
    response = jsonify({"data": bill_document(bill)})
    response.status_code = 201 if created else 200
    response.headers["Location"] = s.bill_path(bill)
    return response


def _bill_or_404(congress: int, bill_type: str, number: int) -> Bill:
    if bill_type not in BILL_TYPES or not 1 <= congress <= 999 or not 1 <= number <= MAX_INT:
        raise ApiError(404, "not_found", "No such bill.")
    bill = load_bill(congress, bill_type, number)
    if bill is None:
        raise ApiError(404, "not_found", "No such bill.")
    return bill


@bp.route("/bills/<int:congress>/<bill_type>/<int:number>")
def bill(congress: int, bill_type: str, number: int):
    return _single(bill_document(_bill_or_404(congress, bill_type, number)))


@bp.route("/campaigns")
def campaigns():
    query = select(Campaign).options(selectinload(Campaign.bill_links).selectinload(CampaignBill.bill))
    page = _int_arg("page", 1, 1, 100000)
    per_page = _int_arg("per_page", 20, 1, MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(Campaign)) or 0
    rows = db.session.scalars(query.order_by(Campaign.name).limit(per_page).offset((page - 1) * per_page)).all()
    endorsements = s.verified_endorsements([c.id for c in rows])
    return jsonify(
        {
            "data": [s.campaign_document(c, endorsements.get(c.id, []), limit=LIST_ENDORSEMENTS) for c in rows],
            "meta": {"page": page, "per_page": per_page, "total": total},
            "links": _page_links("api.campaigns", page, per_page, total),
        }
    )


def _campaign_or_404(slug: str) -> Campaign:
    campaign = campaign_by_slug(slug[:80])
    if campaign is None:
        raise ApiError(404, "not_found", "No such campaign.")
    return campaign


@bp.route("/campaigns/<slug>")
def campaign(slug: str):
    row = _campaign_or_404(slug)
    return _single(s.campaign_document(row, s.verified_endorsements([row.id]).get(row.id, [])))


@bp.route("/campaigns/<slug>/invitations", methods=["POST"])
@token_required(ADVOCATE)
def create_invitation(slug: str):
    row = _campaign_or_404(slug)
    body = parse(NewInvitation, _json_body())
    invitation = services.invite(row, body.city_id, body.email, body.contact_name, actor=g.api_user.email)
    response = jsonify({"data": s.invitation_document(invitation)})
    response.status_code = 201
    return response


@bp.route("/letter-batches", methods=["POST"])
@token_required(ADVOCATE)
def create_letter_batch():
    body = parse(NewLetterBatch, _json_body())
    batch = services.letter_batch(
        body.campaign,
        body.template,
        body.selector,
        joint=body.joint,
        include_samples=body.include_samples,
        actor=g.api_user.email,
    )
    response = jsonify({"data": s.batch_document(batch)})
    response.status_code = 202
    return response


@bp.route("/cities")
def cities():
    state = _str_arg("state", 2)
    q = _str_arg("q", 200)
    query = city_search(q=q).options(selectinload(City.districts))  # the cities page's name-prefix search
    if state is not None:
        query = query.where(City.state == state.upper())
    query = query.order_by(None).order_by(City.state, City.name, City.id)
    return _paginate(query, "api.cities", s.city_document, state=state, q=q)


@bp.route("/cities/<int:city_id>")
def city(city_id: int):
    row = db.session.get(City, city_id) if city_id <= MAX_INT else None
    if row is None:
        raise ApiError(404, "not_found", "No such city.")
    return _single(s.city_document(row, row.representatives()))


@bp.route("/members")
def members():
    state = _str_arg("state", 2)
    chamber = _str_arg("chamber", 10)
    if chamber is not None and chamber not in ("house", "senate"):
        raise ApiError(400, "bad_request", "`chamber` must be house or senate.")
    query = select(Member)
    if state is not None:
        query = query.where(Member.state == state.upper())
    if chamber is not None:
        query = query.where(Member.chamber == chamber)
    query = query.order_by(Member.last_name, Member.first_name, Member.bioguide_id)
    return _paginate(query, "api.members", s.member_summary, state=state, chamber=chamber)


@bp.route("/members/<bioguide_id>")
def member(bioguide_id: str):
    row = member_by_id(bioguide_id[:10])
    if row is None:
        raise ApiError(404, "not_found", "No such member.")
    return _single(s.member_document(row))


@bp.route("/committees")
def committees():
    query = select(Committee).order_by(Committee.chamber, Committee.thomas_id)
    return _paginate(query, "api.committees", s.committee_summary)


@bp.route("/committees/<thomas_id>")
def committee(thomas_id: str):
    row = db.session.scalar(
        select(Committee)
        .where(Committee.thomas_id == thomas_id[:10])
        .options(selectinload(Committee.memberships).selectinload(CommitteeMembership.member))
    )
    if row is None:
        raise ApiError(404, "not_found", "No such committee.")
    return _single(s.committee_document(row))


@bp.route("/events")
@token_required(VIEWER)
def events():
    after = _int_arg("after", 0, 0, MAX_INT)
    limit = _int_arg("limit", 50, 1, MAX_PER_PAGE)
    rows = db.session.scalars(
        select(Event)
        .where(Event.id > after)
        .options(selectinload(Event.bill), selectinload(Event.campaign))
        .order_by(Event.id)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_after = rows[-1].id if rows else after
    return jsonify(
        {
            "data": [event_document(e) for e in rows],
            "meta": {"after": after, "next_after": next_after, "has_more": more, "generated_at": iso(s.now())},
            "links": {
                "self": url_for("api.events", after=after, limit=limit),
                "next": url_for("api.events", after=next_after, limit=limit),
            },
        }
    )
