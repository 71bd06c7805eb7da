"""The year, township and pool filters narrow each table as its note says (hand-built data)."""
from datetime import date

import pytest

from fundtracker.auth.roles import Role
from fundtracker.dashboard.services import DashboardFilter, dashboard_tables
from fundtracker.monitoring.stored import refresh_all
from fundtracker.extensions import db

from .conftest import WAN
from .helpers import by_first_column, column, signed_in_as


@pytest.fixture
def county(app, make_village, make_funded_pool, funded_project, make_user):
    east, west = make_village(name="东村"), make_village(name="西村")
    pool_2026, pool_2025 = make_funded_pool(name="2026 资金池"), make_funded_pool(name="2025 资金池")
    pool_2025.year = 2025
    db.session.commit()
    funded_project(east, pool_2026, title="东村项目", payments=[(date(2025, 3, 10), 20), (date(2026, 2, 5), 30)],
                   returns_by_year=[(2024, 100, 60), (2025, 120, 70)])
    funded_project(west, pool_2025, title="西村项目", payments=[(date(2026, 2, 20), 10)],
                   returns_by_year=[(2025, 50, 20)])
    refresh_all()  # the factory sets the projects' status directly, past the machine that stores their colour
    return {"east": east.township, "west": west.township, "pool_2026": pool_2026, "pool_2025": pool_2025,
            "viewer": make_user(Role.FINANCE, username="county-viewer")}


def _tables(app, county, **filters):
    with signed_in_as(app, county["viewer"]):
        return {table.key: table for table in dashboard_tables(DashboardFilter(**filters))}


def _payments(tables):
    return {month: paid // WAN for month, paid in by_first_column(tables["payments"], "Paid to projects").items()}


def _net(tables):
    return {year: net // WAN for year, net in by_first_column(tables["returns"], "Net income").items()}


def _pools(tables):
    return column(tables["pool-use"], "Fund pool")


def _monitored(tables):
    """Townships with monitored projects (every township has its row; most have none here)."""
    return {name: count for name, count in by_first_column(tables["colours"], "Monitored projects").items() if count}


def test_without_filters_everything_counts(app, county):
    tables = _tables(app, county)
    assert _payments(tables) == {"2025-03": 20, "2026-02": 40}
    assert _net(tables) == {"2024": 40, "2025": 80}
    assert sorted(_pools(tables)) == ["2025 资金池", "2026 资金池"]
    assert _monitored(tables) == {county["east"].name: 1, county["west"].name: 1}
    assert by_first_column(tables["statuses"], "Projects")["In progress"] == 2


def test_the_year_narrows_payments_returns_pools_and_projects(app, county):
    tables = _tables(app, county, year=2026)
    assert _payments(tables) == {"2026-02": 40}
    assert _net(tables) == {}
    assert _pools(tables) == ["2026 资金池"]
    assert _monitored(tables) == {county["east"].name: 1, county["west"].name: 1}  # today's status: no year
    assert by_first_column(_tables(app, county, year=2025)["statuses"], "Projects")["In progress"] == 0
    assert _net(_tables(app, county, year=2025)) == {"2025": 80}


def test_the_township_narrows_the_projects_but_not_the_pools(app, county):
    tables = _tables(app, county, township_id=county["east"].id)
    assert _payments(tables) == {"2025-03": 20, "2026-02": 30}
    assert _net(tables) == {"2024": 40, "2025": 50}
    assert sorted(_pools(tables)) == ["2025 资金池", "2026 资金池"]
    assert _monitored(tables) == {county["east"].name: 1}
    assert column(tables["colours"], "Township") == [county["east"].name]  # the other townships' rows are gone
    assert by_first_column(tables["statuses"], "Projects")["In progress"] == 1


def test_the_pool_narrows_the_pools_and_the_projects_it_finances(app, county):
    tables = _tables(app, county, pool_id=county["pool_2025"].id)
    assert _payments(tables) == {"2026-02": 10}
    assert _net(tables) == {"2025": 30}
    assert _pools(tables) == ["2025 资金池"]
    assert by_first_column(tables["pool-use"], "Paid to projects") == {"2025 资金池": 10 * WAN}
    assert _monitored(tables) == {county["west"].name: 1}


def test_filters_combine(app, county):
    tables = _tables(app, county, year=2026, township_id=county["east"].id, pool_id=county["pool_2026"].id)
    assert _payments(tables) == {"2026-02": 30}
    assert _pools(tables) == ["2026 资金池"]


def test_the_page_reads_the_filters_from_the_query_string_and_keeps_them_in_the_form_and_the_export(
        app, county, county_client):
    page = county_client.get(f"/dashboard?year=2026&township={county['east'].id}").get_data(as_text=True)
    assert "¥300,000.00" in page and "¥400,000.00" not in page  # the east village's February, not both
    assert 'name="year" min="2000" max="2100" value="2026"' in page
    assert f'<option value="{county["east"].id}" selected>' in page
    assert f"/dashboard.xlsx?year=2026&amp;township={county['east'].id}" in page


@pytest.mark.parametrize("query", ["year=abc", "year=99999", "township=-1", "pool=99999999999", "year=&pool="])
def test_a_filter_that_cannot_match_is_ignored_or_shows_nothing_never_an_error(app, county, county_client, query):
    assert county_client.get(f"/dashboard?{query}").status_code == 200
