"""`flask refresh-monitoring`: recompute every project's stored colour (daily, by cron), for the causes
that come with time alone."""
import click
from flask.cli import with_appcontext

from ..extensions import db
from .stored import refresh_all, stale_colours


@click.command("refresh-monitoring")
@click.option("--check", is_flag=True, help="Only list the stored colours that differ from today's; exit 1 if any.")
@with_appcontext
def refresh_monitoring_command(check: bool):
    """Recompute and store today's red / yellow / green of every monitored project."""
    if check:
        stale = stale_colours()
        for line in stale:
            click.echo(line)
        click.echo(f"{len(stale)} stored colours differ from today's.")
        raise SystemExit(1 if stale else 0)
    db.session.close()
    with db.session.begin():  # one transaction, committed when the block ends
        changed = refresh_all()
    click.echo(f"OK: {changed} stored colours changed.")
