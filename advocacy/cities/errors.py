"""The errors of the cities feature: what its services refuse, with a message safe to show the user.

Imports of place files raise `advocacy.imports.errors.ImportDataError` (the error of every import); edits by
hand raise a `CityError`.
"""

from __future__ import annotations


class CityError(Exception):
    """A change to a city that cannot be made; the message says why."""


class CityNameTaken(CityError):
    """Another city already has this name in this state (a city is unique by name and state)."""

    def __init__(self, name: str, state: str):
        self.name, self.state = name, state
        super().__init__(f"{name}, {state} is already on file.")
