"""Every dashboard figure equals the sum over the pages it summarises, for the demo county: the pool list and
the ledger, the project pages' payments, the returns tabs, the monitoring tabs and the project library."""
from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.auth.models import User
from fundtracker.extensions import db
from fundtracker.money import format_fen
from fundtracker.monitoring.services import MONITORED_STATUSES
from fundtracker.monitoring.status import project_status
from fundtracker.clock import local_today
from fundtracker.dashboard.services import DashboardFilter, dashboard_tables
from fundtracker.pools.models import SOURCE_TYPE_LABELS, FundPool
from fundtracker.pools.services import paid_to_projects_fen, recomputed_pool_figures
from fundtracker.pools.statement import recomputed_received_by_source
from fundtracker.projects.models import PROJECT_STATUS_LABELS, Project
from fundtracker.returns.figures import period_rows
from fundtracker.returns.models import PLAN_PARTS
from fundtracker.returns.services import plans_for

from .helpers import by_first_column, column, signed_in_as


@pytest.fixture
def tables(app, demo):
    approver = db.session.execute(select(User).where(User.username == "approver")).scalar_one()
    with signed_in_as(app, approver):
        yield {table.key: table for table in dashboard_tables(DashboardFilter())}


def _projects():
    return db.session.execute(select(Project).order_by(Project.id)).scalars().all()


def test_the_demo_has_something_in_every_table(tables):
    assert all(table.rows for table in tables.values())
    assert sum(column(tables["payments"], "Paid to projects")) > 0
    assert sum(column(tables["returns"], "Distributed (paid out)")) > 0
    assert sum(column(tables["colours"], "Red")) > 0


def test_pool_figures_equal_the_sums_over_the_ledger_and_the_project_payments(tables):
    pools = db.session.execute(select(FundPool)).scalars().all()
    recomputed = recomputed_pool_figures(p.id for p in pools)
    received = recomputed_received_by_source(p.id for p in pools)
    composition, use = tables["composition"], tables["pool-use"]
    for pool in pools:
        for source, label in SOURCE_TYPE_LABELS.items():
            assert by_first_column(composition, label)[pool.name] == received[pool.id][source]
        assert by_first_column(composition, "Received")[pool.name] == sum(received[pool.id].values())
        paid_from_pool = sum(paid_to_projects_fen(pool_id=pool.id).values())
        assert by_first_column(use, "Paid to projects")[pool.name] == paid_from_pool
        assert by_first_column(use, "Committed, not yet paid")[pool.name] == recomputed[pool.id].committed_fen
        assert by_first_column(use, "Balance")[pool.name] == recomputed[pool.id].balance_fen
        assert by_first_column(use, "Available")[pool.name] == recomputed[pool.id].available_fen


def test_payments_by_month_add_up_to_what_the_project_pages_show_as_paid(tables):
    paid_per_project = [paid_to_projects_fen([p.id]).get(p.id, 0) for p in _projects()]
    assert sum(column(tables["payments"], "Paid to projects")) == sum(paid_per_project) > 0


def test_returns_and_distributions_by_year_are_the_returns_tabs_summed(tables):
    revenue, net, distributed, dividends, households = (defaultdict(int) for _ in range(5))
    for project in _projects():
        for row in period_rows(project):
            revenue[row.record.period_start.year] += row.record.revenue_fen
            net[row.record.period_start.year] += row.record.net_fen
        for plan in plans_for(project.id):
            if plan.status == "paid":
                year = plan.record.period_start.year
                distributed[year] += sum(getattr(plan, part) for part in PLAN_PARTS)
                dividends[year] += plan.dividends_fen
                households[year] += plan.households
    table = tables["returns"]
    assert {int(y): v for y, v in by_first_column(table, "Revenue").items()} == revenue
    assert {int(y): v for y, v in by_first_column(table, "Net income").items()} == net
    assert {int(y): v for y, v in by_first_column(table, "Distributed (paid out)").items() if v} == distributed
    assert {int(y): v for y, v in by_first_column(table, "Households").items() if v} == households
    assert sum(column(table, "Member dividends (成员分红)")) == sum(dividends.values())


def test_colours_by_township_are_the_monitoring_tabs_counted(tables):
    expected = defaultdict(Counter)
    for project in _projects():
        if project.status in MONITORED_STATUSES:
            expected[project.village.township.name][project_status(project, local_today()).colour] += 1
    table = tables["colours"]
    for colour in ("Red", "Yellow", "Green"):
        counted = {name: count for name, count in by_first_column(table, colour).items() if count}
        assert counted == {name: c[colour.lower()] for name, c in expected.items() if c[colour.lower()]}


def test_projects_by_status_are_the_library_counts(tables):
    # The county's library lists applications once submitted (drafts stay with their village), and so does
    # the dashboard that counts it.
    expected = Counter(project.status for project in _projects() if project.status != "draft")
    counted = by_first_column(tables["statuses"], "Projects")
    assert counted == {str(label): expected.get(status, 0) for status, label in PROJECT_STATUS_LABELS.items()}


def test_the_dashboard_page_and_the_pool_list_show_the_same_totals(app, demo):
    from ..conftest import login

    client = app.test_client()
    login(client, "approver", "demo-password")
    dashboard, pools = client.get("/dashboard").get_data(as_text=True), client.get("/pools").get_data(as_text=True)
    all_pools = db.session.execute(select(FundPool)).scalars().all()
    paid = sum(sum(paid_to_projects_fen(pool_id=pool.id).values()) for pool in all_pools)
    balance = sum(pool.balance_fen for pool in all_pools)
    for figure in (format_fen(paid), format_fen(balance)):
        assert figure in dashboard and figure in pools


def test_a_project_returns_tab_shows_the_yearly_totals_the_dashboard_sums(app, village_user, make_project):
    """The returns tab's totals by year come from returns_by_year, the function of the dashboard's table."""
    from fundtracker.returns import services as returns

    from ..conftest import login
    from .conftest import WAN

    project = make_project(status="in_progress")
    for month, revenue in ((1, 30), (4, 40), (7, 50)):
        returns.record_return(project, returns.ReturnInput("quarter", date(2025, month, 1), revenue * WAN, 10 * WAN),
                              actor=village_user)
    db.session.commit()
    client = app.test_client()
    login(client, village_user)
    tab = client.get(f"/projects/{project.id}/returns").get_data(as_text=True)
    assert "Totals by year" in tab
    assert "<td>2025</td><td class=\"num\">¥1,200,000.00</td><td class=\"num\">¥300,000.00</td>" \
           "<td class=\"num\">¥900,000.00</td>" in tab
