"""Jobs of the alerts feature, run by `advocacy.jobs` (RQ: `rq worker --url $REDIS_URL advocacy`)."""

from __future__ import annotations

import logging
from typing import Any

from advocacy.alerts.services import run_alerts, summary
from advocacy.jobs import RQRunner, get_runner, job

logger = logging.getLogger(__name__)


@job
def run_due() -> str:
    """Deliver what is due (a job: runs in the worker's app context); returns the run's summary line."""
    line = summary(run_alerts())
    logger.info("alerts job: %s", line)
    return line


def enqueue_or_run(app: Any) -> str:
    """With REDIS_URL, queue the run for an RQ worker (the app's job queue); else run it here. Returns a summary."""
    if app.config.get("REDIS_URL"):
        runner = get_runner(app)
        if isinstance(runner, RQRunner):  # else Redis is down: run it here (get_runner logged a warning)
            job_id = runner.submit(run_due)
            return f"queued job {job_id} on RQ queue {app.config.get('JOBS_QUEUE', 'advocacy')!r}"
    return summary(run_alerts())
