"""The panel page: messages after each step, a confirmation before removing a member, no remove
for a recused member, no empty reviewer list, the final grade kept, each reviewer's recommendation."""
from fundtracker.extensions import db
from fundtracker.vetting import services
from fundtracker.vetting.models import RECOMMENDATION_LABELS, PanelMember

from .conftest import submit
from .test_views import client_for


def test_adding_a_member_and_declaring_say_so(app, make_project, reviewers, approver):
    project = make_project(status="vetting")
    lead = client_for(app, approver)
    page = lead.post(f"/projects/{project.id}/vetting/members", data={"reviewer_id": reviewers[0].id},
                     follow_redirects=True).get_data(as_text=True)
    assert "Added to the panel." in page
    reviewer = client_for(app, reviewers[0])
    page = reviewer.post(f"/projects/{project.id}/vetting/declaration", data={"decision": "recuse", "reason": "本村村民"},
                         follow_redirects=True).get_data(as_text=True)
    assert "you recused yourself from this project" in page


def test_a_site_visit_says_it_was_recorded(app, panel):
    project, members = panel(size=1)
    page = client_for(app, members[0].reviewer).post(f"/projects/{project.id}/vetting/site-visits", data={
        "visited_on": "2026-04-08", "place": "鱼塘", "participants": "镇农办", "findings": "已加固"},
        follow_redirects=True).get_data(as_text=True)
    assert "Site visit recorded." in page


def test_removing_a_member_asks_first_and_works_without_javascript(app, make_project, reviewers, approver):
    project = make_project(status="vetting")
    member = services.assign_reviewer(project, reviewers[0], approver)
    db.session.commit()
    lead = client_for(app, approver)
    panel_page = lead.get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    remove_url = f"/projects/{project.id}/vetting/members/{member.id}/remove"
    assert f'href="{remove_url}"' in panel_page and f'action="{remove_url}"' not in panel_page
    confirm = lead.get(remove_url)
    assert confirm.status_code == 200 and f'action="{remove_url}"' in confirm.get_data(as_text=True)
    assert db.session.get(PanelMember, member.id) is not None  # a GET removes nothing
    page = lead.post(remove_url, follow_redirects=True).get_data(as_text=True)
    assert "Removed from the panel." in page
    assert db.session.get(PanelMember, member.id) is None


def test_a_recused_member_has_no_remove_link(app, make_project, reviewers, approver):
    project = make_project(status="vetting")
    member = services.assign_reviewer(project, reviewers[0], approver)
    services.declare(member, recuse=True, reason="亲属", actor=reviewers[0])
    db.session.commit()
    page = client_for(app, approver).get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    assert f"/members/{member.id}/remove" not in page


def test_no_empty_reviewer_list_when_everyone_is_on_the_panel(app, panel, approver, reviewers):
    project, _ = panel(size=len(reviewers))
    page = client_for(app, approver).get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    assert "Every active reviewer is on the panel." in page
    assert 'name="reviewer_id"' not in page


def test_the_final_grade_stays_selected_and_recommendations_show(app, panel, approver):
    project, members = panel(size=2)
    submit(project, members[0], [80] * 4, recommendation="approve")
    submit(project, members[1], [70] * 4, recommendation="reject")
    lead = client_for(app, approver)
    assert lead.post(f"/projects/{project.id}/vetting/risk-grade", data={"grade": "high", "reason": "市场波动"},
                     follow_redirects=True).status_code == 200
    page = lead.get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    assert '<option selected value="high">' in page or '<option value="high" selected>' in page
    assert "市场波动" in page
    assert str(RECOMMENDATION_LABELS["approve"]) in page and str(RECOMMENDATION_LABELS["reject"]) in page
