"""Crafted input through the pages (issue 10, items 10 and 11): every case answers 4xx with a message a
person can act on, never 5xx, and writes nothing; redirects, lists, exports and escaping hold up."""
import csv
import io
from urllib.parse import unquote

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.pools.models import FundPool
from fundtracker.projects.models import Project

from .conftest import PASSWORD, USE_POSTGRES, login
from .projects.conftest import make_funded_pool, make_project, village_user  # noqa: F401  (shared fixtures)
from .vetting.conftest import approver, panel, reviewers  # noqa: F401  (shared fixtures)

LOAN = {"source_type": "loan", "contributor": "农商银行", "amount": "8000000", "received_on": "2026-03-01",
        "lender": "浙江青田农村商业银行", "annual_rate": "3.85", "term_months": "36", "loan_start_on": "2026-03-01",
        "repayment_schedule": "interest_yearly", "collateral-0-name": "高市村闲置办公楼",
        "collateral-0-kind": "office_building", "collateral-0-estimated_value": "3,000,000", "token": "t-crafted"}
APPLICATION = {
    "title": "冷库建设", "category": "processing", "description": "500 吨冷库", "location": "村口",
    "start_on": "2026-03-01", "end_on": "2027-02-28", "contact_name": "李", "contact_phone": "123",
    "total_investment": "900,000", "requested": "600000", "funding_subsidy": "500000", "funding_self_raised": "300000",
    "funding_loan": "100000", "loan_rate": "3.85", "loan_term_months": "36", "year_1_revenue": "300000",
    "year_1_cost": "120000", "risks": "电费", "mitigation": "光伏", "meeting_on": "2026-01-10",
    "meeting_attendance": "30", "meeting_votes_for": "25", "meeting_votes_against": "1",
}
NEW_USER = {"username": "newcomer", "display_name": "新人", "password": "long-enough-1", "roles": ["finance"],
            "village_id": "", "township_id": "", "department": ""}
DATE_RANGE = "accepted dates run from 1 Jan 2000 to"  # dates in the language's one format
NUL = "NUL character"
RATE_RANGE = "between 0% and 36%"

# (page, change to the good form, status, message)
CASES = [
    ("contribution", {"annual_rate": "1e999999"}, 422, "Enter the rate in percent"),
    ("contribution", {"annual_rate": "NaN"}, 422, "Enter the rate in percent"),
    ("contribution", {"annual_rate": "Infinity"}, 422, "Enter the rate in percent"),
    ("contribution", {"annual_rate": "-Infinity"}, 422, RATE_RANGE),
    ("contribution", {"annual_rate": "sNaN"}, 422, "Enter the rate in percent"),
    ("contribution", {"annual_rate": "3.85e0"}, 422, "Enter the rate in percent"),
    ("contribution", {"amount": "1e999999"}, 422, "Enter the amount as digits"),
    ("contribution", {"amount": "Infinity"}, 422, "Enter the amount as digits"),
    ("contribution", {"amount": "9" * 5000}, 422, "above the maximum"),
    ("contribution", {"collateral-0-estimated_value": "1e999999"}, 422, "Enter the amount as digits"),
    ("contribution", {"term_months": "99999999999999999999"}, 422, "at least one month"),
    ("contribution", {"term_months": "1e3"}, 422, "Not a valid integer value"),
    ("contribution", {"term_months": "9" * 5000}, 422, "Not a valid integer value"),
    ("contribution", {"received_on": "0001-01-01"}, 422, DATE_RANGE),
    ("contribution", {"loan_start_on": "0001-01-01"}, 422, DATE_RANGE),
    ("contribution", {"loan_start_on": "1999-12-31"}, 422, DATE_RANGE),
    ("contribution", {"loan_start_on": "2999-01-01"}, 422, DATE_RANGE),
    ("contribution", {"contributor": "县财政\x00局"}, 400, NUL),
    ("contribution", {"reference": "\x00"}, 400, NUL),
    ("application", {"loan_rate": "1e999999"}, 422, "Enter the rate in percent"),
    ("application", {"loan_rate": "NaN"}, 422, "Enter the rate in percent"),
    ("application", {"loan_rate": "-5"}, 422, RATE_RANGE),
    ("application", {"loan_rate": "50"}, 422, RATE_RANGE),
    ("application", {"loan_term_months": "0"}, 422, "Number must be between 1 and 600"),
    ("application", {"loan_term_months": "99999999999999999999"}, 422, "Number must be between 1 and 600"),
    ("application", {"meeting_attendance": "9" * 30}, 422, "Number must be between 0 and 100000"),
    ("application", {"funding_subsidy": "-5"}, 422, "cannot be negative"),
    ("application", {"total_investment": "1e999999"}, 422, "Enter the amount as digits"),
    ("application", {"start_on": "0001-01-01"}, 422, DATE_RANGE),
    ("application", {"end_on": "9999-12-31"}, 422, DATE_RANGE),
    ("application", {"meeting_on": "0001-01-01"}, 422, DATE_RANGE),
    ("application", {"title": "冷库\x00"}, 400, NUL),
    ("login", {"username": "admin\x00"}, 400, NUL),
    ("login", {"password": "\x00"}, 400, NUL),
    ("new_user", {"display_name": "新\x00人"}, 400, NUL),
    ("new_user", {"password": "aaaaaaaaaa"}, 422, "different characters"),
    ("query", {"q": "\x00"}, 400, NUL),
]


def row_counts() -> dict:
    db.session.expire_all()
    return {table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables}


@pytest.fixture
def pages(app, make_user, village_user):  # noqa: F811
    finance, admin = make_user(Role.FINANCE), make_user(Role.ADMIN)
    pool = FundPool(name="2026/强村 资金池", year=2026)
    db.session.add(pool)
    db.session.commit()
    clients = {}
    for name, user in (("finance", finance), ("village", village_user), ("admin", admin)):
        clients[name] = app.test_client()
        assert login(clients[name], user).status_code == 303
    return {
        "contribution": (clients["finance"], "POST", f"/pools/{pool.id}/contributions/new", LOAN),
        "application": (clients["village"], "POST", "/projects/new", APPLICATION),
        "login": (app.test_client(), "POST", "/login", {"username": admin.username, "password": PASSWORD}),
        "new_user": (clients["admin"], "POST", "/admin/users/new", NEW_USER),
        "query": (clients["admin"], "GET", "/admin/users", {}),
    }


@pytest.mark.parametrize("page, change, status, message", CASES,
                         ids=[f"{page}-{'-'.join(change)}-{str(list(change.values())[0])[:12]!r}"
                              for page, change, *_ in CASES])
def test_crafted_input_is_refused_with_a_message_and_writes_nothing(pages, page, change, status, message):
    client, method, url, good = pages[page]
    before = row_counts()
    if method == "POST":
        response = client.post(url, data={**good, **change})
    else:
        response = client.get(url, query_string=change)
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[-2000:]
    assert message in body
    assert row_counts() == before


@pytest.mark.parametrize("page", ["contribution", "application", "new_user"])
def test_the_good_forms_of_the_table_are_accepted(pages, page):
    """The table's cases fail for their change, not for the form they start from."""
    client, _, url, good = pages[page]
    assert client.post(url, data=good).status_code == 303


def test_the_anonymous_login_page_refuses_a_nul_byte_with_a_clear_page(client):
    response = client.post("/login", data={"username": "\x00", "password": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and NUL in response.get_data(as_text=True)


def test_the_chinese_page_says_it_in_chinese(client):
    response = client.get("/login?next=%00", headers={"Accept-Language": "zh"})
    assert response.status_code == 400 and "空字符" in response.get_data(as_text=True)


# --- redirects ----------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/%0d%0aSet-Cookie:%20a=b", "/%0aLocation:%20https://evil.example", "/\\evil.example",
                                    "/%5cevil.example", "/%09/evil.example", "https://evil.example/", "//evil.example",
                                    "/%00"])
def test_next_is_checked_before_any_redirect(app, make_user, target):
    user = make_user(Role.FINANCE)
    language = app.test_client().get(f"/language/en?next={target}")
    assert language.status_code in (303, 400)
    if language.status_code == 303:
        assert language.headers["Location"] == "/"
    assert app.test_client().get(f"/login?next={target}").status_code in (200, 400)
    signed_in = app.test_client().post(f"/login?next={target}", data={"username": user.username, "password": PASSWORD})
    assert signed_in.status_code in (303, 400)
    if signed_in.status_code == 303:
        assert signed_in.headers["Location"] == "/"


def test_a_plain_next_path_is_still_followed(app, make_user):
    user = make_user(Role.FINANCE)
    assert app.test_client().get("/language/en?next=/pools%3Fpage%3D2").headers["Location"] == "/pools?page=2"
    signed_in = app.test_client().post("/login?next=/pools", data={"username": user.username, "password": PASSWORD})
    assert signed_in.headers["Location"] == "/pools"


# --- unknown query arguments --------------------------------------------------------------------

RESERVED_QUERY = "endpoint=x&_external=1&_anchor=a&_scheme=javascript&_method=POST&fmt=x&pool_id=1&page=1"


@pytest.fixture
def two_of_everything(make_app, make_user, make_project, make_funded_pool):  # noqa: F811
    """Every list has two rows and shows one per page, so that every list has pagination links."""
    make_project(title="甲", status="submitted"), make_project(title="乙", status="submitted")  # drafts: village only
    pool_id = [make_funded_pool(name="池甲"), make_funded_pool(name="池乙")][0].id
    username = make_user(Role.ADMIN, Role.FINANCE, Role.APPROVER).username
    db.session.rollback()  # the test's own transaction must not hold SQLite's write lock for the second app
    app = make_app(PAGE_SIZE=1)
    client = app.test_client()
    assert login(client, username).status_code == 303
    return app, client, pool_id


def test_url_for_parameters_in_the_query_string_are_ignored_on_every_list(two_of_everything):
    app, client, pool_id = two_of_everything
    lists = [rule.rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
             and not rule.rule.startswith(("/language", "/healthz"))]
    lists.append(f"/pools/{pool_id}/statement")
    paginated = set()
    for path in lists:
        response = client.get(f"{path}?{RESERVED_QUERY}")
        assert response.status_code < 500, path
        body = response.get_data(as_text=True)
        if 'class="pagination' in body:
            paginated.add(path)
            links = body[body.index('class="pagination'):].split("</nav>", 1)[0]
            assert "http://" not in links and "endpoint=" not in links and "_anchor" not in links and "#" not in links
            assert "page=2" in links, path
    assert paginated >= {"/projects", "/pools", "/admin/users", "/admin/audit"}
    export = client.get(f"/projects?{RESERVED_QUERY}").get_data(as_text=True)
    assert "/projects/export.xlsx" in export


# --- exports --------------------------------------------------------------------------------------

def _disposition_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"")
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def test_statement_exports_of_a_pool_with_a_slash_in_its_name(contribute_as_finance):
    pool, client = contribute_as_finance
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/pools/{pool.id}/statement.{fmt}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert _disposition_name(response) == f"statement-{pool.id}-2026强村-资金池a.{fmt}"  # Chinese kept
    sheet = load_workbook(io.BytesIO(client.get(f"/pools/{pool.id}/statement.xlsx").data)).active
    assert sheet.title == '2026 强村 资金池 "<>|a'


@pytest.fixture
def contribute_as_finance(app, make_user):
    finance = make_user(Role.FINANCE)
    pool = FundPool(name='2026/强村 资金池:*?"<>|\x07a', year=2026)
    db.session.add(pool)
    db.session.commit()
    client = app.test_client()
    login(client, finance)
    for number, contributor in enumerate(["\t=HYPERLINK(\"http://evil.example\")", "\r=1+1", "\n@SUM(A1)",
                                          "-2+3", "+cmd", "县财政局"]):
        response = client.post(f"/pools/{pool.id}/contributions/new", data={
            "source_type": "donation", "contributor": contributor, "amount": "10", "received_on": "2026-03-01",
            "token": f"t{number}"})
        assert response.status_code == 303, response.get_data(as_text=True)
    return pool, client


def test_csv_and_xlsx_escape_every_formula_start(contribute_as_finance):
    """The contributor column is stripped on the way in; the memo keeps a leading tab, CR or LF (issue 10,
    item 11): both are escaped, in CSV and in XLSX, by the one function."""
    pool, client = contribute_as_finance
    expected_memos = ["'\t=HYPERLINK(\"http://evil.example\")", "'\r=1+1", "'\n@SUM(A1)", "'-2+3", "'+cmd", "县财政局"]
    text_body = client.get(f"/pools/{pool.id}/statement.csv").get_data().decode("utf-8-sig")
    written = io.StringIO(newline="")
    csv.writer(written).writerow(expected_memos)  # how csv quotes them (csv.reader would turn a CR into LF)
    for memo in written.getvalue().rstrip("\r\n").split(",")[:3]:
        assert f",{memo}," in text_body
    rows = list(csv.reader(io.StringIO(text_body)))[1:]
    assert [row[4] for row in rows][:3] == ["'=HYPERLINK(\"http://evil.example\")", "'=1+1", "'@SUM(A1)"]
    assert [row[5] for row in rows][3:] == expected_memos[3:]
    sheet = load_workbook(io.BytesIO(client.get(f"/pools/{pool.id}/statement.xlsx").data)).active
    read_back = [memo.replace("\r", "\n") for memo in expected_memos]  # XML reads a CR as LF
    last = 1 + len(expected_memos)  # the totals row follows
    assert [row[5] for row in sheet.iter_rows(min_row=2, max_row=last, values_only=True)] == read_back
    assert all(cell.data_type == "s" for cell in next(sheet.iter_cols(min_col=5, max_col=6, min_row=2, max_row=last)))


def test_panel_scores_of_a_project_without_a_panel_are_404(app, make_user, make_project):  # noqa: F811
    project = make_project(status="vetting")
    client = app.test_client()
    login(client, make_user(Role.APPROVER))
    response = client.get(f"/projects/{project.id}/vetting/scores.xlsx")
    assert response.status_code == 404


def test_panel_scores_of_a_project_with_a_slash_in_its_title(app, panel, make_user):  # noqa: F811
    project, _ = panel(title="牧场/冷库 *二期*")
    client = app.test_client()
    login(client, make_user(Role.ADMIN))
    response = client.get(f"/projects/{project.id}/vetting/scores.xlsx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert load_workbook(io.BytesIO(response.data)).active.title == "牧场 冷库 二期"


# --- the CHECK constraints of migration 0009 ---------------------------------------------------

@pytest.mark.parametrize("values", [{"loan_rate_bp": -500}, {"loan_rate_bp": 5000}, {"loan_term_months": 0},
                                    {"funding_loan_fen": -1}])
def test_the_database_refuses_what_the_forms_refuse(app, make_project, values):  # noqa: F811
    project = make_project()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Project).where(Project.id == project.id).values(**values))
        db.session.flush()
    db.session.rollback()


@pytest.mark.skipif(USE_POSTGRES, reason="a fresh SQLite file; the check is plain SQL")
def test_migration_0009_stops_on_violating_rows_and_names_them(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        command.upgrade(config, "0008")
        with db.engine.begin() as connection:
            for sql in (
                "INSERT INTO townships (id, name, created_at) VALUES (1, 't', '2026-01-01')",
                "INSERT INTO villages (id, township_id, name, created_at) VALUES (1, 1, 'v', '2026-01-01')",
                "INSERT INTO users (id, username, display_name, password_hash, active, session_token, "
                "failed_login_count, created_at) VALUES (1, 'u', 'u', 'x', 1, 't', 0, '2026-01-01')",
                "INSERT INTO projects (id, village_id, title, category, status, total_investment_fen, requested_fen, "
                "created_by_id, description, location, funding_subsidy_fen, funding_loan_fen, funding_self_raised_fen, "
                "funding_donation_fen, funding_other_fen, loan_rate_bp, loan_term_months, risks, mitigation, "
                "contact_name, contact_phone, city_filing_reference, created_at, updated_at) VALUES "
                "(7, 1, 'p', 'other', 'draft', 0, 0, 1, '', '', 0, 0, 0, 0, 0, 5000, 12, '', '', '', '', '', "
                "'2026-01-01', '2026-01-01')",
            ):
                connection.execute(text(sql))
        with pytest.raises(RuntimeError, match=r"loan_rate_range: project ids 7"):
            command.upgrade(config, "0009")
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0008"
            connection.execute(text("UPDATE projects SET loan_rate_bp = 385 WHERE id = 7"))
        command.upgrade(config, "0009")
        with db.engine.begin() as connection, pytest.raises(IntegrityError):
            connection.execute(text("UPDATE projects SET loan_rate_bp = 5000 WHERE id = 7"))
        command.downgrade(config, "0008")
