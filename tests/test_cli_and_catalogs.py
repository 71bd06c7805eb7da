import sqlite3

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from fundtracker import ROOT
from fundtracker.auth.models import User
from fundtracker.demo import DEMO_PASSWORD, DEMO_USERS
from fundtracker.extensions import db

from .conftest import USE_POSTGRES, login


def test_seed_demo_creates_one_user_per_role_who_can_sign_in(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(func.count(User.id))).scalar_one() == len(DEMO_USERS)
    roles = set().union(*(u.roles for u in db.session.execute(select(User)).scalars()))
    assert roles == {"village", "town", "reviewer", "approver", "finance", "admin"}
    assert login(app.test_client(), "finance", DEMO_PASSWORD).status_code == 303
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "already has data" in again.output
    assert runner.invoke(args=["seed-demo"]).exit_code != 0


def test_create_admin(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--username", "boss", "--password", "long-enough-1"])
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "boss", "long-enough-1").status_code == 303
    short = app.test_cli_runner().invoke(args=["create-admin", "--username", "boss2", "--password", "short"])
    assert short.exit_code != 0


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite online backup")
def test_backup_copies_the_sqlite_database(app, tmp_path):
    app.test_cli_runner().invoke(args=["seed-demo"])
    target = tmp_path / "backup.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == len(DEMO_USERS)


@pytest.mark.skipif(not USE_POSTGRES, reason="PostgreSQL hint")
def test_backup_on_postgres_points_to_pg_dump(app):
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "pg_dump" in result.output


@pytest.mark.parametrize("language", ["zh", "en"])
def test_catalogs_are_complete(language):
    path = ROOT / "fundtracker/translations" / language / "LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    with (ROOT / "fundtracker/translations/messages.pot").open("rb") as handle:
        template = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    missing = [m.id for m in template if m.id and m.id not in catalog]
    assert not untranslated, untranslated[:10]
    assert not missing, missing[:10]
