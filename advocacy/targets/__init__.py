"""Targets of a campaign: the members of the committees its current bill was referred to, ranked by leverage."""
