"""Backups: a complete JSON-lines dump of every table, and its restore into an empty database.

The format is one JSON object per line: first {"format": "advocacy-backup", "version": 1, "tables": [...]},
then {"table": NAME, "row": {...}} for every row, tables in dependency order. Dates and datetimes are ISO
strings, JSON columns stay JSON. Restore refuses a non-empty database, inserts in the same order inside one
transaction, and moves PostgreSQL sequences past the restored ids.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import Date, DateTime, func, inspect, select, text
from sqlalchemy import Table as SATable

from advocacy.extensions import db

logger = logging.getLogger(__name__)
FORMAT = "advocacy-backup"
VERSION = 1
BATCH = 1000


class BackupError(Exception):
    """The backup file cannot be restored here (wrong format, non-empty database, unknown table...)."""


def _tables() -> list[SATable]:
    existing = set(inspect(db.engine).get_table_names())
    return [t for t in db.metadata.sorted_tables if t.name in existing]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def export_rows() -> Iterator[str]:
    """Yield the backup as JSON lines, streaming table by table (memory stays flat)."""
    tables = _tables()
    yield json.dumps({"format": FORMAT, "version": VERSION, "tables": [t.name for t in tables]})
    for table in tables:
        order = list(table.primary_key.columns) or list(table.columns)
        result = db.session.execute(select(table).order_by(*order)).mappings()
        for row in result:
            yield json.dumps(
                {"table": table.name, "row": {k: _encode(v) for k, v in row.items()}},
                ensure_ascii=False,
                sort_keys=True,
            )


def export_to(stream: IO[str]) -> dict[str, int]:
    """Write the backup to a text stream; returns the row count per table."""
    counts: dict[str, int] = {}
    for line in export_rows():
        stream.write(line + "\n")
        if line.startswith('{"row"'):
            table = json.loads(line)["table"]
            counts[table] = counts.get(table, 0) + 1
    return counts


def _decode(table: SATable, row: dict[str, Any]) -> dict[str, Any]:
    unknown = set(row) - set(table.columns.keys())
    if unknown:
        raise BackupError(f"table {table.name} has no column(s) {', '.join(sorted(unknown))}")
    decoded = {}
    for name, value in row.items():
        column_type = table.columns[name].type
        if value is not None and isinstance(column_type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, Date):
            value = date.fromisoformat(value)
        decoded[name] = value
    return decoded


def _check_header(line: str) -> None:
    try:
        header = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BackupError("line 1: not a backup header (invalid JSON)") from exc
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise BackupError("line 1: not an advocacy backup (version 1)")


def _backup_rows(stream: IO[str], tables: dict[str, SATable]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table name, decoded row) for each row line after the header; BackupError names the bad line."""
    for number, line in enumerate(stream, start=2):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BackupError(f"line {number}: invalid JSON") from exc
        name = item.get("table")
        if name not in tables:
            raise BackupError(f"line {number}: unknown table {name!r}")
        yield name, _decode(tables[name], item["row"])


def restore_from(stream: IO[str]) -> dict[str, int]:
    """Restore a backup into an empty (migrated) database; returns rows per table.

    It never commits: the caller's unit of work (the `import` command's) commits the whole restore once, or
    rolls all of it back when a line is bad, so a failed restore leaves the database empty.
    """
    _check_header(stream.readline())
    tables = {t.name: t for t in _tables()}
    for table in tables.values():
        if db.session.scalar(select(func.count()).select_from(table)):
            raise BackupError(f"the database is not empty (table {table.name} has rows): restore needs an empty one")
    counts: dict[str, int] = {}
    pending: list[dict[str, Any]] = []
    current: str | None = None
    for name, row in _backup_rows(stream, tables):
        if pending and (name != current or len(pending) >= BATCH):  # rows are inserted in batches per table
            db.session.execute(tables[current or name].insert(), pending)
            pending = []
        current = name
        pending.append(row)
        counts[name] = counts.get(name, 0) + 1
    if pending and current is not None:
        db.session.execute(tables[current].insert(), pending)
    _reset_sequences(tables.values())
    logger.info("restored backup: %s rows", sum(counts.values()))
    return counts


def _reset_sequences(tables) -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and isinstance(column.type, db.Integer)):
                # Identifiers come from our own metadata, never from input; they cannot be bound parameters.
                sql = (
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "  # noqa: S608
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                )
                db.session.execute(text(sql))
