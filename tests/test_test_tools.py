"""The test tools themselves: the query counter fails when a count differs, and the factories make valid rows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import Campaign, Endorsement, User
from tests.factories import make_account, make_bill, make_campaign, make_city, make_endorsement


def test_assert_queries_fails_on_a_different_count_and_lists_the_statements(app_ctx, count_queries, assert_queries):
    """`assert_queries(n)` passes on exactly n statements and otherwise fails, naming what ran."""
    with count_queries() as queries:
        db.session.scalar(select(func.count(User.id)))
        db.session.scalar(select(func.count(Campaign.id)))
    assert queries.count == 2
    with assert_queries(1):
        db.session.scalar(select(func.count(User.id)))
    with (
        pytest.raises(AssertionError, match=r"expected 0, ran 1 queries:\s+SELECT count\(user_account.id\)"),
        assert_queries(0),
    ):
        db.session.scalar(select(func.count(User.id)))


def test_factories_make_rows_that_need_nothing_else(app_ctx):
    """Each factory makes a row that satisfies the schema on its own; two calls never collide."""
    campaign = make_campaign()
    first, second = make_endorsement(campaign), make_endorsement(campaign, make_city(name="Dayton"))
    make_bill(), make_bill()
    user = make_account("advocate")
    db.session.commit()
    assert db.session.scalar(select(func.count(Endorsement.id)).where(Endorsement.campaign_id == campaign.id)) == 2
    assert first.city.name != second.city.name == "Dayton" and first.status == "verified"
    assert user.has_role("advocate") and not user.has_role("admin")
