"""Alerts: follows, e-mail alerts and digests, outgoing webhooks, Atom feeds and the alerts health page."""
