"""A write that waits past the database's lock timeout for another one is told to try again (503 with
Retry-After, nothing saved), never shown a server error."""
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from fundtracker.auth import services as accounts
from fundtracker.auth.models import User
from fundtracker.auth.roles import Role
from fundtracker.extensions import db

from .conftest import PASSWORD, USE_POSTGRES, login

pytestmark = pytest.mark.skipif(USE_POSTGRES, reason="the SQLite write lock (PostgreSQL waits on rows)")


@pytest.fixture
def busy_app(make_app):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=50)
    with app.app_context():
        accounts.create_user(username="clerk", display_name="Clerk", password=PASSWORD, roles=[Role.FINANCE])
        db.session.commit()
        yield app


def hold_the_write_lock(app) -> sqlite3.Connection:
    """Another server's long write: a second connection that has begun a write transaction."""
    other = sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_sign_in_behind_a_long_write_is_told_to_retry_and_saves_nothing(busy_app):
    other = hold_the_write_lock(busy_app)
    try:
        response = login(busy_app.test_client(), "clerk")
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Nothing was saved" in response.get_data(as_text=True)
    db.session.remove()
    clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
    assert clerk.last_login_at is None and clerk.failed_login_count == 0


def test_once_the_other_write_ends_the_same_sign_in_goes_through(busy_app):
    other = hold_the_write_lock(busy_app)
    other.rollback()
    other.close()
    assert login(busy_app.test_client(), "clerk").status_code == 303
