"""Reading import files from a path or an http(s) URL, and parsing them with line numbers for errors."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from advocacy.imports.errors import ImportDataError

logger = logging.getLogger(__name__)

# Progress callback: called with a line of text (the CLI prints it to stderr).
Progress = Callable[[str], None]
PROGRESS_EVERY = 5000
URL_TIMEOUT = 60
LINE_KEY = "__line__"


def _no_progress(message: str) -> None:
    logger.debug("%s", message)


def progress_or_default(progress: Progress | None) -> Progress:
    return progress or _no_progress


def read_source(
    location: str, *, timeout: float = URL_TIMEOUT, fallback_encoding: str | None = None
) -> tuple[str, str]:
    """Return (text, display name) of a local path or an http(s) URL; ImportDataError when unreadable.

    Text is UTF-8 (a byte-order mark is dropped); `fallback_encoding` is tried when it is not, for files
    published in a legacy encoding (the Census population estimates are Latin-1).
    """
    data, name, charset = _read_bytes(location, timeout)
    if fallback_encoding is not None:
        try:
            return data.decode("utf-8-sig"), name
        except UnicodeDecodeError:
            return data.decode(fallback_encoding, errors="replace"), name
    if location.startswith(("http://", "https://")):  # the charset the server declared, else UTF-8
        return data.decode(charset or "utf-8", errors="replace").lstrip("\ufeff"), name
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        raise ImportDataError(f"{location}: cannot read ({exc})") from exc


def _read_bytes(location: str, timeout: float) -> tuple[bytes, str, str | None]:
    """(content, display name, declared charset) of an http(s) URL (named by itself) or a local path (its name)."""
    if location.startswith(("http://", "https://")):
        try:
            response = requests.get(location, timeout=timeout)
        except requests.RequestException as exc:
            raise ImportDataError(f"{location}: could not download ({exc.__class__.__name__}: {exc})") from exc
        if response.status_code != 200:
            raise ImportDataError(f"{location}: download failed with HTTP {response.status_code}")
        declared = response.encoding if "charset" in response.headers.get("Content-Type", "") else None
        return response.content, location, declared
    if "://" in location:
        raise ImportDataError(f"{location}: only local paths and http(s) URLs can be imported")
    path = Path(location)
    try:
        return path.read_bytes(), path.name, None
    except FileNotFoundError as exc:
        raise ImportDataError(f"{location}: no such file") from exc
    except OSError as exc:
        raise ImportDataError(f"{location}: cannot read ({exc})") from exc


_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    """Safe YAML loader that records each mapping's first line under LINE_KEY (for error messages)."""


def _construct_mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    mapping = loader.construct_mapping(node, deep=True)  # keys as YAML gives them (strings, numbers, dates)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_with_line)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML safely; every mapping carries its line number under LINE_KEY."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ImportDataError(f"{name}{where}: malformed YAML ({problem})") from exc


def line_of(entry: Any) -> int | None:
    return entry.get(LINE_KEY) if isinstance(entry, dict) else None


def where(name: str, entry: Any) -> str:
    """ "legislators-current.yaml line 12" for an entry parsed by parse_yaml."""
    line = line_of(entry)
    return f"{name} line {line}" if line else name


@dataclass
class CsvRow:
    """One data row of a CSV file: its values by canonical column name and its (first) line number."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def read_coordinate(row: CsvRow, name: str, column: str, limit: float, *, label: str | None = None) -> float | None:
    """A latitude/longitude cell: None when empty, ImportDataError naming the line when not a number in ±limit."""
    raw = row.get(column)
    if not raw:
        return None
    label = label or column
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImportDataError(f"{name} line {row.line}: {label} {raw!r} is not a number") from exc
    if not -limit <= value <= limit:
        raise ImportDataError(f"{name} line {row.line}: {label} {value} is out of range")
    return value


def read_csv(
    text: str,
    name: str,
    *,
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    delimiter: str = ",",
) -> tuple[set[str], Iterator[CsvRow]]:
    """Read the header, map it to canonical columns through `aliases`, and return (columns, row iterator).

    An unknown layout (a required column missing) and malformed rows raise ImportDataError with the line.
    `delimiter`: "|" for the Census relationship files, tab for the Gazetteer files.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    try:
        header = next(reader)
        if any("\x00" in cell for cell in header):
            raise ImportDataError(f"{name} line 1: contains a NUL character (\\x00): not a text CSV?")
    except StopIteration as exc:
        raise ImportDataError(f"{name}: empty file (expected a header line)") from exc
    except csv.Error as exc:
        raise ImportDataError(f"{name} line 1: malformed CSV ({exc})") from exc
    lookup = {alias: canonical for canonical, names in aliases.items() for alias in names}
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        canonical = lookup.get(raw.strip().lower().replace(" ", "_"))
        if canonical and canonical not in positions:
            positions[canonical] = index
    missing = [column for column in required if column not in positions]
    if missing:
        found = ", ".join(h.strip() for h in header) or "(nothing)"
        expected = ", ".join(required)
        raise ImportDataError(
            f"{name} line 1: unknown column layout: missing {', '.join(missing)} (expected at least {expected}; found {found})"
        )
    width = len(header)

    def rows() -> Iterator[CsvRow]:
        line = reader.line_num
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportDataError(f"{name} line {reader.line_num}: malformed CSV ({exc})") from exc
            start, line = line + 1, reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue
            if any("\x00" in cell for cell in record):  # the database would refuse it with a raw error
                raise ImportDataError(f"{name} line {start}: contains a NUL character (\\x00): not a text CSV?")
            if len(record) != width:
                raise ImportDataError(
                    f"{name} line {start}: malformed CSV: {len(record)} fields where the header has {width}"
                )
            yield CsvRow(start, {column: record[index] for column, index in positions.items()})

    return set(positions), rows()


@dataclass
class ImportReport:
    """What an import read and changed, per kind of record ("members", "committees", ...)."""

    name: str
    read: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n

    @property
    def changed(self) -> int:
        """Records added, updated or removed (0 on a repeated import of the same file)."""
        return sum(n for what, n in self.counts.items() if not what.startswith("unchanged"))

    def summary(self) -> str:
        parts = [f"{self.read} read"] + [f"{n} {what}" for what, n in self.counts.items()]
        text = f"{self.name}: {', '.join(parts)}; {self.changed} changed."
        if self.skipped:
            shown = "; ".join(self.skipped[:5])
            more = f" (and {len(self.skipped) - 5} more)" if len(self.skipped) > 5 else ""
            text += f"\n{len(self.skipped)} skipped: {shown}{more}"
        for note in self.notes:
            text += f"\nNote: {note}"
        return text
