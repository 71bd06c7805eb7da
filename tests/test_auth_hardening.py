"""Sign-in hardening (issue 10, items 7–9): the lockout holds across processes before the slow hash,
one answer for unknown, wrong and locked, password rules from a shipped list of common passwords,
a password set by an administrator is changed at the next sign-in, and no administrator grants
themselves a role that acts on projects or money."""
import multiprocessing
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from fundtracker.audit.models import AuditEvent
from fundtracker.auth import services as accounts
from fundtracker.auth.models import User
from fundtracker.auth.roles import Role
from fundtracker.database import utcnow
from fundtracker.demo import DEMO_PASSWORD, DEMO_USERS
from fundtracker.errors import DomainError
from fundtracker.extensions import db

from .conftest import BASE_CONFIG, PASSWORD, USE_POSTGRES, login

CONTEXT = multiprocessing.get_context("spawn")
WRONG = "Wrong username or password."


@pytest.fixture
def real_hash_checks(monkeypatch):
    """How often the password hash of an account was really checked (the dummy check of an unknown or
    locked account does not count)."""
    checked = []
    real = accounts.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    return lambda user: sum(1 for pwhash in checked if pwhash == user.password_hash)


def _refusal(response) -> str:
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    start = body.index('<div class="form-errors"')
    return body[start:body.index("</div>", start)]


def test_unknown_user_wrong_password_and_locked_account_get_the_same_answer(app, make_user):
    user = make_user(Role.FINANCE)
    unknown = _refusal(login(app.test_client(), "nobody-here", "whatever-12345"))
    wrong = _refusal(login(app.test_client(), user, "wrong-password-1"))
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(app.test_client(), user, "wrong-password-1")
    locked_wrong = _refusal(login(app.test_client(), user, "wrong-password-1"))
    locked_right = _refusal(login(app.test_client(), user, PASSWORD))
    assert WRONG in unknown
    assert unknown == wrong == locked_wrong == locked_right
    assert "until" not in locked_right


def test_a_locked_account_checks_no_password_even_the_right_one(app, make_user, real_hash_checks):
    user = make_user(Role.FINANCE)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit + 3):
        login(app.test_client(), user, "wrong-password-1")
    browser = app.test_client()
    assert login(browser, user, PASSWORD).status_code == 422
    assert browser.get("/").status_code == 302  # not signed in
    assert real_hash_checks(user) == limit
    db.session.expire_all()
    locked = db.session.get(User, user.id)
    assert locked.is_locked
    events = db.session.execute(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).scalars().all()
    assert events.count("user.locked") == 1


def test_the_attempt_is_counted_before_the_hash_is_checked(app, make_user, monkeypatch):
    """The counter is raised (and the lock set on the last allowed attempt) before the password is
    looked at: what the hash check sees is the account after this attempt."""
    user = make_user(Role.FINANCE)
    limit = app.config["LOGIN_MAX_FAILURES"]
    seen = []
    real = accounts.check_password_hash

    def watching(pwhash, password):
        if pwhash == user.password_hash:
            row = db.session.get(User, user.id)
            seen.append((row.failed_login_count, row.locked_until is not None))
        return real(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", watching)
    for _ in range(limit):
        login(app.test_client(), user, "wrong-password-1")
    assert seen == [(n, False) for n in range(1, limit)] + [(0, True)]


def test_a_right_password_before_the_limit_resets_the_count_and_the_reserved_lock(app, make_user):
    user = make_user(Role.FINANCE)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        login(app.test_client(), user, "wrong-password-1")
    assert login(app.test_client(), user).status_code == 303
    db.session.expire_all()
    row = db.session.get(User, user.id)
    assert (row.failed_login_count, row.locked_until) == (0, None)


def test_the_lock_is_told_after_the_next_right_password_and_to_the_administrator(app, make_user):
    user = make_user(Role.FINANCE)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(app.test_client(), user, "wrong-password-1")
    admin_browser = app.test_client()
    login(admin_browser, make_user(Role.ADMIN))
    assert 'id="account-locked"' in admin_browser.get(f"/admin/users/{user.id}").get_data(as_text=True)

    db.session.expire_all()
    db.session.get(User, user.id).locked_until = utcnow() - timedelta(minutes=1)  # the lock has ended
    db.session.commit()
    browser = app.test_client()
    assert login(browser, user).status_code == 303
    assert "your account was locked until" in browser.get("/").get_data(as_text=True)
    assert 'id="account-locked"' not in admin_browser.get(f"/admin/users/{user.id}").get_data(as_text=True)


def _attempt_in_parallel(database_url, username, real_hash, threads, start, results):
    """One app server: `threads` wrong passwords at once; report how often the real hash was checked."""
    import time

    from fundtracker import create_app
    from fundtracker.auth import services
    from fundtracker.extensions import db as process_db

    checks, count_lock = [0], threading.Lock()
    real_check = services.check_password_hash

    def slow_counting_check(pwhash, password):
        """Count checks of the account's real hash, and make each one slow like scrypt, so that
        every thread is inside the window between reading the account and checking the hash."""
        if pwhash == real_hash:
            with count_lock:
                checks[0] += 1
        time.sleep(0.05)
        return real_check(pwhash, password)

    services.check_password_hash = slow_counting_check
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": threads, "max_overflow": 0}})
    statuses = []

    def attempt():
        start.wait(30)
        client = app.test_client()
        statuses.append(client.post("/login", data={"username": username, "password": "wrong-password-1"}).status_code)

    workers = [threading.Thread(target=attempt) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    with app.app_context():
        process_db.engine.dispose()
    results.put((checks[0], sorted(statuses)))


@pytest.mark.skipif(not USE_POSTGRES, reason="row locks across app servers: PostgreSQL (SQLite serialises writers)")
def test_thirty_parallel_wrong_passwords_on_two_servers_check_at_most_the_limit(app, database_url, make_user):
    user = make_user(Role.FINANCE)
    username, real_hash = user.username, user.password_hash
    db.session.rollback()
    results, start = CONTEXT.Queue(), CONTEXT.Event()
    servers = [CONTEXT.Process(target=_attempt_in_parallel, args=(database_url, username, real_hash, 15, start, results))
               for _ in range(2)]
    for server in servers:
        server.start()
    start.set()
    reports = [results.get(timeout=180) for _ in servers]
    for server in servers:
        server.join(30)
    assert [server.exitcode for server in servers] == [0, 0]
    assert sorted(status for _, statuses in reports for status in statuses) == [422] * 30
    assert sum(checks for checks, _ in reports) <= app.config["LOGIN_MAX_FAILURES"]
    db.session.expire_all()
    assert db.session.get(User, user.id).is_locked


# --- passwords ------------------------------------------------------------------------------------

@pytest.mark.parametrize("new_password, message", [
    ("short-1", "between 10 and 200 characters"),
    ("aaaaaaaaaa", "different characters"),
    ("1234567890", "most common passwords"),
    ("qwertyuiop", "most common passwords"),
    ("Password123", "most common passwords"),
    (PASSWORD, "differ from the current one"),
    ("my-name-is-kuaiji", "cannot contain the username"),
])
def test_weak_passwords_are_refused_on_the_change_page(app, client, make_user, new_password, message):
    user = make_user(Role.VILLAGE, username="kuaiji")
    login(client, user)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "password": new_password, "confirm": new_password})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert accounts.check_password_hash(db.session.get(User, user.id).password_hash, PASSWORD)


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890"])
def test_weak_passwords_are_refused_when_the_administrator_sets_them(client, login_as, make_user, password):
    login_as(Role.ADMIN)
    user = make_user(Role.FINANCE)
    assert client.post(f"/admin/users/{user.id}/password", data={"password": password}).status_code == 422
    response = client.post("/admin/users/new", data={"username": "newcomer", "display_name": "x", "password": password,
                                                      "roles": ["finance"], "village_id": "", "township_id": "",
                                                      "department": ""})
    assert response.status_code == 422
    assert db.session.execute(select(User).where(User.username == "newcomer")).scalar_one_or_none() is None


def test_the_administrator_cannot_reset_to_the_current_password(client, login_as, make_user):
    login_as(Role.ADMIN)
    user = make_user(Role.FINANCE)
    response = client.post(f"/admin/users/{user.id}/password", data={"password": PASSWORD})
    assert response.status_code == 422 and "differ from the current one" in response.get_data(as_text=True)


def test_the_common_password_list_comes_from_the_package_and_spares_the_demo_password():
    common = accounts.common_passwords()
    assert len(common) >= 10_000 and "1234567890" in common
    for username, *_ in DEMO_USERS:  # `make run` keeps working with the README's password
        accounts.check_password_rules(DEMO_PASSWORD, username=username)


# --- a password set by an administrator -----------------------------------------------------------

def _new_user_by_admin(admin_browser, username="newcomer", password="set-by-the-admin"):
    response = admin_browser.post("/admin/users/new", data={
        "username": username, "display_name": "新人", "password": password, "roles": ["finance"],
        "village_id": "", "township_id": "", "department": ""})
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def test_a_password_set_by_the_administrator_is_changed_at_the_first_sign_in(app, make_user):
    admin_browser = app.test_client()
    login(admin_browser, make_user(Role.ADMIN))
    user = _new_user_by_admin(admin_browser)
    assert user.must_change_password
    browser = app.test_client()
    signed_in = login(browser, user, "set-by-the-admin")
    assert signed_in.status_code == 303 and signed_in.headers["Location"].endswith("/account/password")
    for path in ("/", "/pools", "/projects", "/account/nowhere"):
        response = browser.get(path)
        assert response.status_code == 303 and response.headers["Location"].endswith("/account/password"), path
    htmx = browser.get("/pools", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].endswith("/account/password")
    page = browser.get("/account/password")
    assert page.status_code == 200 and "set by the administrator" in page.get_data(as_text=True)
    assert browser.get("/static/favicon.svg").status_code == 200  # static files are never sent to the password page
    changed = browser.post("/account/password", data={"current_password": "set-by-the-admin",
                                                       "password": "my-own-choice-7", "confirm": "my-own-choice-7"})
    assert changed.status_code == 303
    assert browser.get("/").status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, user.id).must_change_password


def test_a_reset_password_is_changed_at_the_next_sign_in_and_logout_still_works(app, make_user):
    user = make_user(Role.FINANCE)
    admin_browser = app.test_client()
    login(admin_browser, make_user(Role.ADMIN))
    assert admin_browser.post(f"/admin/users/{user.id}/password", data={"password": "reset-by-admin"}).status_code == 303
    browser = app.test_client()
    login(browser, user, "reset-by-admin")
    assert browser.get("/").headers["Location"].endswith("/account/password")
    assert browser.post("/logout").status_code == 303
    assert browser.get("/").headers["Location"].startswith("/login")


def test_accounts_made_by_the_command_line_and_the_demo_need_no_change(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["create-admin", "--username", "chief", "--password", "first-admin-pass"]).exit_code == 0
    assert not any(db.session.execute(select(User.must_change_password)).scalars())


# --- administrators do not grant themselves roles that act ----------------------------------------

def _profile(roles, **extra):
    return {"display_name": "管理员", "roles": roles, "department": "", "village_id": "", "township_id": "", **extra}


@pytest.mark.parametrize("role, extra", [
    ("finance", {}), ("approver", {}), ("reviewer", {"department": "finance"}), ("village", "village"),
    ("town", "township"),
])
def test_an_administrator_cannot_grant_themselves_a_role_that_acts(client, login_as, make_village, role, extra):
    admin = login_as(Role.ADMIN)
    if isinstance(extra, str):
        village = make_village()
        extra = {"village_id": str(village.id)} if extra == "village" else {"township_id": str(village.township_id)}
    response = client.post(f"/admin/users/{admin.id}", data=_profile(["admin", role], **extra))
    assert response.status_code == 422
    assert "cannot give yourself these roles" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).roles == {"admin"}


def test_another_administrator_grants_it_with_an_audit_row_and_the_holder_may_keep_it(app, client, login_as,
                                                                                         make_user):
    first = login_as(Role.ADMIN)
    second = make_user(Role.ADMIN)
    other_browser = app.test_client()
    login(other_browser, second)
    assert other_browser.post(f"/admin/users/{first.id}", data=_profile(["admin", "finance"])).status_code == 303
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "user.updated", AuditEvent.object_id == str(first.id))).scalar_one()
    assert event.actor_id == second.id and event.after["roles"] == ["admin", "finance"]
    # the first administrator may still edit their own profile and keep what was granted
    assert client.post(f"/admin/users/{first.id}", data=_profile(["admin", "finance"], display_name="改名")).status_code == 303


def test_the_rule_holds_in_the_service_too(app, make_user):
    admin = make_user(Role.ADMIN)
    with pytest.raises(DomainError, match="cannot give yourself"):
        accounts.update_user(admin, admin, display_name="x", roles=[Role.ADMIN, Role.APPROVER], department=None,
                             village_id=None, township_id=None)
