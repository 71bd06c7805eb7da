"""flask commands of the core: create-admin, seed-demo, backup (domains add theirs in init_app)."""
import sqlite3
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from .auth import services as accounts
from .auth.roles import Role
from .database import is_sqlite
from .demo import DEMO_PASSWORD, database_is_empty, seed_demo
from .errors import DomainError
from .extensions import db


def register_cli(app) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup)


@click.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--name", "display_name", default=None, help="Display name (defaults to the username).")
@click.password_option()
def create_admin(username, display_name, password):
    """Create an administrator account."""
    try:
        accounts.create_user(username=username, display_name=display_name or username,
                             password=password, roles=[Role.ADMIN])
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Administrator {username} created.")


@click.command("seed-demo")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 10_000),
              help="Multiply the demo data (for benchmarks).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(scale, if_empty):
    """Load demo townships, villages and users (password: see README)."""
    if not database_is_empty():
        if if_empty:
            click.echo("Database already has data; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; demo data goes into an empty database.")
    seed_demo(scale)
    db.session.commit()
    click.echo(f"Demo data loaded (scale {scale}). Every demo user's password is {DEMO_PASSWORD!r}.")


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Backup file (default: instance/backups/fundtracker-<time>.sqlite3).")
def backup(output):
    """Copy the database safely while the app keeps running."""
    if not is_sqlite():
        url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
        raise click.ClickException(
            "PostgreSQL: use pg_dump, e.g. "
            f"pg_dump --format=custom --file=fundtracker.dump --host={url.host or 'localhost'} "
            f"--username={url.username or 'postgres'} {url.database}"
        )
    source_path = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if output is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        output = Path(current_app.instance_path) / "backups" / f"fundtracker-{stamp}.sqlite3"
    output.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source_path) as source, sqlite3.connect(output) as target:
        source.backup(target)  # the SQLite online backup API: consistent while others write
    click.echo(f"Backup written to {output}")
