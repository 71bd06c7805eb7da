"""Every registered route × every role (and anonymous) → the expected status.

A route added without an entry fails test_every_route_is_in_the_matrix. Each domain keeps
its entries in tests/<domain>/authz.py: a dict ENTRIES (rule -> [Check, ...]) and,
optionally, extend_world(world, request) that adds the objects its URLs need.
"""
import importlib
from pathlib import Path

import pytest

from fundtracker.auth.roles import Role

from .authz_helpers import ANONYMOUS, ROLES, Check, everyone, only, signed_in
from .conftest import login

ADMIN = Role.ADMIN

# rule -> checks. Each rule of the url_map appears here.
MATRIX = {
    "/login": [Check("GET", "/login", {**everyone(302), ANONYMOUS: 200})],
    "/logout": [Check("POST", "/logout", signed_in(303))],
    "/account/password": [Check("GET", "/account/password", signed_in())],
    "/": [Check("GET", "/", signed_in())],
    "/language/<code>": [Check("GET", "/language/en", everyone(303))],
    "/healthz": [Check("GET", "/healthz", everyone())],
    "/admin/users": [Check("GET", "/admin/users", only(ADMIN))],
    "/admin/users/new": [Check("GET", "/admin/users/new", only(ADMIN))],
    "/admin/users/<int:user_id>": [Check("GET", lambda w: f"/admin/users/{w['spare'].id}", only(ADMIN))],
    "/admin/users/<int:user_id>/active": [
        Check("POST", lambda w: f"/admin/users/{w['spare'].id}/active", only(ADMIN, status=303), {"active": "1"})
    ],
    "/admin/users/<int:user_id>/password": [
        Check("GET", lambda w: f"/admin/users/{w['spare'].id}/password", only(ADMIN))
    ],
    "/admin/townships": [Check("GET", "/admin/townships", only(ADMIN))],
    "/admin/townships/new": [Check("GET", "/admin/townships/new", only(ADMIN))],
    "/admin/townships/<int:township_id>": [
        Check("GET", lambda w: f"/admin/townships/{w['village'].township_id}", only(ADMIN))
    ],
    "/admin/villages": [Check("GET", "/admin/villages", only(ADMIN))],
    "/admin/villages/new": [Check("GET", "/admin/villages/new", only(ADMIN))],
    "/admin/villages/<int:village_id>": [Check("GET", lambda w: f"/admin/villages/{w['village'].id}", only(ADMIN))],
    "/admin/audit": [Check("GET", "/admin/audit", only(ADMIN))],
}

IGNORED_RULES = {"/static/<path:filename>"}


def _domain_modules():
    for path in sorted(Path(__file__).parent.glob("*/authz.py")):
        yield importlib.import_module(f"tests.{path.parent.name}.authz")


DOMAIN_MODULES = list(_domain_modules())
for _module in DOMAIN_MODULES:
    MATRIX.update(_module.ENTRIES)


def test_every_route_is_in_the_matrix(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()} - IGNORED_RULES
    missing = sorted(rules - set(MATRIX))
    stale = sorted(set(MATRIX) - rules)
    assert not missing, f"routes without an authorization entry: {missing}"
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


@pytest.fixture
def world(request, make_user, make_village):
    """The objects the URLs point at: all inside the village of the village user and the
    township of the town user, so that scope does not hide them (scope has its own tests)."""
    world = {"village": make_village(), "spare": make_user(Role.FINANCE, username="spare")}
    for module in DOMAIN_MODULES:
        if hasattr(module, "extend_world"):
            module.extend_world(world, request)
    return world


def _user_for(role, make_user, world):
    if role == ANONYMOUS:
        return None
    return make_user(Role(role), village=world["village"], township=world["village"].township)


@pytest.mark.parametrize("role", ROLES)
def test_route_statuses_for_role(app, make_user, world, role):
    client = app.test_client()
    user = _user_for(role, make_user, world)
    if user is not None:
        assert login(client, user).status_code == 303
    failures = []
    # Logout last: it ends the session the other checks need.
    ordered = sorted(MATRIX.items(), key=lambda item: item[0] == "/logout")
    for rule, checks in ordered:
        for check in checks:
            url = check.url(world) if callable(check.url) else check.url
            data = check.data(world) if callable(check.data) else check.data
            response = client.open(url, method=check.method, data=data)
            expected = check.expected[role]
            if response.status_code != expected:
                failures.append(f"{check.method} {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)
