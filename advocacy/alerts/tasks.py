"""Jobs of the alerts feature, run by `advocacy.jobs` (RQ: `rq worker --url $REDIS_URL advocacy`)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def run_due() -> str:
    """Deliver what is due (a job: runs in the worker's app context); returns the run's summary line."""
    from advocacy.alerts.services import run_alerts, summary

    line = summary(run_alerts())
    logger.info("alerts job: %s", line)
    return line
