"""flask commands of the core: create-admin, seed-demo, backup, db-roles (domains add theirs in init_app)."""
import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from .auth import services as accounts
from .auth.roles import Role
from .database import is_sqlite
from .db_roles import app_role_statements, run_statements
from .demo import DEMO_PASSWORD, CountySize, database_is_empty, seed_demo
from .errors import DomainError
from .extensions import db


def register_cli(app) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup)
    app.cli.add_command(db_roles)


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
@click.option("--villages", default=0, show_default=True, type=click.IntRange(0),
              help="Add this many villages in bulk (a county for benchmarks).")
@click.option("--projects", default=0, show_default=True, type=click.IntRange(0),
              help="Add this many projects in bulk, spread over the villages.")
@click.option("--entries", default=0, show_default=True, type=click.IntRange(0),
              help="Add this many ledger entries in bulk (one pool takes 60%), chained as the service chains them.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(scale, villages, projects, entries, if_empty):
    """Load demo townships, villages and users (password: see README); a county in bulk with
    --villages/--projects/--entries (e.g. 1000 / 20000 / 500000 for `make bench`)."""
    if not database_is_empty():
        if if_empty:
            click.echo("Database already has data; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; demo data goes into an empty database.")
    started = time.perf_counter()
    county = CountySize(villages, projects, entries)
    seed_demo(scale, county)
    db.session.commit()
    if not county.empty:
        _vacuum_after_bulk_load()
    click.echo(f"Demo data loaded (scale {scale}, {villages} villages, {projects} projects, {entries} entries added "
               f"in bulk) in {time.perf_counter() - started:.1f} s. Every demo user's password is {DEMO_PASSWORD!r}.")


def _vacuum_after_bulk_load() -> None:
    """PostgreSQL: what autovacuum does some time after a bulk load (where it runs), at once: the
    visibility map lets counts read an index alone. SQLite needs nothing (the seed ran ANALYZE)."""
    if is_sqlite():
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))


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
    _create_private_file(output)
    with sqlite3.connect(source_path) as source, sqlite3.connect(output) as target:
        source.backup(target)  # the SQLite online backup API: consistent while others write
    click.echo(f"Backup written to {output}")


def _create_private_file(path: Path) -> None:
    """The backup is readable and writable by its owner only (0600), in a folder only its owner
    opens (0700) when we create it: a copy of the database is as secret as the database."""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        path.parent.chmod(0o700)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)  # an existing file given as --output is narrowed too


SQLITE_HAS_NO_ROLES = (
    "SQLite has no roles: whoever can write the database file (its owner) can rewrite it. "
    "The ledger's hash chain makes such a rewrite visible: run `flask verify-ledger`. "
    "Keep the file readable and writable by its owner only."
)
HIDDEN_PASSWORD = "********"


@click.command("db-roles")
@click.option("--app-role", required=True, help="The PostgreSQL role the application runs as.")
@click.option("--password-env", metavar="VAR", default=None,
              help="Environment variable that holds the app role's password.")
@click.option("--apply", is_flag=True,
              help="Run the statements in one transaction (as the owner of the tables) instead of printing them.")
def db_roles(app_role, password_env, apply):
    """PostgreSQL: a role for the application that cannot rewrite the append-only tables."""
    if is_sqlite():
        raise click.ClickException(SQLITE_HAS_NO_ROLES)
    password = _password_from_environment(password_env)
    try:
        with db.engine.begin() as connection:
            statements = app_role_statements(connection, app_role, password if apply else _hidden(password))
            if apply:
                run_statements(connection, statements)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if apply:
        click.echo(f"Role {app_role} may now read and add rows, and change only the tables that are not append-only.")
        return
    if password is not None:
        click.echo(f"-- the password from ${password_env} is shown as {HIDDEN_PASSWORD}; --apply uses the real one")
    for statement in statements:
        click.echo(statement + ";")


def _password_from_environment(variable):
    if variable is None:
        return None
    password = os.environ.get(variable)
    if not password:
        raise click.ClickException(f"The environment variable {variable} is not set or is empty.")
    return password


def _hidden(password):
    return None if password is None else HIDDEN_PASSWORD
