"""The error type of the letters feature (its own module, so that logos, services and tasks can share it)."""


class LetterError(Exception):
    """A letter operation that cannot be done, with a message for the user."""
