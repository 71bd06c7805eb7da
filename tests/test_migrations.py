import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from fundtracker.audit.services import record_audit
from fundtracker.extensions import db

from .conftest import USE_POSTGRES


def test_models_match_the_migrations(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


@pytest.mark.skipif(USE_POSTGRES, reason="the shared PostgreSQL schema is rebuilt once per run")
def test_upgrade_an_empty_database_to_head_and_back(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with app.app_context():
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert "users" not in inspect(db.engine).get_table_names()
        upgrade()
        assert "audit_events" in inspect(db.engine).get_table_names()


def test_the_migrated_schema_is_at_head(app):
    version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    script_heads = app.extensions["migrate"].migrate.get_config().get_main_option("script_location")
    assert version and script_heads


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"])
def test_audit_trail_is_append_only_in_the_database(app, statement):
    record_audit("test.event", "test", 1, summary="original")
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    assert db.session.execute(text("SELECT action FROM audit_events")).scalar_one() == "test.event"
