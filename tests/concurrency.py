"""Make a race certain: two runs of the same code that both read the rows before either writes."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from sqlalchemy import event

from advocacy.extensions import db


def run_side_by_side(app, table: str, work: Callable[[], object]) -> list[object]:
    """Run `work` in two threads (own app contexts and sessions), both having read `table` before either writes.

    A barrier in a cursor hook holds each thread just before its first UPDATE of `table` that follows a SELECT
    of it, until the other thread got there too: both senders have seen the same rows, the worst case for a
    missing claim, made certain (no lock is held while waiting, so SQLite cannot deadlock).
    """
    barrier = threading.Barrier(2)
    has_read: set[int] = set()
    waited: set[int] = set()
    results: list[object] = [None, None]
    errors: list[BaseException] = []

    def hold(conn, cursor, statement, parameters, context, executemany):
        ident, verb = threading.get_ident(), statement.lstrip()[:6].upper()
        if ident in waited or table not in statement:
            return
        if verb == "SELECT":
            has_read.add(ident)
        elif verb == "UPDATE" and ident in has_read:
            waited.add(ident)
            with contextlib.suppress(threading.BrokenBarrierError):  # reported below as "did not overlap"
                barrier.wait(timeout=5)

    def run(index: int) -> None:
        try:
            with app.app_context():
                results[index] = work()
                db.session.remove()
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    with app.app_context():
        engine = db.engine
    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    event.listen(engine, "before_cursor_execute", hold)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    assert not errors, errors
    assert not barrier.broken, "the two runs did not overlap"
    return results
