"""The errors of the letters feature: one base class, so that views, the CLI and the API catch one type, and a
few subclasses for the cases a caller may treat differently (the API maps an invalid selector to 400 without
reading the message). Each carries a message written for the user."""


class LetterError(Exception):
    """A letter operation that cannot be done, with a message for the user."""


class InvalidSelector(LetterError):
    """A recipients selector that names nothing: unknown kind, committee or bioguide id, or no current member."""


class FormerMember(InvalidSelector):
    """A `member:` selector that names someone who is no longer a member of Congress (letters go to current
    members only)."""


class TemplateRejected(LetterError):
    """A template that cannot be saved or deleted as asked (slug taken, still used by batches)."""


class BatchStateError(LetterError):
    """A batch that is not in a state where the action applies (finished, cancelled, still running)."""
