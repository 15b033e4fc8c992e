"""`flask --app wsgi contacts import PATH` / `contacts export PATH`: office contacts as CSV."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

cli = AppGroup("contacts", help="Office contacts (members' and committees' staff).")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import contacts from a CSV (bioguide_id or committee, name, role, email, phone, notes): all or nothing."""
    from advocacy.contacts.errors import ContactError
    from advocacy.contacts.services import import_contacts

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path}: not UTF-8 text ({exc}).") from None
    try:
        report = import_contacts(text, actor="cli")
    except ContactError as exc:
        raise click.ClickException(f"{path}: {exc}. Nothing was imported.") from None
    click.echo(report.summary())


@cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(path: Path) -> None:
    """Write every contact to PATH as CSV (the import's layout)."""
    from advocacy.contacts.queries import all_contacts, export_csv

    contacts = all_contacts()
    path.write_text(export_csv(contacts), encoding="utf-8")
    click.echo(f"Exported {len(contacts)} contact(s) to {path}.")
