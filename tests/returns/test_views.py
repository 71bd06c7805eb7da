"""Returns pages: reporting through the form (bad input as form errors), scope, the plan form's
remaining amount with and without HTMX, the steps through their forms, the returns view's chart and
its query count."""
from datetime import date

import pytest
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.returns import services
from fundtracker.returns.models import DistributionPlan, ReturnRecord

from ..conftest import login
from ..query_counter import count_queries
from .conftest import WAN, parts, report


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


RETURN = {"period_kind": "quarter", "period_start": "2025-07-01", "revenue": "120,000.00", "cost": "80,000"}


def test_a_village_reports_a_quarter_through_the_form(app, operating, village_user):
    project = operating()
    client = _client(app, village_user)
    assert client.post(f"/projects/{project.id}/returns/new", data=RETURN).status_code == 303
    record = db.session.execute(select(ReturnRecord)).scalar_one()
    assert (record.revenue_fen, record.cost_fen, record.net_fen) == (120_000_00, 80_000_00, 40_000_00)


@pytest.mark.parametrize("changes, message", [
    ({"revenue": "-5"}, "cannot be negative"),
    ({"cost": "abc"}, "as digits"),
    ({"revenue": ""}, "Enter the revenue"),
    ({"period_start": "2025-08-01"}, "first day of a month, of a quarter"),
    ({"period_start": "2099-01-01"}, "has not ended yet"),
])
def test_bad_returns_are_form_errors_and_change_nothing(app, operating, village_user, changes, message):
    project = operating()
    response = _client(app, village_user).post(f"/projects/{project.id}/returns/new", data={**RETURN, **changes})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.execute(select(ReturnRecord)).first() is None


def test_a_period_already_reported_needs_a_correction_with_a_reason(app, operating, village_user):
    project = operating()
    client = _client(app, village_user)
    client.post(f"/projects/{project.id}/returns/new", data=RETURN)
    again = client.post(f"/projects/{project.id}/returns/new", data=RETURN)
    assert again.status_code == 422 and "already reported" in again.get_data(as_text=True)
    record = db.session.execute(select(ReturnRecord)).scalar_one()
    url = f"/projects/{project.id}/returns/new?correct={record.id}"
    assert client.post(url, data=RETURN).status_code == 422
    assert client.post(url, data={**RETURN, "cost": "70,000", "reason": "少计收入"}).status_code == 303
    assert db.session.execute(select(func.count(ReturnRecord.id))).scalar_one() == 2


def test_another_villages_project_is_404(app, operating, make_user, make_village, village_user):
    project = operating()
    record = report(project, village_user, 2025, 100, 60)
    stranger = _client(app, make_user(Role.VILLAGE, village=make_village()))
    assert stranger.post(f"/projects/{project.id}/returns/new", data=RETURN).status_code == 404
    assert stranger.get(f"/projects/{project.id}/returns/{record.id}/plan").status_code == 404
    assert stranger.get(f"/projects/{project.id}/returns").status_code == 404


PLAN = {"collective_fen": "120,000", "dividends_fen": "160,000", "households": "300",
        "reinvestment_fen": "80,000", "risk_reserve_fen": "40,000", "loan_service_fen": "0"}


def test_the_remaining_amount_as_the_user_types_and_the_whole_form_without_javascript(app, operating, village_user):
    project = operating()
    record = report(project, village_user, 2025, 100, 60)  # net ¥400,000.00
    client = _client(app, village_user)
    url = f"/projects/{project.id}/returns/{record.id}/plan"
    fragment = client.post(f"{url}/remaining", data={**PLAN, "risk_reserve_fen": "0"},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "¥40,000.00" in fragment and "add up to" in fragment
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and 'id="remaining"' in page and "¥400,000.00" in page
    refused = client.post(url, data={**PLAN, "collective_fen": "100,000", "dividends_fen": "180,000"})
    assert refused.status_code == 422 and "at least 30.0%" in refused.get_data(as_text=True)
    assert client.post(url, data=PLAN).status_code == 303
    plan = db.session.execute(select(DistributionPlan)).scalar_one()
    assert plan.collective_fen + plan.dividends_fen + plan.reinvestment_fen + plan.risk_reserve_fen == 40 * WAN


def test_the_steps_through_their_forms(app, operating, village_user):
    project = operating()
    record = report(project, village_user, 2025, 100, 60)
    client = _client(app, village_user)
    client.post(f"/projects/{project.id}/returns/{record.id}/plan", data=PLAN)
    plan = db.session.execute(select(DistributionPlan)).scalar_one()
    base = f"/projects/{project.id}/plans/{plan.id}"
    meeting = {"meeting_on": "2026-01-18", "attendance_expected": "45", "attendance_present": "29",
               "votes_for": "20", "votes_against": "5", "votes_abstain": "4"}
    refused = client.post(f"{base}/adopt", data=meeting)
    assert refused.status_code == 422 and "No quorum" in refused.get_data(as_text=True)
    more_votes = client.post(f"{base}/adopt", data={**meeting, "attendance_present": "30", "votes_for": "30"})
    assert more_votes.status_code == 422 and "More votes" in more_votes.get_data(as_text=True)
    assert client.post(f"{base}/adopt", data={**meeting, "attendance_present": "38"}).status_code == 303
    assert client.post(f"{base}/publish", data={"notice_starts_on": "2026-01-20"}).status_code == 303
    assert client.post(f"{base}/objections", data={"raised_on": "2026-01-22", "objection": "分红标准？",
                                                   "answer": "按章程。"}).status_code == 303
    early = client.post(f"{base}/pay_out", data={"paid_on": "2026-01-29", "payment_reference": "代发"})
    assert early.status_code == 422 and "notice runs until" in early.get_data(as_text=True)
    assert client.post(f"{base}/pay_out", data={"paid_on": "2026-01-30", "payment_reference": "代发"}).status_code \
        == 303
    assert client.get(f"{base}/nonsense").status_code == 404
    assert client.get(f"{base}/adopt").status_code == 403  # not open any more
    assert "分红标准" in client.get(base).get_data(as_text=True)


def test_the_returns_view_shows_a_chart_readable_without_javascript(app, operating, village_user):
    project = operating()
    report(project, village_user, 2024, 100, 60)
    report(project, village_user, 2025, 80, 90)
    page = _client(app, village_user).get(f"/projects/{project.id}/returns").get_data(as_text=True)
    assert "<svg" in page and page.count("<rect") == 6 and "<polyline" in page
    assert "¥300,000.00" in page  # the cumulative net after a loss of ¥100,000


def test_the_returns_views_query_count_does_not_grow_with_periods(app, operating, village_user):
    project = operating()
    client, url = _client(app, village_user), f"/projects/{project.id}/returns"
    report(project, village_user, 2020, 100, 60)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for year in range(2021, 2026):
        record = report(project, village_user, year, 100, 60)
        services.draft_plan(project, record, parts(40), actor=village_user)
        db.session.commit()
    client.get(url)
    with count_queries() as many:
        assert "2025" in client.get(url).get_data(as_text=True)
    assert many.count == few.count, (few.count, many.count)


def test_an_approver_sets_a_pools_rules(app, make_funded_pool, make_user):
    pool = make_funded_pool()
    client = _client(app, make_user(Role.APPROVER))
    url = f"/returns/rules/{pool.id}"
    assert "30" in client.get(url).get_data(as_text=True)
    bad = client.post(url, data={"min_collective": "80", "min_risk_reserve": "30", "max_dividends": "50"})
    assert bad.status_code == 422 and "more than 100%" in bad.get_data(as_text=True)
    assert client.post(url, data={"min_collective": "40", "min_risk_reserve": "5", "max_dividends": "50"}
                       ).status_code == 303
    assert client.get("/returns/rules/999999").status_code == 404
