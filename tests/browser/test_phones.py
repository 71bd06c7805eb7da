"""On a 390 px phone, in Chinese: no main page of any role is wider than the screen (a wide table scrolls
inside its own box), and each page is photographed."""
import pytest

PROJECT_TABS = ["/projects/1", "/projects/1/timeline", "/projects/1/versions", "/projects/1/attachments",
                "/projects/1/tranches", "/projects/1/monitoring", "/projects/1/returns"]
MAIN_PAGES = {
    "village": ["/", "/projects", "/projects/new", *PROJECT_TABS],
    "town": ["/", "/projects", "/projects/7"],
    "reviewer_agri": ["/", "/vetting", "/projects/2/vetting", "/projects/2/vetting/sheet", "/projects/2/vetting/result"],
    "approver": ["/", "/projects", "/projects/1/vetting", "/projects/1/feasibility-report", "/monitoring"],
    "finance": ["/", "/pools", "/pools/1", "/pools/2", "/pools/1/statement", "/pools/2/statement", "/pools/loans",
                "/disbursements", *PROJECT_TABS],
    "admin": ["/admin/users", "/admin/audit", "/admin/villages", "/admin/criteria"],
}


@pytest.mark.parametrize("user", sorted(MAIN_PAGES))
def test_the_main_pages_fit_a_phone(visit, user):
    phone = visit(user, phone=True)
    for path in MAIN_PAGES[user]:
        assert phone.goto(path).status == 200, path
    phone.assert_fits()
    phone.assert_no_console_errors()
