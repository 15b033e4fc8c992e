"""The unit of work (advocacy/uow.py) on its own: one commit per request and per command, rollback on any error,
after-commit work only after the commit, nested units joining the outer one, checkpoints.

Visibility is checked from a second connection of the same engine, so "committed" means another process could
read it, not only that the session says so.
"""

from __future__ import annotations

import click
import pytest
from flask import Blueprint, Flask, abort
from sqlalchemy import func, select

from advocacy import create_app, uow
from advocacy.extensions import db
from advocacy.models import City
from tests.factories import make_city


def _visible_cities(name: str) -> int:
    """Cities named `name` as another connection sees them (committed rows only)."""
    with db.engine.connect() as other:
        return other.execute(select(func.count()).select_from(City).where(City.name == name)).scalar_one()


@pytest.fixture
def probe_app(app: Flask) -> Flask:
    """A second app on the test database with a few probe views and a probe command, wrapped like the real ones."""
    probe = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": app.config["INSTANCE_PATH"],
        },
    )
    probe.config["WTF_CSRF_ENABLED"] = False
    bp = Blueprint("probe", __name__)
    seen: list[str] = []

    @bp.post("/probe/<name>")
    def add(name: str):
        make_city(name=name)
        uow.after_commit(lambda: seen.append(f"after {name}: {_visible_cities(name)}"))
        if name.startswith("fail"):
            abort(409)
        if name.startswith("crash"):
            raise RuntimeError("boom")
        return "ok"

    @click.command("probe-add")
    @click.argument("name")
    def add_command(name: str) -> None:
        make_city(name=name)
        if name.startswith("fail"):
            raise click.ClickException("refused")

    add_command.callback.__module__ = "advocacy.probe"  # type: ignore[union-attr]  # a command of the package
    probe.register_blueprint(bp)
    probe.cli.add_command(add_command)
    uow.register(probe)  # wraps the probe view and command (the real ones are wrapped once already)
    probe.extensions["probe_seen"] = seen
    yield probe
    with probe.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_request_commits_once_and_runs_after_commit_work_after_the_commit(probe_app: Flask):
    response = probe_app.test_client().post("/probe/Akron")
    assert response.status_code == 200
    with probe_app.app_context():
        assert _visible_cities("Akron") == 1
    # the after-commit work saw the row from another connection: it ran after the commit
    assert probe_app.extensions["probe_seen"] == ["after Akron: 1"]


@pytest.mark.parametrize("name, status", [("fail-Berea", 409), ("crash-Canton", 500)])
def test_a_request_that_raises_is_rolled_back_and_drops_its_after_commit_work(probe_app: Flask, name, status):
    assert probe_app.test_client().post(f"/probe/{name}").status_code == status
    with probe_app.app_context():
        assert _visible_cities(name) == 0
    assert probe_app.extensions["probe_seen"] == []


def test_a_command_commits_once_and_a_refused_one_is_rolled_back(probe_app: Flask):
    runner = probe_app.test_cli_runner()
    assert runner.invoke(args=["probe-add", "Dayton"]).exit_code == 0
    refused = runner.invoke(args=["probe-add", "fail-Elyria"])
    assert refused.exit_code == 1 and "refused" in refused.output
    with probe_app.app_context():
        assert _visible_cities("Dayton") == 1
        assert _visible_cities("fail-Elyria") == 0


def test_an_inner_unit_joins_the_outer_one(app_ctx):
    ran: list[str] = []
    with uow.unit_of_work():
        with uow.unit_of_work():
            make_city(name="Findlay")
            uow.after_commit(ran.append, "inner")
        assert _visible_cities("Findlay") == 0  # the inner unit's end committed nothing
        assert ran == []
    assert _visible_cities("Findlay") == 1
    assert ran == ["inner"]


def test_an_error_in_an_inner_unit_rolls_back_the_whole_unit(app_ctx):
    with pytest.raises(ValueError), uow.unit_of_work():
        make_city(name="Gallipolis")
        with uow.unit_of_work():
            make_city(name="Hamilton")
            raise ValueError("inner failure")
    assert _visible_cities("Gallipolis") == 0
    assert _visible_cities("Hamilton") == 0


def test_a_checkpoint_commits_what_is_done_and_the_unit_carries_on(app_ctx):
    ran: list[str] = []
    with pytest.raises(RuntimeError, match="later"), uow.unit_of_work():
        make_city(name="Ironton")
        uow.after_commit(ran.append, "first")
        uow.checkpoint()
        assert _visible_cities("Ironton") == 1
        assert ran == ["first"]
        make_city(name="Jackson")
        uow.after_commit(ran.append, "second")
        raise RuntimeError("later failure")
    assert _visible_cities("Ironton") == 1  # committed at the checkpoint, kept
    assert _visible_cities("Jackson") == 0  # after it, rolled back with its after-commit work
    assert ran == ["first"]


def test_checkpoint_outside_a_unit_is_refused_and_after_commit_outside_runs_at_once(app_ctx):
    with pytest.raises(RuntimeError, match="outside a unit of work"):
        uow.checkpoint()
    ran: list[str] = []
    uow.after_commit(ran.append, "now")
    assert ran == ["now"]


def test_a_failing_after_commit_step_never_undoes_the_commit(app_ctx, caplog):
    def broken() -> None:
        raise OSError("mail server gone")

    with uow.unit_of_work():
        make_city(name="Kent")
        uow.after_commit(broken)
    assert _visible_cities("Kent") == 1
    assert "after-commit work failed" in caplog.text
