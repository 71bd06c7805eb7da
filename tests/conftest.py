"""Fresh app per test; a database built by the real migrations, clean for every test.

SQLite (default): the migrated database is built once per run and copied for each test.
PostgreSQL (FUNDTRACKER_TEST_DB=postgresql, URL in TEST_DATABASE_URL): the schema is
rebuilt by the migrations once per run and every table is truncated after each test.
"""
import os
import shutil
from itertools import count

import pytest
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fundtracker import create_app
from fundtracker.auth import services as accounts
from fundtracker.auth.roles import Department, Role
from fundtracker.extensions import db
from fundtracker.geo import services as geo

settings.register_profile(
    "bounded", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "bounded"))

USE_POSTGRES = os.environ.get("FUNDTRACKER_TEST_DB") == "postgresql"
PASSWORD = "correct-horse-battery"
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "SQLITE_BUSY_TIMEOUT_MS": 30000,
    # Assertions read English messages; the Chinese pages are tested with an explicit Accept-Language.
    "BABEL_DEFAULT_LOCALE": "en",
}


def postgres_url() -> str:
    """TEST_DATABASE_URL; under pytest-xdist each worker gets its own database beside it (…_gw0, …_gw1),
    created on first use, so that the workers' truncations never meet."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.exit("FUNDTRACKER_TEST_DB=postgresql needs TEST_DATABASE_URL", returncode=2)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _database_of_worker(make_url(url), worker).render_as_string(hide_password=False) if worker else url


def _database_of_worker(url, worker: str):
    own = url.set(database=f"{url.database}_{worker}")
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")  # the maintenance database
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": own.database}).scalar():
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own


class FreshGlobalsClient(FlaskClient):
    """Tests keep one app context open, and Flask reuses it for requests. Empty g around
    each request, as a real server does, so that the signed-in user, the language and the
    CSRF token cached there come from the request's own cookie."""

    def open(self, *args, **kwargs):
        vars(g).clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            vars(g).clear()


def migrate_to_head(url: str, upload_folder) -> None:
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(upload_folder)})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("db")
    if USE_POSTGRES:
        url = postgres_url()
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate_to_head(url, folder)
        return url
    path = folder / "template.sqlite3"
    migrate_to_head(f"sqlite:///{path}", folder)
    return path


_cleanup_engines = {}


def _truncate_all(url: str) -> None:
    """Empty every table after a test. As a superuser (CI, the local server) DELETE with triggers and
    foreign-key checks switched off for the transaction is five times faster than TRUNCATE on small
    tables; otherwise TRUNCATE. The append-only triggers stay in force for the tests themselves."""
    engine = _cleanup_engines.setdefault(url, create_engine(url))
    with engine.begin() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
        ).scalars().all()
        superuser = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
        if superuser:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
        elif tables:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if USE_POSTGRES:
        yield migrated_database
        _truncate_all(migrated_database)
        return
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_database, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url, tmp_path):
    created = []

    def factory(**overrides):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
                          "UPLOAD_FOLDER": str(tmp_path / "uploads"), **overrides})
        app.test_client_class = FreshGlobalsClient
        created.append(app)
        return app

    yield factory
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


_unique = count(1)


@pytest.fixture
def make_township(app):
    def factory(name=None):
        township = geo.save_township(None, name=name or f"乡镇{next(_unique)}", code=None)
        db.session.commit()
        return township

    return factory


@pytest.fixture
def make_village(app, make_township):
    def factory(name=None, township=None):
        township = township or make_township()
        village = geo.save_village(None, township_id=township.id, name=name or f"村{next(_unique)}", code=None)
        db.session.commit()
        return village

    return factory


@pytest.fixture
def make_user(app, make_village):
    def factory(*roles, username=None, village=None, township=None, department=None, password=PASSWORD):
        roles = roles or (Role.ADMIN,)
        if Role.VILLAGE in roles and village is None:
            village = make_village()
        if Role.TOWN in roles and township is None:
            township = village.township if village is not None else make_village().township
        if Role.REVIEWER in roles and department is None:
            department = Department.FINANCE
        user = accounts.create_user(
            username=username or f"user{next(_unique)}",
            display_name=username or "Test user",
            password=password,
            roles=roles,
            department=department,
            village_id=village.id if village else None,
            township_id=township.id if township else None,
        )
        db.session.commit()
        return user

    return factory


def login(client, user_or_name, password=PASSWORD):
    username = getattr(user_or_name, "username", user_or_name)
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def login_as(client, make_user):
    def factory(*roles, **kwargs):
        user = make_user(*roles, **kwargs)
        response = login(client, user)
        assert response.status_code == 303, response.get_data(as_text=True)
        return user

    return factory
