"""Journey 3, in Chinese: county finance records each kind of money on a pool — a contribution of every
source (a bank loan with its collateral), a loan repayment and a reversal — with the pool's figures
changing in place, and exports the statement. Once on a desktop with JavaScript, once on a phone without
it (every page seen fits 390 px)."""
import csv
import io
from decimal import Decimal
from functools import partial

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from .conftest import BOTH_WAYS, DESKTOP_WITH_JS, PHONE_WITHOUT_JS

POOL = "/pools/2"  # the demo's 2026 pool


def balance(page) -> Decimal:
    shown = page.locator("#pool-figures dd").first.inner_text().split()[0]
    return Decimal(shown.lstrip("¥").replace(",", ""))


def expect_balance(page, amount: Decimal) -> None:
    expect(page.locator("#pool-figures dd").first).to_contain_text(f"¥{amount:,.2f}")


def record_contribution(finance, source: str, contributor: str, amount: str, **loan) -> None:
    """One contribution; the pool's figures, its latest entries and a fresh form follow in place."""
    page = finance.page
    before = balance(page)
    page.select_option("#source_type", source)
    page.fill("#contributor", contributor)
    page.fill("#amount", amount)
    page.fill("#received_on", "2026-11-02")
    for field, value in loan.items():
        if page.locator(f"select#{field}").count():
            page.select_option(f"#{field}", value)
        else:
            page.fill(f"#{field}", value)
    page.click("#contribution-form button[type=submit]")
    expect(page.locator("#recent-entries tbody tr").first).to_contain_text(contributor)
    expect_balance(page, before + Decimal(amount.replace(",", "")))
    expect(page.locator("#contributor")).to_have_value("")  # a fresh form with a new one-time token
    assert page.url.endswith(POOL)
    finance.seen()


LOAN = {"lender": "浙江青田农村商业银行", "annual_rate": "3.85", "term_months": "36", "loan_start_on": "2026-11-02",
        "collateral-0-name": "高市村老粮站（闲置）", "collateral-0-kind": "office_building",
        "collateral-0-estimated_value": "1,200,000"}


@pytest.mark.parametrize("way", BOTH_WAYS)
def test_finance_records_every_kind_of_money_and_exports_the_statement(visit, way):
    finance = partial(visit, **way)("finance")
    page = finance.page
    tag = "手机" if way["phone"] else "电脑"
    finance.goto(POOL)
    record_contribution(finance, "subsidy", f"县财政局（{tag}）", "100,000")
    record_contribution(finance, "self_raised", f"高市村股份经济合作社（{tag}）", "20,000.50")
    record_contribution(finance, "donation", f"青田籍华侨（{tag}）", "8,888")
    record_contribution(finance, "other", f"村企结对帮扶（{tag}）", "5,000")
    record_contribution(finance, "loan", f"浙江青田农村商业银行（{tag}）", "300,000", **LOAN)

    before = balance(page)  # the loan's first repayment: principal and interest leave the pool
    finance.goto(f"/pools/loans?pool={POOL.rsplit('/', 1)[1]}")
    page.locator("a[href$='/repayments']", has_text=LOAN["lender"]).last.click()
    finance.seen()
    page.fill("#paid_on", "2026-11-20")
    page.fill("#principal", "10,000")
    page.fill("#interest", "500")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    finance.seen()
    finance.goto(POOL)
    expect_balance(page, before - Decimal("10500"))

    before = balance(page)  # a contribution recorded by mistake is reversed, with the reason
    page.locator("#recent-entries tr", has_text=f"村企结对帮扶（{tag}）").locator("a[href$='/reverse']").click()
    finance.seen()
    page.fill("#reason", "重复登记，予以冲销。")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    finance.seen()
    finance.goto(POOL)
    expect_balance(page, before - Decimal("5000"))

    finance.goto(f"{POOL}/statement")
    with page.expect_download() as download:
        page.click("a[href*='statement.csv']")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert any(f"县财政局（{tag}）" in cell for row in rows for cell in row)
    with page.expect_download() as download:
        page.click("a[href*='statement.xlsx']")
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = [str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row if cell is not None]
    assert any(f"青田籍华侨（{tag}）" in cell for cell in cells)
    finance.assert_fits()
    finance.assert_no_console_errors()


@pytest.mark.parametrize("way", [DESKTOP_WITH_JS, PHONE_WITHOUT_JS])
def test_a_loan_without_collateral_is_refused_with_its_message(visit, zh, way):
    finance = partial(visit, **way)("finance")
    page = finance.page
    finance.goto(POOL)
    before = balance(page)
    page.select_option("#source_type", "loan")
    page.fill("#contributor", "无抵押贷款")
    page.fill("#amount", "50,000")
    page.fill("#received_on", "2026-11-02")
    for field in ("lender", "annual_rate", "term_months", "loan_start_on"):
        page.fill(f"#{field}", LOAN[field])
    page.click("#contribution-form button[type=submit]")
    expect(page.locator("#contribution-form")).to_contain_text(
        zh("List at least one collective asset pledged as collateral."))
    finance.goto(POOL)
    expect_balance(page, before)
