"""Evaluation pages: the tab as a page and as a fragment, every step through its form (refusals as 422 that
change nothing), the year's list, the rankings with their export and flat query counts, a village's history,
the to-dos, and the sections for the public page and the dashboard."""
import io
from types import SimpleNamespace

import pytest
from flask import render_template
from openpyxl import load_workbook
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.evaluation import services
from fundtracker.evaluation.models import ProjectEvaluation
from fundtracker.evaluation.sections import dashboard_section, public_project_section
from fundtracker.extensions import db
from fundtracker.main.todo import todo_for
from fundtracker.monitoring import services as monitoring

from ..conftest import login
from ..query_counter import count_queries
from .conftest import YEAR, publish


def _client(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 303
    return client


def _count():
    return db.session.execute(select(func.count(ProjectEvaluation.id))).scalar_one()


@pytest.mark.parametrize("headers, whole_page", [({}, True), ({"HX-Request": "true"}, False)])
def test_the_tab_is_a_page_and_a_fragment(app, make_project, approver, headers, whole_page):
    project = make_project(status="in_progress")
    publish(project, approver)
    body = _client(app, approver).get(f"/projects/{project.id}/evaluation", headers=headers).get_data(as_text=True)
    assert ("<html" in body) == whole_page
    assert "80.00" in body and "Fairly good" in body and "snapshot" in body


def test_the_whole_life_through_the_forms(app, make_project, village_user, approver):
    project = make_project(status="in_progress")
    village, county = _client(app, village_user), _client(app, approver)
    base = f"/projects/{project.id}/evaluation"
    assert village.post(f"{base}/open", data={"year": "1999"}).status_code == 422
    assert village.post(f"{base}/open", data={"year": str(YEAR)}).status_code == 303
    again = village.post(f"{base}/open", data={"year": str(YEAR)})
    assert again.status_code == 422 and "already open" in again.get_data(as_text=True)
    assert "Open the evaluation of this year" not in village.get(base).get_data(as_text=True)
    evaluation = db.session.execute(select(ProjectEvaluation)).scalar_one()
    step = f"{base}/{evaluation.id}"
    assert village.get(f"{step}/self_evaluate").status_code == 200
    assert village.post(f"{step}/self_evaluate", data={"comment": ""}).status_code == 422
    assert village.post(f"{step}/self_evaluate", data={"comment": "按期完工，收益达标"}).status_code == 303
    assert village.post(f"{step}/take_up", data={}).status_code == 403
    assert county.post(f"{step}/take_up", data={}).status_code == 303
    assert county.get(f"{step}/edit").status_code == 200
    refused = county.post(f"{step}/edit", data={"comment": "良好", "procedure_share": "60", "procedure_reason": ""})
    assert refused.status_code == 422 and "reason for adjusting" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ProjectEvaluation, evaluation.id).comment == ""
    assert county.post(f"{step}/edit", data={"comment": "良好", "procedure_share": "60",
                                             "procedure_reason": "会议记录不全"}).status_code == 303
    assert county.post(f"{step}/publish", data={"comment": "发布"}).status_code == 303
    db.session.expire_all()
    published = db.session.get(ProjectEvaluation, evaluation.id)
    assert (published.status, published.score_centi) == ("published", 6400)  # (10×60% + 0 + 10×100%) / 25
    assert county.post(f"{step}/reopen", data={"comment": ""}).status_code == 422
    assert _count() == 1
    assert county.post(f"{step}/reopen", data={"comment": "村里补充了签到表"}).status_code == 303
    assert _count() == 2
    tab = county.get(base).get_data(as_text=True)
    assert "version 1" in tab and "version 2" in tab


def test_a_village_reads_but_the_county_pages_are_the_countys(app, make_project, make_user, village_user, approver):
    project = make_project(status="in_progress")
    publish(project, approver)
    village = _client(app, village_user)
    assert village.get(f"/projects/{project.id}/evaluation").status_code == 200
    assert village.get("/evaluation/").status_code == 403
    assert village.get("/evaluation/rankings").status_code == 403
    assert village.get(f"/evaluation/villages/{project.village_id}").status_code == 200
    stranger = _client(app, make_user(Role.VILLAGE, username="stranger"))
    assert stranger.get(f"/evaluation/villages/{project.village_id}").status_code == 404
    assert stranger.get(f"/projects/{project.id}/evaluation").status_code == 404
    assert stranger.post(f"/projects/{project.id}/evaluation/open", data={"year": str(YEAR)}).status_code == 404
    reviewer = _client(app, make_user(Role.REVIEWER))
    assert reviewer.get("/evaluation/rankings").status_code == 200
    assert reviewer.post(f"/projects/{project.id}/evaluation/open", data={"year": str(YEAR)}).status_code == 403


def _published_projects(make_project, approver, count, start=0):
    for number in range(start, start + count):
        publish(make_project(status="in_progress", title=f"项目{number:02d}"), approver)


def test_rankings_page_and_export_list_from_high_to_low(app, make_project, approver):
    low = make_project(status="in_progress", title="低分项目")
    high = make_project(status="in_progress", title="高分项目")
    monitoring.add_indicator(high, monitoring.IndicatorInput("存栏", "头", 100, None), actor=approver)
    publish(low, approver)
    publish(high, approver)
    client = _client(app, approver)
    page = client.get(f"/evaluation/rankings?year={YEAR}").get_data(as_text=True)
    assert page.index("高分项目") < page.index("低分项目")
    export = client.get(f"/evaluation/rankings.xlsx?year={YEAR}")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert [row[:2] for row in rows[1:]] == [(1, "高分项目"), (2, "低分项目")]
    assert rows[1][4] == 100 and rows[2][4] == 80


@pytest.mark.parametrize("url", [f"/evaluation/rankings?year={YEAR}", f"/evaluation/?year={YEAR}",
                                 f"/evaluation/rankings.xlsx?year={YEAR}"])
def test_query_counts_do_not_grow_with_the_number_of_projects(app, make_project, approver, url):
    client = _client(app, approver)
    _published_projects(make_project, approver, 2)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _published_projects(make_project, approver, 6, start=2)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, many.statements


def test_the_to_dos_of_the_county_and_the_village(app, make_project, village_user, approver):
    project = make_project(status="in_progress")
    evaluation = services.open_evaluation(project, YEAR, actor=village_user)
    db.session.commit()
    with app.test_request_context("/"):
        assert [(str(i.label), i.count) for i in todo_for(village_user)
                if "Self-evaluations" in str(i.label)] == [("Self-evaluations (自评) to write", 1)]
        assert [i.count for i in todo_for(approver) if "carry on" in str(i.label)] == [1]
    services.apply_evaluation_action(evaluation, services.EvaluationAction.TAKE_UP, approver)
    db.session.commit()
    with app.test_request_context("/"):
        assert not [i for i in todo_for(village_user) if "Self-evaluations" in str(i.label)]


def test_the_public_section_shows_the_latest_published_result_without_names(app, make_project, approver):
    project = make_project(status="in_progress")
    assert public_project_section(project) is None
    publish(project, approver)
    section = public_project_section(project)
    assert section.template == "evaluation/_public.html"
    with app.test_request_context("/"):
        html = render_template(section.template, **section.context)
    assert "80.00" in html and "Fairly good" in html and approver.display_name not in html


@pytest.mark.parametrize("filters", [SimpleNamespace(year=YEAR), SimpleNamespace(year=str(YEAR), township_id=None, pool_id=None),
                                     SimpleNamespace(year=YEAR, township_id="", pool_id=None)])
def test_the_dashboard_section_lists_the_top_and_bottom_five_from_the_rankings(app, make_project, approver, filters):
    _published_projects(make_project, approver, 12)
    section = dashboard_section(filters)
    assert len(section.context["top"]) == 5 and len(section.context["bottom"]) == 5
    assert section.context["top"][0].rank == 1 and section.context["ranked_count"] == 12
    with app.test_request_context("/"):
        html = render_template(section.template, **section.context)
    assert "项目00" in html


def test_the_dashboard_section_of_an_empty_year(app):
    section = dashboard_section(SimpleNamespace())
    assert section.context["top"] == [] and section.context["bottom"] == []


def test_a_form_without_its_csrf_token_is_refused(make_app, make_project, village_user):
    project_id = make_project(status="in_progress").id
    db.session.close()
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        response = client.post(f"/projects/{project_id}/evaluation/open", data={"year": str(YEAR)})
        assert response.status_code == 400
        assert _count() == 0
