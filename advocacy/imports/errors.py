"""The error of every import (members, committees, places, districts, Census files)."""

from __future__ import annotations


class ImportDataError(Exception):
    """Bad import input (unreadable, malformed, unknown layout, bad value); the message says where."""
