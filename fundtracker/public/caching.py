"""Public pages are built for the open internet: cacheable for a minute by anyone, answered with 304
when the visitor already has them (ETag over the page), and setting no cookie (their template takes no
CSRF token and reads no user). `public_access` marks every view anyone may reach without signing in."""
from functools import wraps

from flask import make_response, request

from .settings import setting


def public_access(view):
    view.public_access = True
    return view


def public_page(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = f"public, max-age={setting('PUBLIC_CACHE_SECONDS')}"
        response.vary.update(("Accept-Language", "Cookie"))
        if response.status_code == 200:
            response.add_etag()
            response.make_conditional(request)
        return response

    return public_access(wrapped)


def no_store(response):
    """The objection form's page sets the CSRF session cookie, so no cache may keep or share it."""
    response = make_response(response)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def private_form(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        return no_store(view(*args, **kwargs))

    return public_access(wrapped)
