"""`flask endorsements ...`: invite a city's office from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from advocacy.endorsements import queries, services
from advocacy.extensions import db
from advocacy.models import Campaign

cli = AppGroup("endorsements", help="City endorsements of campaigns.")


@cli.command("invite")
@click.option("--campaign", "slug", required=True, help="Campaign slug.")
@click.option("--city", "city_text", required=True, help='City as "Name, ST", e.g. "Los Angeles, CA".')
@click.option("--email", required=True, help="Contact e-mail at the city.")
@click.option("--name", default=None, help="Contact name.")
def invite_command(slug: str, city_text: str, email: str, name: str | None) -> None:
    """Invite a city's office to sign; sends the e-mail (or keeps it in the outbox) and prints the link."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise click.ClickException(f"No campaign with the slug {slug!r}.")
    try:
        city = queries.find_city(city_text)
        invitation, link = services.invite(campaign, city, email, name, actor="cli")
    except services.EndorsementError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Invited {city.label} ({invitation.email}) to sign {campaign.name}.")
    click.echo(f"Signing link (valid until {services.expires_label(invitation.expires_at)}): {link}")
