"""Command-line interface: `flask --app wsgi <group> <command>`. Commands call services; each commits once."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from advocacy.extensions import db

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
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
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
    db.session.commit()
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
def setup_command(admin_email: str) -> None:
    """First-run set-up, safe to repeat: on an empty database load the demo data and create an admin.

    The database schema must be migrated first (`flask db upgrade`); the run command does both.
    """
    from advocacy.auth.services import count_users, create_user, generate_password
    from advocacy.demo.services import load_demo

    if count_users() > 0:
        click.echo("Set-up already done: keeping the existing data and accounts.")
        return
    report = load_demo()
    password = generate_password()
    create_user(admin_email, password, "admin", actor="setup")
    db.session.commit()
    click.echo(report.summary())
    click.echo("")
    click.echo("  First admin account (the password is shown only this once):")
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

    for command in (users_cli, demo_cli, mail_cli, setup_command, export_command, import_command):
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
