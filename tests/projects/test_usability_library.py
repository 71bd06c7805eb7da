"""Drafts are listed only to their own village: the township and the county see an application once
it is submitted."""
import pytest

from fundtracker.auth.roles import Role

from ..conftest import login


@pytest.mark.parametrize("role", [Role.APPROVER, Role.FINANCE, Role.REVIEWER, Role.TOWN])
def test_drafts_are_not_listed_to_others(app, make_project, make_user, village_user, role):
    make_project(title="草稿项目", status="draft")
    make_project(title="已提交项目", status="submitted")
    client = app.test_client()
    other = make_user(role, village=village_user.village) if role == Role.TOWN else make_user(role)
    login(client, other)
    page = client.get("/projects").get_data(as_text=True)
    assert "已提交项目" in page and "草稿项目" not in page


def test_the_village_lists_its_own_drafts(app, make_project, village_user):
    make_project(title="草稿项目", status="draft")
    client = app.test_client()
    login(client, village_user)
    assert "草稿项目" in client.get("/projects").get_data(as_text=True)


def test_no_application_file_after_the_decision(app, make_project, make_user):
    from .conftest import pdf_upload
    project = make_project(status="approved")
    client = app.test_client()
    login(client, make_user(Role.APPROVER))
    page = client.get(f"/projects/{project.id}/attachments").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' not in page
    response = client.post(f"/projects/{project.id}/attachments", data={"file": pdf_upload(), "kind": "other"},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "until the county decides" in response.get_data(as_text=True)


def test_a_draft_file_can_be_removed_by_its_village_only(app, make_project, make_user, village_user):
    from fundtracker.extensions import db
    from fundtracker.projects.models import ProjectAttachment

    from .conftest import pdf_upload
    project = make_project(status="draft")
    client = app.test_client()
    login(client, village_user)
    assert client.post(f"/projects/{project.id}/attachments", data={"file": pdf_upload(), "kind": "other"},
                       content_type="multipart/form-data").status_code == 303
    attachment = db.session.query(ProjectAttachment).one()
    page = client.get(f"/projects/{project.id}/attachments").get_data(as_text=True)
    remove_url = f"/projects/{project.id}/attachments/{attachment.id}/remove"
    assert remove_url in page
    page = client.post(remove_url, follow_redirects=True).get_data(as_text=True)
    assert "File removed." in page
    assert db.session.query(ProjectAttachment).count() == 0
    project.status = "submitted"
    db.session.commit()
    assert client.post(f"/projects/{project.id}/attachments", data={"file": pdf_upload(), "kind": "other"},
                       content_type="multipart/form-data").status_code == 303
    attachment = db.session.query(ProjectAttachment).one()
    assert client.post(f"/projects/{project.id}/attachments/{attachment.id}/remove").status_code in (303, 422)
    assert db.session.query(ProjectAttachment).count() == 1


def test_the_village_filter_lists_the_chosen_township_s_villages_only(app, make_village, make_user):
    """A county has a thousand villages: the library's village filter waits for a township, then lists
    that township's villages (a village already chosen brings its township's list)."""
    here = make_village(name="高市村")
    neighbour = make_village(name="船寮村", township=here.township)
    make_village(name="远方村")  # in another township
    client = app.test_client()
    login(client, make_user(Role.APPROVER))
    assert 'name="village"' not in client.get("/projects").get_data(as_text=True)
    for query in (f"township={here.township_id}", f"village={neighbour.id}"):
        page = client.get(f"/projects?{query}").get_data(as_text=True)
        assert 'name="village"' in page and "船寮村" in page and "高市村" in page and "远方村" not in page
