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


@pytest.mark.skipif(USE_POSTGRES, reason="a SQLite setting")
def test_sqlite_connections_keep_a_county_sized_cache_and_read_through_a_memory_map(app):
    assert db.session.execute(text("PRAGMA cache_size")).scalar() == -app.config["SQLITE_CACHE_MIB"] * 1024 == -64 * 1024
    assert db.session.execute(text("PRAGMA mmap_size")).scalar() == app.config["SQLITE_MMAP_MIB"] * 1024 * 1024 > 0
