"""Template filters and globals."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from advocacy.bills.stage import STAGE_LABELS, TRACKER_LABELS, TRACKER_STEPS


def long_date(value: date | datetime | None) -> str:
    """ "November 27, 2026" (US letter convention)."""
    if value is None:
        return ""
    return f"{value:%B} {value.day}, {value.year}"


def short_datetime(value: datetime | None) -> str:
    if value is None:
        return "never"
    return f"{value:%Y-%m-%d %H:%M} UTC"


def thousands(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def register(app: Flask) -> None:
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["short_datetime"] = short_datetime
    app.jinja_env.filters["thousands"] = thousands
    app.jinja_env.globals["STAGE_LABELS"] = STAGE_LABELS
    app.jinja_env.globals["TRACKER_STEPS"] = TRACKER_STEPS
    app.jinja_env.globals["TRACKER_LABELS"] = TRACKER_LABELS
