"""The project library at county scale (submitted projects: the county does not list drafts): the one text search (FTS5 trigram on SQLite, kept in step
by triggers; pg_trgm on PostgreSQL), the grouped counts, keyset paging."""
import re

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.projects.library import LibraryFilter, decode_cursor, library_select, listed_select
from fundtracker.projects.models import Project

from ..conftest import USE_POSTGRES, login
from ..query_counter import count_queries

TITLES = ("牧场扩建", "生态鱼塘", "石屋民宿")


def _client(app, make_user):
    client = app.test_client()
    login(client, make_user(Role.APPROVER))
    return client


def _found(client, query) -> list[str]:
    html = client.get("/projects", query_string={"q": query}).get_data(as_text=True)
    return [title for title in TITLES if title in html]


def test_search_uses_the_index_and_follows_every_change(app, make_project, make_user):
    for title in TITLES:
        make_project(title=title, description=f"{title}的说明", location="高市村后山", status="submitted")
    db.session.commit()
    client = _client(app, make_user)
    with count_queries() as queries:
        assert _found(client, "鱼塘养") == [] and _found(client, "生态鱼塘") == ["生态鱼塘"]
    if not USE_POSTGRES:
        assert any("projects_fts MATCH" in statement for statement in queries.statements)
    assert _found(client, "后山") == list(TITLES)  # two characters: the LIKE fallback
    assert _found(client, "MUCHANG") == []
    project = db.session.execute(db.select(Project).where(Project.title == "牧场扩建")).scalar_one()
    project.title = "茶叶加工厂"
    db.session.commit()
    assert _found(client, "牧场扩") == [] and "茶叶加工厂" in client.get("/projects?q=叶加工").get_data(as_text=True)
    db.session.delete(project)
    db.session.commit()
    assert "茶叶加工厂" not in client.get("/projects?q=叶加工").get_data(as_text=True)


def test_search_terms_are_text_not_patterns(app, make_project, make_user):
    make_project(title="百分之百_项目", status="submitted")
    make_project(title="普通项目", status="submitted")
    db.session.commit()
    client = _client(app, make_user)
    assert "普通项目" not in client.get("/projects?q=%").get_data(as_text=True)
    assert "普通项目" not in client.get("/projects?q=之百_").get_data(as_text=True)
    assert "百分之百_项目" in client.get("/projects?q=之百_").get_data(as_text=True)
    assert client.get('/projects?q="OR"').status_code == 200  # FTS syntax is quoted


def test_counts_by_status_come_from_one_grouped_query(app, make_project, make_user):
    for status in ("draft", "submitted", "submitted", "vetting"):
        make_project(status=status)
    db.session.commit()
    client = _client(app, make_user)
    with count_queries() as queries:
        html = client.get("/projects?q=牧场").get_data(as_text=True)
    counting = [s for s in queries.statements if "count(" in s.lower()]
    assert len(counting) == 1 and re.search(r"GROUP BY \+?projects.status", counting[0])
    assert 'Submitted <span class="badge badge-muted">2</span>' in html
    assert "4 rows" in html or "Page 1 of 1" in html or "4" in html


def test_a_short_term_is_counted_in_one_pass_over_the_table(app):
    """SQLite matches a one- or two-character term against every project: the counts read the table in its
    own order instead of seeking every row from the status index."""
    if USE_POSTGRES:
        return
    from fundtracker.projects.library import _filtered, _status_group

    for term, walks_status_index in (("牧场", False), ("", True)):
        filters = LibraryFilter(text=term)
        stmt = _filtered(filters, with_status=False).with_only_columns(Project.status).group_by(_status_group(filters))
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row) for row in db.session.execute(db.text("EXPLAIN QUERY PLAN " + sql)))
        assert ("ix_projects_status" in plan) == walks_status_index, (term, plan)
        assert "lower(" not in sql  # SQLite's LIKE ignores ASCII case itself; lower() on both sides doubled the scan


def test_a_term_without_cased_letters_is_matched_without_folding_every_row(app):
    from fundtracker.projects.library import _filtered

    def sql(term):
        return str(_filtered(LibraryFilter(text=term)).compile(db.engine)).upper()

    for term in ("茶叶", "冷库项目", "2026"):
        assert "ILIKE" not in sql(term) and "LOWER(" not in sql(term), term
    if USE_POSTGRES:
        assert "ILIKE" in sql("Tea")
    else:  # SQLite's own LIKE ignores ASCII case: no lower() on both sides, for Latin letters too
        assert "LOWER(" not in sql("ea") and "LOWER(" not in sql("Tea")


def test_search_ignores_the_case_of_latin_letters(app, make_project, make_user):
    make_project(title="Tea Garden 茶园", status="submitted")
    db.session.commit()
    client = _client(app, make_user)
    for term in ("ea", "EA", "tEA gaRDEN"):  # two letters by LIKE, more by the index
        assert "Tea Garden 茶园" in client.get("/projects", query_string={"q": term}).get_data(as_text=True), term


def _titles_on(html: str) -> list[str]:
    return re.findall(r'href="/projects/\d+">([^<]+)</a>', html)


def _link(html: str, label: str) -> str | None:
    match = re.search(r'<a href="([^"]+)">[^<]*' + label, html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_next_and_previous_page_by_keyset(app, make_project, make_user, make_village):
    app.config["PAGE_SIZE"] = 5
    # three villages, two of the same name in different townships: the village sort pages through ties
    villages = [make_village(name="东村"), make_village(name="东村"), make_village(name="西村")]
    for number in range(12):
        make_project(title=f"项目 {number:02d}", requested_wan=100 + number % 3, status="submitted",
                     village=villages[number % 3])
    db.session.commit()
    client = _client(app, make_user)
    for sort in ("-created", "title", "-requested", "village", "-village", "status"):
        pages, url = [], f"/projects?sort={sort}"
        while url:
            with count_queries() as queries:
                html = client.get(url).get_data(as_text=True)
            if "after=" in url:  # the page starts past the last row shown: a row-value comparison
                assert any(re.search(r"projects\.id\) [<>] \(", s) for s in queries.statements)
            pages.append(_titles_on(html))
            url = _link(html, "Next")
        seen = [title for page in pages for title in page]
        assert len(pages) == 3 and len(seen) == 12 and len(set(seen)) == 12, (sort, pages)
        assert "Page 3 of 3" in html
        back = client.get(_link(html, "‹ Previous")).get_data(as_text=True)
        assert _titles_on(back) == pages[1] and "Page 2 of 3" in back
        first = client.get(_link(back, "‹ Previous")).get_data(as_text=True)
        assert _titles_on(first) == pages[0] and _link(first, "‹ Previous") is None


def test_a_bookmarked_page_number_and_a_broken_cursor_still_answer(app, make_project, make_user):
    app.config["PAGE_SIZE"] = 5
    for number in range(7):
        make_project(title=f"项目 {number:02d}", status="submitted")
    db.session.commit()
    client = _client(app, make_user)
    assert len(_titles_on(client.get("/projects?page=2").get_data(as_text=True))) == 2
    for cursor in ("garbage", "W10=", "WyJ4IiwgIjEiXQ=="):
        assert client.get(f"/projects?page=2&after={cursor}").status_code == 200
    assert decode_cursor("garbage") is None


def test_every_sort_is_ordered_by_an_index(app):
    if USE_POSTGRES:
        return  # the planner's choice on an empty table says nothing; SQLite's plan does
    for sort in ("-created", "created", "title", "-requested", "requested", "approved"):
        for pick in (listed_select, library_select):  # the page's rows and the export's objects
            stmt = pick(LibraryFilter(sort=sort)).limit(50)
            sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row) for row in db.session.execute(db.text("EXPLAIN QUERY PLAN " + sql)))
            assert "TEMP B-TREE" not in plan, (sort, pick, plan)
    stmt = listed_select(LibraryFilter(status="vetting", sort="-requested")).limit(50)
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = " ".join(str(row) for row in db.session.execute(db.text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_projects_" in plan and "TEMP B-TREE" not in plan


def test_the_approvers_waiting_counts_read_only_the_statuses_counted(app, make_project, make_user, make_funded_pool):
    """The home page's counts (to send to the panel, to decide, city filings due) are right, and on SQLite
    read a range of one index that holds every column they test, not every project."""
    from datetime import date

    from fundtracker.projects.todo import WAITING, counts_select

    pool = make_funded_pool()
    for status in ("draft", "submitted", "town_passed", "town_passed", "vetting", "rejected"):
        make_project(status=status)
    for filed_on in (date(2026, 3, 1), None, None):
        project = make_project(status="approved")
        project.approved_amount_fen, project.pool_id, project.city_filed_on = 100_00, pool.id, filed_on
    db.session.commit()
    approver = make_user(Role.APPROVER)
    stmt = counts_select(approver, [(status, condition) for _, status, condition in WAITING[Role.APPROVER]])
    assert list(db.session.execute(stmt).one()) == [2, 1, 2]
    if not USE_POSTGRES:
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row) for row in db.session.execute(db.text("EXPLAIN QUERY PLAN " + sql)))
        assert "SEARCH projects USING COVERING INDEX ix_projects_status_dates" in plan, plan
