"""The errors of the endorsement flow, one hierarchy under `EndorsementError`.

Services raise them; views, the CLI and the API catch `EndorsementError` (or a subclass for its own page) and
show the message, which is written for the person who made the request. `advocacy.endorsements.services`
imports them, so `services.EndorsementError` names the same class.
"""

from __future__ import annotations

from advocacy.models import Campaign, City


class EndorsementError(Exception):
    """A request the flow cannot honour; the message is safe to show to the person who made it."""


class TokenError(EndorsementError):
    """A link token that does not work; `reason` is invalid, expired, used or revoked."""

    MESSAGES = {
        "invalid": "This link is not valid. Check that you copied the whole address from the e-mail.",
        "expired": "This link has expired. Ask the campaign staff for a new one.",
        "used": "This link has already been used.",
        "revoked": "This invitation was withdrawn by the campaign staff.",
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(self.MESSAGES[reason])


class CityLookupError(EndorsementError):
    """The city text did not name exactly one known city."""


class CityAlreadyEndorsed(EndorsementError):
    """The city already has an active endorsement of the campaign."""

    def __init__(self, city: City, campaign: Campaign, status: str | None, contact: str):
        self.city_label = city.label
        self.status = status
        self.contact = contact
        super().__init__(
            f"{city.label} has already endorsed this campaign"
            f"{' (' + status + ')' if status else ''}. If you think this is a mistake, contact the campaign "
            f"staff at {contact}."
        )


class CityNotEndorsable(EndorsementError):
    """The place is not a municipality (a census-designated place, a neighbourhood) and staff have not marked it
    endorsable: it has no government of its own to endorse."""

    def __init__(self, city: City):
        self.city_label = city.label
        super().__init__(
            f"{city.label} cannot endorse: it is {city.kind_label}, not a city, town or village with its own "
            "government. Endorsements come from municipalities; if this place has one, ask the campaign staff "
            "to mark it endorsable."
        )
