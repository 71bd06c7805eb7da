"""The public pages: which projects they show, the same 404 for unknown and private, no cookie for an
anonymous visitor, cacheable with 304 on a conditional GET, flat query counts, search and pages,
QR codes and notice boards, public attachments only, other domains' sections by position, robots.txt,
and every other route asks for a sign-in."""
import io
import re

import pytest
from werkzeug.datastructures import FileStorage

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.projects.services import add_attachment
from fundtracker.public.models import NoticeKind
from fundtracker.signals import Hook, Section, connect

from ..projects.conftest import PDF
from ..query_counter import count_queries

PUBLISHED = ["town_passed", "vetting", "approved", "in_progress", "accepted", "operating", "closed", "exited"]
NEVER_PUBLISHED = ["draft", "submitted", "returned", "rejected"]


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("status", PUBLISHED)
def test_a_project_that_reached_the_county_is_public(client, make_project, status):
    project = make_project(status=status, title="公开的项目")
    response = client.get(f"/public/projects/{project.id}")
    assert response.status_code == 200 and "公开的项目" in body(response)


@pytest.mark.parametrize("status", NEVER_PUBLISHED)
def test_a_project_never_published_is_the_same_404_as_an_unknown_one(client, make_project, status):
    project = make_project(status=status, title="未公开的项目")
    private = client.get(f"/public/projects/{project.id}")
    unknown = client.get("/public/projects/999999")
    assert private.status_code == unknown.status_code == 404
    assert body(private).replace(f"/{project.id}?", "/N?") == body(unknown).replace("/999999?", "/N?")
    for path in (f"/public/projects/{project.id}/board", f"/public/projects/{project.id}/attachments/1"):
        assert client.get(path).status_code == 404
    assert "未公开的项目" not in body(client.get(f"/public/villages/{project.village_id}"))
    assert "未公开的项目" not in body(client.get("/public/"))


def test_a_rejected_application_that_was_published_stays_public(client, make_project, make_notice):
    project = make_project(status="vetting", title="曾公示的项目")
    make_notice(project, kind=NoticeKind.APPLICATION)
    project.status = "rejected"
    db.session.commit()
    assert client.get(f"/public/projects/{project.id}").status_code == 200


def test_unknown_village_and_notice_are_404(client, make_project, make_notice):
    assert client.get("/public/villages/999999").status_code == 404
    assert client.get("/public/villages/999999/board").status_code == 404
    assert client.get("/public/notices/999999").status_code == 404
    assert client.get("/public/notices/999999/objection").status_code == 404


def test_a_notice_of_a_project_no_longer_public_is_404(client, make_project, make_notice):
    project = make_project(status="vetting")
    notice = make_notice(project)
    db.session.delete(notice)
    db.session.commit()
    assert client.get(f"/public/notices/{notice.id}").status_code == 404


@pytest.fixture
def public_world(make_project, make_notice):
    project = make_project(status="approved", title="公开项目")
    notice = make_notice(project)
    return {"project": project, "notice": notice}


def public_paths(world) -> list[str]:
    project, notice = world["project"], world["notice"]
    return ["/public/", "/public/?q=公开", "/public/villages", f"/public/villages/{project.village_id}",
            f"/public/villages/{project.village_id}/board", f"/public/projects/{project.id}",
            f"/public/projects/{project.id}/board", f"/public/notices/{notice.id}"]


def test_anonymous_public_pages_set_no_cookie_and_are_cacheable(app, public_world):
    for path in public_paths(public_world):
        client = app.test_client()
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert response.headers["Cache-Control"] == "public, max-age=60", path
        assert response.headers.get("ETag"), path
        assert "Accept-Language" in response.headers["Vary"], path
        assert not list(client._cookies), path


def test_the_objection_form_is_the_one_public_page_that_sets_the_csrf_cookie(app, public_world):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().get(f"/public/notices/{public_world['notice'].id}/objection")
    assert response.status_code == 200
    assert "session=" in response.headers["Set-Cookie"]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_conditional_get_gets_304(app, public_world):
    client = app.test_client()
    for path in public_paths(public_world):
        first = client.get(path)
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
        assert again.get_data() == b""
        changed = client.get(path, headers={"If-None-Match": '"not-the-page"'})
        assert changed.status_code == 200


def test_a_new_objection_changes_the_etag(app, public_world):
    from fundtracker.public.notices import file_objection

    client = app.test_client()
    path = f"/public/notices/{public_world['notice'].id}"
    before = client.get(path).headers["ETag"]
    file_objection(public_world["notice"], text_="数额不对", contact="", address="10.0.0.1")
    db.session.commit()
    assert client.get(path, headers={"If-None-Match": before}).status_code == 200


def test_robots_txt_allows_the_public_pages_and_disallows_the_rest(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert body(response).splitlines() == ["User-agent: *", "Allow: /public/", "Allow: /static/", "Disallow: /"]


def _anonymous_url(rule) -> str:
    values = {name: 1 if "Integer" in type(converter).__name__ else "x" for name, converter in rule._converters.items()}
    return rule.build(values)[1]


def test_anonymous_requests_to_every_other_route_are_sent_to_the_sign_in(app):
    """Walk the url_map: every route that is not marked public (and not the sign-in, the language switch,
    the health check or static files) sends an anonymous visitor to the sign-in page."""
    open_to_all = {"auth.login", "main.set_language", "main.health", "static"}
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in open_to_all or getattr(view, "public_access", False):
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_anonymous_url(rule), method=method)
        assert response.status_code == 302, f"{method} {rule.rule}: {response.status_code}"
        assert "/login" in response.headers["Location"], rule.rule
        checked += 1
    assert checked > 50


def test_the_public_views_are_exactly_the_public_blueprint_s_pages_and_robots(app):
    public = sorted(rule.rule for rule in app.url_map.iter_rules()
                    if getattr(app.view_functions[rule.endpoint], "public_access", False))
    assert all(path.startswith("/public/") for path in public if path != "/robots.txt")
    assert "/robots.txt" in public and len(public) == 10


def test_query_counts_do_not_grow_with_rows(app, make_project, make_notice):
    client = app.test_client()
    first = make_project(status="approved", title="项目0")
    make_notice(first)
    paths = ["/public/", f"/public/villages/{first.village_id}", f"/public/projects/{first.id}",
             f"/public/notices/{make_notice(first, kind=NoticeKind.OTHER).id}"]
    counts = {}
    for path in paths:
        with count_queries() as counted:
            assert client.get(path).status_code == 200
        counts[path] = counted.count
    from fundtracker.public.notices import file_objection

    for number in range(1, 6):
        more = make_project(status="approved", title=f"项目{number}", author=None)
        for notice in (make_notice(more), make_notice(first)):
            file_objection(notice, text_="异议", contact="", address=f"10.0.0.{number}")
    db.session.commit()
    for path in paths:
        with count_queries() as counted:
            assert client.get(path).status_code == 200
        assert counted.count == counts[path], path


def test_search_and_pages_of_the_county_list(app, make_project):
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        make_project(status="vetting", title=f"鱼塘项目{number}")
    make_project(status="vetting", title="民宿项目")
    client = app.test_client()
    found = body(client.get("/public/?q=鱼塘"))
    assert found.count("鱼塘项目") == 2 and "民宿项目" not in found and 'class="pagination' in found
    assert "鱼塘项目0" in body(client.get("/public/?q=鱼塘&page=2"))
    assert "民宿项目" in body(client.get("/public/?q=民宿"))
    assert "高市村" in body(client.get("/public/villages?q=高市"))
    assert "高市村" not in body(client.get("/public/villages?q=温溪"))


def test_qr_code_and_notice_boards(app, public_world):
    client = app.test_client()
    project = public_world["project"]
    page = body(client.get(f"/public/projects/{project.id}"))
    assert re.search(r'<svg[^>]*class="qr"', page)
    assert f"http://localhost/public/projects/{project.id}" in page
    board = body(client.get(f"/public/projects/{project.id}/board"))
    assert 'id="notice-board"' in board and re.search(r'<svg[^>]*class="qr"', board)
    village_board = body(client.get(f"/public/villages/{project.village_id}/board"))
    assert f"http://localhost/public/villages/{project.village_id}" in village_board
    app.config["PUBLIC_BASE_URL"] = "https://funds.example.gov.cn"
    assert f"https://funds.example.gov.cn/public/projects/{project.id}" in body(
        client.get(f"/public/projects/{project.id}", headers={"Host": "evil.example"}))


def test_only_attachments_marked_public_are_shown(app, public_world, village_user):
    project = public_world["project"]
    shown = add_attachment(project, FileStorage(io.BytesIO(PDF), "公开的方案.pdf"), kind="plan", actor=village_user)
    hidden = add_attachment(project, FileStorage(io.BytesIO(PDF), "内部的合同.pdf"), kind="other", actor=village_user)
    shown.public = True
    db.session.commit()
    client = app.test_client()
    page = body(client.get(f"/public/projects/{project.id}"))
    assert "公开的方案.pdf" in page and "内部的合同.pdf" not in page
    assert client.get(f"/public/projects/{project.id}/attachments/{shown.id}").data == PDF
    assert client.get(f"/public/projects/{project.id}/attachments/{hidden.id}").status_code == 404


def test_the_village_and_the_approver_mark_an_attachment_public(app, public_world, village_user, make_user):
    from ..conftest import login
    from fundtracker.auth.roles import Role

    project = public_world["project"]
    file = add_attachment(project, FileStorage(io.BytesIO(PDF), "照片.pdf"), kind="photo", actor=village_user)
    db.session.commit()
    assert file.public is False
    url = f"/projects/{project.id}/attachments/{file.id}/public"
    other = app.test_client()
    login(other, make_user(Role.VILLAGE, username="other-village"))
    assert other.post(url, data={"public": "1"}).status_code == 404
    client = app.test_client()
    login(client, village_user)
    assert client.post(url, data={"public": "1"}).status_code == 303
    db.session.refresh(file)
    assert file.public is True
    assert "照片.pdf" in body(app.test_client().get(f"/public/projects/{project.id}"))
    assert client.post(url, data={"public": "0"}).status_code == 303
    db.session.refresh(file)
    assert file.public is False


def test_sections_of_other_domains_are_shown_sorted_by_position(app, public_world, tmp_path):
    app.jinja_loader.searchpath.append(str(tmp_path))
    (tmp_path / "late.html").write_text("<p id='late'>{{ words }}</p>")
    (tmp_path / "early.html").write_text("<p id='early'>{{ words }}</p>")
    connect(app, Hook.PUBLIC_PROJECT_SECTION, lambda project: Section("验收结果", "late.html", {"words": "晚"}, 500))
    connect(app, Hook.PUBLIC_PROJECT_SECTION, lambda project: Section("评价", "early.html", {"words": "早"}, 1))
    connect(app, Hook.PUBLIC_PROJECT_SECTION, lambda project: None)
    connect(app, Hook.PUBLIC_VILLAGE_SECTION, lambda village: Section("资产", "early.html", {"words": village.name}))
    page = body(app.test_client().get(f"/public/projects/{public_world['project'].id}"))
    assert page.index("<p id='early'>早</p>") < page.index("<p id='late'>晚</p>") < page.index('id="project-notices"')
    assert page.index("评价") < page.index("验收结果")
    village_page = body(app.test_client().get(f"/public/villages/{public_world['project'].village_id}"))
    assert "<p id='early'>高市村</p>" in village_page


def test_the_public_pages_paid_figure_is_the_ledger_s_as_on_the_dashboard(app, make_project, make_funded_pool,
                                                                         approver, make_user):
    """Paid to a project, net of a reversal, written to the ledger: the public project page, the county list and
    the village page show the figure the dashboard's pool table shows (one source: paid_to_projects_fen)."""
    from datetime import timedelta

    from fundtracker.clock import local_today
    from fundtracker.dashboard.services import DashboardFilter, dashboard_tables
    from fundtracker.disbursements.models import Tranche
    from fundtracker.money import format_fen
    from fundtracker.pools.models import EntryKind
    from fundtracker.pools.services import append_entry, commit_to_project, paid_to_projects_fen, reverse_entry

    from ..dashboard.helpers import by_first_column, signed_in_as

    wan = 10_000 * 100
    finance = make_user(Role.FINANCE)
    pool = make_funded_pool()
    project = make_project(status="in_progress", title="台账项目")
    project.approved_amount_fen, project.pool_id = 100 * wan, pool.id
    commit_to_project(pool.id, project.id, 100 * wan, actor=approver)
    tranche = Tranche(project_id=project.id, position=1, description="第1批", amount_fen=100 * wan,
                      planned_on=local_today(), required_documents=[])
    db.session.add(tranche)
    db.session.flush()
    day = local_today() - timedelta(days=1)
    for amount in (30, 20):
        entry = append_entry(pool.id, EntryKind.DISBURSEMENT, amount * wan, actor=finance, value_date=day,
                             project_id=project.id, tranche_id=tranche.id)
    reverse_entry(pool.id, entry.id, actor=finance, reason="重复拨付", value_date=day, payment_reversal=True)
    db.session.commit()
    paid = paid_to_projects_fen([project.id])[project.id]
    assert paid == 30 * wan
    with signed_in_as(app, approver):
        pool_use = next(table for table in dashboard_tables(DashboardFilter()) if table.key == "pool-use")
        on_dashboard = by_first_column(pool_use, "Paid to projects")[pool.name]
    assert on_dashboard == paid
    client = app.test_client()
    public_page = body(client.get(f"/public/projects/{project.id}"))
    total = re.search(r'<table id="public-payments">.*?<tfoot>.*?<th class="num">([^<]+)</th>', public_page, re.S)
    assert total.group(1) == format_fen(paid)
    for url in ("/public/", f"/public/villages/{project.village_id}"):
        assert format_fen(paid) in body(client.get(url)), url
