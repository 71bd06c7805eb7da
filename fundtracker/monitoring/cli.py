"""`flask refresh-monitoring`: recompute every project's stored colour (daily, by cron), for the causes
that come with time alone."""
import click
from flask.cli import with_appcontext

from ..extensions import db
from .stored import refresh_all


@click.command("refresh-monitoring")
@with_appcontext
def refresh_monitoring_command():
    """Recompute and store today's red / yellow / green of every monitored project."""
    db.session.close()
    with db.session.begin():  # one transaction, committed when the block ends
        changed = refresh_all()
    click.echo(f"OK: {changed} stored colours changed.")
