"""Forms keep what people typed: a form posted from one page and answered with a redirect back to it (the track
field on the bills list, the letters' Generate form, linking a bill on a campaign) hands its input to the next
GET of that page through the session, so that an error never empties the field.

Forms that re-render themselves on error (most of them) keep their input already; this is for the others.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import session
from flask_wtf import FlaskForm

_KEY = "kept_input"


def keep(form: FlaskForm, name: str, fields: Iterable[str]) -> None:
    """Remember the typed values of `fields` of the form `name` for the page the user is sent back to."""
    values = {}
    for field_name in fields:
        field = form._fields.get(field_name)
        if field is None:
            continue
        raw = field.raw_data[0] if getattr(field, "raw_data", None) else field.data
        values[field_name] = raw if isinstance(raw, (str, bool, int)) or raw is None else str(raw)
    kept = dict(session.get(_KEY) or {})
    kept[name] = values
    session[_KEY] = kept


def restore(form: FlaskForm, name: str) -> FlaskForm:
    """Put what was kept for the form `name` back into its fields (once); returns the form."""
    kept = dict(session.get(_KEY) or {})
    values = kept.pop(name, None)
    if values is None:
        return form
    session[_KEY] = kept
    for field_name, value in values.items():
        field = form._fields.get(field_name)
        if field is not None:
            field.data = value
    return form
