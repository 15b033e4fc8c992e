"""Fixtures of the letters feature: a small worker pool, templates, helpers to run a batch and read PDFs."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from pypdf import PdfReader

LETTER_DATE = date(2026, 11, 27)


@pytest.fixture(scope="session", autouse=True)
def _letters_pool_shutdown() -> Iterator[None]:
    """Stop the in-process worker pool at the end of the session (its processes outlive single tests)."""
    yield
    from advocacy.jobs import shutdown_pools

    shutdown_pools()


@pytest.fixture
def letters_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app with a two-process pool. Its time limits are generous so that no ordinary letter depends on the machine's speed; the tests of the limits set short ones with work that cannot finish."""
    monkeypatch.setitem(app.config, "JOBS_WORKERS", 2)
    monkeypatch.setitem(app.config, "LETTER_TIMEOUT", 60.0)
    monkeypatch.setitem(app.config, "LETTER_CHECK_TIMEOUT", 30.0)
    return app


@pytest.fixture
def make_letter_template(letters_app: Flask):
    """Save a template through the service (so it has a version); fields override the demo template."""

    def make(**fields) -> str:
        from advocacy.demo.letter import DEMO_TEMPLATE
        from advocacy.extensions import db
        from advocacy.letters.services import save_template

        data = dict(DEMO_TEMPLATE)
        data.update(fields)
        with letters_app.app_context():
            template = save_template(None, data, actor="test")
            db.session.commit()
            return template.slug

    return make


def run_batch(
    app: Flask,
    template_slug: str,
    selector: str,
    *,
    joint: bool = False,
    include_samples: bool = False,
    campaign_slug: str = "city-state-diplomacy",
    wait: bool = True,
) -> int:
    """Create and start a batch through the services with the in-process pool; wait until it finishes."""
    from sqlalchemy import select

    from advocacy.extensions import db
    from advocacy.jobs import local_pool
    from advocacy.letters.services import create_batch, start_batch
    from advocacy.models import Campaign, LetterTemplate

    with app.app_context():
        template = db.session.scalar(select(LetterTemplate).where(LetterTemplate.slug == template_slug))
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == campaign_slug))
        batch = create_batch(
            template, campaign, selector, joint=joint, include_samples=include_samples, actor="test",
            letter_date=LETTER_DATE,
        )  # fmt: skip
        db.session.commit()
        start_batch(batch, local_pool())
        db.session.commit()
        batch_id = batch.id
        db.session.remove()
    if wait:
        wait_for_batch(app, batch_id)
    return batch_id


def wait_for_batch(app: Flask, batch_id: int, timeout: float = 60) -> str:
    """Poll until the batch is finished; return its status."""
    from advocacy.extensions import db
    from advocacy.models import LetterBatch

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            batch = db.session.get(LetterBatch, batch_id)
            status = batch.status
            finished = batch.is_finished
            db.session.remove()
        if finished:
            return status
        time.sleep(0.1)
    raise AssertionError(f"batch {batch_id} did not finish in {timeout} s (status {status})")


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


# Verified (not sample) endorsements of demo cities. The signers' names are invented for the tests; the cities and
# their districts are the demo's. Titles cover the three ways a signer can sign: a title, a title naming the city,
# and none.
REAL_ENDORSEMENTS = [
    ("New York City", "NY", "Jordan Rivera", "Mayor"),
    ("Chicago", "IL", "Jane Doe", "Mayor"),
    ("Austin", "TX", "Sam Lee", "Mayor of Austin"),
    ("Hartford", "CT", "Pat Kim", None),
    ("Charlotte", "NC", "Alex Moore", "Mayor"),
    ("Columbia", "SC", "Dana Cruz", "Mayor Pro Tem"),
]


def add_endorsement(
    name: str,
    state: str,
    signer: str,
    title: str | None,
    *,
    districts: list[int] | None = None,
    population: int | None = None,
) -> None:
    """A verified endorsement of the demo campaign by a city (made when missing); call inside an app context."""
    from sqlalchemy import select

    from advocacy.extensions import db
    from advocacy.models import Campaign, City, CityDistrict, Endorsement

    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "city-state-diplomacy"))
    city = db.session.scalar(select(City).where(City.name == name, City.state == state))
    if city is None:
        city = City(name=name, state=state, population=population)
        city.districts = [CityDistrict(state=state, district=d) for d in districts or []]
        db.session.add(city)
    db.session.add(Endorsement(campaign=campaign, city=city, status="verified", signer_name=signer, signer_title=title))


@pytest.fixture
def endorsed(letters_app: Flask, demo) -> list[tuple]:
    """The demo data (whose five endorsements are samples) plus six real verified endorsements."""
    from advocacy.extensions import db

    with letters_app.app_context():
        for name, state, signer, title in REAL_ENDORSEMENTS:
            add_endorsement(name, state, signer, title)
        db.session.commit()
    return REAL_ENDORSEMENTS
