"""lock_row() serialises read-then-write transactions of two processes on both databases."""
import multiprocessing

from fundtracker.auth.models import User
from fundtracker.auth.roles import Role
from fundtracker.database import lock_row
from fundtracker.extensions import db

from .conftest import BASE_CONFIG

CONTEXT = multiprocessing.get_context("spawn")


def _increment(database_url, user_id, my_read_done, other_read_done, first):
    """Read the counter under lock_row, then write counter + 1."""
    from fundtracker import create_app

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        if not first:
            other_read_done.wait(30)  # the first process holds the lock by now
        user = lock_row(User, user_id)
        seen = user.failed_login_count
        my_read_done.set()
        if first:
            # Give the second process the chance to read the same value; with the row
            # locked it cannot, and this times out.
            other_read_done.wait(1.5)
        user.failed_login_count = seen + 1
        db.session.commit()
        db.engine.dispose()


def test_two_processes_cannot_both_read_then_write_the_same_row(app, database_url, make_user):
    user_id = make_user(Role.FINANCE).id
    db.session.rollback()  # end our own (SQLite: write-intent) transaction before the race
    first_read, second_read = CONTEXT.Event(), CONTEXT.Event()
    first = CONTEXT.Process(target=_increment, args=(database_url, user_id, first_read, second_read, True))
    second = CONTEXT.Process(target=_increment, args=(database_url, user_id, second_read, first_read, False))
    first.start()
    second.start()
    first.join(60)
    second.join(60)
    assert (first.exitcode, second.exitcode) == (0, 0)
    db.session.expire_all()
    assert db.session.get(User, user_id).failed_login_count == 2
