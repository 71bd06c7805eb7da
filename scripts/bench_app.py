"""The application as `make bench` serves it: the real app, plus an X-Queries header with the
number of SQL statements each request ran (counted the way tests/query_counter.py counts) and an
X-Worker header with the worker's process id (the benchmark starts timing once every worker answers)."""
import os
import sys
from pathlib import Path

from flask import g
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fundtracker import create_app  # noqa: E402
from fundtracker.extensions import db  # noqa: E402

app = create_app()


def _count(conn, cursor, statement, *args):
    if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "PRAGMA")):
        try:
            g.bench_queries = g.get("bench_queries", 0) + 1
        except RuntimeError:  # outside a request
            pass


with app.app_context():
    event.listen(db.engine, "before_cursor_execute", _count)


@app.after_request
def _queries_header(response):
    response.headers["X-Queries"] = str(g.get("bench_queries", 0))
    response.headers["X-Worker"] = str(os.getpid())
    return response
