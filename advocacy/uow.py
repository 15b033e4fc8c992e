"""The unit of work: the one place that commits.

Every request, CLI command and job runs inside `unit_of_work()` (the request and command wrappers are installed
by `register(app)`, jobs by `advocacy.jobs`): the work commits once when it ends without an error and is rolled
back when anything raises. Services flush, never commit.

What must only happen once the data is safely stored (mail queued with `queue_mail`, webhooks, jobs that read
the rows just written from another process) is registered with `after_commit(func, *args)` and runs after the
commit, outside the unit of work (so it may open its own); a rolled-back unit drops it. `queue_mail` registers
the sending of each message it stores this way, so callers register nothing (the way indico sends a request's
queued mail after its single commit); this module knows nothing of mail (advocacy.mail imports it, not back).

Units nest: an inner `unit_of_work()` joins the outer one, so a service called from a CLI command and from a
request commits in exactly one place either way. Long work that must publish its progress before it ends (a
letter batch, a sync of many bills, a claim other workers must see) calls `checkpoint()`: it commits what is
done so far and runs the after-commit work queued until then, and the unit carries on.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar, cast

import click
from flask import Flask, has_app_context
from flask.cli import ScriptInfo
from flask.typing import RouteCallable
from sqlalchemy.orm import Session

from advocacy.extensions import db

logger = logging.getLogger(__name__)

_DEPTH = "advocacy.uow.depth"
_AFTER = "advocacy.uow.after_commit"

P = ParamSpec("P")
R = TypeVar("R")


def _session() -> Session:
    return db.session()  # the scoped session's session of this app context


def in_unit_of_work() -> bool:
    return _session().info.get(_DEPTH, 0) > 0


def after_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` after the current unit of work commits (dropped if it rolls back).

    Outside a unit of work there is nothing to wait for: it runs at once.
    """
    session = _session()
    if session.info.get(_DEPTH, 0) == 0:
        func(*args, **kwargs)
        return
    session.info.setdefault(_AFTER, []).append(functools.partial(func, *args, **kwargs))


def _run_after_commit(session: Session) -> None:
    pending: list[functools.partial[Any]] = session.info.pop(_AFTER, [])
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = 0  # the work below runs outside the unit (it may open its own)
    try:
        for call in pending:
            try:
                call()
            except Exception:  # the data is committed: a failed follow-up is logged, never undoes it
                logger.exception("after-commit work failed: %r", call.func)
    finally:
        session.info[_DEPTH] = depth


def _discard(session: Session) -> None:
    session.rollback()
    session.info.pop(_AFTER, None)  # e.g. the sending of rolled-back messages (they were never stored)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit once at the end (or roll back on any error), then run the after-commit work. Re-entrant."""
    session = _session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
    except BaseException:
        session.info[_DEPTH] = depth
        if depth == 0:
            _discard(session)
        raise
    session.info[_DEPTH] = depth
    if depth == 0:
        try:
            session.commit()
        except BaseException:
            _discard(session)
            raise
        _run_after_commit(session)


def checkpoint(*, defer_after_commit: bool = False) -> None:
    """Inside a unit of work: commit what is done so far and run the after-commit work queued until now.

    With `defer_after_commit` that work keeps waiting for the end of the unit (dropped if the unit later rolls
    back, though what it follows stays committed): for a step that commits in the middle of its own work, such as
    a mail claim in `deliver_pending`, which must not send the unit's other mail under its feet.
    """
    session = _session()
    if session.info.get(_DEPTH, 0) == 0:
        raise RuntimeError("checkpoint() outside a unit of work")
    session.commit()
    if not defer_after_commit:
        _run_after_commit(session)


def transactional(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` inside `unit_of_work()` (for jobs and commands that are not wrapped by `register`)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return func(*args, **kwargs)

    return wrapper


def own_units(func: Callable[P, R]) -> Callable[P, R]:
    """Leave this command (or view) out of `register`'s wrapping: it opens the units of work it needs itself, one
    after another (the `worker` command: a lease renewal, a run's claim, the run and its record)."""
    func._advocacy_uow = True  # type: ignore[attr-defined]  # read by register, like an already wrapped callback
    return func


def _wrap_commands(command: click.Command) -> None:
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _wrap_commands(sub)
    elif command.callback is not None and command.callback.__module__.startswith("advocacy."):
        if getattr(command.callback, "_advocacy_uow", False):
            return
        callback = command.callback

        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            with contextlib.ExitStack() as stack:
                if not has_app_context():  # `app.test_cli_runner()` pushes it inside the command, not outside
                    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
                    stack.enter_context(app.app_context())
                stack.enter_context(unit_of_work())
                return callback(*args, **kwargs)

        run._advocacy_uow = True  # type: ignore[attr-defined]  # marks a callback already wrapped
        command.callback = run


def register(app: Flask) -> None:
    """Wrap every view and every CLI command of this package in one unit of work (call after registering them).

    Commands of other packages (Flask-Migrate's `db`) are left alone: they manage their own connections.
    """
    for endpoint, view in list(app.view_functions.items()):
        if endpoint == "static" or getattr(view, "_advocacy_uow", False):
            continue
        wrapped = transactional(view)
        wrapped._advocacy_uow = True  # type: ignore[attr-defined]  # marks a view already wrapped
        app.view_functions[endpoint] = cast(RouteCallable, wrapped)  # the same kind of view as the one it wraps
    _wrap_commands(app.cli)
