"""Monitoring pages: scope (another village's reading is 404), bad input as form errors, the tab with
and without HTMX, the board's filters, export and query count."""
from datetime import date

import pytest
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.monitoring.models import Indicator, ProjectWarning, Reading

from ..conftest import login
from ..query_counter import count_queries
from .conftest import read


def reading_url(project, indicator, **args):
    query = "".join(f"?{key}={value}" for key, value in args.items())
    return f"/projects/{project.id}/monitoring/indicators/{indicator.id}{query}"


def test_a_village_records_a_reading_and_sees_why_the_project_is_red(app, monitored, village_user):
    project, indicator = monitored(minimum=150)
    client = app.test_client()
    login(client, village_user)
    response = client.post(reading_url(project, indicator), data={"value": "142", "read_on": "2026-10-31",
                                                                  "note": "出栏后未补栏"})
    assert response.status_code == 303
    page = client.get(f"/projects/{project.id}/monitoring", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "最低存栏数 142 头，低于下限 150 头（2026年10月读数）。" in page
    assert db.session.execute(select(func.count(ProjectWarning.id))).scalar_one() == 1


@pytest.mark.parametrize("value, message", [("N/A", "as a number"), ("yes", "as a number"), ("", "Enter the value"),
                                            ("1.234", "two decimals")])
def test_a_non_numeric_reading_is_a_form_error_and_changes_nothing(app, monitored, village_user, value, message):
    project, indicator = monitored()
    client = app.test_client()
    login(client, village_user)
    response = client.post(reading_url(project, indicator), data={"value": value, "read_on": "2026-10-31"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.execute(select(Reading)).first() is None


def test_a_correction_without_a_reason_is_refused_on_the_form(app, monitored, village_user):
    project, indicator = monitored()
    wrong = read(project, indicator, 28, date(2026, 10, 31), village_user)
    client = app.test_client()
    login(client, village_user)
    url = reading_url(project, indicator, correct=wrong.id)
    response = client.post(url, data={"value": "280", "read_on": "2026-10-31"})
    assert response.status_code == 422 and "reason for the correction" in response.get_data(as_text=True)
    assert client.post(url, data={"value": "280", "read_on": "2026-10-31", "reason": "少输一位"}).status_code == 303
    assert db.session.execute(select(func.count(Reading.id))).scalar_one() == 2


def test_a_reading_for_another_villages_project_is_404(app, monitored, make_user, make_village):
    project, indicator = monitored()
    stranger = make_user(Role.VILLAGE, village=make_village())
    client = app.test_client()
    login(client, stranger)
    assert client.post(reading_url(project, indicator), data={"value": "300", "read_on": "2026-10-31"}).status_code \
        == 404
    assert client.get(f"/projects/{project.id}/monitoring").status_code == 404
    assert db.session.execute(select(Reading)).first() is None


def test_an_indicator_of_another_project_is_404(app, monitored, village_user):
    first, indicator = monitored()
    second, _ = monitored(title="另一个项目")
    client = app.test_client()
    login(client, village_user)
    assert client.get(reading_url(second, indicator)).status_code == 404
    wrong = read(first, indicator, 300, date(2026, 10, 31), village_user)
    other_indicator = db.session.execute(select(Indicator).where(Indicator.project_id == second.id)).scalar_one()
    assert client.get(reading_url(second, other_indicator, correct=wrong.id)).status_code == 404


def test_the_tab_is_a_fragment_for_htmx_and_a_whole_page_without(app, monitored, village_user):
    project, _ = monitored()
    client = app.test_client()
    login(client, village_user)
    whole = client.get(f"/projects/{project.id}/monitoring").get_data(as_text=True)
    fragment = client.get(f"/projects/{project.id}/monitoring", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" in whole and 'id="tab-content"' in whole
    assert "<html" not in fragment and "Warnings" in fragment


def test_an_approver_adds_an_indicator_and_bad_bounds_are_form_errors(app, monitored, approver):
    project, _ = monitored()
    client = app.test_client()
    login(client, approver)
    url = f"/projects/{project.id}/monitoring/indicators"
    base = {"name": "流动资金", "unit": "元", "reporting_interval": "quarterly", "reporter": "village"}
    for data, message in [({"minimum": "yes"}, "as a number"), ({}, "minimum, a maximum or both"),
                          ({"minimum": "5", "maximum": "1"}, "above the maximum")]:
        response = client.post(url, data={**base, **data})
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    assert client.post(url, data={**base, "minimum": "200,000"}).status_code == 303
    assert db.session.execute(select(Indicator.minimum_centi).where(Indicator.name == "流动资金")).scalar_one() \
        == 20_000_000


def test_warning_actions_through_the_form(app, monitored, village_user, approver):
    project, indicator = monitored()
    read(project, indicator, 100, date(2026, 10, 31), village_user)
    warning = db.session.execute(select(ProjectWarning)).scalar_one()
    client = app.test_client()
    login(client, approver)
    url = f"/projects/{project.id}/warnings/{warning.id}"
    assert client.post(f"{url}/confirm", data={"rectify_by": "2026-12-31"}).status_code == 422
    assert client.post(f"{url}/dismiss", data={"comment": ""}).status_code == 422
    assert client.post(f"{url}/confirm", data={"rectify_by": "2026-12-31", "required_changes": "补栏"}).status_code \
        == 303
    assert client.get(f"{url}/nonsense").status_code == 404
    assert client.get(f"{url}/answer").status_code == 403  # the village's step
    village = app.test_client()
    login(village, village_user)
    assert village.post(f"{url}/answer", data={"comment": "已补栏至 320 头"}).status_code == 303
    db.session.refresh(warning)
    assert warning.status == "answered" and warning.rectification_report == "已补栏至 320 头"


def _flagged_projects(monitored, village_user, count):
    for number in range(count):
        project, indicator = monitored(title=f"项目{number}")
        read(project, indicator, 100 + number, date(2026, 10, 31), village_user)


def test_the_board_lists_red_projects_and_exports_them(app, monitored, village_user, approver):
    _flagged_projects(monitored, village_user, 2)
    client = app.test_client()
    login(client, approver)
    page = client.get("/monitoring").get_data(as_text=True)
    assert "项目0" in page and "项目1" in page and "below the minimum" in page
    export = client.get("/monitoring/board.csv").get_data(as_text=True)
    assert export.count("Red") == 2
    assert client.get("/monitoring?category=crops").get_data(as_text=True).count("below the minimum") == 0
    assert client.get("/monitoring/board.pdf").status_code == 404


def test_the_boards_query_count_does_not_grow_with_projects(app, monitored, village_user, approver):
    client = app.test_client()
    login(client, approver)
    _flagged_projects(monitored, village_user, 1)
    client.get("/monitoring")
    with count_queries() as few:
        assert client.get("/monitoring").status_code == 200
    _flagged_projects(monitored, village_user, 5)
    with count_queries() as many:
        assert client.get("/monitoring").status_code == 200
    assert many.count == few.count, (few.count, many.count)


def test_the_village_to_do_counts_overdue_readings_and_warnings_to_answer(app, monitored, village_user, approver):
    from fundtracker.monitoring.todo import village_todos
    project, indicator = monitored()
    with app.test_request_context():
        items = {str(item.label): item.count for item in village_todos(village_user)}
    assert items["Readings overdue"] == 1  # nothing since monitoring started on 30 June 2026
