"""Connection settings the pages' speed depends on."""
import pytest
from sqlalchemy import text

from fundtracker.extensions import db

from .conftest import USE_POSTGRES


@pytest.mark.skipif(not USE_POSTGRES, reason="a PostgreSQL setting")
def test_postgresql_connections_do_not_jit_compile(app):
    assert db.session.execute(text("SHOW jit")).scalar() == "off"


@pytest.mark.skipif(USE_POSTGRES, reason="a SQLite setting")
def test_sqlite_connections_use_the_write_ahead_log(app):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
