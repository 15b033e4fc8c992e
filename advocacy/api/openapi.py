"""The OpenAPI 3.1 document of /api/v1, written by hand to match advocacy/api/views.py (schemathesis checks it)."""

from __future__ import annotations

from typing import Any

from advocacy.bills.stage import STAGE_LABELS
from advocacy.models import BILL_TYPES

# Campaigns in the list embed at most this many verified endorsements each (the single resource has all).
LIST_ENDORSEMENTS = 100
NO_NUL = "^[^\\u0000]*$"  # PostgreSQL cannot store NUL characters: the API refuses them (400)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str | list[str], **extra: Any) -> dict[str, Any]:
    kinds = [kind] if isinstance(kind, str) else kind
    return {"type": [*kinds, "null"], **extra}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


ERROR = {"description": "Error", "content": _json(_ref("Error"))}
ETAG_HEADER = {"ETag": {"description": "Entity tag of the representation", "schema": {"type": "string"}}}


def _responses(ok: dict[str, Any], *codes: int, ok_code: str = "200") -> dict[str, Any]:
    responses: dict[str, Any] = {ok_code: ok}
    for code in codes:
        responses[str(code)] = ERROR
    responses["default"] = ERROR
    return responses


def _single(schema_name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": ETAG_HEADER,
        "content": _json(_obj({"data": _ref(schema_name)})),
    }


def _page(schema_name: str) -> dict[str, Any]:
    return {
        "description": "A page of results",
        "content": _json(
            _obj(
                {
                    "data": {"type": "array", "items": _ref(schema_name)},
                    "meta": _ref("PageMeta"),
                    "links": _ref("PageLinks"),
                }
            )
        ),
    }


PAGE_PARAMS = [
    {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 100000}},
    {"name": "per_page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]
NOT_MODIFIED = {"description": "Not modified (If-None-Match matched the ETag)"}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}
TOKEN: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _path_str(name: str, max_length: int) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": NO_NUL},
    }


def schemas() -> dict[str, Any]:
    date = _nullable("string", format="date")
    member_ref = _obj(
        {
            "bioguide_id": {"type": "string"},
            "name": {"type": "string"},
            "party": _nullable("string"),
            "state": _nullable("string"),
            "district": _nullable("integer"),
        }
    )
    bill_ref = _obj(
        {
            "congress": {"type": "integer"},
            "type": {"type": "string", "enum": list(BILL_TYPES)},
            "number": {"type": "integer"},
            "label": {"type": "string"},
            "url": {"type": "string"},
        }
    )
    return {
        "Error": _obj(
            {"error": _obj({"code": {"type": "string"}, "message": {"type": "string"}})},
        ),
        "PageMeta": _obj({"page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}),
        "PageLinks": _obj(
            {
                "self": {"type": "string"},
                "first": {"type": "string"},
                "last": {"type": "string"},
                "next": _nullable("string"),
                "prev": _nullable("string"),
            }
        ),
        "BillRef": bill_ref,
        "BillSummary": _obj(
            {
                **bill_ref["properties"],
                "citation": {"type": "string"},
                "title": {"type": "string"},
                "short_title": _nullable("string"),
                "stage": {"type": "string", "enum": list(STAGE_LABELS)},
                "tracked": {"type": "boolean"},
                "introduced_date": date,
                "latest_action": _obj({"date": date, "text": _nullable("string")}),
                "sponsor": {
                    "oneOf": [
                        {"type": "null"},
                        _obj({"bioguide_id": {"type": "string"}, "name": {"type": "string"}}),
                    ]
                },
            }
        ),
        "Bill": _obj(
            {
                "congress": {"type": "integer"},
                "type": {"type": "string", "enum": list(BILL_TYPES)},
                "number": {"type": "integer"},
                "citation": {"type": "string"},
                "label": {"type": "string"},
                "title": {"type": "string"},
                "short_title": _nullable("string"),
                "introduced_date": date,
                "origin_chamber": _nullable("string"),
                "policy_area": _nullable("string"),
                "sponsor": {"oneOf": [{"type": "null"}, member_ref]},
                "stage": _obj(
                    {
                        "code": {"type": "string"},
                        "label": {"type": "string"},
                        "furthest": {"type": "string"},
                        "furthest_label": _nullable("string"),
                    }
                ),
                "latest_action": _obj({"date": date, "text": _nullable("string")}),
                "congress_gov_url": {"type": "string"},
                "update_date": _nullable("string"),
                "last_synced_at": _nullable("string"),
                "sync_error": _nullable("string"),
                "sync_error_kind": _nullable("string", enum=["outage", "missing", "rate_limited", "error", None]),
                "sync_deferred_until": _nullable("string"),
                "data_source": {"type": "string"},
                "source_note": _nullable("string"),
                "actions": {
                    "type": "array",
                    "items": _obj(
                        {
                            "date": date,
                            "time": _nullable("string"),
                            "text": {"type": "string"},
                            "type": _nullable("string"),
                            "action_code": _nullable("string"),
                            "source_system": _nullable("string"),
                            "committee": _nullable("string"),
                            "source_note": _nullable("string"),
                            "reported_as": {"type": "array", "items": {"type": "object"}},
                        }
                    ),
                },
                "cosponsors": {
                    "type": "array",
                    "items": _obj(
                        {
                            **member_ref["properties"],
                            "sponsorship_date": date,
                            "original": {"type": "boolean"},
                            "withdrawn_date": date,
                        }
                    ),
                },
                "committees": {
                    "type": "array",
                    "items": _obj(
                        {
                            "system_code": {"type": "string"},
                            "name": {"type": "string"},
                            "chamber": _nullable("string"),
                            "activities": {"type": "array"},
                            "parent": _nullable("string"),
                        }
                    ),
                },
                "related_bills": {
                    "type": "array",
                    "items": _obj(
                        {
                            "congress": {"type": "integer"},
                            "type": {"type": "string"},
                            "number": {"type": "integer"},
                            "label": {"type": "string"},
                            "title": _nullable("string"),
                            "relationship": {"type": "string"},
                            "identified_by": {"type": "string"},
                        }
                    ),
                },
                "titles": {"type": "array", "items": _obj({"type": {"type": "string"}, "title": {"type": "string"}})},
                "text_versions": {
                    "type": "array",
                    "description": "Published texts, oldest first, with the outline of their sections",
                    "items": _obj(
                        {
                            "type": {"type": "string"},
                            "date": date,
                            "source_url": {"type": "string"},
                            "pdf_url": _nullable("string"),
                            "format": {"type": "string", "enum": ["bill-xml", "uslm", "text"]},
                            "official_title": _nullable("string"),
                            "word_count": {"type": "integer"},
                            "sections": {
                                "type": "array",
                                "items": _obj({"number": {"type": "string"}, "heading": {"type": "string"}}),
                            },
                        }
                    ),
                },
            }
        ),
        "TrackRequest": {
            "type": "object",
            "properties": {
                "citation": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 300,
                    "pattern": NO_NUL,
                    "examples": ["H.R. 5323 (119th)"],
                },
                "campaign": {"type": ["string", "null"], "minLength": 1, "maxLength": 80, "pattern": NO_NUL},
            },
            "required": ["citation"],
        },
        "Endorsement": _obj(
            {
                "city": _obj(
                    {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "state": {"type": "string"},
                        "population": _nullable("integer"),
                    }
                ),
                "signer_name": {"type": "string"},
                "signer_title": _nullable("string"),
                "verified_at": _nullable("string", format="date-time"),
                "sample": {"type": "boolean"},
            }
        ),
        "Campaign": _obj(
            {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "ask": {"type": "string"},
                "description": _nullable("string"),
                "url": {"type": "string"},
                "bills": {"type": "array", "items": _ref("BillRef")},
                "verified_count": {"type": "integer"},
                "verified_endorsements": {"type": "array", "items": _ref("Endorsement")},
                "verified_endorsements_truncated": {
                    "type": "boolean",
                    "description": "True in the campaigns list when only the first "
                    f"{LIST_ENDORSEMENTS} are embedded; the campaign resource has them all.",
                },
            }
        ),
        "InvitationRequest": {
            "type": "object",
            "properties": {
                "city_id": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                "email": {"type": "string", "format": "email", "minLength": 3, "maxLength": 254, "pattern": NO_NUL},
                "contact_name": {"type": ["string", "null"], "minLength": 1, "maxLength": 200, "pattern": NO_NUL},
            },
            "required": ["city_id", "email"],
        },
        "Invitation": _obj(
            {
                "id": {"type": "integer"},
                "campaign": {"type": "string"},
                "city": _obj({"id": {"type": "integer"}, "name": {"type": "string"}, "state": {"type": "string"}}),
                "email": {"type": "string"},
                "status": {"type": "string"},
                "expires_at": _nullable("string", format="date-time"),
            }
        ),
        "LetterBatchRequest": {
            "type": "object",
            "properties": {
                "campaign": {"type": "string", "minLength": 1, "maxLength": 80, "pattern": NO_NUL},
                "template": {"type": "string", "minLength": 1, "maxLength": 80, "pattern": NO_NUL},
                "selector": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200,
                    "pattern": NO_NUL,
                    "examples": ["committee:HSFA"],
                },
                "joint": {"type": ["boolean", "null"], "default": False},
                "include_samples": {
                    "type": ["boolean", "null"],
                    "default": False,
                    "description": (
                        "Let the demo's sample endorsements into the letters (default false: they never appear or "
                        "count). Each sample signer is then marked and every page carries "
                        '"SAMPLE — NOT FOR SENDING".'
                    ),
                },
            },
            "required": ["campaign", "template", "selector"],
        },
        "LetterBatch": _obj(
            {
                "id": {"type": "integer"},
                "campaign": {"type": "string"},
                "selector": {"type": "string"},
                "status": {"type": "string"},
                "total": {"type": "integer"},
            }
        ),
        "CityDistrict": _obj(
            {
                "code": {"type": "string", "description": "e.g. NY-10, WY-AL (at-large), DC-AL (delegate)"},
                "state": {"type": "string"},
                "district": {"type": "integer", "description": "0: at-large, delegate or resident commissioner"},
                "basis": {
                    "type": "string",
                    "enum": ["census", "zip", "import", "demo", "manual", "signer"],
                    "description": "census: Census relationship file; zip/import/demo: approximate; manual: set by "
                    "hand; signer: confirmed by the signer",
                },
                "basis_label": {"type": "string"},
                "approximate": {"type": "boolean"},
                "share": {**_nullable("number"), "description": "share of the city's land in the district (0..1)"},
                "whole": {**_nullable("boolean"), "description": "the city lies wholly in the district"},
            }
        ),
        "City": _obj(
            {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "state": {"type": "string"},
                "geoid": _nullable("string"),
                "geonames_id": _nullable("integer"),
                "census_name": _nullable("string"),
                "kind": {
                    **_nullable("string"),
                    "description": "municipality, consolidated, cdp (census-designated place) or other; null: "
                    "not matched to a Census place",
                },
                "endorsable": {"type": "boolean"},
                "population": _nullable("integer"),
                "population_source": _nullable("string"),
                "population_year": _nullable("integer"),
                "latitude": _nullable("number"),
                "longitude": _nullable("number"),
                "districts": {"type": "array", "items": _ref("CityDistrict")},
                "represented_by": {
                    "type": "array",
                    "description": "single resource only: current members who represent the city",
                    "items": {
                        "allOf": [
                            _ref("MemberSummary"),
                            _obj({"partial": {"type": "boolean"}, "approximate": {"type": "boolean"}}),
                        ]
                    },
                },
                "url": {"type": "string"},
            },
            required=[
                "id",
                "name",
                "state",
                "geoid",
                "geonames_id",
                "census_name",
                "kind",
                "endorsable",
                "population",
                "population_source",
                "population_year",
                "latitude",
                "longitude",
                "districts",
                "url",
            ],  # fmt: skip
        ),
        "MemberSummary": _obj(
            {
                "bioguide_id": {"type": "string"},
                "name": {"type": "string"},
                "first_name": {"type": "string"},
                "last_name": {"type": "string"},
                "party": _nullable("string"),
                "chamber": _nullable("string"),
                "state": _nullable("string"),
                "district": _nullable("integer"),
                "seat": {"type": "string"},
                "is_current": {"type": "boolean"},
                "url": {"type": "string"},
            }
        ),
        "Member": {
            "allOf": [
                _ref("MemberSummary"),
                _obj(
                    {
                        "office": _nullable("string"),
                        "phone": _nullable("string"),
                        "website": _nullable("string"),
                        "contact_form": _nullable("string"),
                        "term_start": date,
                        "term_end": date,
                        "committees": {
                            "type": "array",
                            "items": _obj(
                                {
                                    "thomas_id": {"type": "string"},
                                    "name": {"type": "string"},
                                    "side": _nullable("string"),
                                    "rank": _nullable("integer"),
                                    "title": _nullable("string"),
                                }
                            ),
                        },
                        "sponsored_bills": {"type": "array", "items": _ref("BillRef")},
                    }
                ),
            ]
        },
        "CommitteeSummary": _obj(
            {
                "thomas_id": {"type": "string"},
                "system_code": _nullable("string"),
                "name": {"type": "string"},
                "chamber": {"type": "string"},
                "parent_id": _nullable("string"),
                "url": {"type": "string"},
            }
        ),
        "Committee": {
            "allOf": [
                _ref("CommitteeSummary"),
                _obj(
                    {
                        "members": {
                            "type": "array",
                            "items": _obj(
                                {
                                    "bioguide_id": {"type": "string"},
                                    "name": {"type": "string"},
                                    "side": _nullable("string"),
                                    "rank": _nullable("integer"),
                                    "title": _nullable("string"),
                                }
                            ),
                        }
                    }
                ),
            ]
        },
        "Event": _obj(
            {
                "id": {"type": "integer"},
                "kind": {"type": "string", "examples": ["bill.action", "bill.stage", "endorsement.status"]},
                "summary": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "bill": {
                    "oneOf": [{"type": "null"}, _obj({k: v for k, v in bill_ref["properties"].items() if k != "url"})]
                },
                "campaign": {
                    "oneOf": [{"type": "null"}, _obj({"slug": {"type": "string"}, "name": {"type": "string"}})]
                },
                "endorsement_id": _nullable("integer"),
                "data": {"type": "object"},
            }
        ),
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    bill_params = [
        {
            "name": "congress",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 999},
        },
        {"name": "type", "in": "path", "required": True, "schema": {"type": "string", "enum": list(BILL_TYPES)}},
        {
            "name": "number",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
        },
        IF_NONE_MATCH,
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Advocacy API",
            "version": "1.0.0",
            "description": (
                "Bills, campaigns with their verified endorsements, cities, members and committees are public. "
                "Events and every write need a personal API token (create one on the API tokens page) sent as "
                '`Authorization: Bearer <token>`. Errors are `{"error": {"code", "message"}}`. Lists are paged '
                "with `page`/`per_page` and `links`; events use the `after` cursor. Single resources carry an ETag "
                "and answer 304 to a matching If-None-Match."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/bills": {
                "get": {
                    "operationId": "listBills",
                    "summary": "Bills, filtered by congress, stage or campaign",
                    "parameters": [
                        {
                            "name": "congress",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 999},
                        },
                        {
                            "name": "stage",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": list(STAGE_LABELS)},
                        },
                        {
                            "name": "campaign",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 200, "pattern": NO_NUL},
                        },
                        *PAGE_PARAMS,
                    ],
                    "responses": _responses(_page("BillSummary"), 400, 429),
                },
                "post": {
                    "operationId": "trackBill",
                    "summary": "Track a bill (fetch it from Congress.gov), optionally adding it to a campaign",
                    "security": TOKEN,
                    "requestBody": {"required": True, "content": _json(_ref("TrackRequest"))},
                    "responses": {
                        "201": {"description": "Newly stored", "content": _json(_obj({"data": _ref("Bill")}))},
                        **_responses(
                            {
                                "description": "Already stored; synced again",
                                "content": _json(_obj({"data": _ref("Bill")})),
                            },
                            400,
                            401,
                            403,
                            404,
                            429,
                            502,
                            503,
                        ),
                    },
                },
            },
            "/bills/{congress}/{type}/{number}": {
                "get": {
                    "operationId": "getBill",
                    "summary": "One bill with stage, actions, cosponsors, committees, related bills and titles",
                    "parameters": bill_params,
                    "responses": {"304": NOT_MODIFIED, **_responses(_single("Bill", "The bill"), 404, 429)},
                }
            },
            "/campaigns": {
                "get": {
                    "operationId": "listCampaigns",
                    "summary": "Campaigns with their bills and verified endorsements",
                    "parameters": PAGE_PARAMS,
                    "responses": _responses(_page("Campaign"), 400, 429),
                }
            },
            "/campaigns/{slug}": {
                "get": {
                    "operationId": "getCampaign",
                    "parameters": [_path_str("slug", 80), IF_NONE_MATCH],
                    "responses": {"304": NOT_MODIFIED, **_responses(_single("Campaign", "The campaign"), 404, 429)},
                }
            },
            "/campaigns/{slug}/invitations": {
                "post": {
                    "operationId": "createInvitation",
                    "summary": "Invite a city's office to endorse (the invitation e-mail is sent)",
                    "security": TOKEN,
                    "parameters": [_path_str("slug", 80)],
                    "requestBody": {"required": True, "content": _json(_ref("InvitationRequest"))},
                    "responses": _responses(
                        {"description": "Invitation sent", "content": _json(_obj({"data": _ref("Invitation")}))},
                        400,
                        401,
                        403,
                        404,
                        409,
                        429,
                        ok_code="201",
                    ),
                }
            },
            "/letter-batches": {
                "post": {
                    "operationId": "createLetterBatch",
                    "summary": "Generate a batch of letters to Congress (rendered in the background)",
                    "security": TOKEN,
                    "requestBody": {"required": True, "content": _json(_ref("LetterBatchRequest"))},
                    "responses": _responses(
                        {"description": "Batch queued", "content": _json(_obj({"data": _ref("LetterBatch")}))},
                        400,
                        401,
                        403,
                        404,
                        429,
                        ok_code="202",
                    ),
                }
            },
            "/cities": {
                "get": {
                    "operationId": "listCities",
                    "parameters": [
                        {
                            "name": "state",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 2, "pattern": NO_NUL},
                        },
                        {
                            "name": "q",
                            "in": "query",
                            "required": False,
                            "description": "name prefix",
                            "schema": {"type": "string", "maxLength": 200, "pattern": NO_NUL},
                        },
                        *PAGE_PARAMS,
                    ],
                    "responses": _responses(_page("City"), 400, 429),
                }
            },
            "/cities/{id}": {
                "get": {
                    "operationId": "getCity",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                        },
                        IF_NONE_MATCH,
                    ],
                    "responses": {"304": NOT_MODIFIED, **_responses(_single("City", "The city"), 404, 429)},
                }
            },
            "/members": {
                "get": {
                    "operationId": "listMembers",
                    "parameters": [
                        {
                            "name": "state",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 2, "pattern": NO_NUL},
                        },
                        {
                            "name": "chamber",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["house", "senate"]},
                        },
                        *PAGE_PARAMS,
                    ],
                    "responses": _responses(_page("MemberSummary"), 400, 429),
                }
            },
            "/members/{bioguide}": {
                "get": {
                    "operationId": "getMember",
                    "parameters": [_path_str("bioguide", 10), IF_NONE_MATCH],
                    "responses": {"304": NOT_MODIFIED, **_responses(_single("Member", "The member"), 404, 429)},
                }
            },
            "/committees": {
                "get": {
                    "operationId": "listCommittees",
                    "parameters": PAGE_PARAMS,
                    "responses": _responses(_page("CommitteeSummary"), 400, 429),
                }
            },
            "/committees/{thomas_id}": {
                "get": {
                    "operationId": "getCommittee",
                    "parameters": [_path_str("thomas_id", 10), IF_NONE_MATCH],
                    "responses": {"304": NOT_MODIFIED, **_responses(_single("Committee", "The committee"), 404, 429)},
                }
            },
            "/events": {
                "get": {
                    "operationId": "listEvents",
                    "summary": "Events after a cursor (the id of the last event seen), oldest first",
                    "security": TOKEN,
                    "parameters": [
                        {
                            "name": "after",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": _responses(
                        {
                            "description": "Events",
                            "content": _json(
                                _obj(
                                    {
                                        "data": {"type": "array", "items": _ref("Event")},
                                        "meta": _obj(
                                            {
                                                "after": {"type": "integer"},
                                                "next_after": {"type": "integer"},
                                                "has_more": {"type": "boolean"},
                                                "generated_at": {"type": "string"},
                                            }
                                        ),
                                        "links": _obj({"self": {"type": "string"}, "next": {"type": "string"}}),
                                    }
                                )
                            ),
                        },
                        400,
                        401,
                        403,
                        429,
                    ),
                }
            },
        },
    }
