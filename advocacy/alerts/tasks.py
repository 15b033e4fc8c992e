"""The RQ job of `alerts send` (when REDIS_URL is set): `rq worker --url $REDIS_URL alerts`."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def send_job() -> str:
    """Build the app from the environment and deliver what is due; returns the run's summary line."""
    from advocacy import create_app
    from advocacy.alerts.services import run_alerts, summary
    from advocacy.extensions import db

    app = create_app()
    with app.app_context():
        try:
            line = summary(run_alerts())
        finally:
            db.session.remove()
    logger.info("alerts job: %s", line)
    return line
