import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from fundtracker.extensions import db
from fundtracker.projects.library import outside_text_search_index

from .conftest import USE_POSTGRES


def test_models_match_the_migrations(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_object": outside_text_search_index})
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
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert version == script.get_current_head()
