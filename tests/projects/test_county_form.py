"""The county form's own sections (联农带农, 绩效目标 产出 / 效益 / 满意度, 用地合规说明, 收益分配预案, 资产权属)
and the meeting's quorum (村民委员会组织法 第二十六条: two thirds of the members present, a majority of those
present for it), checked when the village submits."""
import pytest

from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.projects.applications import COUNTY_FORM_FIELDS, save_application
from fundtracker.projects.models import ProjectStatus, ProjectVersion
from fundtracker.projects.workflow import Action, apply_transition

from ..conftest import login
from .conftest import COUNTY_FORM_TEXT, complete_application


def submit(project, user):
    apply_transition(project, Action.SUBMIT, user)
    return project


@pytest.mark.parametrize("column", sorted(COUNTY_FORM_FIELDS))
def test_every_county_section_is_needed_to_submit(make_project, village_user, column):
    project = make_project(**{column: "  "})
    with pytest.raises(DomainError) as refused:
        submit(project, village_user)
    assert refused.value.field == column
    assert project.status == ProjectStatus.DRAFT


def test_a_draft_may_leave_the_county_sections_empty(make_project):
    project = make_project(**{column: "" for column in COUNTY_FORM_FIELDS})
    assert project.benefit_linkage == ""


def test_the_submitted_version_keeps_the_county_sections(make_project, village_user):
    project = submit(make_project(), village_user)
    snapshot = db.session.query(ProjectVersion).filter_by(project_id=project.id).one().snapshot
    assert {column: snapshot[column] for column in COUNTY_FORM_FIELDS} == COUNTY_FORM_TEXT
    assert snapshot["meeting_members_expected"] == 50


# (members expected, present, votes for, votes against) at the boundaries of 第二十六条.
@pytest.mark.parametrize("expected, present, votes_for, against, problem", [
    (45, 30, 16, 0, None),                                  # exactly two thirds present, 16 of 30 is a majority
    (45, 29, 29, 0, "No quorum: 29 of 45 present"),         # one short of two thirds
    (3, 2, 2, 0, None),                                     # 2 of 3 is two thirds
    (4, 2, 2, 0, "No quorum: 2 of 4 present"),              # 2 of 4 is not
    (5, 3, 3, 0, "No quorum: 3 of 5 present"),              # 3 of 5 falls short of two thirds by a third of one
    (5, 4, 3, 0, None),                                     # 4 of 5 is enough
    (30, 30, 15, 15, "Not adopted: 15 votes for, a majority of the 30 present"),  # half is not a majority
    (30, 21, 11, 10, None),                                 # 11 of 21 is
    (30, 21, 10, 0, "Not adopted: 10 votes for"),
])
def test_the_meeting_quorum_at_its_boundaries(make_project, village_user, expected, present, votes_for, against,
                                             problem):
    project = make_project(meeting_members_expected=expected, meeting_attendance=present, meeting_votes_for=votes_for,
                           meeting_votes_against=against)
    if problem is None:
        assert submit(project, village_user).status == ProjectStatus.SUBMITTED
        return
    with pytest.raises(DomainError, match=problem) as refused:
        submit(project, village_user)
    assert refused.value.field in ("meeting_attendance", "meeting_votes_for")


def test_submission_needs_the_members_expected(make_project, village_user):
    with pytest.raises(DomainError, match="members expected") as refused:
        submit(make_project(meeting_members_expected=None), village_user)
    assert refused.value.field == "meeting_members_expected"


def test_more_present_than_members_is_refused_even_in_a_draft(app, village_user):
    with pytest.raises(DomainError, match=r"More people present \(51\) than expected \(50\)") as refused:
        save_application(None, complete_application(meeting_attendance=51), village_id=village_user.village.id,
                         actor=village_user)
    assert refused.value.field == "meeting_attendance"


def test_the_quorum_message_shows_on_the_submit_page(app, make_project, village_user):
    project = make_project(meeting_members_expected=60, meeting_attendance=39, meeting_votes_for=30)
    client = app.test_client()
    login(client, village_user)
    response = client.post(f"/projects/{project.id}/actions/submit", data={})
    assert response.status_code == 422
    assert "No quorum: 39 of 60 present, two thirds are needed." in response.get_data(as_text=True)


def test_the_county_sections_show_on_the_application_tab_and_the_versions(app, make_project, village_user):
    project = submit(make_project(), village_user)
    db.session.commit()
    client = app.test_client()
    login(client, village_user)
    for page in (f"/projects/{project.id}", f"/projects/{project.id}/versions"):
        html = client.get(page).get_data(as_text=True)
        for text in (*COUNTY_FORM_TEXT.values(), "Members expected"):
            assert text in html, (page, text)


def test_a_meeting_without_members_is_refused_on_the_form_not_by_the_database(app, village_user):
    with pytest.raises(DomainError, match="at least one member"):
        save_application(None, complete_application(meeting_members_expected=0), village_id=village_user.village.id,
                         actor=village_user)
    client = app.test_client()
    login(client, village_user)
    form = {"title": "冷库", "meeting_members_expected": "0"}
    response = client.post("/projects/new", data=form)
    assert response.status_code == 422
