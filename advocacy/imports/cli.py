"""`flask --app wsgi members|committees|cities|districts import ...`: each runs one import service in the
command's unit of work (one commit); bad input rolls everything back and exits with the error (file and line)."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import AppGroup

from advocacy.imports.sources import ImportDataError, ImportReport

members_cli = AppGroup("members", help="Members of Congress (the @unitedstates roster).")
committees_cli = AppGroup("committees", help="Committees, subcommittees and their members.")
cities_cli = AppGroup("cities", help="Cities (places) and their congressional districts.")
districts_cli = AppGroup("districts", help="Congressional districts: the Census place file, the ZIP table.")


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _run(action: Callable[[], ImportReport]) -> None:
    """Run an import in the command's unit of work (it commits on success); an error rolls back and fails with
    its message."""
    try:
        report = action()
    except ImportDataError as exc:  # the command's unit of work rolls everything back
        raise click.ClickException(f"{exc}. Nothing was imported.") from exc
    click.echo(report.summary())


@members_cli.command("import")
@click.argument("location", required=False)
def import_members_command(location: str | None) -> None:
    """Import legislators-current.yaml from LOCATION (a path or http(s) URL; default: the published file)."""
    from advocacy.members.services import LEGISLATORS_URL, import_members

    _run(lambda: import_members(location or LEGISLATORS_URL, progress=_progress, actor="cli"))


@committees_cli.command("import")
@click.argument("committees_location", required=False)
@click.argument("membership_location", required=False)
def import_committees_command(committees_location: str | None, membership_location: str | None) -> None:
    """Import committees-current.yaml and committee-membership-current.yaml (paths or URLs; default: published)."""
    from advocacy.members.services import COMMITTEES_URL, MEMBERSHIP_URL, import_committees

    _run(
        lambda: import_committees(
            committees_location or COMMITTEES_URL,
            membership_location or MEMBERSHIP_URL,
            progress=_progress,
            actor="cli",
        )
    )


@cities_cli.command("import")
@click.argument("location", required=False)
@click.option(
    "--districts",
    "districts_location",
    help="A place → district CSV (geonameid or name,state; district or district_code), e.g. us_place_districts_approx.csv.",
)
def import_cities_command(location: str | None, districts_location: str | None) -> None:
    """Import a CSV of places (name, state, population; optional lat/lon, geonameid, geoid, districts)."""
    from advocacy.cities.services import import_cities

    if location is None and districts_location is None:
        raise click.UsageError("Give a places CSV (PATH or URL), --districts PATH, or both.")
    _run(lambda: import_cities(location, districts_location=districts_location, progress=_progress, actor="cli"))


@districts_cli.command("import")
@click.argument("location")
def import_districts_command(location: str) -> None:
    """Import a ZIP → district CSV in the zccd.csv format (state_fips,state_abbr,zcta,cd)."""
    from advocacy.cities.services import import_zip_districts

    _run(lambda: import_zip_districts(location, progress=_progress, actor="cli"))


@cities_cli.command("import-census")
@click.argument("gazetteer")
@click.option(
    "--population",
    "population_location",
    help="The Census population estimates for places, sub-est<year>.csv (path or URL).",
)
def import_census_places_command(gazetteer: str, population_location: str | None) -> None:
    """Import the Census Gazetteer places file GAZETTEER (<year>_Gaz_place_national.txt, a path or URL):
    GEOID, kind (municipality or census-designated place), coordinates; populations from --population."""
    from advocacy.cities.census import import_census_places

    _run(
        lambda: import_census_places(
            gazetteer, population_location=population_location, progress=_progress, actor="cli"
        )
    )


@districts_cli.command("import-census")
@click.argument("location")
def import_census_districts_command(location: str) -> None:
    """Import the Census place <-> 119th district relationship file (tab20_cd11920_place20_natl.txt, a path or
    URL): each matched city's districts with the share of its land and whole/partial."""
    from advocacy.cities.census import import_census_districts

    _run(lambda: import_census_districts(location, progress=_progress, actor="cli"))


COMMANDS = (members_cli, committees_cli, cities_cli, districts_cli)
# advocacy.cli.register() evaluates `module.cli` even when COMMANDS is defined (getattr's default is eager).
cli = members_cli
