"""Security headers on every response, the checks of input at the door (NUL bytes, query keys that
url_for would take for its own), and the one check of a redirect target."""
import unicodedata
from urllib.parse import urlsplit

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict

from .errors import render_error

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


NUL_REFUSED = _l("The request contains a NUL character (\\0), which no field accepts. "
                  "Remove it and send the form again.")


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values if isinstance(value, str))


def _refuse_nul_bytes():
    """No text we store or look up may hold a NUL byte (PostgreSQL refuses it in text): one clear
    400 for any form field, file name, query value or key, before any view reads them."""
    args, form = request.args, request.form if request.method not in ("GET", "HEAD", "OPTIONS") else {}
    names = [*args.keys(), *form.keys(), *(f.filename for f in request.files.values())]
    if "\x00" in request.path or _has_nul(names) or _has_nul(args.values()) or \
            _has_nul(value for key in form for value in form.getlist(key)):
        return render_error(400, NUL_REFUSED)
    return None


# url_for's own parameters, and the path parameter every export link passes: a query argument of that
# name would collide with them in templates that pass the query string on (`url_for(..., **request.args)`).
URL_FOR_RESERVED = frozenset({"endpoint", "fmt"})


def _drop_reserved_query_keys():
    """Unknown query arguments are ignored, and some would not be harmless when templates pass the query
    string on to url_for: `endpoint`, `_external`, `_anchor`, `_scheme`, `_method` and the current
    route's own path parameters. They are dropped here, once, for every view."""
    reserved = URL_FOR_RESERVED | set(request.view_args or ())
    args = request.args
    if any(key in reserved or key.startswith("_") for key in args):
        request.args = ImmutableMultiDict(
            [(key, value) for key, value in args.items(multi=True) if key not in reserved and not key.startswith("_")]
        )


def register_input_checks(app) -> None:
    app.before_request(_refuse_nul_bytes)
    app.before_request(_drop_reserved_query_keys)


def safe_next(target: str | None) -> str:
    """Only a path on this site, never an absolute URL someone planted, and nothing a header cannot
    carry: control characters (CR, LF…) and backslashes (browsers read `/\\host` as `//host`) are refused."""
    if (target and target.startswith("/") and not target.startswith("//")
            and "\\" not in target and not any(unicodedata.category(ch) == "Cc" for ch in target)
            and not urlsplit(target).netloc and not urlsplit(target).scheme):
        return target
    return url_for("main.home")
