"""Page speed with a county's worth of data: seed `--scale N` into a fresh database, then time pages.

    .venv/bin/python scripts/benchmark.py [--scale 100] [--repeat 5] [--database-url URL]

Without --database-url a temporary SQLite file is used. Prints the median and worst time and the
number of SQL statements per page. A measurement, not a test: nothing here fails on a slow machine.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from fundtracker import create_app  # noqa: E402
from fundtracker.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from fundtracker.extensions import db  # noqa: E402
from fundtracker.pools.models import FundPool, LedgerEntry  # noqa: E402
from fundtracker.projects.models import Project  # noqa: E402

PAGES = [
    ("finance", "/"),
    ("finance", "/pools"),
    ("finance", "/pools/{big_pool}"),
    ("finance", "/pools/{big_pool}/statement"),
    ("finance", "/pools/{big_pool}/statement?after=950"),
    ("finance", "/pools/{big_pool}/statement?go_to=2026-10-01"),
    ("finance", "/pools/{big_pool}/statement?kind=contribution&date_from=2026-03-01"),
    ("finance", "/pools/loans?page=3"),
    ("approver", "/pools"),
    ("approver", "/dashboard"),
    ("approver", "/dashboard?year=2026"),
    ("approver", "/"),
    ("approver", "/projects"),
    ("approver", "/projects?page=40"),
    ("approver", "/projects?status=vetting&sort=-requested"),
    ("approver", "/projects?q=示范村050&category=other"),
    ("approver", "/projects/1"),
    ("approver", "/projects/1/timeline"),
    ("approver", "/projects/1/vetting"),
    ("approver", "/projects/1/feasibility-report"),
    ("approver", "/vetting"),
    ("village", "/projects"),
    ("reviewer_agri", "/"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    return parser.parse_args()


def build_app(url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "benchmark"})
    with app.app_context():
        upgrade()
    return app


def seed(app, scale: int) -> dict:
    with app.app_context():
        started = time.perf_counter()
        seed_demo(scale)
        db.session.commit()
        entries = db.session.execute(select(func.count(LedgerEntry.id))).scalar_one()
        projects = db.session.execute(select(func.count(Project.id))).scalar_one()
        big_pool = db.session.execute(select(func.max(FundPool.id))).scalar_one()
        print(f"seeded scale {scale}: {entries:,} ledger entries, {projects:,} projects "
              f"in {time.perf_counter() - started:.1f} s")
        return {"big_pool": big_pool}


def time_pages(app, names: dict, repeat: int) -> None:
    clients = {}
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
    print(f"{'page':70} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for user, pattern in PAGES:
        client = clients.get(user)
        if client is None:
            client = clients[user] = app.test_client()
            client.post("/login", data={"username": user, "password": DEMO_PASSWORD})
        url = pattern.format(**names)
        timings = []
        for _ in range(repeat):
            statements.clear()
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{user + ' ' + url:70} {statistics.median(timings):10.1f} {max(timings):8.1f} {len(statements):8d}")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/benchmark.sqlite3"
        app = build_app(url)
        names = seed(app, args.scale)
        time_pages(app, names, args.repeat)


if __name__ == "__main__":
    main()
