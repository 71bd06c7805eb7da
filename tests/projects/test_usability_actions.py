"""After each step the person is told what happened; a role that may never take an action gets 403
whatever the status; approving money asks first; the approve form starts from the requested amount;
the city filing shows its reference on the timeline; the buttons look like what they do."""
import pytest

from fundtracker.auth.roles import Role
from fundtracker.extensions import db

from ..conftest import login
from .conftest import WAN


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 303
    return client


def act(client, project, action, **data):
    response = client.post(f"/projects/{project.id}/actions/{action}", data=data, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_each_step_says_it_was_done(app, make_project, make_user, make_funded_pool, village_user):
    pool = make_funded_pool(yuan=500 * 10_000)
    project = make_project(status="draft")
    town = make_user(Role.TOWN, township=village_user.village.township)
    approver = make_user(Role.APPROVER)
    assert "The application was submitted to the township." in act(signed_in(app, village_user), project, "submit")
    assert "Passed to the county." in act(signed_in(app, town), project, "town_pass")
    county = signed_in(app, approver)
    assert "Sent to the county panel." in act(county, project, "start_vetting")
    page = act(county, project, "approve", approved_amount="3,000,000", pool_id=str(pool.id))
    assert "Project approved: ¥3,000,000.00 committed from 2026 资金池." in page
    page = act(county, project, "file_with_city", filed_on="2026-11-20", filing_reference="丽农备〔2026〕12号")
    assert "City filing recorded under 丽农备〔2026〕12号." in page
    timeline = county.get(f"/projects/{project.id}/timeline").get_data(as_text=True)
    assert "Filed with the city" in timeline and "丽农备〔2026〕12号" in timeline
    assert "Approved → Approved" not in timeline


def test_an_action_without_its_own_message_is_told_by_its_label(app, make_project, make_user, village_user,
                                                               monkeypatch):
    from fundtracker.projects import views
    from fundtracker.projects.workflow import Action

    monkeypatch.delitem(views.DONE_MESSAGES, Action.TOWN_PASS)
    project = make_project(status="submitted")
    town = make_user(Role.TOWN, township=village_user.village.township)
    assert "Recorded: Pass to the county." in act(signed_in(app, town), project, "town_pass")
    db.session.refresh(project)
    assert project.status == "town_passed"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("action", ["approve", "reject", "file_with_city", "start_vetting"])
def test_a_village_user_on_a_county_action_gets_403_not_a_status_error(app, make_project, village_user, method,
                                                                        action):
    project = make_project(status="draft")
    client = signed_in(app, village_user)
    response = client.open(f"/projects/{project.id}/actions/{action}", method=method, data={})
    assert response.status_code == 403
    db.session.refresh(project)
    assert project.status == "draft"


def test_a_role_that_may_act_later_still_hears_about_the_status(app, make_project, make_user):
    project = make_project(status="submitted")
    response = signed_in(app, make_user(Role.APPROVER)).get(f"/projects/{project.id}/actions/approve")
    assert response.status_code == 422


def test_the_approve_form_starts_from_the_request_and_asks_before_committing(app, make_project, make_user,
                                                                             make_funded_pool):
    make_funded_pool()
    project = make_project(status="vetting", requested_wan=300)
    page = signed_in(app, make_user(Role.APPROVER)).get(f"/projects/{project.id}/actions/approve").get_data(as_text=True)
    assert 'value="3000000.00"' in page or 'value="3,000,000.00"' in page
    assert "data-confirm=" in page
    assert project.requested_fen == 300 * WAN


def test_reject_and_return_buttons_look_different_from_approve(app, make_project, make_user):
    project = make_project(status="vetting")
    page = signed_in(app, make_user(Role.APPROVER)).get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'class="button danger" href="/projects/{project.id}/actions/reject"' in page
    assert f'class="button secondary" href="/projects/{project.id}/actions/return"' in page
    assert f'class="button " href="/projects/{project.id}/actions/approve"' in page
