"""PostgreSQL: the role the application runs as, which may add rows but never rewrite the append-only ones.

Migrations run as the owner of the tables. The application's role gets SELECT and INSERT on the
append-only tables, SELECT, INSERT, UPDATE and DELETE on the other tables, and only reads
alembic_version. Not owning the tables, it can neither drop nor disable their triggers, and without
the TRUNCATE privilege it cannot empty a table behind the row triggers' back.
"""
import re

import psycopg
from psycopg import sql
from sqlalchemy import text

from .append_only import APPEND_ONLY_TABLES

SCHEMA = "public"
MIGRATIONS_TABLE = "alembic_version"
# Lower case only: an unquoted name in a URL or in psql then means the same role as here.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def validate_role_name(name: str) -> str:
    if not ROLE_NAME.fullmatch(name or "") or name.startswith("pg_") or name == "public":
        raise ValueError(
            f"{name!r} is not a usable role name: lower-case letters, digits and _, at most 63, "
            "not starting with a digit or pg_."
        )
    return name


def app_role_statements(connection, app_role: str, password: str | None = None) -> list[str]:
    """The statements that create (or update) app_role and give it exactly what the application needs.

    connection: a SQLAlchemy connection to the migrated database; its catalog says which tables exist.
    """
    validate_role_name(app_role)
    tables = public_tables(connection)
    refuse_unmigrated_database(tables)
    exists = role_exists(connection, app_role)
    if exists:
        refuse_privileged_role(connection, app_role)
    role = sql.Identifier(app_role)
    statements = [
        login_statement(role, password, exists),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(sql.Identifier(SCHEMA), role),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(sql.Identifier(SCHEMA), role),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(SCHEMA), role),
        grant_statement("SELECT, INSERT", append_only_tables(tables), role),
        grant_statement("SELECT, INSERT, UPDATE, DELETE", ordinary_tables(tables), role),
        grant_statement("SELECT", [MIGRATIONS_TABLE], role),
        # nextval() needs USAGE; UPDATE (setval) is left out: the application never moves a sequence.
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(sql.Identifier(SCHEMA), role),
    ]
    driver_connection = connection.connection.driver_connection
    return [statement.as_string(driver_connection) for statement in statements if statement is not None]


def run_statements(connection, statements: list[str]) -> None:
    """On the driver's cursor, inside the connection's transaction: no parameters, so a % or a colon in
    a password literal stays what it is. The error names no statement, which may hold the password."""
    with connection.connection.driver_connection.cursor() as cursor:
        for statement in statements:
            try:
                cursor.execute(statement)
            except psycopg.Error as error:
                raise ValueError(f"PostgreSQL refused: {error}") from None


def public_tables(connection) -> list[str]:
    return list(connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = :schema ORDER BY tablename"), {"schema": SCHEMA}
    ).scalars())


def append_only_tables(tables: list[str]) -> list[str]:
    return [table for table in tables if table in APPEND_ONLY_TABLES]


def ordinary_tables(tables: list[str]) -> list[str]:
    return [table for table in tables if table not in APPEND_ONLY_TABLES and table != MIGRATIONS_TABLE]


def refuse_unmigrated_database(tables: list[str]) -> None:
    missing = sorted(set(APPEND_ONLY_TABLES) - set(tables))
    if MIGRATIONS_TABLE not in tables or missing:
        raise ValueError(
            "The database is not migrated (missing: " + ", ".join(missing or [MIGRATIONS_TABLE])
            + "). Run `flask db upgrade` as the owner first."
        )


def role_exists(connection, name: str) -> bool:
    return connection.execute(text("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :name)"),
                              {"name": name}).scalar_one()


def refuse_privileged_role(connection, name: str) -> None:
    """The owner (or a superuser, or a member of the owner's role) keeps every right whatever we grant."""
    privileged = connection.execute(text(
        "SELECT rolsuper OR rolbypassrls OR EXISTS ("
        " SELECT 1 FROM pg_tables WHERE schemaname = :schema AND pg_has_role(:name, tableowner, 'MEMBER'))"
        " FROM pg_roles WHERE rolname = :name"
    ), {"name": name, "schema": SCHEMA}).scalar_one()
    if privileged:
        raise ValueError(
            f"Role {name} is a superuser or owns the tables (or is a member of their owner); "
            "the application needs a role of its own."
        )


def login_statement(role: sql.Identifier, password: str | None, exists: bool) -> sql.Composed:
    command = sql.SQL("ALTER ROLE {} LOGIN" if exists else "CREATE ROLE {} LOGIN").format(role)
    if password is None:
        return command
    return sql.SQL("{} PASSWORD {}").format(command, sql.Literal(password))


def grant_statement(privileges: str, tables: list[str], role: sql.Identifier) -> sql.Composed | None:
    if not tables:
        return None
    return sql.SQL("GRANT {} ON TABLE {} TO {}").format(
        sql.SQL(privileges),
        sql.SQL(", ").join(sql.Identifier(SCHEMA, table) for table in tables),
        role,
    )
