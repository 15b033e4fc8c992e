"""Command-line interface: `flask --app wsgi <group> <command>`. Commands call services and never commit: each
command runs in one unit of work (advocacy.uow wraps them), committed when it returns, rolled back when it raises."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from advocacy.extensions import db, real_app
from advocacy.uow import own_units

users_cli = AppGroup("users", help="Manage staff accounts.")
demo_cli = AppGroup("demo", help="Demo data of the real bills.")
mail_cli = AppGroup("mail", help="Outgoing mail.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["viewer", "advocate", "admin"]), default="viewer", show_default=True)
@click.option("--password", help="Password to set (default: ask; --generate makes one).")
@click.option("--generate", is_flag=True, help="Generate a random password and print it once.")
def create_user_command(email: str, role: str, password: str | None, generate: bool) -> None:
    """Create an account with ROLE; prints a generated password or asks for one."""
    from advocacy.auth.services import AccountError, create_user, generate_password

    if generate:
        password = generate_password()
    elif not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, role, actor="cli")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} account {user.email}.")
    if generate:
        click.echo(f"Password (shown once): {password}")


@users_cli.command("list")
def list_users_command() -> None:
    """List accounts and roles."""
    from sqlalchemy import select

    from advocacy.models import User

    for user in db.session.scalars(select(User).order_by(User.email)):
        click.echo(f"{user.email}\t{user.role}\t{'active' if user.active else 'disabled'}")


@demo_cli.command("load")
def demo_load_command() -> None:
    """Load the demo data (the six real bills, their members, the campaign, cities). Idempotent."""
    from advocacy.demo.services import load_demo

    report = load_demo()
    click.echo(report.summary())


@mail_cli.command("retry")
def mail_retry_command() -> None:
    """Send queued mail and retry failed mail through the configured SMTP server."""
    from flask import current_app

    from advocacy.mail import deliver_pending

    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("No MAIL_SERVER configured: messages stay in the in-app outbox.")
    sent, failed = deliver_pending()
    click.echo(f"{sent} sent, {failed} failed.")


@click.command("setup")
@with_appcontext
@click.option("--admin-email", default="admin@example.org", show_default=True)
@click.option(
    "--contact-email",
    help="The campaign's public contact (shown to signers and cities); else set it on the campaign's edit page.",
)
def setup_command(admin_email: str, contact_email: str | None) -> None:
    """First-run set-up, safe to repeat: on an empty database load the demo data and create an admin.

    The database schema must be migrated first (`flask db upgrade`); the run command does both.
    """
    from advocacy.auth.services import count_users, create_user, generate_password
    from advocacy.demo.services import load_demo

    if count_users() > 0:
        click.echo("Set-up already done: keeping the existing data and accounts. Log in with your account")
        click.echo(
            "(lost the password? `.venv/bin/flask --app wsgi users create you@example.org --role admin --generate`)."
        )
        return
    report = load_demo()
    password = generate_password()
    create_user(admin_email, password, "admin", actor="setup")
    if contact_email:
        from sqlalchemy import select

        from advocacy.models import Campaign

        for campaign in db.session.scalars(select(Campaign).where(Campaign.contact_email.is_(None))):
            campaign.contact_email = contact_email.strip()
    click.echo(report.summary())
    if not contact_email:
        click.echo("The campaign has no public contact yet: set one on its edit page (or `make run CONTACT=you@org`).")
    click.echo("")
    click.echo("  Log in with this first admin account (the password is shown only this once):")
    click.echo(f"    e-mail:   {admin_email}")
    click.echo(f"    password: {password}")
    click.echo("")


# Feature modules that define a click group or command named `cli`, registered after the core commands.
FEATURE_CLIS: tuple[str, ...] = (
    "advocacy.bills.cli",
    "advocacy.imports.cli",
    "advocacy.endorsements.cli",
    "advocacy.letters.cli",
    "advocacy.alerts.cli",
    "advocacy.contacts.cli",
)


def register(app: Flask) -> None:
    import importlib

    for command in (users_cli, demo_cli, mail_cli, setup_command, export_command, import_command, worker_command):
        app.cli.add_command(command)
    for module_name in FEATURE_CLIS:
        module = importlib.import_module(module_name)
        for command in getattr(module, "COMMANDS", None) or (module.cli,):
            app.cli.add_command(command)


@click.command("export")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(path: str) -> None:
    """Write a complete backup of the data to PATH (JSON lines)."""
    from advocacy.backup import export_to

    with open(path, "w", encoding="utf-8") as stream:
        counts = export_to(stream)
    click.echo(f"Exported {sum(counts.values())} rows from {len(counts)} tables to {path}.")


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Restore a backup made by `flask export` into an empty, migrated database."""
    from advocacy.backup import BackupError, restore_from

    try:
        with open(path, encoding="utf-8") as stream:
            counts = restore_from(stream)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {sum(counts.values())} rows into {len(counts)} tables.")


@click.command("worker")
@with_appcontext
@click.option("--run", "run_now", metavar="JOB", help="Run one scheduled job now and exit (e.g. bills_sync).")
@own_units
def worker_command(run_now: str | None) -> None:
    """Run the schedule in the foreground: bill syncs, alerts, the digest, retries, link expiry.

    Production runs one such process (more are harmless: only the holder of the database lease fires jobs).
    Stops cleanly on Ctrl+C or SIGTERM, giving the lease up.
    """

    from advocacy.scheduler import TASKS_BY_NAME, ScheduleError, Scheduler, new_holder, run_task, stop_on_sigterm

    app = real_app()
    if run_now:
        if run_now not in TASKS_BY_NAME:
            raise click.ClickException(f"unknown job {run_now!r}; jobs: {', '.join(TASKS_BY_NAME)}")
        run = run_task(app, run_now, f"cli:{new_holder()}")  # the run's claim, work and record commit on their own
        if run is None:  # a holder of the lease is running this firing right now
            raise click.ClickException(f"{run_now} is being run by the schedule right now")
        status, outcome = run.status, run.error or run.summary
        click.echo(f"{run_now}: {status}: {outcome}")
        if status != "ok":
            raise SystemExit(1)
        return
    try:
        scheduler = Scheduler(app, blocking=True)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from exc
    stop_on_sigterm()
    click.echo(f"Scheduler {scheduler.holder} running (Ctrl+C to stop).")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.shutdown()
        click.echo("Scheduler stopped.")
