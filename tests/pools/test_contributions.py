"""Recording contributions through the pages: the four kinds, loans with collateral,
HTMX and full-page posts, bad input refused with nothing written, one entry per form."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from fundtracker.extensions import db
from fundtracker.pools.models import CollateralAsset, Contribution, LedgerEntry, PoolStatus
from fundtracker.pools.services import figures_for
from fundtracker.pools.statement import received_by_source

GOOD = {"source_type": "subsidy", "contributor": "县财政局", "amount": "1,200,000.50", "received_on": "2026-03-01",
        "reference": "青财农〔2026〕7号", "token": "t-1"}
LOAN = {**GOOD, "source_type": "loan", "contributor": "农商银行", "amount": "8000000", "lender": "浙江青田农村商业银行",
        "annual_rate": "3.85", "term_months": "36", "loan_start_on": "2026-03-01", "repayment_schedule": "interest_yearly",
        "collateral-0-name": "高市村闲置办公楼", "collateral-0-kind": "office_building",
        "collateral-0-estimated_value": "3,000,000", "collateral-1-name": "老礼堂", "collateral-1-kind": "hall",
        "collateral-1-estimated_value": "800000", "token": "t-loan"}


def entry_count() -> int:
    return db.session.execute(select(func.count(LedgerEntry.id))).scalar_one()


def post(client, pool, data, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/pools/{pool.id}/contributions/new", data=data, headers=headers)


def test_the_four_sources_including_a_loan_with_collateral(finance_client, pool):
    for number, (source, amount) in enumerate([("subsidy", "4000"), ("self_raised", "2000"), ("donation", "1500.25")]):
        response = post(finance_client, pool, {**GOOD, "source_type": source, "amount": amount, "token": f"t{number}"})
        assert response.status_code == 303, response.get_data(as_text=True)
    assert post(finance_client, pool, LOAN).status_code == 303
    loan = db.session.execute(select(Contribution).where(Contribution.source_type == "loan")).scalar_one()
    assert (loan.lender, loan.annual_rate_bp, loan.term_months) == ("浙江青田农村商业银行", 385, 36)
    assert [(a.name, a.kind, a.estimated_value_fen) for a in loan.collateral] == [
        ("高市村闲置办公楼", "office_building", 300_000_000), ("老礼堂", "hall", 80_000_000)]
    assert figures_for(pool).balance_fen == 400_000 + 200_000 + 150_025 + 800_000_000
    assert received_by_source([pool.id])[pool.id] == {
        "subsidy": 400_000, "loan": 800_000_000, "self_raised": 200_000, "donation": 150_025, "other": 0}
    page = finance_client.get(f"/pools/{pool.id}").get_data(as_text=True)
    assert "¥8,007,500.25" in page and "高市村闲置办公楼" in page


def test_htmx_post_returns_the_new_row_and_out_of_band_figures(finance_client, pool):
    response = post(finance_client, pool, GOOD, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="recent-entries"')  # not a bare <tr>: see _contribution_added.html
    assert body.index("县财政局") < body.index('id="pool-figures"')
    assert 'id="pool-figures" class="figures card" hx-swap-oob="true"' in body
    assert "¥1,200,000.50" in body
    assert 'id="contribution-form-slot" hx-swap-oob="true"' in body
    assert 'value="t-1"' not in body  # the fresh form carries a new one-time token


def test_htmx_error_retargets_the_form_with_422(finance_client, pool):
    response = post(finance_client, pool, {**GOOD, "amount": "-5"}, htmx=True)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#contribution-form"
    assert "cannot be negative" in response.get_data(as_text=True)
    assert entry_count() == 0


def test_the_form_also_works_as_a_full_page(finance_client, pool):
    page = finance_client.get(f"/pools/{pool.id}/contributions/new")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    response = post(finance_client, pool, {**GOOD, "amount": "1.234"})
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)


FUTURE = (date.today() + timedelta(days=30)).isoformat()


@pytest.mark.parametrize("change, message", [
    ({"amount": "0"}, "greater than zero"),
    ({"amount": "-100"}, "cannot be negative"),
    ({"amount": "10.001"}, "two decimals"),
    ({"amount": "12abc"}, "digits"),
    ({"amount": "99999999999999"}, "maximum"),
    ({"amount": ""}, "required"),
    ({"received_on": FUTURE}, "in the future"),
    ({"received_on": "2026-13-45"}, "date"),
])
def test_bad_contributions_are_refused_and_change_nothing(finance_client, pool, change, message):
    response = post(finance_client, pool, {**GOOD, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert entry_count() == 0


@pytest.mark.parametrize("change, message", [
    ({"annual_rate": "37"}, "between 0% and 36%"),
    ({"annual_rate": "-1"}, "between 0% and 36%"),
    ({"annual_rate": "3.855"}, "two decimals"),
    ({"annual_rate": "abc"}, "percent"),
    ({"term_months": "0"}, "at least one month"),
    ({"lender": ""}, "lender"),
    ({"loan_start_on": ""}, "start date"),
    ({"collateral-0-name": "", "collateral-1-name": ""}, "collateral"),
    ({"loan_start_on": FUTURE}, "in the future"),
])
def test_bad_loans_are_refused_and_change_nothing(finance_client, pool, change, message):
    response = post(finance_client, pool, {**LOAN, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert entry_count() == 0
    assert db.session.execute(select(func.count(CollateralAsset.id))).scalar_one() == 0


def test_a_closed_pool_takes_no_contribution(finance_client, make_pool):
    closed = make_pool(name="closed", status=PoolStatus.CLOSED)
    response = post(finance_client, closed, GOOD)
    assert response.status_code == 422 and "is closed" in response.get_data(as_text=True)
    assert entry_count() == 0


def test_a_double_submitted_form_records_one_entry(finance_client, pool):
    first = post(finance_client, pool, GOOD)
    second = post(finance_client, pool, GOOD)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"].endswith(f"/pools/{pool.id}")
    assert entry_count() == 1
    assert figures_for(pool).balance_fen == 120_000_050


def test_reversal_through_the_page_once_only(finance_client, pool, contribute):
    contribution = contribute(pool, 500_00)
    url = f"/pools/{pool.id}/entries/{contribution.ledger_entry_id}/reverse"
    statement = f"/pools/{pool.id}/statement"
    assert f'href="{url}">Reverse</a>' in finance_client.get(statement).get_data(as_text=True)
    assert finance_client.post(url, data={"reason": "", "token": "r0"}).status_code == 422
    assert finance_client.post(url, data={"reason": "录错金额", "token": "r1"}).status_code == 303
    assert figures_for(pool).balance_fen == 0
    page = finance_client.get(statement).get_data(as_text=True)
    assert url not in page and '<span class="badge badge-muted">Reversed</span>' in page
    again = finance_client.post(url, data={"reason": "again", "token": "r2"})
    assert again.status_code == 422 and "already been reversed" in again.get_data(as_text=True)
    reversal_id = db.session.execute(select(LedgerEntry.id).where(LedgerEntry.kind == "reversal")).scalar_one()
    of_reversal = finance_client.post(f"/pools/{pool.id}/entries/{reversal_id}/reverse", data={"reason": "x", "token": "r3"})
    assert of_reversal.status_code == 422 and "cannot itself be reversed" in of_reversal.get_data(as_text=True)
    assert entry_count() == 2


def test_an_entry_of_another_pool_is_not_found_here(finance_client, make_pool, contribute):
    mine, other = make_pool(name="mine"), make_pool(name="other")
    contribution = contribute(other, 100_00)
    response = finance_client.post(f"/pools/{mine.id}/entries/{contribution.ledger_entry_id}/reverse",
                                   data={"reason": "x", "token": "r"})
    assert response.status_code == 404
    assert entry_count() == 1


def test_pool_create_and_edit_with_a_unique_name(finance_client, pool):
    response = finance_client.post("/pools/new", data={"name": "2027 年度资金池", "year": "2027", "status": "open"})
    assert response.status_code == 303
    clash = finance_client.post("/pools/new", data={"name": pool.name, "status": "open"})
    assert clash.status_code == 422 and "exists" in clash.get_data(as_text=True)
    assert finance_client.post(f"/pools/{pool.id}/edit", data={"name": pool.name, "status": "closed"}).status_code == 303
    db.session.refresh(pool)
    assert pool.status == "closed"
