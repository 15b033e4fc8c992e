"""The errors of the campaigns feature."""

from __future__ import annotations


class CampaignError(Exception):
    """A campaign change that cannot be made; the message says why (safe to show)."""
