"""Local county time on the pages and in the exports (the TIMEZONE setting), one date format per language."""
import csv
import io
from datetime import date, datetime

from flask_babel import force_locale

from fundtracker.extensions import db
from fundtracker.formatting import local_date, local_datetime
from fundtracker.pools.models import LedgerEntry

from ..pools.test_contributions import GOOD, post


def test_one_date_format_per_language(app):
    with app.test_request_context(), force_locale("zh"):
        assert local_date(date(2026, 11, 24)) == "2026年11月24日"
        assert local_datetime(datetime(2026, 11, 24, 2, 23)) == "2026年11月24日 10:23"  # stored UTC, shown local
    with app.test_request_context(), force_locale("en"):
        assert local_date(date(2026, 11, 24)) == "24 Nov 2026"
        assert local_datetime(datetime(2026, 11, 24, 2, 23)) == "24 Nov 2026 10:23"


def test_the_timezone_setting_moves_the_shown_time(make_app):
    app = make_app(TIMEZONE="Europe/London")
    with app.app_context(), app.test_request_context(), force_locale("en"):
        assert local_datetime(datetime(2026, 11, 24, 2, 23)) == "24 Nov 2026 02:23"


def test_exports_write_county_time_and_say_so(finance_client, pool):
    assert post(finance_client, pool, GOOD).status_code == 303
    entry = db.session.query(LedgerEntry).one()
    entry_time = entry.created_at
    rows = list(csv.reader(io.StringIO(
        finance_client.get(f"/pools/{pool.id}/statement.csv").get_data(as_text=True).lstrip("\ufeff"))))
    header, first = rows[0], rows[1]
    column = next(i for i, title in enumerate(header) if title.startswith("Recorded at"))
    assert header[column] == "Recorded at (Asia/Shanghai)"
    from fundtracker.formatting import to_local
    with finance_client.application.app_context():
        assert first[column] == to_local(entry_time).isoformat(sep=" ", timespec="seconds")
    assert "T" not in first[column]


def test_dates_on_the_chinese_pages(finance_client, pool):
    assert post(finance_client, pool, GOOD).status_code == 303
    page = finance_client.get(f"/pools/{pool.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "2026年3月1日" in page
