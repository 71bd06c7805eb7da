"""HTMX helpers: one route serves a whole page or the fragment htmx asked for."""
from flask import make_response, redirect, render_template, request


def is_htmx() -> bool:
    """An htmx request that wants a fragment. A boosted request and a history restore (Back after
    htmx's history cache missed) want the whole page."""
    headers = request.headers
    return (headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"
            and headers.get("HX-History-Restore-Request") != "true")


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    """The full page for a normal request, only the region for an htmx request."""
    template = fragment if is_htmx() else page
    return make_response(render_template(template, **context), status)


def redirect_after_post(location: str):
    """303 See Other for a plain form; HX-Redirect for htmx, which ignores 3xx bodies."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)
