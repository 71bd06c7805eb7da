"""What unit tests cannot see, in Chinese: that the browser applies the HTMX answers the way we mean (a
contribution's row with its out-of-band figures and form, a queue card updated in place), that live
totals follow the typing, that a section check never replaces what the user is typing, and that the CSP
blocks nothing we need. (The checks `make browser-check` ran before the suite existed.)"""
from decimal import Decimal

from playwright.sync_api import expect


def test_a_contribution_updates_the_pool_in_place_and_a_bad_amount_is_refused_in_the_form(visit, zh):
    finance = visit("finance")
    page = finance.page
    finance.goto("/pools/2")
    shown = page.locator("#pool-figures dd").first.inner_text().split()[0]
    expected = Decimal(shown.lstrip("¥").replace(",", "")) + Decimal("12345.67")
    page.fill("#contributor", "浏览器检查")
    page.fill("#amount", "12,345.67")
    page.fill("#received_on", "2026-11-01")
    page.click("#contribution-form button[type=submit]")
    expect(page.locator("#recent-entries tbody tr").first).to_contain_text("浏览器检查")
    expect(page.locator("#pool-figures")).to_contain_text(f"¥{expected:,.2f}")
    expect(page.locator("#contributor")).to_have_value("")  # a fresh form with a new one-time token
    assert page.url == f"{finance.base_url}/pools/2"
    page.fill("#contributor", "错误金额")
    page.fill("#amount", "1.234")
    page.fill("#received_on", "2026-11-01")
    page.click("#contribution-form button[type=submit]")
    expect(page.locator("#contribution-form .error")).to_contain_text(zh("Use at most two decimals (fen)."))
    finance.assert_no_console_errors()


def test_the_application_totals_follow_the_typing_and_a_section_check_keeps_the_input(visit, zh):
    village = visit("village")
    page = village.page
    village.goto("/projects/new")
    page.fill("#total_investment", "1,000,000")
    page.fill("#funding_subsidy", "600000")
    expect(page.locator("#application-summary")).to_contain_text(zh("%(gap)s still to plan", gap="¥400,000.00"))
    page.fill("#year_1_revenue", "300000")
    page.fill("#year_1_cost", "100000")
    expect(page.locator("#application-summary")).to_contain_text("¥200,000.00")
    expect(page.locator("#funding_subsidy")).to_have_value("600000")
    page.fill("#start_on", "2026-05-01")
    page.fill("#end_on", "2026-01-01")
    page.click("#title")
    expect(page.locator("#section-basics .section-check")).to_contain_text(
        zh("The end date is before the start date."))
    village.assert_no_console_errors()


def test_the_score_sheet_total_follows_the_typing_and_tabs_swap_in_place(visit, zh):
    reviewer = visit("reviewer_agri")
    page = reviewer.page
    reviewer.goto("/projects/2/vetting/sheet")
    for field, value in zip(page.locator("input[id^=score_]").all(), ["80", "76", "90", "70"]):
        field.fill(value)
    expect(page.locator("#sheet-total")).to_contain_text("79.00")
    reviewer.goto("/projects/2")
    page.click("nav.tabs a[href$='/projects/2/timeline']")
    expect(page.locator("#tab-content h2").first).to_have_text(zh("Timeline"))
    assert page.url.endswith("/projects/2/timeline")
    reviewer.assert_no_console_errors()


def test_the_payment_queue_refuses_a_red_project_in_its_card_until_an_override(visit, zh):
    """The demo project is red with an open warning: another finance user's approval in the queue is
    refused in the card itself. An approver records an override with a reason; the approval then goes
    through, and the card, the pool's available money and the queue's count change in place."""
    finance = visit("finance2")
    page = finance.page
    finance.goto("/disbursements")
    card = page.locator("article.queue-item").first
    before = card.locator("span[class^=pool-balance-]").inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name=zh("Approve and pay")).click()
    expect(card.locator(".error")).to_contain_text("高市村牧场扩建项目")
    approver = visit("approver")
    approver.goto("/projects/1/warnings/1/override")
    approver.page.fill("#comment", "灾后恢复生产急需资金，经集体研究同意先行拨付。")
    approver.page.click("main button[type=submit]")
    approver.page.wait_for_load_state()
    page.reload()
    card = page.locator("article.queue-item").first
    card.get_by_role("button", name=zh("Approve and pay")).click()
    expect(card).to_contain_text(zh("Approved, money paid out of the pool"))
    expect(page.locator("article.queue-item span[class^=pool-balance-]").first).not_to_have_text(before)
    expect(page.locator("#queue-count")).to_have_text("0")
    assert page.url == f"{finance.base_url}/disbursements"
    finance.assert_no_console_errors()


def test_the_township_confirms_progress_from_the_tranches_tab(visit, zh):
    town = visit("town")
    town.goto("/projects/1/tranches")
    town.page.get_by_role("button", name=zh("Confirm the progress")).first.click()
    expect(town.page.locator("#progress-reports")).not_to_contain_text(zh("Waiting for the township"))
    town.assert_no_console_errors()


def test_the_village_month_a_reading_a_return_and_its_distribution(visit, zh):
    """A reading of an indicator, a quarter's return, and its distribution plan whose remaining amount
    updates while typing."""
    village = visit("village")
    page = village.page
    village.goto("/projects/1/monitoring/indicators/1")
    page.fill("#value", "320")
    page.fill("#read_on", "2026-11-01")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("320")
    village.goto("/projects/1/returns/new")
    page.select_option("#period_kind", "quarter")
    page.fill("#period_start", "2026-07-01")
    page.fill("#revenue", "500,000")
    page.fill("#cost", "300,000")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/returns**")
    quarter = page.locator("tr", has_text=zh("%(year)d Q%(quarter)d", year=2026, quarter=3))
    quarter.get_by_role("link", name=zh("Draft a distribution")).click()
    for field, value in (("#collective_fen", "60,000"), ("#dividends_fen", "100,000"), ("#reinvestment_fen", "0"),
                         ("#risk_reserve_fen", "40,000"), ("#loan_service_fen", "0"), ("#households", "120")):
        page.fill(field, value)
    expect(page.locator("#remaining")).to_contain_text("¥200,000.00")
    expect(page.locator("#remaining strong").last).to_have_text("¥0.00")
    page.fill("#dividends_fen", "90,000")
    expect(page.locator("#remaining strong").last).to_have_text("¥10,000.00")
    village.assert_no_console_errors()
