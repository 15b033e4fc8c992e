"""Claim rows of the delivery logs (alert e-mails, webhooks): insert unless the unique key is already taken."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from advocacy.extensions import db


def insert_ignore(table: Table, rows: list[dict[str, Any]], index_elements: list[str], returning: Any) -> list[Any]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the values of the rows this statement actually inserted.

    The unique key is the claim: of two runs inserting the same row, one gets it back and sends; the other
    gets nothing and skips it.
    """
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(rows).on_conflict_do_nothing(index_elements=index_elements).returning(returning)
    return list(db.session.execute(statement).scalars())
