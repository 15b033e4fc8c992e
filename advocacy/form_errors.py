"""Showing a service's refusal next to the form field it is about.

WTForms declares `Field.errors` as an empty tuple on the class; validating a field replaces it with the list of
its messages. A view that calls a service after `validate_on_submit()` and gets a typed error back adds the
message to that list through `add_error`, so the page shows it where the user looks (and the type checker
knows it is a list). A form posted from another page and answered with a redirect has its errors flashed
instead, through `flash_errors`.
"""

from __future__ import annotations

from typing import cast

from flask import flash
from wtforms import Field, Form


def add_error(field: Field, message: str) -> None:
    """Add `message` to a validated field's errors."""
    errors = field.errors
    if isinstance(errors, tuple):  # not validated yet: start the list validation would have made
        field.errors = errors = list(errors)  # type: ignore[assignment]  # WTForms types the class default only
    cast(list[str], errors).append(message)


def flash_errors(form: Form) -> None:
    """Flash each validation error as "Label: message" (for a form posted from another page)."""
    for name, errors in form.errors.items():
        for error in errors:
            flash(f"{getattr(form, name).label.text}: {error}", "error")
