"""The joints between domains: create_app wires every domain in layer order through its
init_app, each app has its own wiring, anonymous requests have the public scope, a village
collective acts only for its own village, and HTMX history restores get whole pages."""
import io
import subprocess
import sys

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from fundtracker import DOMAINS, ROOT
from fundtracker.auth.access import PUBLIC_SCOPE, ScopeLevel, scope_of
from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.projects.loaders import scoped_projects
from fundtracker.projects.models import Project
from fundtracker.projects.workflow import MACHINE_NAME, Action, TransitionInput, apply_transition
from fundtracker.signals import Hook, connect, handlers
from fundtracker.vetting.services import decision_gate

from .conftest import login
from .projects.conftest import PDF, WAN, make_funded_pool, make_project, village_user  # noqa: F401

NO_PANEL_SCRIPT = """
import sys
from fundtracker import create_app
from fundtracker.auth.roles import Role
from fundtracker.auth import services as accounts
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.geo import services as geo
from fundtracker.pools.models import EntryKind, FundPool
from fundtracker.pools.services import append_entry
from fundtracker.projects.applications import save_application
from fundtracker.projects.workflow import Action, TransitionInput, apply_transition
from flask_migrate import upgrade
from datetime import date
sys.path.insert(0, "tests")
from projects.conftest import complete_application

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "x", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                  "BABEL_DEFAULT_LOCALE": "en"})
with app.app_context():
    upgrade()
    village = geo.save_village(None, township_id=geo.save_township(None, name="t", code=None).id, name="v", code=None)
    author = accounts.create_user(username="a", display_name="a", password="correct-horse-battery",
                                  roles=[Role.VILLAGE], village_id=village.id)
    approver = accounts.create_user(username="b", display_name="b", password="correct-horse-battery",
                                    roles=[Role.APPROVER])
    pool = FundPool(name="p", year=2026)
    db.session.add(pool)
    db.session.flush()
    append_entry(pool.id, EntryKind.CONTRIBUTION, 10**9, actor=approver, value_date=date(2026, 1, 5))
    project = save_application(None, complete_application(), village_id=village.id, actor=author)
    project.status = "vetting"
    try:
        apply_transition(project, Action.APPROVE, approver,
                         TransitionInput(approved_amount_fen=10**6, pool_id=pool.id))
    except DomainError as refused:
        print("REFUSED:", refused)
    else:
        print("APPROVED")
"""


def test_an_app_from_create_app_refuses_an_approval_without_a_panel_through_the_service_alone(tmp_path):
    """A script that never touches a view or a request: the panel's gate is wired by create_app."""
    result = subprocess.run([sys.executable, "-c", NO_PANEL_SCRIPT, f"sqlite:///{tmp_path / 'fresh.sqlite3'}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "REFUSED: Assign the county panel first" in result.stdout, result.stdout + result.stderr


def test_the_panel_gate_is_connected_by_the_vetting_domain(app, make_project, make_user, make_funded_pool):
    assert decision_gate in handlers(Hook.TRANSITION_GUARD, MACHINE_NAME)
    project = make_project(status="vetting")
    with pytest.raises(DomainError, match="Assign the county panel first"):
        apply_transition(project, Action.APPROVE, make_user(Role.APPROVER),
                         TransitionInput(approved_amount_fen=WAN, pool_id=make_funded_pool().id))


def test_create_app_initialises_the_domains_in_layer_order():
    assert DOMAINS == ("fundtracker.auth", "fundtracker.main", "fundtracker.admin", "fundtracker.pools",
                       "fundtracker.projects", "fundtracker.vetting", "fundtracker.disbursements",
                       "fundtracker.monitoring", "fundtracker.returns", "fundtracker.acceptance",
                       "fundtracker.evaluation", "fundtracker.public",
                       "fundtracker.dashboard")


def test_every_app_has_its_own_wiring(make_app):
    first, second = make_app(), make_app()
    marker = object()
    connect(first, Hook.LEDGER_CHECK, marker)
    with first.app_context():
        assert marker in handlers(Hook.LEDGER_CHECK)
    with second.app_context():
        assert marker not in handlers(Hook.LEDGER_CHECK)
        assert [tab.endpoint for tab in handlers(Hook.PROJECT_TAB)] == [
            "projects.detail", "projects.timeline", "projects.versions", "projects.attachments",
            "vetting.panel", "vetting.feasibility_report", "disbursements.tranches", "monitoring.project_tab",
            "returns.project_tab", "acceptance.project_tab", "evaluation.project_tab",
            "public.project_notices"]


def test_an_anonymous_request_has_the_public_scope_and_sees_no_project(app, make_project):
    make_project()
    assert scope_of(AnonymousUserMixin()) == PUBLIC_SCOPE and PUBLIC_SCOPE.level == ScopeLevel.PUBLIC
    assert scope_of(None) == PUBLIC_SCOPE
    with app.test_request_context("/"):
        assert db.session.execute(scoped_projects()).scalars().all() == []
    assert app.test_client().get("/projects/1").status_code == 302  # to the sign-in page, not an error


@pytest.fixture
def township_neighbours(make_village, make_project, make_user):
    """高市村 and 船寮村 in one township; a user who is 高市村's collective and the township's reviewer."""
    own = make_village(name="高市村")
    other = make_village(name="船寮村", township=own.township)
    other_author = make_user(Role.VILLAGE, username="chuanliao", village=other)
    dual = make_user(Role.VILLAGE, Role.TOWN, username="dual", village=own, township=own.township)
    return {
        "dual": dual,
        "own": make_project(title="高市村项目", author=dual),
        "other": make_project(title="船寮村项目", author=other_author),
        "other_author": other_author,
    }


def test_a_village_collective_with_the_township_role_reads_but_does_not_act_for_another_village(
        app, township_neighbours):
    dual, own, other = township_neighbours["dual"], township_neighbours["own"], township_neighbours["other"]
    client = app.test_client()
    login(client, dual)
    # The other village's draft is that village's own: not even its township sees it before it is submitted.
    assert client.get(f"/projects/{other.id}").status_code == 404
    assert client.post(f"/projects/{other.id}/edit", data={"title": "改别村的申请"}).status_code == 404
    apply_transition(other, "submit", township_neighbours["other_author"])
    db.session.commit()
    assert client.get(f"/projects/{other.id}").status_code == 200
    upload = client.post(f"/projects/{other.id}/attachments",
                         data={"kind": "plan", "file": (io.BytesIO(PDF), "x.pdf")})
    assert upload.status_code == 403
    db.session.expire_all()
    assert db.session.get(Project, other.id).title == "船寮村项目"
    assert client.post(f"/projects/{own.id}/actions/submit", data={}).status_code == 303
    own_upload = client.post(f"/projects/{own.id}/attachments",
                             data={"kind": "plan", "file": (io.BytesIO(PDF), "own.pdf")})
    assert own_upload.status_code == 303


@pytest.mark.parametrize("headers, whole_page", [
    ({}, True),
    ({"HX-Request": "true"}, False),
    ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, True),
    ({"HX-Request": "true", "HX-Boosted": "true"}, True),
])
def test_htmx_history_restore_gets_the_whole_page(app, make_project, make_user, headers, whole_page):
    project = make_project()
    client = app.test_client()
    login(client, make_user(Role.APPROVER))
    body = client.get(f"/projects/{project.id}/timeline", headers=headers).get_data(as_text=True)
    assert ("<html" in body) == whole_page


def test_a_refused_effect_leaves_the_object_as_it_was(app, make_project, make_user, make_funded_pool):
    from .projects.conftest import without_the_panel

    without_the_panel(app)
    project = make_project(status="vetting")
    pool = make_funded_pool(yuan=1)
    with pytest.raises(DomainError, match="available"):
        apply_transition(project, Action.APPROVE, make_user(Role.APPROVER),
                         TransitionInput(approved_amount_fen=WAN, pool_id=pool.id))
    assert project.status == "vetting"
    assert db.session.execute(select(Project.status)).scalar_one() == "vetting"


def test_every_transition_guard_and_effect_is_connected_under_the_name_of_a_machine(app):
    """A guard or effect connected under a name no machine has is never called, silently: the domains
    connect under the machines' name constants, and this catches a name that drifted."""
    from fundtracker.signals import EXTENSION_KEY
    from fundtracker.statemachine import StateMachine

    machines = {value.name for module in list(sys.modules.values()) if module.__name__.startswith("fundtracker.")
                for value in vars(module).values() if isinstance(value, StateMachine)}
    assert {"project", "disbursement", "warning", "acceptance", "disposal"} <= machines
    keys = {key for (hook, key), connected in app.extensions[EXTENSION_KEY].items()
            if hook in (Hook.TRANSITION_GUARD, Hook.TRANSITION_EFFECT) and connected}
    assert keys and keys <= machines, keys - machines
