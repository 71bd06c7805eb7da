from sqlalchemy import select

from fundtracker.audit.models import AuditEvent
from fundtracker.auth.access import village_scope
from fundtracker.auth.models import User
from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.geo.models import Township, Village

from .conftest import login


def test_admin_creates_a_user_with_roles_and_scope(client, login_as, make_village):
    login_as(Role.ADMIN)
    village = make_village()
    response = client.post("/admin/users/new", data={
        "username": "gaoshi", "display_name": "高市村", "password": "long-enough-1",
        "roles": ["village", "finance"], "village_id": str(village.id), "township_id": "",
        "department": "",
    })
    assert response.status_code == 303, response.get_data(as_text=True)
    user = db.session.execute(select(User).where(User.username == "gaoshi")).scalar_one()
    assert user.roles == {"village", "finance"}
    assert user.village_id == village.id
    assert user.township_id == village.township_id
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "user.created", AuditEvent.object_id == str(user.id))).scalar_one()


def test_scope_and_department_are_required_by_role(client, login_as):
    login_as(Role.ADMIN)
    base = {"username": "someone", "display_name": "x", "password": "long-enough-1", "village_id": "",
            "township_id": "", "department": ""}
    for roles, message in ((["village"], "needs a village"), (["town"], "needs a township"),
                           (["reviewer"], "needs a department")):
        response = client.post("/admin/users/new", data={**base, "roles": roles})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert db.session.execute(select(User).where(User.username == "someone")).scalar_one_or_none() is None


def test_admin_edits_roles_and_resets_password(app, client, login_as, make_user):
    login_as(Role.ADMIN)
    user = make_user(Role.FINANCE)
    response = client.post(f"/admin/users/{user.id}", data={
        "display_name": "Renamed", "roles": ["reviewer"], "department": "agriculture",
        "village_id": "", "township_id": ""})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == {"reviewer"}
    assert client.post(f"/admin/users/{user.id}/password", data={"password": "short"}).status_code == 422
    assert client.post(f"/admin/users/{user.id}/password", data={"password": "brand-new-pass"}).status_code == 303
    assert login(app.test_client(), user, "brand-new-pass").status_code == 303


def test_admin_cannot_deactivate_themself(client, login_as):
    admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 422
    assert db.session.get(User, admin.id).active


def test_townships_and_villages_are_managed_with_clear_errors(client, login_as):
    login_as(Role.ADMIN)
    assert client.post("/admin/townships/new", data={"name": "船寮镇"}).status_code == 303
    township = db.session.execute(select(Township).where(Township.name == "船寮镇")).scalar_one()
    assert client.post("/admin/townships/new", data={"name": "船寮镇"}).status_code == 422
    data = {"township_id": str(township.id), "name": "高市村"}
    assert client.post("/admin/villages/new", data=data).status_code == 303
    duplicate = client.post("/admin/villages/new", data=data)
    assert duplicate.status_code == 422 and "already has a village" in duplicate.get_data(as_text=True)
    village = db.session.execute(select(Village).where(Village.name == "高市村")).scalar_one()
    assert client.post(f"/admin/villages/{village.id}", data={**data, "name": "高市新村"}).status_code == 303
    assert client.get("/admin/villages/999999").status_code == 404


def test_audit_page_filters(client, login_as, make_user):
    login_as(Role.ADMIN)
    target = make_user(Role.FINANCE, username="target")
    page = client.get(f"/admin/audit?object_type=user&object_id={target.id}").get_data(as_text=True)
    events = page.split('<table class="audit">')[1]
    assert "created the user account" in events and "target" in events
    assert "signed in" not in events


def test_village_scope_by_role(app, make_user, make_village):
    village = make_village()
    neighbour = make_village(township=village.township)
    far = make_village()

    def visible(user):
        stmt = select(Village.id).where(village_scope(user, Village.id))
        return set(db.session.execute(stmt).scalars())

    assert visible(make_user(Role.VILLAGE, village=village)) == {village.id}
    assert visible(make_user(Role.TOWN, township=village.township)) == {village.id, neighbour.id}
    assert visible(make_user(Role.FINANCE)) >= {village.id, neighbour.id, far.id}
