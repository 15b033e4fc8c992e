"""What a bill's sync returns: its status and, when it did not go through, the error that says why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from advocacy.bills.errors import SyncDeferred, SyncError
from advocacy.congress.citations import Citation


class SyncStatus(StrEnum):
    """What one bill's sync did (a StrEnum: stored, printed and compared as the plain words)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    DEFERRED = "deferred"


@dataclass
class SyncResult:
    """What one bill's sync did; a failed or deferred one keeps the error object (`error`) that says why."""

    citation: Citation
    status: SyncStatus
    changes: list[str] = field(default_factory=list)
    requests: int = 0
    error: SyncError | None = None

    @classmethod
    def of_error(cls, citation: Citation, error: SyncError) -> SyncResult:
        result = cls(citation, SyncStatus.UNCHANGED)
        result.fail(error)
        return result

    def fail(self, error: SyncError) -> None:
        """End as deferred (a SyncDeferred) or failed (any other sync error)."""
        self.error = error
        self.status = SyncStatus.DEFERRED if isinstance(error, SyncDeferred) else SyncStatus.FAILED

    @property
    def message(self) -> str | None:
        """The error as a sentence for pages and the CLI (None when the sync went through)."""
        return None if self.error is None else self.error.message

    @property
    def error_kind(self) -> str | None:
        """outage, missing, rate_limited, error (see Bill.sync_error_kind); None for deferrals."""
        return None if self.error is None else self.error.kind

    @property
    def deferred_until(self) -> datetime | None:
        """When a long Retry-After deferred the bill (UTC)."""
        return self.error.until if isinstance(self.error, SyncDeferred) else None

    def line(self) -> str:
        """One line for the CLI summary."""
        if self.status == SyncStatus.FAILED:
            return f"{self.citation.label}: FAILED: {self.message}"
        if self.status == SyncStatus.DEFERRED:
            message = self.message or ""
            return (
                f"{self.citation.label}: {message}"
                if message.startswith("deferred")
                else f"{self.citation.label}: deferred ({message})"
            )
        detail = "; ".join(self.changes) if self.changes else "no changes"
        return f"{self.citation.label}: {self.status} ({detail}) [{self.requests} requests]"
