"""Separation of duties and review integrity (issue 10): nobody takes two steps of one project's
chain, whatever roles they hold; a resubmitted application is scored again in a new round; a
decided round is locked; a pending declaration comes before anything of the application; village
and township users never see reviewers' names."""
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from fundtracker.auth.roles import Department, Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.projects.applications import save_application
from fundtracker.projects.models import ProjectDecision
from fundtracker.projects.services import add_attachment
from fundtracker.projects.workflow import Action, TransitionInput, apply_transition
from fundtracker.vetting import services
from fundtracker.vetting.models import Declaration, PanelRound

from ..conftest import login
from ..projects.conftest import WAN, complete_application
from .conftest import submit

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


@pytest.fixture
def people(make_user, make_village):
    village = make_village(name="高市村")
    return {
        "village": village,
        "author": make_user(Role.VILLAGE, username="cun", village=village),
        "town": make_user(Role.TOWN, username="zhen", township=village.township),
        "approver": make_user(Role.APPROVER, username="lead"),
        "other_approver": make_user(Role.APPROVER, username="deputy"),
        "reviewers": [make_user(Role.REVIEWER, username=f"r{n}", department=d) for n, d in
                      enumerate([Department.ORGANISATION, Department.FINANCE, Department.AGRICULTURE])],
    }


def draft(people, author=None, **changes):
    author = author or people["author"]
    project = save_application(None, complete_application(**changes), village_id=people["village"].id, actor=author)
    db.session.commit()
    return project


def step(project, action, actor, **data):
    event = apply_transition(project, action, actor, TransitionInput(**data))
    db.session.commit()
    return event


def to_vetting(project, people, town=None, approver=None):
    step(project, Action.SUBMIT, people["author"])
    step(project, Action.TOWN_PASS, town or people["town"])
    step(project, Action.START_VETTING, approver or people["approver"])


def full_panel(project, people, scores=(80, 80, 80, 80)):
    for reviewer in people["reviewers"]:
        member = services.assign_reviewer(project, reviewer, people["approver"])
        services.declare(member, recuse=False, reason="", actor=reviewer)
        db.session.commit()
        submit(project, member, list(scores))


def refused(project, action, actor, match, **data):
    with pytest.raises(DomainError, match=match):
        apply_transition(project, action, actor, TransitionInput(**data))
    db.session.rollback()


# --- separation of duties ------------------------------------------------------------------

def test_a_village_collective_who_is_also_an_approver_cannot_decide_its_own_project(people, make_user,
                                                                                    make_funded_pool):
    both = make_user(Role.VILLAGE, Role.APPROVER, username="both", village=people["village"])
    project = draft(people, author=both)
    step(project, Action.SUBMIT, both)
    step(project, Action.TOWN_PASS, people["town"])
    refused(project, Action.START_VETTING, both, "drafted or submitted")
    step(project, Action.START_VETTING, people["approver"])
    full_panel(project, people)
    pool = make_funded_pool()
    refused(project, Action.APPROVE, both, "drafted or submitted", approved_amount_fen=WAN, pool_id=pool.id)
    refused(project, Action.RETURN, both, "drafted or submitted", comment="改")
    step(project, Action.APPROVE, people["approver"], approved_amount_fen=WAN, pool_id=pool.id)


def test_a_village_collective_who_is_also_the_township_reviewer_cannot_pass_its_own_project(people, make_user):
    both = make_user(Role.VILLAGE, Role.TOWN, username="both", village=people["village"],
                     township=people["village"].township)
    project = draft(people, author=both)
    step(project, Action.SUBMIT, both)
    refused(project, Action.TOWN_PASS, both, "drafted or submitted")
    refused(project, Action.TOWN_RETURN, both, "drafted or submitted", comment="退回")
    step(project, Action.TOWN_PASS, people["town"])


def test_the_township_reviewer_who_passed_it_cannot_take_the_county_step(people, make_user, make_funded_pool):
    both = make_user(Role.TOWN, Role.APPROVER, username="both", township=people["village"].township)
    project = draft(people)
    step(project, Action.SUBMIT, people["author"])
    step(project, Action.TOWN_PASS, both)
    refused(project, Action.START_VETTING, both, "reviewed this application at the township")
    step(project, Action.START_VETTING, people["approver"])
    full_panel(project, people)
    refused(project, Action.APPROVE, both, "reviewed this application at the township",
            approved_amount_fen=WAN, pool_id=make_funded_pool().id)


@pytest.mark.parametrize("declaration", ["declared", "recused"])
def test_a_panel_member_who_is_also_an_approver_cannot_decide(people, make_user, make_funded_pool, declaration):
    both = make_user(Role.REVIEWER, Role.APPROVER, username="both", department=Department.TASK_FORCE)
    project = draft(people)
    to_vetting(project, people)
    full_panel(project, people)
    member = services.assign_reviewer(project, both, people["approver"])
    services.declare(member, recuse=declaration == "recused", reason="亲属" if declaration == "recused" else "",
                     actor=both)
    if declaration == "declared":
        db.session.commit()
        submit(project, member, [70, 70, 70, 70])
    db.session.commit()
    pool = make_funded_pool()
    refused(project, Action.APPROVE, both, "sit on this project's panel", approved_amount_fen=WAN, pool_id=pool.id)
    refused(project, Action.REJECT, both, "sit on this project's panel", comment="no")


def test_a_user_who_holds_every_role_takes_no_second_step(people, make_user):
    everything = make_user(*Role, username="all", village=people["village"], township=people["village"].township,
                           department=Department.OTHER)
    project = draft(people, author=everything)
    step(project, Action.SUBMIT, everything)
    refused(project, Action.TOWN_PASS, everything, "drafted or submitted")
    step(project, Action.TOWN_PASS, people["town"])
    refused(project, Action.START_VETTING, everything, "drafted or submitted")
    with pytest.raises(DomainError, match="drafted, submitted or reviewed"):
        services.assign_reviewer(project, everything, people["approver"])
    db.session.rollback()


def test_an_approver_on_the_panel_sees_other_scores_only_after_submitting_their_own(app, people, make_user):
    both = make_user(Role.REVIEWER, Role.APPROVER, username="both", department=Department.TASK_FORCE)
    project = draft(people)
    to_vetting(project, people)
    full_panel(project, people, scores=(91, 91, 91, 91))
    member = services.assign_reviewer(project, both, people["approver"])
    services.declare(member, recuse=False, reason="", actor=both)
    db.session.commit()
    client = app.test_client()
    login(client, both)
    assert not services.may_see_scores(project, both)
    assert "91.00" not in client.get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    assert client.get(f"/projects/{project.id}/vetting/scores.xlsx").status_code == 403
    submit(project, member, [60, 60, 60, 60])
    assert services.may_see_scores(project, both)
    assert "91.00" in client.get(f"/projects/{project.id}/vetting").get_data(as_text=True)


# --- review rounds ---------------------------------------------------------------------------

def test_a_returned_and_raised_application_is_scored_again_in_a_new_round(app, people, make_funded_pool):
    project = draft(people, requested_wan=50)
    to_vetting(project, people)
    full_panel(project, people, scores=(85, 85, 85, 85))
    step(project, Action.RETURN, people["approver"], comment="请补充材料")
    save_application(project, complete_application(requested_wan=300), village_id=project.village_id,
                     actor=people["author"])
    db.session.commit()
    to_vetting(project, people)
    rounds = db.session.execute(select(PanelRound).order_by(PanelRound.number)).scalars().all()
    assert [(r.number, r.version_number, r.status) for r in rounds] == [(1, 1, "returned"), (2, 2, "open")]
    members = services.panel_members(project)
    assert len(members) == 3
    assert all(m.declaration == Declaration.PENDING and m.sheet is None for m in members)
    result = services.panel_result(project)
    assert (result.submitted, result.pending) == (0, 3)
    pool = make_funded_pool()
    refused(project, Action.APPROVE, people["approver"], "panel is not complete",
            approved_amount_fen=300 * WAN, pool_id=pool.id)
    approver_page = app.test_client()
    login(approver_page, people["approver"])
    panel_page = approver_page.get(f"/projects/{project.id}/vetting").get_data(as_text=True)
    assert "Earlier rounds" in panel_page and "85.00" in panel_page
    for member in members:
        services.declare(member, recuse=False, reason="", actor=member.reviewer)
        db.session.commit()
        submit(project, member, [70, 70, 70, 70])
    step(project, Action.APPROVE, people["approver"], approved_amount_fen=300 * WAN, pool_id=pool.id)
    decision = db.session.execute(select(ProjectDecision).where(ProjectDecision.outcome == "approve")).scalar_one()
    assert (decision.panel_round, decision.version_number, decision.panel_score_centi) == (2, 2, 7000)
    assert db.session.get(PanelRound, rounds[1].id).status == "approved"


# --- locked after the decision ------------------------------------------------------------

def test_the_risk_grade_site_visits_and_panel_are_locked_after_the_decision(app, people, make_funded_pool,
                                                                           make_user):
    project = draft(people)
    to_vetting(project, people)
    full_panel(project, people)
    step(project, Action.APPROVE, people["approver"], approved_amount_fen=WAN, pool_id=make_funded_pool().id)
    with pytest.raises(DomainError, match="locked once the county has decided"):
        services.set_final_risk_grade(project, "high", "风险高", people["approver"])
    db.session.rollback()
    with pytest.raises(DomainError, match="members of the current panel"):
        services.record_site_visit(project, visited_on=date(2026, 4, 8), place="x", participants="y",
                                   findings="z", actor=people["reviewers"][0])
    db.session.rollback()
    with pytest.raises(DomainError, match="A panel is formed"):
        services.assign_reviewer(project, make_user(Role.REVIEWER, username="late"), people["approver"])
    db.session.rollback()
    client = app.test_client()
    login(client, people["approver"])
    response = client.post(f"/projects/{project.id}/vetting/risk-grade", data={"grade": "high", "reason": "改"})
    assert response.status_code == 422
    db.session.expire_all()
    assert services.vetting_for(project).final_risk_grade is None


def test_only_members_of_the_current_panel_record_site_visits_while_in_vetting(app, people, make_user):
    project = draft(people)
    to_vetting(project, people)
    full_panel(project, people)
    outsider = make_user(Role.REVIEWER, username="outsider")
    for actor in (outsider, people["approver"]):
        client = app.test_client()
        login(client, actor)
        response = client.post(f"/projects/{project.id}/vetting/site-visits", data={
            "visited_on": "2026-04-08", "place": "鱼塘", "participants": "x", "findings": "y"})
        assert response.status_code in (403, 422)
    draft_project = draft(people, title="草稿项目")
    with pytest.raises(DomainError, match="members of the current panel"):
        services.record_site_visit(draft_project, visited_on=date(2026, 4, 8), place="x", participants="y",
                                   findings="z", actor=people["reviewers"][0])
    db.session.rollback()
    services.record_site_visit(project, visited_on=date(2026, 4, 8), place="鱼塘", participants="x", findings="y",
                               actor=people["reviewers"][0])


# --- a pending declaration comes first; names ------------------------------------------------

@pytest.mark.parametrize("suffix", ["", "/timeline", "/versions", "/attachments", "/vetting", "/vetting/result",
                                    "/feasibility-report"])
def test_a_pending_declaration_comes_before_every_tab(app, people, suffix):
    project = draft(people)
    to_vetting(project, people)
    member = services.assign_reviewer(project, people["reviewers"][0], people["approver"])
    db.session.commit()
    client = app.test_client()
    login(client, member.reviewer)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"/projects/{project.id}{suffix}", headers=headers)
        target = response.headers.get("Location") or response.headers.get("HX-Redirect")
        assert response.status_code in (303, 204) and target.endswith(f"/projects/{project.id}/vetting/declaration")


def test_village_and_township_users_never_see_reviewers_names(app, people):
    project = draft(people)
    to_vetting(project, people)
    full_panel(project, people)
    reviewer = people["reviewers"][0]
    reviewer.display_name = "张评审"
    services.record_site_visit(project, visited_on=date(2026, 4, 8), place="鱼塘", participants="x", findings="y",
                               actor=reviewer, photos=[__import__("werkzeug.datastructures", fromlist=["x"])
                                                       .FileStorage(io.BytesIO(PNG), "塘.png")])
    db.session.commit()
    for user in (people["author"], people["town"]):
        client = app.test_client()
        login(client, user)
        page = client.get(f"/projects/{project.id}/attachments").get_data(as_text=True)
        assert "塘.png" in page and "张评审" not in page and "County panel member" in page
    county = app.test_client()
    login(county, people["approver"])
    assert "张评审" in county.get(f"/projects/{project.id}/attachments").get_data(as_text=True)
