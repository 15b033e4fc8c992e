"""`flask --app wsgi alerts send`: deliver due alerts, digests and webhooks (cron, or an RQ worker)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from advocacy.alerts.services import run_alerts, summary
from advocacy.alerts.tasks import enqueue_or_run
from advocacy.extensions import real_app

cli = AppGroup("alerts", help="E-mail alerts, digests and webhooks.")


@cli.command("send")
@click.option("--digest-now", is_flag=True, help="Send pending daily digests now instead of at the digest hour.")
@click.option("--here", is_flag=True, help="Run in this process even when REDIS_URL is set.")
def send_command(digest_now: bool, here: bool) -> None:
    """Deliver what is due. Safe to run twice or concurrently: each event reaches each follower once."""
    app = real_app()
    if digest_now or here or not app.config.get("REDIS_URL"):
        run = run_alerts(force_digest=digest_now)
        click.echo(summary(run))
        if run.error:
            raise SystemExit(1)
        return
    click.echo(enqueue_or_run(app))
