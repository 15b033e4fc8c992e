"""Gunicorn settings, read by default from the working directory (`gunicorn wsgi:app`).

Only a start-up check: in production, several workers without REDIS_URL get a warning in the log, because each
worker process would keep its own rate-limit counts.
"""

import os


def when_ready(server):  # gunicorn's hook: the master is ready, workers are about to start
    from advocacy.security import several_workers_warning

    message = several_workers_warning(server.cfg.workers, os.environ.get("REDIS_URL"))
    if message and os.environ.get("APP_ENV", "production") == "production":
        server.log.warning(message)
