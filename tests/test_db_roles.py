"""The application's PostgreSQL role can read and add rows but cannot rewrite an append-only table:
no UPDATE, DELETE or TRUNCATE, and, not owning the tables, no way to disable or drop their triggers."""
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from fundtracker import create_app
from fundtracker.append_only import APPEND_ONLY_TABLES
from fundtracker.auth import services as accounts
from fundtracker.auth.roles import Role
from fundtracker.db_roles import validate_role_name
from fundtracker.extensions import db

from .conftest import BASE_CONFIG, USE_POSTGRES

APP_ROLE = "fundtracker_app_test"
# Quotes, a colon and a percent sign: the password must reach PostgreSQL as a literal, untouched.
APP_PASSWORD = "it's:50%-secret"
REFUSED = ("permission denied", "must be owner")

postgres_only = pytest.mark.skipif(not USE_POSTGRES, reason="PostgreSQL roles")


def owner_app(url, upload_folder):
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(upload_folder)})


def drop_app_role(engine):
    with engine.begin() as connection:
        if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": APP_ROLE}).scalar():
            connection.execute(text(f"DROP OWNED BY {APP_ROLE}"))
            connection.execute(text(f"DROP ROLE {APP_ROLE}"))


@pytest.fixture(scope="module")
def owner_engine(migrated_database):
    engine = create_engine(migrated_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app_role_url(migrated_database, owner_engine, tmp_path_factory, monkeypatch_module):
    """The role made by `flask db-roles --apply`, run as the owner (the test database's superuser)."""
    drop_app_role(owner_engine)
    monkeypatch_module.setenv("FUNDTRACKER_APP_PASSWORD", APP_PASSWORD)
    app = owner_app(migrated_database, tmp_path_factory.mktemp("uploads"))
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["db-roles", "--app-role", APP_ROLE, "--password-env", "FUNDTRACKER_APP_PASSWORD", "--apply"]
        )
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    yield make_url(migrated_database).set(username=APP_ROLE, password=APP_PASSWORD)
    drop_app_role(owner_engine)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def app_role_engine(app_role_url):
    engine = create_engine(app_role_url)
    yield engine
    engine.dispose()


def trigger_of(owner_engine, table):
    with owner_engine.connect() as connection:
        return connection.execute(
            text("SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:table AS regclass) AND NOT tgisinternal"),
            {"table": table},
        ).scalars().first()


def has_privilege(engine, table, privilege):
    with engine.connect() as connection:
        return connection.execute(text("SELECT has_table_privilege(:role, :table, :privilege)"),
                                  {"role": APP_ROLE, "table": table, "privilege": privilege}).scalar_one()


REWRITES = {
    "update": lambda table, trigger: f"UPDATE {table} SET id = id",
    "delete": lambda table, trigger: f"DELETE FROM {table}",
    "truncate": lambda table, trigger: f"TRUNCATE {table}",
    "disable triggers": lambda table, trigger: f"ALTER TABLE {table} DISABLE TRIGGER ALL",
    "drop trigger": lambda table, trigger: f"DROP TRIGGER {trigger} ON {table}",
}


@postgres_only
@pytest.mark.parametrize("rewrite", REWRITES)
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_app_role_cannot_rewrite_an_append_only_table(app_role_engine, owner_engine, table, rewrite):
    trigger = trigger_of(owner_engine, table)
    assert trigger, f"{table} has no append-only trigger"
    with app_role_engine.connect() as connection, pytest.raises(DBAPIError) as refused:
        connection.execute(text(REWRITES[rewrite](table, trigger)))
    assert any(reason in str(refused.value.orig) for reason in REFUSED), refused.value.orig


@postgres_only
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_app_role_reads_and_adds_to_an_append_only_table(app_role_url, owner_engine, table):
    assert has_privilege(owner_engine, table, "SELECT") and has_privilege(owner_engine, table, "INSERT")
    assert not any(has_privilege(owner_engine, table, p) for p in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER"))


@postgres_only
def test_the_app_role_changes_ordinary_tables_and_only_reads_the_migrations_table(app_role_url, owner_engine):
    assert all(has_privilege(owner_engine, "users", p) for p in ("SELECT", "INSERT", "UPDATE", "DELETE"))
    assert not has_privilege(owner_engine, "users", "TRUNCATE")
    assert has_privilege(owner_engine, "alembic_version", "SELECT")
    assert not any(has_privilege(owner_engine, "alembic_version", p) for p in ("INSERT", "UPDATE", "DELETE"))


@postgres_only
def test_the_application_runs_as_the_app_role(app_role_url, database_url, tmp_path):
    """Inserts take ids from the sequences, rows of ordinary tables change, the audit trail grows."""
    app = owner_app(app_role_url.render_as_string(hide_password=False), tmp_path)
    with app.app_context():
        user = accounts.create_user(username="clerk", display_name="Clerk", password="long-enough-1",
                                    roles=[Role.ADMIN])
        accounts.update_user(user, display_name="Head clerk", roles=[Role.ADMIN], department=None,
                             village_id=None, township_id=None)
        db.session.commit()
        assert db.session.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 2
        db.session.remove()
        db.engine.dispose()


@postgres_only
def test_db_roles_prints_the_statements_without_the_password(app, monkeypatch):
    monkeypatch.setenv("FUNDTRACKER_APP_PASSWORD", "not-for-the-terminal")
    result = app.test_cli_runner().invoke(
        args=["db-roles", "--app-role", "fundtracker_app", "--password-env", "FUNDTRACKER_APP_PASSWORD"]
    )
    assert result.exit_code == 0, result.output
    assert "not-for-the-terminal" not in result.output
    grants = {line.split(" TO ")[0] for line in result.output.splitlines() if line.startswith("GRANT")}
    assert any(g.startswith("GRANT SELECT, INSERT ON") and '"public"."ledger_entries"' in g for g in grants)
    assert 'GRANT SELECT ON TABLE "public"."alembic_version"' in grants


@postgres_only
def test_db_roles_refuses_a_superuser_or_the_owner(app):
    owner = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).username
    result = app.test_cli_runner().invoke(args=["db-roles", "--app-role", owner, "--apply"])
    assert result.exit_code != 0 and "superuser or owns the tables" in result.output


@postgres_only
def test_db_roles_run_by_the_app_role_itself_is_refused(app_role_url, database_url, tmp_path):
    app = owner_app(app_role_url.render_as_string(hide_password=False), tmp_path)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db-roles", "--app-role", "fundtracker_other_test", "--apply"])
        db.engine.dispose()
    assert result.exit_code != 0 and "PostgreSQL refused" in result.output, result.output


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite")
def test_db_roles_on_sqlite_explains_there_are_no_roles(app):
    result = app.test_cli_runner().invoke(args=["db-roles", "--app-role", "fundtracker_app"])
    assert result.exit_code != 0
    assert "SQLite has no roles" in result.output and "verify-ledger" in result.output


@pytest.mark.parametrize("name", ['app"; DROP TABLE users; --', "App", "1app", "pg_app", "public", "", "a" * 64])
def test_role_names_are_plain_identifiers(name):
    with pytest.raises(ValueError):
        validate_role_name(name)
