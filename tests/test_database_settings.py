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


@pytest.mark.skipif(USE_POSTGRES, reason="a SQLite setting")
def test_negative_sqlite_cache_and_map_settings_count_as_none(make_app, monkeypatch):
    """SQLITE_CACHE_MIB=-5 would write `PRAGMA cache_size=--5120`, a comment after the '=': the settings are
    clamped at 0 (no map; SQLite's smallest cache) and the connection still opens."""
    monkeypatch.setenv("SQLITE_CACHE_MIB", "-5")
    monkeypatch.setenv("SQLITE_MMAP_MIB", "-1")
    app = make_app()
    assert (app.config["SQLITE_CACHE_MIB"], app.config["SQLITE_MMAP_MIB"]) == (0, 0)
    with app.app_context():
        assert db.session.execute(text("PRAGMA mmap_size")).scalar() == 0
