from sqlalchemy import select

from fundtracker.audit.models import AuditEvent
from fundtracker.auth.models import User
from fundtracker.auth.roles import Role
from fundtracker.extensions import db

from .conftest import PASSWORD, login
from .query_counter import count_queries


def test_login_and_logout(client, make_user):
    user = make_user(Role.FINANCE)
    response = login(client, user)
    assert response.status_code == 303
    home = client.get("/")
    assert home.status_code == 200
    assert user.display_name in home.get_data(as_text=True)
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 302


def test_logout_really_ends_the_session_even_for_a_copied_cookie(app, make_user):
    user = make_user(Role.FINANCE)
    browser = app.test_client()
    login(browser, user)
    stolen_cookie = browser.get_cookie("session").value
    browser.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen_cookie)
    assert thief.get("/").status_code == 302


def test_wrong_password_is_refused(client, make_user):
    user = make_user(Role.FINANCE)
    response = login(client, user, "wrong-password-1")
    assert response.status_code == 422
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert login(client, "nobody", "whatever-12345").status_code == 422


def test_lockout_after_repeated_failures_holds_in_the_database(app, make_user):
    user = make_user(Role.FINANCE)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert login(app.test_client(), user, "wrong-password-1").status_code == 422
    # A different client (another browser, another app process) is refused too,
    # even with the right password: the lock lives in the database.
    response = login(app.test_client(), user, PASSWORD)
    assert response.status_code == 422
    assert "locked" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).scalars().all()
    assert "user.locked" in actions


def test_failures_below_the_limit_do_not_lock_and_success_resets(app, make_user):
    user = make_user(Role.FINANCE)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        login(app.test_client(), user, "wrong-password-1")
    assert login(app.test_client(), user).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_login_count == 0


def test_deactivated_user_is_refused_and_loses_open_sessions(app, make_user):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.FINANCE)
    user_browser = app.test_client()
    login(user_browser, user)
    admin_browser = app.test_client()
    login(admin_browser, admin)
    assert admin_browser.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 303
    assert user_browser.get("/").status_code == 302
    response = login(app.test_client(), user)
    assert response.status_code == 422
    assert "deactivated" in response.get_data(as_text=True)


def test_change_password(app, client, make_user):
    user = make_user(Role.VILLAGE)
    login(client, user)
    other_browser = app.test_client()
    login(other_browser, user)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "a-new-password-1", "confirm": "a-new-password-1"})
    assert response.status_code == 303
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert other_browser.get("/").status_code == 302  # every other session ended
    assert login(app.test_client(), user, "a-new-password-1").status_code == 303


def test_change_password_refuses_a_wrong_current_password(client, make_user):
    user = make_user(Role.VILLAGE)
    login(client, user)
    response = client.post("/account/password", data={
        "current_password": "not-it-at-all", "password": "a-new-password-1", "confirm": "a-new-password-1"})
    assert response.status_code == 422
    assert "current password is wrong" in response.get_data(as_text=True)


def test_next_parameter_cannot_send_users_elsewhere(client, make_user):
    user = make_user(Role.FINANCE)
    response = client.post("/login?next=https://evil.example/", data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_passwords_are_hashed(app, make_user):
    user = make_user(Role.FINANCE)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("pbkdf2:")
    assert app.config["PASSWORD_HASH_METHOD"].startswith("pbkdf2")


def test_every_request_loads_its_user_with_roles_and_place_in_one_statement(client, make_user):
    """Flask-Login asks for the signed-in user on every request: one statement brings the user, their roles,
    village and township (the roles were a second statement on every page)."""
    user = make_user(Role.VILLAGE, Role.TOWN)
    places = (user.village.name, user.township.name)
    assert login(client, user).status_code == 303
    db.session.remove()  # the request loads the user as a new request would, not from this test's session
    with count_queries() as queries:
        home = client.get("/").get_data(as_text=True)
    about_the_user = [s for s in queries.statements if "FROM users" in s or "FROM user_roles" in s]
    assert len(about_the_user) == 1, about_the_user
    assert all(place in home for place in places)
