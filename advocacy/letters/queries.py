"""Reads of the letters feature, shared by its pages, the CLI, the API, the batch planner and the Targets page.

Nothing here writes: the services (`advocacy.letters.services`) own the writes.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from advocacy.endorsements import queries as endorsement_queries
from advocacy.extensions import db
from advocacy.models import Campaign, City, Endorsement, Letter, LetterBatch, LetterDelivery, LetterTemplate
from advocacy.models.letters import BATCH_FINAL_STATUSES


def verified_endorsements(campaign: Campaign, *, include_samples: bool = False) -> list[Endorsement]:
    """The campaign's verified endorsements with their cities and districts, by state and city name.

    Sample (demo) endorsements only with `include_samples`: letters leave them out unless a batch asks for them.
    """
    query = (
        endorsement_queries.verified_endorsements(campaign, include_samples=include_samples)
        .options(selectinload(Endorsement.city).selectinload(City.districts))
        .order_by(City.state, City.name)
    )
    return list(db.session.scalars(query))


def verified_cities(campaign: Campaign, *, include_samples: bool = False) -> list[City]:
    """The cities with a verified endorsement of the campaign (each once), districts loaded, by state and name."""
    endorsing = endorsement_queries.verified_city_ids(campaign, include_samples=include_samples)
    return list(
        db.session.scalars(
            select(City)
            .where(City.id.in_(endorsing))
            .options(selectinload(City.districts))
            .order_by(City.state, City.name)
        )
    )


def slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    """Whether another template already uses this slug."""
    query = select(LetterTemplate.id).where(LetterTemplate.slug == slug)
    if exclude_id is not None:
        query = query.where(LetterTemplate.id != exclude_id)
    return db.session.scalar(query) is not None


def batches_using(template: LetterTemplate) -> int:
    """How many batches were made from the template (they keep it from being deleted)."""
    return db.session.scalar(select(func.count(LetterBatch.id)).where(LetterBatch.template_id == template.id)) or 0


def batch_progress(batch: LetterBatch) -> dict:
    """The batch's state for the progress bar's JSON endpoint."""
    return {
        "id": batch.id,
        "status": batch.status,
        "total": batch.total,
        "done": batch.done,
        "failed": batch.failed,
        "settled": batch.settled,
        "percent": batch.percent,
        "finished": batch.status in BATCH_FINAL_STATUSES,
        "interrupted": batch.is_interrupted,
    }


def campaign_deliveries(campaign_id: int) -> list[LetterDelivery]:
    """Every logged delivery of the campaign's letters, newest first (eager-loaded for the campaign page)."""
    return list(
        db.session.scalars(
            select(LetterDelivery)
            .join(Letter)
            .join(LetterBatch)
            .where(LetterBatch.campaign_id == campaign_id)
            .options(selectinload(LetterDelivery.letter))
            .order_by(LetterDelivery.sent_on.desc(), LetterDelivery.id.desc())
        )
    )
