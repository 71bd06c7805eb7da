"""The statement (running balance across pages, filters, exports), loans owed, query counts."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from fundtracker.clock import add_months
from fundtracker.extensions import db
from fundtracker.pools.loans import accrued_interest_fen, loan_positions
from fundtracker.pools.services import CollateralInput, LoanTerms, reverse_entry

from ..query_counter import count_queries


def running_balances(html: str) -> list[str]:
    import re

    return re.findall(r'<td class="num"[^>]*>(¥[\d,.\-]+)</td>\s*<td(?! class="num")', html)


@pytest.fixture
def small_pages(app):
    app.config["PAGE_SIZE"] = 3


def test_running_balance_continues_across_pages(finance_client, pool, contribute, small_pages):
    for yuan in range(1, 8):  # 1 + 2 + ... + 7
        contribute(pool, yuan * 100)
    first = finance_client.get(f"/pools/{pool.id}/statement").get_data(as_text=True)
    assert running_balances(first) == ["¥1.00", "¥3.00", "¥6.00"]
    assert "Entries 1–3 of 7" in first and f"/pools/{pool.id}/statement?after=3" in first
    second = finance_client.get(f"/pools/{pool.id}/statement?after=3").get_data(as_text=True)
    assert running_balances(second) == ["¥10.00", "¥15.00", "¥21.00"]
    assert f"statement?before=4" in second and f"statement?after=6" in second
    third = finance_client.get(f"/pools/{pool.id}/statement?after=6").get_data(as_text=True)
    assert running_balances(third) == ["¥28.00"] and "Later entries" not in third
    back = finance_client.get(f"/pools/{pool.id}/statement?before=7").get_data(as_text=True)
    assert running_balances(back) == ["¥10.00", "¥15.00", "¥21.00"]


@pytest.mark.parametrize("query, balances", [
    ("after=999999", ["¥28.00"]),  # past the end: the last page
    ("before=1", ["¥1.00", "¥3.00", "¥6.00"]),  # before the start: the first page
    ("after=-5&before=x", ["¥1.00", "¥3.00", "¥6.00"]),
    ("after=99999999999999999999", ["¥1.00", "¥3.00", "¥6.00"]),
    ("go_to=2026-01-05", ["¥15.00", "¥21.00", "¥28.00"]),
    ("go_to=2099-01-01", ["¥21.00", "¥28.00"]),
    ("go_to=not-a-date", ["¥1.00", "¥3.00", "¥6.00"]),
])
def test_a_statement_position_that_does_not_exist_gives_the_nearest_page(finance_client, pool, contribute,
                                                                       small_pages, query, balances):
    for yuan in range(1, 8):
        contribute(pool, yuan * 100, received_on=date(2026, 1, yuan))
    response = finance_client.get(f"/pools/{pool.id}/statement?{query}")
    assert response.status_code == 200
    assert running_balances(response.get_data(as_text=True))[-len(balances):] == balances


def test_filters_keep_the_true_running_balance(finance_client, pool, contribute, finance):
    contribute(pool, 100_00, received_on=date(2026, 1, 10))
    mistaken = contribute(pool, 50_00, received_on=date(2026, 2, 10))
    reverse_entry(pool.id, mistaken.ledger_entry_id, actor=finance, reason="duplicate", value_date=date(2026, 2, 11))
    db.session.commit()
    reversals = finance_client.get(f"/pools/{pool.id}/statement?kind=reversal").get_data(as_text=True)
    assert running_balances(reversals) == ["¥100.00"]
    february = finance_client.get(f"/pools/{pool.id}/statement?date_from=2026-02-01&date_to=2026-02-28")
    assert running_balances(february.get_data(as_text=True)) == ["¥150.00", "¥100.00"]


def test_csv_and_xlsx_exports_hold_every_entry_with_balances(finance_client, pool, contribute):
    contribute(pool, 1_234_567_89, contributor="=HYPERLINK(evil)")
    contribute(pool, 10_00, source="donation", contributor="侨商会")
    text = finance_client.get(f"/pools/{pool.id}/statement.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Entry" and len(rows) == 3
    assert rows[1][4] == "'=HYPERLINK(evil)"
    assert (rows[1][7], rows[1][8]) == ("1234567.89", "1234567.89")
    assert (rows[2][3], rows[2][8]) == ("Social donation", "1234577.89")
    response = finance_client.get(f"/pools/{pool.id}/statement.xlsx")
    assert response.headers["Content-Disposition"].endswith('.xlsx')
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[2][7] == 10.0 and values[2][8] == 1234577.89
    # Read as a finance office reads it: yuan with thousands separators, headers that fit, a totals row.
    assert sheet["H2"].number_format == "#,##0.00" and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["H"].width >= len("Amount (yuan)")
    assert values[3][0] == "Total" and values[3][7] == 1234577.89 and values[3][8] is None
    assert finance_client.get(f"/pools/{pool.id}/statement.pdf").status_code == 404


def test_interest_is_simple_on_outstanding_principal_actual_365():
    # 1,000,000.00 yuan at 3.85% for 365 days = 38,500.00 yuan.
    assert accrued_interest_fen(100_000_000, 385, date(2025, 1, 1), date(2026, 1, 1)) == 3_850_000
    # 73 days = one fifth of 38,500.00.
    assert accrued_interest_fen(100_000_000, 385, date(2025, 1, 1), date(2025, 3, 15)) == 770_000
    # Half the principal repaid after 73 days: 73 days on 1,000,000 + 292 days on 500,000.
    repaid = [(date(2025, 3, 15), 50_000_000)]
    assert accrued_interest_fen(100_000_000, 385, date(2025, 1, 1), date(2026, 1, 1), repaid) == 770_000 + 1_540_000
    # One day on 100.00 yuan at 3.85%: 0.0105 yuan, rounds half up to 1 fen.
    assert accrued_interest_fen(100_00, 385, date(2025, 1, 1), date(2025, 1, 2)) == 1
    assert accrued_interest_fen(100_00, 385, date(2025, 1, 1), date(2025, 1, 1)) == 0
    assert accrued_interest_fen(100_00, 0, date(2025, 1, 1), date(2030, 1, 1)) == 0


def test_loans_owed_show_maturity_warnings(finance_client, pool, contribute, app):
    today = date.today()
    soon = contribute(pool, 2_000_000_00, source="loan", received_on=add_months(today, -35),
                      loan=LoanTerms("农业银行", 385, 36, add_months(today, -35), "interest_yearly"),
                      collateral=[CollateralInput("闲置厂房", "factory", 800_000_00)])
    later = contribute(pool, 1_000_000_00, source="loan", received_on=today,
                       loan=LoanTerms("农商银行", 400, 60, today, "interest_yearly"),
                       collateral=[CollateralInput("礼堂", "hall", 100_000_00)])
    positions = {p.contribution.id: p for p in loan_positions([soon, later], today)}
    assert positions[soon.id].matures_soon and not positions[soon.id].overdue
    assert not positions[later.id].matures_soon
    assert positions[later.id].interest_accrued_fen == 0
    assert positions[soon.id].principal_outstanding_fen == 2_000_000_00
    page = finance_client.get("/pools/loans").get_data(as_text=True)
    assert "农业银行" in page and "闲置厂房" in page and "Matures in" in page
    home = finance_client.get("/").get_data(as_text=True)
    assert "Loans due within the warning window" in home and '<span class="badge">1</span>' in home
    exported = finance_client.get("/pools/loans.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert len(rows) == 3 and rows[1][1] == "农业银行" and rows[1][6] == "2000000.00" and rows[1][9] == "闲置厂房"


def test_lists_of_loans_do_not_load_who_recorded_them(finance_client, pool, contribute):
    """The loans owed show the lender, the pool and the collateral, never the entry's actor: the joined actor
    brought the recorder's village and township and, in a statement of its own, their roles."""
    for lender in ("农业银行", "农商银行"):
        contribute(pool, 1_000_000_00, source="loan", contributor=lender, received_on=date(2026, 1, 1),
                   loan=LoanTerms(lender, 385, 36, date(2026, 1, 1), "interest_yearly"),
                   collateral=[CollateralInput("礼堂", "hall", 100_000_00)])
    pool_name = pool.name
    db.session.remove()  # the page loads its rows as a new request would
    with count_queries() as queries:
        page = finance_client.get("/pools/loans").get_data(as_text=True)
    about_users = [s for s in queries.statements if "users" in s or "user_roles" in s]
    assert len(about_users) == 1, about_users  # the signed-in user's own
    assert "农业银行" in page and "农商银行" in page and "礼堂" in page and pool_name in page


def test_a_reversed_loan_owes_nothing(pool, contribute, finance):
    loan = contribute(pool, 500_000_00, source="loan", received_on=date(2026, 1, 1),
                      loan=LoanTerms("银行", 385, 12, date(2026, 1, 1), "bullet"),
                      collateral=[CollateralInput("礼堂", "hall", 1)])
    reverse_entry(pool.id, loan.ledger_entry_id, actor=finance, reason="wrong pool", value_date=date(2026, 1, 2))
    [position] = loan_positions([loan], date(2026, 6, 1))
    assert position.reversed and position.principal_outstanding_fen == 0 and position.interest_owed_fen == 0


def test_the_pool_list_sums_every_pool(finance_client, make_pool, contribute):
    contribute(make_pool(name="a"), 100_00)
    contribute(make_pool(name="b"), 250_50, source="donation")
    page = finance_client.get("/pools").get_data(as_text=True)
    footer = page[page.index("<tfoot>"):]
    assert footer.count("¥350.50") == 2 and "¥100.00" in footer and "¥250.50" in footer


def test_query_counts_do_not_grow_with_entries(finance_client, make_pool, contribute):
    pools = [make_pool(name=f"pool {n}") for n in range(3)]
    for pool in pools:
        contribute(pool, 100_00)

    def measure():
        with count_queries() as few_list:
            assert finance_client.get("/pools").status_code == 200
        with count_queries() as few_statement:
            assert finance_client.get(f"/pools/{pools[0].id}/statement").status_code == 200
        with count_queries() as few_pool:
            assert finance_client.get(f"/pools/{pools[0].id}").status_code == 200
        return few_list.count, few_statement.count, few_pool.count

    before = measure()
    for pool in pools:
        for number in range(12):
            contribute(pool, 100_00 + number, source=["subsidy", "donation", "self_raised"][number % 3])
    assert measure() == before


def test_a_dated_statement_s_figures_are_the_entries_summed_by_value_date(pool, contribute, finance):
    """The period figures come from the stored totals per day and kind: they equal the entries summed one by
    one, for back-dated entries and a reversal, for every kind filter; verify-ledger names a drifted total."""
    from sqlalchemy import select, update

    from fundtracker.pools.models import LedgerEntry, PoolDayTotal
    from fundtracker.pools.statement import StatementFilter, period_summary, statement_page
    from fundtracker.pools.verify import verify_ledger

    days = [date(2026, 1, 5), date(2026, 3, 1), date(2026, 2, 10), date(2026, 3, 1), date(2025, 12, 31)]
    contributions = [contribute(pool, (index + 1) * 100_00, received_on=day) for index, day in enumerate(days)]
    reverse_entry(pool.id, contributions[1].ledger_entry_id, actor=finance, reason="录错", value_date=date(2026, 2, 1))
    db.session.commit()
    entries = db.session.execute(select(LedgerEntry).where(LedgerEntry.pool_id == pool.id)).scalars().all()
    for date_from, date_to in [(date(2026, 2, 1), None), (None, date(2026, 2, 10)), (date(2026, 1, 5), date(2026, 3, 1))]:
        for kind in (None, "contribution", "reversal"):
            in_period = [e for e in entries if (date_from is None or e.value_date >= date_from)
                         and (date_to is None or e.value_date <= date_to) and kind in (None, e.kind)]
            expected = (sum(e.amount_fen for e in entries if date_from and e.value_date < date_from),
                        sum(e.amount_fen for e in in_period if e.amount_fen > 0),
                        sum(e.amount_fen for e in in_period if e.amount_fen < 0),
                        sum(e.amount_fen for e in entries if date_to is None or e.value_date <= date_to))
            filters = StatementFilter(date_from=date_from, date_to=date_to, kind=kind)
            summary = period_summary(pool, filters)
            assert (summary.opening_fen, summary.received_fen, summary.paid_out_fen, summary.closing_fen) == expected
            # the page starts its walk at the stored first sequence: an entry posted early but dated late is there
            listed = [row[0].id for row in statement_page(pool, filters, size=50).rows]
            assert listed == [e.id for e in sorted(in_period, key=lambda e: e.sequence)]
    assert verify_ledger().ok
    db.session.execute(update(PoolDayTotal).where(PoolDayTotal.value_date == date(2026, 3, 1))
                       .values(received_fen=PoolDayTotal.received_fen + 1))
    db.session.commit()
    assert any("stored totals of contribution on 2026-03-01" in v for v in verify_ledger().violations)
