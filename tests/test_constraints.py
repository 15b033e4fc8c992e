"""Database constraints that the product relies on hold on SQLite and PostgreSQL alike."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from advocacy.extensions import db
from advocacy.models import Bill, Campaign, City, Endorsement


def test_bill_is_unique_per_congress_type_number(app_ctx):
    """A second H.R. 3571 in the 116th is refused by the database."""
    db.session.add(Bill(congress=116, bill_type="hr", number=3571, title="A"))
    db.session.commit()
    db.session.add(Bill(congress=116, bill_type="hr", number=3571, title="B"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Bill(congress=117, bill_type="hr", number=3571, title="C"))
    db.session.commit()
    assert len(db.session.scalars(select(Bill)).all()) == 2


def test_one_active_endorsement_per_city_and_campaign(app_ctx):
    """Two active endorsements of one city for one campaign are refused; after a withdrawal a new one is allowed."""
    campaign = Campaign(slug="c", name="C", ask="Ask")
    city = City(name="Austin", state="TX", population=1)
    db.session.add_all([campaign, city])
    db.session.commit()
    first = Endorsement(campaign=campaign, city=city, signer_name="A", status="verified")
    db.session.add(first)
    db.session.commit()
    db.session.add(Endorsement(campaign=campaign, city=city, signer_name="B", status="pending"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    first = db.session.get(Endorsement, first.id)
    first.status = "withdrawn"
    db.session.commit()
    db.session.add(Endorsement(campaign=first.campaign, city=first.city, signer_name="C", status="pending"))
    db.session.commit()
    other = Campaign(slug="d", name="D", ask="Ask")
    db.session.add(Endorsement(campaign=other, city=first.city, signer_name="D", status="verified"))
    db.session.commit()
    assert len(db.session.scalars(select(Endorsement)).all()) == 3


def test_city_unique_on_name_and_state(app_ctx):
    """Two cities with the same name in one state are refused; the same name in another state is fine."""
    db.session.add_all([City(name="Springfield", state="IL"), City(name="Springfield", state="MA")])
    db.session.commit()
    db.session.add(City(name="Springfield", state="IL"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_migrations_match_models(runner, app):
    """The migrations build exactly the models' schema: autogenerate finds no difference and `flask db check` passes."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with app.app_context(), db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diffs == []
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
