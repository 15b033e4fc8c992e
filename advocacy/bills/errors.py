"""What can go wrong when bills are tracked and synced, as types.

Callers (pages, the API, the CLI, the schedule) decide on the type, never on the wording:

    BillsError
    ├── InvalidCitation          the citation text could not be understood (also a CitationError)
    └── SyncError                a sync or a tracking request did not happen as asked; `kind` is what the bill
        │                        records in `Bill.sync_error_kind` (outage, missing, rate_limited, error)
        ├── SyncDisabled         no CONGRESS_API_KEY: syncing is off
        ├── CampaignNotFound     `--campaign` / the API's `campaign` names no campaign
        ├── NotTracked           a sync of a bill that was never tracked
        ├── BillNotFound         Congress.gov has no such bill (missing)
        ├── CongressUnavailable  Congress.gov could not be reached or kept failing (outage)
        ├── RateLimited          Congress.gov kept answering 429 (rate_limited)
        ├── CongressFailed       any other client error: a rejected key, an unexpected answer (error)
        ├── StoreFailed          the data came but could not be stored (error)
        ├── BillRemoved          the bill was deleted while Congress.gov was being asked (error)
        └── SyncDeferred         not synced now, on purpose: a long Retry-After or the hourly request budget

The client's own exceptions (`advocacy.congress.client`) stay the client's; `from_congress` turns one into the
sync error above that keeps it as `cause` (and as `__cause__` when raised `from` it).
"""

from __future__ import annotations

from datetime import datetime

from advocacy.congress import client as congress
from advocacy.congress.citations import CitationError

MISSING = "missing"
OUTAGE = "outage"
RATE_LIMITED = "rate_limited"
ERROR = "error"


class BillsError(Exception):
    """Base of the bills feature's errors; `str(exc)` is a sentence fit for a page or the CLI."""

    @property
    def message(self) -> str:
        return str(self)


class InvalidCitation(BillsError, CitationError):
    """A citation that could not be understood (a CitationError too, so older callers keep working)."""


class SyncError(BillsError):
    """A sync or tracking request that did not happen as asked."""

    kind: str | None = ERROR  # what `Bill.sync_error_kind` records; None: nothing is recorded on the bill

    def __init__(self, message: str, *, cause: Exception | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class SyncDisabled(SyncError):
    kind = None


class CampaignNotFound(SyncError):
    kind = None


class NotTracked(SyncError):
    kind = None


class BillNotFound(SyncError):
    kind = MISSING


class CongressUnavailable(SyncError):
    kind = OUTAGE


class RateLimited(SyncError):
    kind = RATE_LIMITED


class CongressFailed(SyncError):
    kind = ERROR


class StoreFailed(SyncError):
    kind = ERROR


class BillRemoved(SyncError):
    kind = ERROR


class SyncDeferred(SyncError):
    """Not synced now on purpose; `until` is when the bill may be asked again (None: the budget's next hour)."""

    kind = None

    def __init__(self, message: str, *, until: datetime | None = None, cause: Exception | None = None) -> None:
        super().__init__(message, cause=cause)
        self.until = until


def from_congress(exc: congress.CongressError, *, stored: bool) -> SyncError:
    """The sync error for a client error; an outage of a stored bill says that the stored record is kept."""
    if isinstance(exc, congress.BillNotFound):
        return BillNotFound(str(exc), cause=exc)
    if isinstance(exc, congress.CongressUnavailable):
        suffix = " The stored record is kept as it was." if stored else ""
        return CongressUnavailable(f"{exc}{suffix}", cause=exc)
    if isinstance(exc, congress.RateLimited):
        return RateLimited(str(exc), cause=exc)
    return CongressFailed(str(exc), cause=exc)
