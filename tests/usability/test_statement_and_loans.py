"""A dated statement has its opening balance and period totals; an inverted range says so; the loans
page names each loan's pool and says the interest is accrued since the start."""
from datetime import date

from ..pools.test_contributions import LOAN, post


def test_a_period_has_its_opening_balance_and_totals(finance_client, pool, contribute):
    contribute(pool, 100_000, received_on=date(2026, 1, 5))
    contribute(pool, 50_000, received_on=date(2026, 3, 5))
    contribute(pool, 20_000, received_on=date(2026, 5, 5))
    page = finance_client.get(f"/pools/{pool.id}/statement?date_from=2026-02-01&date_to=2026-04-30").get_data(
        as_text=True)
    period = page.split('class="card period"')[1].split("</p>")[0]
    assert "Opening balance <strong>¥1,000.00</strong>" in period
    assert "In this period <strong>¥500.00</strong>" in period
    assert "Closing balance <strong>¥1,500.00</strong>" in period


def test_an_inverted_range_gives_a_clear_error(finance_client, pool, contribute):
    contribute(pool, 100_000)
    page = finance_client.get(f"/pools/{pool.id}/statement?date_from=2026-05-01&date_to=2026-04-01").get_data(
        as_text=True)
    assert "The period ends before it starts" in page


def test_the_loans_page_names_the_pool(finance_client, pool):
    assert post(finance_client, pool, LOAN).status_code == 303
    page = finance_client.get("/pools/loans").get_data(as_text=True)
    assert f'href="/pools/{pool.id}">{pool.name}</a>' in page
    assert "Interest accrued since the start" in page
