"""The project pages: the application form (full page and HTMX), actions through the browser,
attachments, scope through every route, the library, its export and its query count."""
import csv
import io

import pytest
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.projects.models import Project, ProjectAttachment, ProjectDecision

from ..conftest import login
from ..query_counter import count_queries
from .conftest import COUNTY_FORM_TEXT, PDF, WAN, pdf_upload

FORM = {
    "title": "冷库建设", "category": "processing", "description": "500 吨冷库", "location": "村口",
    "start_on": "2026-03-01", "end_on": "2027-02-28", "contact_name": "李", "contact_phone": "123",
    "total_investment": "900,000", "requested": "600000", "funding_subsidy": "500000", "funding_self_raised": "300000",
    "funding_donation": "100000", "year_1_revenue": "300000", "year_1_cost": "120000",
    "risks": "电费", "mitigation": "光伏", "meeting_on": "2026-01-10", "meeting_members_expected": "40",
    "meeting_attendance": "30", "meeting_votes_for": "25", "meeting_votes_against": "1", **COUNTY_FORM_TEXT,
}


@pytest.fixture
def village_client(app, village_user):
    client = app.test_client()
    assert login(client, village_user).status_code == 303
    return client


def test_draft_save_edit_submit_through_the_pages(village_client):
    response = village_client.post("/projects/new", data=FORM)
    assert response.status_code == 303
    project = db.session.execute(select(Project)).scalar_one()
    assert (project.total_investment_fen, project.funding_plan_total_fen) == (90 * WAN, 90 * WAN)
    assert village_client.post(f"/projects/{project.id}/edit", data={**FORM, "title": "冷库建设（二期）"}).status_code == 303
    assert village_client.post(f"/projects/{project.id}/actions/submit", data={}).status_code == 303
    db.session.refresh(project)
    assert project.status == "submitted" and project.title == "冷库建设（二期）"
    locked = village_client.get(f"/projects/{project.id}/edit")
    assert locked.status_code == 303 and locked.headers["Location"].endswith(f"/projects/{project.id}")
    timeline = village_client.get(f"/projects/{project.id}/timeline").get_data(as_text=True)
    assert "Draft → Submitted" in timeline


@pytest.mark.parametrize("change, message", [
    ({"end_on": "2025-01-01"}, "end date is before"),
    ({"requested": "1,000,000"}, "above the total investment"),
    ({"total_investment": "-5"}, "cannot be negative"),
    ({"funding_loan": "1.999"}, "two decimals"),
    ({"total_investment": "999999999999999"}, "maximum"),
])
def test_bad_application_input_is_refused_and_saves_nothing(village_client, change, message):
    response = village_client.post("/projects/new", data={**FORM, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Project.id))).scalar_one() == 0


def test_submitting_a_plan_that_does_not_add_up_is_refused(village_client):
    village_client.post("/projects/new", data={**FORM, "funding_donation": "0"})
    project = db.session.execute(select(Project)).scalar_one()
    response = village_client.post(f"/projects/{project.id}/actions/submit", data={})
    assert response.status_code == 422 and "adds up to ¥800,000.00" in response.get_data(as_text=True)
    db.session.refresh(project)
    assert project.status == "draft"


def test_htmx_totals_and_section_check(village_client):
    totals = village_client.post("/projects/application/check", data={**FORM, "funding_donation": "0"},
                                 headers={"HX-Request": "true"})
    body = totals.get_data(as_text=True)
    assert body.lstrip().startswith('<aside id="application-summary"') and "¥100,000.00 still to plan" in body
    assert "¥180,000.00" in body  # year 1 net
    section = village_client.post("/projects/application/check?section=basics", data={**FORM, "end_on": "2025-01-01"},
                                  headers={"HX-Request": "true"})
    html = section.get_data(as_text=True)
    assert "<fieldset" not in html and "End date: The end date is before the start date." in html
    assert 'hx-swap-oob="true"' in html
    assert village_client.post("/projects/application/check?section=nope", data=FORM).status_code == 404


def test_tabs_are_fragments_for_htmx_and_pages_otherwise(village_client, make_project):
    project = make_project()
    full = village_client.get(f"/projects/{project.id}/timeline").get_data(as_text=True)
    fragment = village_client.get(f"/projects/{project.id}/timeline", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" in full and "<html" not in fragment and "Timeline" in fragment


def test_attachments_upload_rules_and_download(village_client, make_project, app):
    project = make_project()
    url = f"/projects/{project.id}/attachments"
    ok = village_client.post(url, data={"file": pdf_upload(), "kind": "plan"}, content_type="multipart/form-data")
    assert ok.status_code == 303
    app.config["ATTACHMENT_MAX_BYTES"] = 64
    refused = [
        village_client.post(url, data={"file": pdf_upload("big.pdf", PDF * 10), "kind": "plan"}),
        village_client.post(url, data={"file": pdf_upload("run.exe", b"MZ..."), "kind": "plan"}),
        village_client.post(url, data={"file": pdf_upload("fake.pdf", b"<html>"), "kind": "plan"}),
    ]
    assert [r.status_code for r in refused] == [422, 422, 422]
    texts = [r.get_data(as_text=True) for r in refused]
    assert "larger than" in texts[0] and "not accepted" in texts[1] and "does not match" in texts[2]
    attachment = db.session.execute(select(ProjectAttachment)).scalar_one()
    assert attachment.stored_name != "方案.pdf" and attachment.stored_name.endswith(".pdf")
    download = village_client.get(f"/projects/{project.id}/attachments/{attachment.id}")
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_approval_through_the_page_and_its_errors(app, make_project, make_user, make_funded_pool):
    pool = make_funded_pool(yuan=200 * 10_000)
    project = make_project(status="vetting")
    client = app.test_client()
    login(client, make_user(Role.APPROVER))
    url = f"/projects/{project.id}/actions/approve"
    assert "available ¥2,000,000.00" in client.get(url).get_data(as_text=True)
    short = client.post(url, data={"approved_amount": "3,000,000", "pool_id": str(pool.id)})
    assert short.status_code == 422 and "has ¥2,000,000.00 available" in short.get_data(as_text=True)
    ok = client.post(url, data={"approved_amount": "1,500,000", "pool_id": str(pool.id), "comment": "同意"})
    assert ok.status_code == 303
    db.session.refresh(project)
    assert (project.status, project.approved_amount_fen) == ("approved", 150 * WAN)
    again = client.post(url, data={"approved_amount": "1", "pool_id": str(pool.id)})
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/projects/{project.id}/timeline")
    assert "already recorded" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert db.session.execute(select(func.count(ProjectDecision.id))).scalar_one() == 1


def test_a_role_that_may_not_act_gets_403(app, make_project, make_user):
    project = make_project(status="submitted")
    client = app.test_client()
    login(client, make_user(Role.FINANCE))
    assert client.post(f"/projects/{project.id}/actions/town_pass", data={}).status_code == 403
    db.session.refresh(project)
    assert project.status == "submitted"


def scoped_routes(project, attachment_id):
    base = f"/projects/{project.id}"
    return [("GET", base), ("GET", base + "/edit"), ("POST", base + "/edit"), ("GET", base + "/timeline"),
            ("GET", base + "/versions"), ("GET", base + "/attachments"), ("POST", base + "/attachments"),
            ("GET", f"{base}/attachments/{attachment_id}"), ("GET", base + "/actions/submit"),
            ("POST", base + "/actions/submit"), ("POST", base + "/actions/town_pass")]


@pytest.mark.parametrize("outsider_role", [Role.VILLAGE, Role.TOWN])
def test_outside_scope_is_404_through_every_route(app, make_project, make_user, make_village, outsider_role):
    project = make_project()
    client = app.test_client()
    login(client, make_user(Role.VILLAGE, username="author-again", village=project.village))
    client.post(f"/projects/{project.id}/attachments", data={"file": pdf_upload(), "kind": "plan"})
    attachment_id = db.session.execute(select(ProjectAttachment.id)).scalar_one()
    elsewhere = make_village(name="别村")
    outsider = make_user(outsider_role, village=elsewhere, township=elsewhere.township)
    client = app.test_client()
    login(client, outsider)
    for method, url in scoped_routes(project, attachment_id):
        # the edit page is for village collectives only: a township reviewer is refused before scope is looked at
        expected = 403 if outsider_role == Role.TOWN and url.endswith("/edit") else 404
        assert client.open(url, method=method, data={**FORM}).status_code == expected, (method, url)
    assert project.title not in client.get("/projects").get_data(as_text=True)
    assert project.title not in client.get("/projects/export.csv").get_data(as_text=True)
    db.session.refresh(project)
    assert project.status == "draft"


def test_library_filters_search_sort_export(app, make_project, make_user, make_village):
    other = make_village(name="船寮村")
    make_project(title="牧场扩建", status="approved", requested_wan=300)
    make_project(title="生态鱼塘", status="vetting", requested_wan=150, village=other, category="aquaculture")
    make_project(title="石屋民宿", status="submitted", requested_wan=100, village=other, category="rural_tourism")
    client = app.test_client()
    login(client, make_user(Role.APPROVER))

    def titles(query):
        html = client.get(f"/projects?{query}").get_data(as_text=True)
        return [t for t in ("牧场扩建", "生态鱼塘", "石屋民宿") if t in html]

    assert titles("status=vetting") == ["生态鱼塘"]
    assert titles(f"village={other.id}") == ["生态鱼塘", "石屋民宿"]
    assert titles("category=livestock") == ["牧场扩建"]
    assert titles("q=鱼塘") == ["生态鱼塘"]
    assert titles("q=船寮") == ["生态鱼塘", "石屋民宿"]
    assert titles("min=1,200,000&max=2,000,000") == ["生态鱼塘"]
    sorted_page = client.get("/projects?sort=requested").get_data(as_text=True)
    assert sorted_page.index("石屋民宿") < sorted_page.index("生态鱼塘") < sorted_page.index("牧场扩建")
    counts = client.get("/projects?q=船寮").get_data(as_text=True)
    assert 'Submitted <span class="badge badge-muted">1</span>' in counts
    rows = list(csv.reader(io.StringIO(client.get("/projects/export.csv?sort=title").get_data().decode("utf-8-sig"))))
    assert len(rows) == 4 and {row[1] for row in rows[1:]} == {"牧场扩建", "生态鱼塘", "石屋民宿"}
    workbook = client.get("/projects/export.xlsx?status=approved")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["牧场扩建"]


def test_library_pagination_and_query_count(app, make_project, make_user, make_village):
    app.config["PAGE_SIZE"] = 5
    client = app.test_client()
    login(client, make_user(Role.APPROVER))
    for number in range(3):
        make_project(title=f"项目 {number}", village=make_village(), status="submitted")  # drafts: village only
    with count_queries() as few:
        assert client.get("/projects").status_code == 200
    for number in range(12):
        make_project(title=f"更多项目 {number}", village=make_village(), status="approved" if number % 2 else "submitted")
    with count_queries() as many:
        page = client.get("/projects?page=2").get_data(as_text=True)
    assert many.count == few.count
    assert "Page 2 of 3" in page


def test_a_library_row_shows_the_township_the_village_and_the_pool(app, make_project, make_user, make_funded_pool):
    """The library's rows are read as plain rows (listed_select): each shows its township · village, and the pool
    of an approved project (a dash before approval)."""
    pool = make_funded_pool(name="2026 专项资金池")
    approved = make_project(title="牧场扩建", status="approved")
    approved.approved_amount_fen, approved.pool_id = 300 * WAN, pool.id
    make_project(title="生态鱼塘", status="submitted")
    db.session.commit()
    client = app.test_client()
    login(client, make_user(Role.APPROVER))
    page = client.get("/projects").get_data(as_text=True)
    rows = {title: row for row in page.split("<tr>") for title in ("牧场扩建", "生态鱼塘") if title in row}
    village = approved.village
    assert f"{village.township.name} · {village.name}" in rows["牧场扩建"]
    assert "2026 专项资金池" in rows["牧场扩建"] and "2026 专项资金池" not in rows["生态鱼塘"]
    assert "<td>—</td>" in rows["生态鱼塘"] and "¥3,000,000.00" in rows["牧场扩建"]
