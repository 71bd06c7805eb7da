"""The dashboard page: who may see it, its navigation entry, flat query counts, the Excel download, the
connected sections, print on A4 landscape, no inline script or style under the CSP, both languages."""
import io
from datetime import date

import pytest
from jinja2 import ChoiceLoader, DictLoader
from openpyxl import load_workbook

from fundtracker.auth.roles import Role
from fundtracker.dashboard.services import DashboardFilter
from fundtracker.pools.services import paid_to_projects_fen
from fundtracker.security import CONTENT_SECURITY_POLICY
from fundtracker.signals import Hook, Section, connect

from ..conftest import login
from ..query_counter import count_queries
from .conftest import WAN

COUNTY = [Role.APPROVER, Role.FINANCE, Role.REVIEWER, Role.ADMIN]


@pytest.mark.parametrize("role", COUNTY)
def test_county_roles_see_the_dashboard_and_its_navigation_entry(app, client, login_as, role):
    login_as(role)
    assert client.get("/dashboard").status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert 'href="/dashboard"' in home and "Fund overview" in home


@pytest.mark.parametrize("role", [Role.VILLAGE, Role.TOWN])
def test_village_and_township_users_are_refused_and_have_no_entry(app, client, login_as, role):
    login_as(role)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard.xlsx").status_code == 403
    assert 'href="/dashboard"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/dashboard", "/dashboard.xlsx", "/dashboard?year=2026"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _grow(funded_project, make_village, make_funded_pool, rounds: int, start: int):
    for number in range(start, start + rounds):
        pool = make_funded_pool(name=f"资金池{number}")
        funded_project(make_village(), pool, title=f"项目{number}",
                       payments=[(date(2025, 1 + number % 12, 3), 1), (date(2026, 1 + number % 9, 4), 2)],
                       returns_by_year=[(2023 + number % 3, 30, 10)])


def test_query_count_does_not_grow_with_pools_projects_payments_townships_or_years(
        app, county_client, funded_project, make_village, make_funded_pool):
    _grow(funded_project, make_village, make_funded_pool, 2, 0)
    with count_queries() as few:
        assert county_client.get("/dashboard").status_code == 200
    _grow(funded_project, make_village, make_funded_pool, 8, 2)
    with count_queries() as many:
        page = county_client.get("/dashboard")
    assert page.status_code == 200 and "资金池9" in page.get_data(as_text=True)
    assert many.count == few.count, "\n".join(many.statements)
    with count_queries() as export:
        county_client.get("/dashboard.xlsx")
    assert export.count <= few.count


def test_the_excel_download_has_one_sheet_per_table_with_the_same_numbers(
        app, county_client, funded_project, make_village, make_funded_pool):
    village = make_village(name="东村")
    funded_project(village, make_funded_pool(), payments=[(date(2026, 2, 5), 30), (date(2026, 3, 1), 12)],
                   returns_by_year=[(2025, 120, 70)])
    response = county_client.get("/dashboard.xlsx?year=2026")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Pools by source", "Committed, paid, available", "Payments by month",
                                   "Returns by year", "Colours by township", "Projects by status"]
    payments = [list(row) for row in workbook["Payments by month"].iter_rows(values_only=True)]
    assert payments == [["Month", "Paid to projects (yuan)"], ["2026-02", 300_000], ["2026-03", 120_000],
                        ["Total", 420_000]]
    assert sum(paid_to_projects_fen().values()) == 42 * WAN
    statuses = {row[0]: row[1] for row in workbook["Projects by status"].iter_rows(min_row=2, values_only=True)}
    assert statuses["In progress"] == 1 and statuses["Total"] == 1


def test_a_section_connected_to_the_hook_is_rendered_with_the_filters(app, county_client):
    seen = []

    def best_and_worst(filters):
        seen.append((filters.year, filters.township_id, filters.pool_id))
        return Section("Top and bottom projects", "test/_scores.html", {"best": "高市村牧场", "year": filters.year})

    app.jinja_env.loader = ChoiceLoader([DictLoader({"test/_scores.html": "<p>{{ best }} · {{ year }}</p>"}),
                                         app.jinja_env.loader])
    connect(app, Hook.DASHBOARD_SECTION, best_and_worst)
    connect(app, Hook.DASHBOARD_SECTION, lambda filters: None)  # a domain with nothing to show
    page = county_client.get("/dashboard?year=2025&pool=7").get_data(as_text=True)
    assert "<h2>Top and bottom projects</h2>" in page and "<p>高市村牧场 · 2025</p>" in page
    assert seen == [(2025, None, 7)]


def test_the_download_is_excel_only(app, county_client):
    assert county_client.get("/dashboard.csv").status_code == 404


def test_the_page_prints_on_a4_landscape(app, county_client):
    page = county_client.get("/dashboard").get_data(as_text=True)
    assert 'href="/static/css/dashboard.css"' in page
    css = county_client.get("/static/css/dashboard.css").get_data(as_text=True)
    assert "@page { size: A4 landscape;" in css
    assert "@page" not in county_client.get("/").get_data(as_text=True).split("dashboard.css")[0][-200:]
    assert 'href="/static/css/dashboard.css"' not in county_client.get("/").get_data(as_text=True)


def test_charts_are_server_side_svg_with_titles_and_nothing_inline_for_the_csp(
        app, county_client, funded_project, make_village, make_funded_pool):
    funded_project(make_village(), make_funded_pool(), payments=[(date(2026, 2, 5), 30)],
                   returns_by_year=[(2025, 120, 70)])
    response = county_client.get("/dashboard")
    page = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page.count('role="img"') >= 6 and page.count("<title id=") >= 6
    assert "<title>2026-02 · Paid to projects: 30.00万元</title>" in page
    assert "style=" not in page and "<style" not in page
    assert all('src="' in tag for tag in page.split("<script")[1:])


def test_the_page_speaks_chinese(app, county_client):
    page = county_client.get("/dashboard", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "资金运行总览" in page and "按月拨付情况" in page


def test_filters_pass_through_as_attributes():
    filters = DashboardFilter(year=2026, township_id=3)
    assert filters.year == 2026 and filters.pool_id is None
    assert filters.query_args() == {"year": 2026, "township": 3}


@pytest.mark.parametrize("role, linked", [(Role.FINANCE, True), (Role.REVIEWER, False)])
def test_pool_names_link_to_the_pool_page_only_for_those_who_may_read_it(
        app, client, login_as, make_funded_pool, role, linked):
    pool = make_funded_pool()
    login_as(role)
    page = client.get("/dashboard").get_data(as_text=True)
    assert pool.name in page
    assert (f'href="/pools/{pool.id}"' in page) == linked
