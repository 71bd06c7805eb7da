"""Drive the HTMX pages in a real browser (headless Chromium) against a fresh demo server.

    make browser-check        # needs Debian's chromium (apt install chromium); installs playwright

Checks what unit tests cannot: that browsers parse the HTMX answers the way we mean (the
contribution row and the out-of-band figures and form), that live totals update while typing,
that a section check never replaces what the user is typing, and that the CSP blocks nothing we need.
Exits 1 on the first failed expectation.
"""
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BROWSER_CHECK_PORT", "5091"))
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
FLASK = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]


def start_server(folder: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/check.sqlite3", "SECRET_KEY": "browser-check"}
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(FLASK + command, cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(FLASK + ["run", "--port", str(PORT)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    return server


def signed_in(browser, user, console_errors):
    page = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"}).new_page()
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{BASE}/login")
    page.fill("#username", user)
    page.fill("#password", "demo-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{BASE}/")
    return page


def check_contribution(browser, errors):
    page = signed_in(browser, "finance", errors)
    page.goto(f"{BASE}/pools/2")
    balance = page.locator("#pool-figures dd").first.inner_text().split()[0]
    expected = Decimal(balance.lstrip("¥").replace(",", "")) + Decimal("12345.67")
    page.fill("#contributor", "browser check")
    page.fill("#amount", "12,345.67")
    page.fill("#received_on", "2026-11-01")
    page.click("#contribution-form button[type=submit]")
    expect(page.locator("#recent-entries tbody tr").first).to_contain_text("browser check")
    expect(page.locator("#pool-figures")).to_contain_text(f"¥{expected:,.2f}")
    expect(page.locator("#contributor")).to_have_value("")  # a fresh form with a new one-time token
    assert page.url == f"{BASE}/pools/2"
    page.fill("#contributor", "bad input")
    page.fill("#amount", "1.234")
    page.fill("#received_on", "2026-11-01")
    page.click("#contribution-form button[type=submit]")
    expect(page.locator("#contribution-form .error")).to_contain_text("two decimals")


def check_application(browser, errors):
    page = signed_in(browser, "village", errors)
    page.goto(f"{BASE}/projects/new")
    page.fill("#total_investment", "1,000,000")
    page.fill("#funding_subsidy", "600000")
    expect(page.locator("#application-summary")).to_contain_text("¥400,000.00 still to plan")
    page.fill("#year_1_revenue", "300000")
    page.fill("#year_1_cost", "100000")
    expect(page.locator("#application-summary")).to_contain_text("¥200,000.00")
    expect(page.locator("#funding_subsidy")).to_have_value("600000")
    page.fill("#start_on", "2026-05-01")
    page.fill("#end_on", "2026-01-01")
    page.click("#title")
    expect(page.locator("#section-basics .section-check")).to_contain_text("end date is before")


def check_score_sheet(browser, errors):
    page = signed_in(browser, "reviewer_agri", errors)
    page.goto(f"{BASE}/projects/2/vetting/sheet")
    for field, value in zip(page.locator("input[id^=score_]").all(), ["80", "76", "90", "70"]):
        field.fill(value)
    expect(page.locator("#sheet-total")).to_contain_text("79.00")
    page.goto(f"{BASE}/projects/2")
    page.click("nav.tabs a:has-text('Timeline')")
    expect(page.locator("#tab-content h2").first).to_have_text("Timeline")
    assert page.url.endswith("/projects/2/timeline")


def check_payment_queue(browser, errors):
    """The demo project is red with an open warning: another finance user's approval in the queue is
    refused in the card itself. An approver records an override with a reason; the approval then goes
    through, and the card, the pool's available money and the queue's count change in place."""
    page = signed_in(browser, "finance2", errors)
    page.goto(f"{BASE}/disbursements")
    card = page.locator("article.queue-item").first
    before = card.locator("span[class^=pool-balance-]").inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    card.locator("button:has-text('Approve and pay')").click()
    expect(card.locator(".error")).to_contain_text("override")
    approver = signed_in(browser, "approver", errors)
    approver.goto(f"{BASE}/projects/1/warnings/1/override")
    approver.fill("#comment", "灾后恢复生产急需资金，经集体研究同意先行拨付。")
    approver.click("main button[type=submit]")
    page.reload()
    card = page.locator("article.queue-item").first
    card.locator("button:has-text('Approve and pay')").click()
    expect(card).to_contain_text("Approved, money paid out of the pool")
    expect(page.locator("article.queue-item span[class^=pool-balance-]").first).not_to_have_text(before)
    expect(page.locator("#queue-count")).to_have_text("0")
    assert page.url == f"{BASE}/disbursements"


def check_progress_report(browser, errors):
    """The township confirms the demo's waiting progress report from the project's tranches tab."""
    page = signed_in(browser, "town", errors)
    page.goto(f"{BASE}/projects/1/tranches")
    page.click("#progress-reports button:has-text('Confirm the progress')")
    expect(page.locator("#progress-reports")).not_to_contain_text("Waiting for the township")


def check_village_month(browser, errors):
    """The village's monthly journey: a reading of an indicator, a quarter's return, and its
    distribution plan whose remaining amount updates while typing."""
    page = signed_in(browser, "village", errors)
    page.goto(f"{BASE}/projects/1/monitoring/indicators/1")
    page.fill("#value", "320")
    page.fill("#read_on", "2026-11-01")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("320")
    page.goto(f"{BASE}/projects/1/returns/new")
    page.select_option("#period_kind", "quarter")
    page.fill("#period_start", "2026-07-01")
    page.fill("#revenue", "500,000")
    page.fill("#cost", "300,000")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/returns**")
    page.locator("tr:has-text('2026 Q3') a:has-text('Draft a distribution')").click()
    for field, value in (("#collective_fen", "60,000"), ("#dividends_fen", "100,000"), ("#reinvestment_fen", "0"),
                         ("#risk_reserve_fen", "40,000"), ("#loan_service_fen", "0"), ("#households", "120")):
        page.fill(field, value)
    expect(page.locator("#remaining")).to_contain_text("¥200,000.00")
    expect(page.locator("#remaining strong").last).to_have_text("¥0.00")
    page.fill("#dividends_fen", "90,000")
    expect(page.locator("#remaining strong").last).to_have_text("¥10,000.00")


def main() -> int:
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(folder)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for check in (check_contribution, check_application, check_score_sheet, check_payment_queue,
                              check_progress_report, check_village_month):
                    check(browser, errors)
                    print(f"ok  {check.__name__}")
                browser.close()
        finally:
            server.terminate()
    unexpected = [e for e in errors if "422" not in e]  # the refused forms answer 422 on purpose
    if unexpected:
        print("console errors:", unexpected)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
