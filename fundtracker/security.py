"""Security headers on every response, the input every request must pass, and the one check of a
redirect target."""
from urllib.parse import urlsplit

from flask import abort, request, url_for
from flask_babel import lazy_gettext as _l

from .errors import render_error

NUL_IN_FORM = _l("The request contains a NUL character (\\0), which no field accepts. Remove it and send the form "
                 "again.")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def register_security_headers(app) -> None:
    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.add("Vary", "HX-Request")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        return response


def register_input_checks(app) -> None:
    """A NUL character can match nothing and PostgreSQL refuses it in text: a query string holding one
    is a 404, a form holding one a 400, before any view runs (never a 500 from the driver)."""

    @app.before_request
    def refuse_nul_characters():
        if any("\x00" in value for value in request.args.values()):
            abort(404)
        if request.method == "POST" and any("\x00" in value for value in request.form.values()):
            return render_error(400, NUL_IN_FORM)


def safe_next(target: str | None) -> str:
    """Only a path on this site, never an absolute URL someone planted."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")
