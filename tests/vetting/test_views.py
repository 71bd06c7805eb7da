"""Vetting pages: visibility of scores, the HTMX score sheet and its full-page twin, the panel
page, the feasibility report, the criteria-set admin and the reviewer's to-do."""
import io
import re

from openpyxl import load_workbook

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.vetting import services

from ..conftest import login
from ..query_counter import count_queries
from .conftest import submit


def client_for(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 303
    return client


def criteria_ids(project):
    return [c.id for c in services.vetting_for(project).criteria_set.criteria]


def test_a_reviewer_sees_other_scores_only_after_submitting(app, panel):
    project, members = panel(size=3)
    submit(project, members[0], [91, 91, 91, 91])
    second = client_for(app, members[1].reviewer)
    page = second.get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    assert "91.00" not in page and "submitted your own sheet" in page
    assert "91.00" not in second.get(f"/projects/{project.id}/vetting/result").get_data(as_text=True)
    assert second.get(f"/projects/{project.id}/vetting/scores.xlsx").status_code == 403
    assert "91.00" not in second.get(f"/projects/{project.id}/feasibility-report").get_data(as_text=True)
    submit(project, members[1], [71, 71, 71, 71])
    page = second.get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    assert "91.00" in page and "81.00" in page  # the other's total and the mean
    assert second.get(f"/projects/{project.id}/vetting/scores.xlsx").status_code == 200


def test_village_users_never_see_individual_scores_or_names(app, panel, village_user):
    project, members = panel(size=3)
    for member, score in zip(members, (80, 70, 60)):
        submit(project, member, [score] * 4)
    village = client_for(app, village_user)
    report = village.get(f"/projects/{project.id}/feasibility-report").get_data(as_text=True)
    assert "70.00" in report  # the panel result
    assert "county roles only" in report and members[0].reviewer.display_name not in report
    assert "80.00" not in report
    assert village.get(f"/projects/{project.id}/vetting").status_code == 403


def test_the_approver_sees_names_scores_and_exports_the_table(app, panel, approver):
    project, members = panel(size=3)
    for member, score in zip(members, (80, 70, 61)):
        submit(project, member, [score] * 4)
    client = client_for(app, approver)
    report = client.get(f"/projects/{project.id}/feasibility-report").get_data(as_text=True)
    assert members[0].reviewer.display_name in report and "61.00" in report and "@page" not in report
    workbook = load_workbook(io.BytesIO(client.get(f"/projects/{project.id}/vetting/scores.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][0] == members[0].reviewer.display_name and rows[3][6] == 61.0


def test_the_tab_asks_for_the_latest_round_once_and_its_queries_do_not_grow(app, panel, approver):
    def statements(project):
        with count_queries() as queries:
            assert client.get(f"/projects/{project.id}/vetting").status_code == 200
        return queries.statements

    small, members = panel(size=2)
    submit(small, members[0], [75] * 4)
    client = client_for(app, approver)
    for_two = statements(small)
    large, members = panel(size=4)
    for member in members[:3]:
        submit(large, member, [75] * 4)
    for_four = statements(large)
    latest = [s for s in for_four if re.search(r"FROM panel_rounds .* ORDER BY panel_rounds.number DESC\s+LIMIT", s, re.S)]
    assert len(latest) == 1 and len(for_four) == len(for_two)


def test_htmx_total_fragment_and_the_full_page_form(app, panel):
    project, members = panel(size=1)
    reviewer = client_for(app, members[0].reviewer)
    first, second, third, fourth = criteria_ids(project)
    form = {f"score_{first}": "80", f"score_{second}": "70", f"score_{third}": "", f"score_{fourth}": "abc"}
    fragment = reviewer.post(f"/projects/{project.id}/vetting/sheet/total", data=form, headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="sheet-total"') and "37.50" in body and "below the pass mark" in body
    assert "Enter a whole number from 0 to 100." in body and "Number must be between" not in body
    full = {f"score_{cid}": "75" for cid in criteria_ids(project)}
    assert reviewer.post(f"/projects/{project.id}/vetting/sheet", data={**full, "submit_sheet": "0"}).status_code == 303
    bad = reviewer.post(f"/projects/{project.id}/vetting/sheet", data={**full, f"score_{first}": "101",
                                                                      "submit_sheet": "1", "recommendation": "approve"})
    assert bad.status_code == 422 and "<html" in bad.get_data(as_text=True)
    done = reviewer.post(f"/projects/{project.id}/vetting/sheet",
                         data={**full, "submit_sheet": "1", "recommendation": "conditions"})
    assert done.status_code == 303
    db.session.expire_all()
    assert services.membership(project, members[0].reviewer).sheet.total_centi == 7500
    locked = reviewer.post(f"/projects/{project.id}/vetting/sheet", data={**full, "submit_sheet": "0"})
    assert locked.status_code == 422 and "locked" in locked.get_data(as_text=True)


def test_declaration_through_the_page(app, make_project, reviewers, approver):
    project = make_project(status="vetting")
    services.assign_reviewer(project, reviewers[0], approver)
    db.session.commit()
    reviewer = client_for(app, reviewers[0])
    assert reviewer.get(f"/projects/{project.id}/vetting/sheet").status_code == 303  # declare first
    refused = reviewer.post(f"/projects/{project.id}/vetting/declaration", data={"decision": "recuse", "reason": ""})
    assert refused.status_code == 422
    assert reviewer.post(f"/projects/{project.id}/vetting/declaration",
                         data={"decision": "recuse", "reason": "我是该村村民"}).status_code == 303
    recused = reviewer.get(f"/projects/{project.id}/vetting/sheet")
    assert recused.status_code == 303 and "you cannot score it" in reviewer.get(recused.headers["Location"]).get_data(as_text=True)


def test_the_approver_builds_the_panel_and_sees_missing_departments(app, make_project, reviewers, approver):
    project = make_project(status="town_passed")
    client = client_for(app, approver)
    for reviewer in reviewers[:2]:
        assert client.post(f"/projects/{project.id}/vetting/members", data={"reviewer_id": reviewer.id}).status_code == 303
    page = client.get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    assert "Core departments missing" in page and "Agriculture and Rural Affairs Bureau" in page
    assert reviewers[0].display_name in page


def test_reviewer_todo_lists_what_waits(app, panel, make_project, reviewers, approver):
    project, members = panel(size=2)
    other = make_project(status="vetting", title="另一个")
    services.assign_reviewer(other, reviewers[0], approver)
    db.session.commit()
    home = client_for(app, reviewers[0]).get("/").get_data(as_text=True)
    assert "Panels waiting for your declaration" in home and "Projects waiting for your score sheet" in home


def test_criteria_set_admin_refuses_weights_not_adding_to_100(app, make_user):
    admin = client_for(app, make_user(Role.ADMIN))
    data = {"name": "新标准", "pass_mark": "60", "trim_from_sheets": "5", "spread_threshold": "20",
            "criteria-0-name": "前景", "criteria-0-weight": "50", "criteria-1-name": "收益", "criteria-1-weight": "40"}
    refused = admin.post("/admin/criteria/new", data=data)
    assert refused.status_code == 422 and "add up to 90" in refused.get_data(as_text=True)
    assert admin.post("/admin/criteria/new", data={**data, "criteria-1-weight": "50"}).status_code == 303
    assert "新标准 v1" in admin.get("/admin/criteria").get_data(as_text=True)


def test_a_site_visit_with_photos(app, panel, approver):
    import io as _io

    project, members = panel(size=1)
    client = client_for(app, members[0].reviewer)
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    response = client.post(f"/projects/{project.id}/vetting/site-visits", data={
        "visited_on": "2026-04-08", "place": "鱼塘现场", "participants": "农业农村局、镇农办", "findings": "塘堤已加固",
        "photos": [(_io.BytesIO(png), "塘堤.png"), (_io.BytesIO(png), "鱼苗.png")]}, content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    assert "塘堤已加固" in page and "塘堤.png" in page and "鱼苗.png" in page
    not_a_photo = client.post(f"/projects/{project.id}/vetting/site-visits", data={
        "visited_on": "2026-04-09", "place": "村委会", "participants": "x", "findings": "y",
        "photos": [(_io.BytesIO(b"%PDF-1.4 x"), "plan.pdf")]}, content_type="multipart/form-data")
    assert not_a_photo.status_code == 422 and "JPEG or PNG" in not_a_photo.get_data(as_text=True)
    assert "村委会" not in client.get(f"/projects/{project.id}/vetting").get_data(as_text=True)


def test_a_panel_member_declares_before_reading_the_application(app, make_project, reviewers, approver):
    project = make_project(status="vetting")
    member = services.assign_reviewer(project, reviewers[0], approver)
    db.session.commit()
    reviewer = client_for(app, reviewers[0])
    for url in (f"/projects/{project.id}", f"/projects/{project.id}/versions",
                f"/projects/{project.id}/attachments", f"/projects/{project.id}/feasibility-report"):
        response = reviewer.get(url)
        assert response.status_code == 303 and response.headers["Location"].endswith("/vetting/declaration"), url
    services.declare(member, recuse=False, reason="", actor=reviewers[0])
    db.session.commit()
    assert reviewer.get(f"/projects/{project.id}").status_code == 200
    assert client_for(app, reviewers[1]).get(f"/projects/{project.id}").status_code == 200  # not on the panel


def test_a_refused_site_visit_leaves_no_file_behind(app, panel, approver):
    import io as _io
    from pathlib import Path

    project, _ = panel(size=1)
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = set(folder.glob("*")) if folder.exists() else set()
    response = client_for(app, approver).post(f"/projects/{project.id}/vetting/site-visits", data={
        "visited_on": "2026-04-09", "place": "村委会", "participants": "x", "findings": "y",
        "photos": [(_io.BytesIO(b"\x89PNG\r\n\x1a\n0000"), "ok.png"), (_io.BytesIO(b"%PDF-1.4 x"), "plan.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert set(folder.glob("*")) == before
