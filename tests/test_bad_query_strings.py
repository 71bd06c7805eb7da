"""Whatever a user puts in a list page's query string, the answer is a page or a 404, never a 500."""
import pytest

from fundtracker.auth.roles import Role

from .conftest import login

VALUES = ["", "abc", "-1", "0", "99999999999999999999", "1e5", "'; drop table projects", "2026-02-30"]
PARAMETERS = [
    "/projects?page={}", "/projects?year={}", "/projects?min={}", "/projects?max={}", "/projects?sort={}",
    "/projects?township={}", "/projects?village={}", "/projects?pool={}", "/projects?status={}",
    "/projects/export.csv?year={}", "/pools?page={}", "/pools/loans?pool={}", "/pools/loans?page={}",
    "/admin/audit?actor_id={}", "/admin/audit?date_from={}", "/admin/villages?township_id={}", "/vetting?page={}",
]


@pytest.mark.parametrize("pattern", PARAMETERS)
def test_no_query_string_makes_a_500(app, make_user, pattern):
    client = app.test_client()
    login(client, make_user(Role.APPROVER, Role.FINANCE, Role.ADMIN, Role.REVIEWER))
    statuses = {value: client.get(pattern.format(value)).status_code for value in VALUES}
    assert all(status in (200, 404) for status in statuses.values()), statuses
    with_nul = client.get(pattern.format("%00"))  # refused at the door, on every database (tests/test_crafted_input.py)
    assert with_nul.status_code == 400 and "NUL character" in with_nul.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/pools/99999999999999999999", "/projects/99999999999999999999",
                                 "/projects/99999999999999999999/vetting", "/admin/users/99999999999999999999",
                                 "/projects/1/attachments/99999999999999999999"])
def test_ids_beyond_the_database_range_are_404(app, make_user, url):
    client = app.test_client()
    login(client, make_user(Role.APPROVER, Role.FINANCE, Role.ADMIN))
    assert client.get(url).status_code == 404
