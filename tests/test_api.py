"""The JSON API: public reads, token auth (missing, wrong, revoked), writes, errors, ETags, OpenAPI conformance."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import ApiToken, Invitation
from tests.alerts_fixtures import json_body
from tests.conftest import submit


@pytest.fixture
def spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _validate(spec: dict, path: str, method: str, response, status: str | None = None) -> None:
    """Validate a response body against the schema the OpenAPI document gives for it."""
    operation = spec["paths"][path][method]
    documented = operation["responses"].get(status or str(response.status_code)) or operation["responses"]["default"]
    schema = documented["content"]["application/json"]["schema"]
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": spec["components"]})
    errors = [e.message for e in validator.iter_errors(response.get_json())]
    assert not errors, errors[:3]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_public_reads_match_the_openapi_document(demo, client, spec):
    """Bills (list, filters, one bill), campaigns with endorsements, cities, members, committees validate."""
    listing = client.get("/api/v1/bills?per_page=2")
    assert listing.status_code == 200
    _validate(spec, "/bills", "get", listing)
    body = listing.get_json()
    assert body["meta"]["total"] == 6 and len(body["data"]) == 2 and body["links"]["next"].endswith("page=2&per_page=2")
    filtered = client.get("/api/v1/bills?congress=116").get_json()
    assert {b["label"] for b in filtered["data"]} == {"H.R. 3571 (116th)", "S. 4426 (116th)"}
    one = client.get("/api/v1/bills/119/hr/5323")
    assert one.status_code == 200 and one.headers["ETag"]
    _validate(spec, "/bills/{congress}/{type}/{number}", "get", one)
    doc = one.get_json()["data"]
    assert doc["sponsor"]["bioguide_id"] == "L000582" and doc["stage"]["code"] and doc["committees"]
    for path, doc_path in (
        ("/api/v1/campaigns", "/campaigns"),
        ("/api/v1/cities?per_page=5", "/cities"),
        ("/api/v1/members?chamber=house", "/members"),
        ("/api/v1/members/L000582", "/members/{bioguide}"),
        ("/api/v1/committees", "/committees"),
        ("/api/v1/committees/HSFA", "/committees/{thomas_id}"),
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        _validate(spec, doc_path, "get", response)
    campaign = client.get("/api/v1/campaigns").get_json()["data"][0]
    assert campaign["verified_endorsements"], "demo campaign has verified (sample) endorsements"
    text = client.get("/api/v1/campaigns").get_data(as_text=True)
    assert "signer_email" not in text and "signer_phone" not in text and "@" not in text


def test_etag_answers_304(demo, client):
    """If-None-Match with the ETag of a single resource answers 304 without a body."""
    first = client.get("/api/v1/members/L000582")
    again = client.get("/api/v1/members/L000582", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/api/v1/members/L000582", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/bills/119/hr/99999", 404, "not_found"),
        ("get", "/api/v1/no-such-thing", 404, "not_found"),
        ("delete", "/api/v1/bills", 405, "method_not_allowed"),
        ("get", "/api/v1/bills?page=0", 400, "bad_request"),
        ("get", "/api/v1/bills?stage=flying", 400, "bad_request"),
        ("get", "/api/v1/events", 401, "unauthorized"),
        ("post", "/api/v1/bills", 401, "unauthorized"),
    ],
)
def test_errors_have_one_shape(client, spec, method, path, status, code):
    """Every error inside /api/v1 is {"error": {"code", "message"}} with the right status."""
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code and response.get_json()["error"]["message"]


def test_token_auth_missing_wrong_revoked(app, client, login_as, spec):
    """A token made on the API tokens page works; no token, a wrong one and a revoked one get 401."""
    login_as("viewer")
    page = submit(client, "/account/api-tokens/", {"name": "my script"})
    assert page.status_code == 200
    raw = re.search(r'id="new-token">([^<]+)<', page.get_data(as_text=True)).group(1)
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert stored.token_hash != raw and len(stored.token_hash) == 64  # only the sha256 is kept
    assert raw not in client.get("/account/api-tokens/").get_data(as_text=True)  # shown once
    ok = client.get("/api/v1/events", headers=_auth(raw))
    assert ok.status_code == 200
    _validate(spec, "/events", "get", ok)
    assert client.get("/api/v1/events").status_code == 401
    wrong = client.get("/api/v1/events", headers=_auth(raw + "x"))
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "invalid_token"
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    # A viewer's token cannot write.
    forbidden = client.post("/api/v1/bills", json={"citation": "119 hr 5323"}, headers=_auth(raw))
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"] == "forbidden"
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert (
        submit(client, f"/account/api-tokens/{token_id}/revoke", {}, form_url="/account/api-tokens/").status_code == 302
    )
    revoked = client.get("/api/v1/events", headers=_auth(raw))
    assert revoked.status_code == 401 and revoked.get_json()["error"]["code"] == "invalid_token"


def test_events_cursor(demo, app, client, api_token):
    """Events come oldest first after the `after` cursor; following `links.next` pages through without overlap."""
    _email, raw = api_token("viewer")
    with app.app_context():
        from advocacy.events import record_event

        for n in range(12):
            record_event("bill.action", f"Action {n}", actor="test")
        db.session.commit()
    seen: list[int] = []
    url = "/api/v1/events?limit=5"
    for _ in range(100):
        body = client.get(url, headers=_auth(raw)).get_json()
        seen.extend(e["id"] for e in body["data"])
        if not body["meta"]["has_more"]:
            break
        url = body["links"]["next"]
    with app.app_context():
        from advocacy.models import Event

        assert seen == sorted(db.session.scalars(select(Event.id)).all())
    assert len(seen) == len(set(seen)) > 5


def test_track_bill_through_the_api(congress_app, client, api_token, spec):
    """POST /bills with an advocate token tracks the bill (201, then 200); bad citations are 400."""
    _email, raw = api_token("advocate")
    created = client.post("/api/v1/bills", json={"citation": "H.R. 5323 (119th)"}, headers=_auth(raw))
    assert created.status_code == 201, created.get_data(as_text=True)
    _validate(spec, "/bills", "post", created)
    assert created.get_json()["data"]["sponsor"]["bioguide_id"] == "L000582"
    assert created.headers["Location"] == "/api/v1/bills/119/hr/5323"
    again = client.post("/api/v1/bills", json={"citation": "119 hr 5323"}, headers=_auth(raw))
    assert again.status_code == 200
    bad = client.post("/api/v1/bills", json={"citation": "not a bill"}, headers=_auth(raw))
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_citation"
    assert client.post("/api/v1/bills", data="{", headers=_auth(raw)).status_code == 400
    assert client.post("/api/v1/bills", json={"citation": 5}, headers=_auth(raw)).status_code == 400


def test_track_bill_without_congress_key_is_503(app, client, api_token):
    """Without a Congress.gov key the API says so (503 sync_disabled) instead of failing obscurely."""
    _email, raw = api_token("advocate")
    response = client.post("/api/v1/bills", json={"citation": "119 hr 5323"}, headers=_auth(raw))
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "sync_disabled"


def test_create_invitation_through_the_api(demo, app, client, api_token, spec):
    """POST /campaigns/{slug}/invitations uses the endorsements service; a second one for the city is 409."""
    _email, raw = api_token("advocate")
    with app.app_context():
        from advocacy.models import Campaign, City, Endorsement

        slug = db.session.scalar(select(Campaign.slug))
        endorsed = select(Endorsement.city_id)
        city_id = db.session.scalar(select(City.id).where(City.id.not_in(endorsed)).order_by(City.id))
    response = client.post(
        f"/api/v1/campaigns/{slug}/invitations",
        json={"city_id": city_id, "email": "clerk@example.gov", "contact_name": "A Clerk"},
        headers=_auth(raw),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    _validate(spec, "/campaigns/{slug}/invitations", "post", response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    missing_city = client.post(
        f"/api/v1/campaigns/{slug}/invitations", json={"city_id": 999999, "email": "a@b.org"}, headers=_auth(raw)
    )
    assert missing_city.status_code == 404
    bad_email = client.post(
        f"/api/v1/campaigns/{slug}/invitations", json={"city_id": city_id, "email": "nope"}, headers=_auth(raw)
    )
    assert bad_email.status_code == 400


def test_rate_limit_is_429_json(app, client, monkeypatch):
    """Over API_RATE_LIMIT the API answers 429 in its error shape."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    statuses = [client.get("/api/v1/committees").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429
    assert json_body(client.get("/api/v1/committees"))["error"]["code"] == "rate_limited"


def test_made_up_tokens_do_not_escape_the_rate_limit(app, client, monkeypatch, api_token):
    """A new bogus Authorization header per request still counts against the address; a real token has its own."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    statuses = [
        client.get("/api/v1/committees", headers={"Authorization": f"Bearer junk{i}"}).status_code for i in range(5)
    ]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    _email, raw = api_token("viewer")
    real = [client.get("/api/v1/committees", headers={"Authorization": f"Bearer {raw}"}).status_code for _ in range(4)]
    assert real == [200, 200, 200, 429]


def test_unexpected_error_is_500_json(app, client, monkeypatch):
    """A bug inside an API view gives a JSON 500 without a stack trace."""
    from advocacy.api import serializers

    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(serializers, "committee_summary", boom)
    with app.app_context():
        from advocacy.models import Committee

        db.session.add(Committee(thomas_id="HSXX", chamber="house", name="Test"))
        db.session.commit()
    response = client.get("/api/v1/committees")
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "internal_error"
    assert "secret detail" not in response.get_data(as_text=True)


def test_campaigns_list_embeds_a_bounded_number_of_endorsements(demo, app, client, spec):
    """The campaigns list embeds at most 100 verified endorsements per campaign and says so; the campaign
    resource has them all."""
    from sqlalchemy import insert

    from advocacy.models import Campaign, City, Endorsement

    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id))
        db.session.execute(insert(City), [dict(name=f"Apitown {n}", state="OH", email_domains=[]) for n in range(100)])
        ids = db.session.scalars(select(City.id).where(City.name.like("Apitown %"))).all()
        db.session.execute(
            insert(Endorsement),
            [dict(campaign_id=campaign_id, city_id=i, status="verified", signer_name="Mayor") for i in ids],
        )
        db.session.commit()
    listing = client.get("/api/v1/campaigns")
    _validate(spec, "/campaigns", "get", listing)
    item = listing.get_json()["data"][0]
    assert item["verified_count"] == 105 and len(item["verified_endorsements"]) == 100
    assert item["verified_endorsements_truncated"] is True
    single = client.get(item["url"]).get_json()["data"]
    assert len(single["verified_endorsements"]) == 105 and single["verified_endorsements_truncated"] is False


def test_letter_batch_through_the_api_with_and_without_samples(letters_app, demo, client, api_token, spec):
    """POST /letter-batches makes a batch (202) that leaves the demo's samples out unless `include_samples` is true;
    a non-boolean `include_samples` is 400 and a bad selector makes no batch (the request's unit rolls back)."""
    from advocacy.models import LetterBatch
    from tests.letters_fixtures import wait_for_batch

    _email, raw = api_token("advocate")
    body = {"campaign": "city-state-diplomacy", "template": "city-diplomacy-sign-on", "selector": "member:L000582"}
    plain = client.post("/api/v1/letter-batches", json=body, headers=_auth(raw))
    assert plain.status_code == 202, plain.get_data(as_text=True)
    _validate(spec, "/letter-batches", "post", plain)
    marked = client.post("/api/v1/letter-batches", json={**body, "include_samples": True}, headers=_auth(raw))
    assert marked.status_code == 202, marked.get_data(as_text=True)
    for response in (plain, marked):
        assert wait_for_batch(letters_app, response.get_json()["data"]["id"]) == "done"
    wrong = client.post("/api/v1/letter-batches", json={**body, "include_samples": "yes"}, headers=_auth(raw))
    assert (
        wrong.status_code == 400 and wrong.get_json()["error"]["message"] == "`include_samples` must be true or false."
    )
    refused = client.post("/api/v1/letter-batches", json={**body, "selector": "nobody:x"}, headers=_auth(raw))
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "invalid_selector"
    with letters_app.app_context():
        batches = db.session.scalars(select(LetterBatch).order_by(LetterBatch.id)).all()
        assert [b.include_samples for b in batches] == [False, True]
    documented = spec["components"]["schemas"]["LetterBatchRequest"]["properties"]["include_samples"]
    assert documented["default"] is False


def test_json_bodies_are_parsed_by_their_schema():
    """The dataclass schemas give the API's documented messages: required, type, length, NUL, null = default."""
    from advocacy.api.errors import ApiError
    from advocacy.api.schemas import NewInvitation, NewLetterBatch, TrackBill, parse

    assert parse(TrackBill, {"citation": "119 hr 5323", "campaign": None}) == TrackBill("119 hr 5323", None)
    batch = parse(NewLetterBatch, {"campaign": "c", "template": "t", "selector": "s", "unknown": 1})
    assert (batch.joint, batch.include_samples) == (False, False)
    cases = [
        (TrackBill, {}, "`citation` is required."),
        (TrackBill, {"citation": " "}, "`citation` must be a non-empty string of at most 300 characters."),
        (TrackBill, {"citation": "x", "campaign": "a" * 81}, "`campaign` must be a non-empty string of at most 80"),
        (TrackBill, {"citation": "a\x00b"}, "`citation` must be a non-empty string"),
        (NewInvitation, {"city_id": True, "email": "a@b.org"}, "`city_id` must be a positive integer."),
        (NewInvitation, {"city_id": 2**31, "email": "a@b.org"}, "`city_id` must be a positive integer."),
        (NewInvitation, {"city_id": 1}, "`email` is required."),
        (NewLetterBatch, {"campaign": "c", "template": "t", "selector": "s", "joint": 1}, "`joint` must be true"),
    ]
    for schema, data, message in cases:
        with pytest.raises(ApiError) as caught:
            parse(schema, data)
        assert (caught.value.status, caught.value.code) == (400, "bad_request")
        assert caught.value.message.startswith(message), caught.value.message


def test_a_refused_letter_batch_leaves_nothing_behind(letters_app, demo, client, api_token):
    """A refused selector rolls the request's unit of work back: the template version the service flushed
    before refusing (a demo template has none yet) is not kept, and no batch is stored."""
    from advocacy.models import LetterBatch, LetterTemplateVersion

    _email, raw = api_token("advocate")
    with letters_app.app_context():
        versions = db.session.scalar(select(func.count()).select_from(LetterTemplateVersion))
    body = {"campaign": "city-state-diplomacy", "template": "city-diplomacy-sign-on", "selector": "nobody:x"}
    response = client.post("/api/v1/letter-batches", json=body, headers=_auth(raw))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_selector"
    with letters_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LetterTemplateVersion)) == versions
        assert db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0


def test_track_bill_errors_by_type(congress_app, congress_server, client, api_token):
    """Each sync error type has its answer: no such bill or campaign 404, Congress.gov down 502; a campaign
    given with the citation gets the bill."""
    from advocacy.models import Bill, Campaign, CampaignBill

    _email, raw = api_token("advocate")
    with congress_app.app_context():
        db.session.add(Campaign(slug="diplomacy", name="Diplomacy"))
        db.session.commit()
    missing = client.post("/api/v1/bills", json={"citation": "H.R. 9999 (116th)"}, headers=_auth(raw))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert "No such bill" in missing.get_json()["error"]["message"]
    no_campaign = client.post(
        "/api/v1/bills", json={"citation": "H.R. 5323 (119th)", "campaign": "nope"}, headers=_auth(raw)
    )
    assert no_campaign.status_code == 404 and "campaign" in no_campaign.get_json()["error"]["message"]
    congress_server.fail_next("/bill/119/hr/5323", "500", times=10)
    down = client.post("/api/v1/bills", json={"citation": "H.R. 5323 (119th)"}, headers=_auth(raw))
    assert down.status_code == 502 and down.get_json()["error"]["code"] == "upstream_error"
    congress_server._faults.clear()
    linked = client.post(
        "/api/v1/bills", json={"citation": "H.R. 5323 (119th)", "campaign": "diplomacy"}, headers=_auth(raw)
    )
    assert linked.status_code == 201, linked.get_data(as_text=True)
    with congress_app.app_context():
        bill_id = db.session.scalar(select(Bill.id).where(Bill.number == 5323))
        assert db.session.scalar(select(CampaignBill.campaign_id).where(CampaignBill.bill_id == bill_id))
        assert db.session.scalar(select(Bill.tracked).where(Bill.id == bill_id)) is True
