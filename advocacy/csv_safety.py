"""CSV cells that a spreadsheet will not run: the one guard against formula injection (CSV injection).

Every CSV the app writes (the public exports, the targets list, the contacts export, a letter batch's manifest)
passes its cells through `safe_cell` / `safe_row`: text that a spreadsheet would read as a formula (starting with
= + - @, a tab or a carriage return) gets a leading apostrophe, which spreadsheets show as text and hide.
`unguarded_cell` undoes it for an import that reads back a file the app exported, so that round trips hold.
"""

from __future__ import annotations

from collections.abc import Iterable

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell's text (None as ""), with a leading apostrophe when it would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_row(values: Iterable[object]) -> list[str]:
    """`safe_cell` of each value: a row ready for `csv.writer.writerow`."""
    return [safe_cell(value) for value in values]


def unguarded_cell(value: str | None) -> str | None:
    """Undo `safe_cell` ("'+1 202…" back to "+1 202…"); any other text is returned as it is."""
    if value and value.startswith("'") and value[1:2] and value[1:2] in FORMULA_START:
        return value[1:]
    return value
