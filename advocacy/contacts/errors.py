"""The errors of the contacts feature: what its services refuse, with a message safe to show the user."""

from __future__ import annotations


class ContactError(Exception):
    """A contacts operation that cannot be done, with a message for the user."""


class ContactImportError(ContactError):
    """A CSV import refused as a whole: the line (1-based, the header is line 1) and what is wrong there."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.message = message
