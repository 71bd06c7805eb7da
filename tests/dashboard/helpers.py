from contextlib import contextmanager

from flask_login import login_user


@contextmanager
def signed_in_as(app, user):
    """A request context of this user (the dashboard's services read the request's scope and build URLs)."""
    with app.test_request_context("/dashboard"):
        login_user(user)
        yield


def column(table, header) -> list:
    """The values of one column of a dashboard table, by its header."""
    field = next(f for f in table.fields if str(f.header) == str(header))
    return [field.value(row) for row in table.rows]


def by_first_column(table, header) -> dict:
    keys = [str(table.fields[0].value(row)) for row in table.rows]
    return dict(zip(keys, column(table, header)))
