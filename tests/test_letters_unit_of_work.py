"""Letters in one unit of work (issue 14): a batch's jobs are submitted only once the batch is committed, a
rolled-back unit stores and submits nothing; errors are typed; one resolver per selector kind; the Targets page
labels each member by the standing rule the letters use."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.letters import views as letter_views
from advocacy.letters.errors import FormerMember, InvalidSelector, LetterError, TemplateRejected
from advocacy.letters.recipients import RESOLVERS, SELECTOR_HELP, parse_selector, resolve_recipients
from advocacy.letters.services import create_batch, save_template, start_batch
from advocacy.letters.tasks import run_chunk
from advocacy.models import Campaign, LetterBatch, LetterTemplate
from advocacy.uow import unit_of_work
from tests.conftest import submit

SLUG = "city-state-diplomacy"


class RecordingRunner:
    """A job runner that only records what it was given (nothing runs)."""

    def __init__(self) -> None:
        self.submitted: list[tuple[Callable[..., object], tuple]] = []

    def submit(self, func: Callable[..., object], *args: object) -> str:
        self.submitted.append((func, args))
        return f"job-{len(self.submitted)}"


def _template_and_campaign() -> tuple[LetterTemplate, Campaign]:
    template = db.session.scalar(select(LetterTemplate).order_by(LetterTemplate.id).limit(1))
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
    assert template is not None and campaign is not None
    return template, campaign


def test_batch_jobs_are_submitted_only_after_the_unit_of_work_commits(letters_app, endorsed):
    """Inside a unit, start_batch submits nothing; at the commit the chunk job is queued and its id stored."""
    runner = RecordingRunner()
    with letters_app.app_context():
        template, campaign = _template_and_campaign()
        with unit_of_work():
            batch = create_batch(template, campaign, "member:L000582", actor="test")
            job_ids = start_batch(batch, runner)
            assert runner.submitted == [] and job_ids == []
            batch_id = batch.id
        assert [func for func, _ in runner.submitted] == [run_chunk]
        assert job_ids == ["job-1"]
        db.session.expire_all()
        stored = db.session.get(LetterBatch, batch_id)
        assert stored is not None and stored.status == "running" and stored.job_ids == ["job-1"]


def test_a_rolled_back_unit_stores_no_batch_and_submits_no_job(letters_app, endorsed):
    """An error after start_batch (in the same request or command) leaves no batch and queues no job."""
    runner = RecordingRunner()
    with letters_app.app_context():
        template, campaign = _template_and_campaign()
        with pytest.raises(RuntimeError), unit_of_work():
            start_batch(create_batch(template, campaign, "member:L000582", actor="test"), runner)
            raise RuntimeError("the request failed after starting the batch")
        assert runner.submitted == []
        assert db.session.scalar(select(LetterBatch.id)) is None


def test_generate_page_submits_the_jobs_after_its_commit(letters_app, client, login_as, endorsed, monkeypatch):
    """The Generate button: the view never commits; its unit does, then the batch's job is submitted."""
    runner = RecordingRunner()
    monkeypatch.setattr(letter_views, "get_runner", lambda: runner)
    login_as("advocate")
    data = {"template": "city-diplomacy-sign-on", "campaign": SLUG, "selector": "member:L000582"}
    response = submit(client, "/letters/generate", data, form_url="/letters/")
    assert response.status_code == 302
    assert [func for func, _ in runner.submitted] == [run_chunk]
    with letters_app.app_context():
        batch = db.session.scalar(select(LetterBatch))
        assert batch is not None and batch.status == "running" and batch.job_ids == ["job-1"]


def test_selectors_raise_typed_errors(letters_app, endorsed):
    """A former member is FormerMember, an unknown kind or committee is InvalidSelector; all are LetterErrors."""
    with letters_app.app_context():
        _, campaign = _template_and_campaign()
        with pytest.raises(FormerMember, match="David Perdue"):
            resolve_recipients("member:P000612", campaign)
        with pytest.raises(InvalidSelector, match="Unknown recipients"):
            resolve_recipients("senators:CA", campaign)
        with pytest.raises(InvalidSelector, match="No committee"):
            resolve_recipients("committee:XXXX", campaign)
        assert issubclass(FormerMember, InvalidSelector) and issubclass(InvalidSelector, LetterError)


def test_a_taken_slug_is_template_rejected(letters_app, endorsed):
    """Saving a template under another template's slug raises TemplateRejected and saves nothing."""
    with letters_app.app_context():
        template, _ = _template_and_campaign()
        with pytest.raises(TemplateRejected, match="already used"):
            save_template(None, {"slug": template.slug, "name": "Another"}, actor="test")


def test_every_selector_kind_of_the_help_has_one_resolver():
    """The help text and the resolver table name the same selector kinds."""
    kinds = set(re.findall(r"(?:^|, )([a-z]+)(?=[:,]|$)", SELECTOR_HELP))
    assert kinds == set(RESOLVERS)
    assert parse_selector(" Committee: hsfa ") == ("committee", "hsfa")


def test_targets_label_members_by_their_standing_on_the_bill(letters_app, client, login_as, endorsed):
    """The Targets page and CSV take each member's position from the letters' standing rule."""
    login_as("viewer")
    page = client.get(f"/campaigns/{SLUG}/targets").get_data(as_text=True)
    assert "Sponsor of H.R. 5323" in page
    rows = list(csv.DictReader(io.StringIO(client.get(f"/campaigns/{SLUG}/targets.csv").get_data(as_text=True))))
    lieu = next(row for row in rows if row["member"] == "Ted Lieu")
    assert lieu["position on bill"] == "sponsor" and lieu["standing"] == "Sponsor of H.R. 5323"
    meeks = next(row for row in rows if row["member"] == "Gregory W. Meeks")
    assert meeks["position on bill"] == "original cosponsor"
    assert meeks["standing"].startswith("Original cosponsor of H.R. 5323")
