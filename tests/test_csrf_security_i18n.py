import re

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.geo.models import Village

from .conftest import PASSWORD, login


def test_post_without_csrf_token_is_refused(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user(Role.FINANCE)
        client = app.test_client()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303
        # htmx sends the token in a header taken from <body hx-headers>
        home = client.get("/").get_data(as_text=True)
        header_token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)
        assert client.post("/logout").status_code == 400
        assert client.post("/logout", headers={"X-CSRFToken": header_token}).status_code == 303


def test_html_responses_carry_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers["Vary"]


def test_pages_have_no_inline_script(client, make_user):
    login(client, make_user(Role.ADMIN))
    for url in ("/", "/admin/users", "/login"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url


def test_session_cookie_flags(client, make_user):
    response = login(client, make_user(Role.FINANCE))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_user_supplied_text_is_escaped(client, make_user, make_village):
    village = make_village(name="<script>alert(1)</script>")
    login(client, make_user(Role.ADMIN))
    page = client.get("/admin/villages").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert db.session.get(Village, village.id).name == "<script>alert(1)</script>"


def test_error_pages_are_full_pages_or_htmx_fragments(client, make_user):
    login(client, make_user(Role.VILLAGE))
    page = client.get("/admin/users")
    assert page.status_code == 403 and "<html" in page.get_data(as_text=True)
    fragment = client.get("/admin/users", headers={"HX-Request": "true"})
    assert fragment.status_code == 403
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="error"' in body
    missing = client.get("/no/such/page", headers={"HX-Request": "true"})
    assert missing.status_code == 404 and "<html" not in missing.get_data(as_text=True)


def test_language_follows_the_browser_and_the_switch(app):
    client = app.test_client()
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in english
    chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "登录" in chinese
    client.get("/language/en")
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_a_request_finds_its_catalog_once_and_follows_a_forced_locale(app, monkeypatch):
    """Strings are translated from the catalog the request found once; force_locale (the stored monitoring
    causes, the public notices) still switches the language inside the request and back."""
    import flask_babel
    from flask import session
    from flask_babel import force_locale, gettext, lazy_gettext, refresh

    lookups = []
    found = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: lookups.append(1) or found(self))
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert [gettext("Fund overview") for _ in range(3)] + [str(lazy_gettext("Fund overview"))] == ["资金运行总览"] * 4
        assert len(lookups) == 1
        with force_locale("en"):
            assert gettext("Fund overview") == "Fund overview"
        assert gettext("Fund overview") == "资金运行总览"
        assert len(lookups) == 2  # one more for the forced locale; the request's own catalog comes back with it
        session["lang"] = "en"
        assert gettext("Fund overview") == "资金运行总览"  # the request keeps the language it chose
        refresh()
        assert gettext("Fund overview") == "Fund overview" and len(lookups) == 3


def test_a_second_domain_finds_its_own_catalog_not_the_one_the_request_kept(app):
    """The catalog a request keeps belongs to the domain that found it: another domain (a catalog of other
    messages) in the same request looks up its own instead of being handed the app's."""
    from flask_babel import gettext

    from fundtracker.extensions import RequestTranslations, babel

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert gettext("Fund overview") == "资金运行总览"  # the app's catalog, now kept for the request
        other = RequestTranslations(domain="no_such_catalog")
        assert other.get_translations() is not babel.domain_instance.get_translations()
        assert other.gettext("Fund overview") == "Fund overview"
        assert gettext("Fund overview") == "资金运行总览"


def test_language_switch_only_redirects_within_the_site(client):
    response = client.get("/language/zh?next=//evil.example/")
    assert response.headers["Location"] == "/"
    assert client.get("/language/fr").status_code == 404
